"""Training: released variable names, the discriminator's inputs, the loss falling, resuming, signals,
pretrained initialisation and refusing changed hyper-parameters."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from src.compat import tf
from src.config import get_config
from src.data_loader import DataLoader
from src.errors import HMRError
from src.run_dir import prepare_dirs, save_config
from src.trainer import HMRTrainer
from tests.conftest import PROJECT_DIR
from src.samples.synthetic_datasets import write_tiny_datasets


@pytest.fixture(scope='module')
def setup(tmp_path_factory, synthetic_models):
    data_dir = write_tiny_datasets(str(tmp_path_factory.mktemp('data')), n=4)
    return data_dir, synthetic_models[0], str(tmp_path_factory.mktemp('logs'))


def train_config(setup, *extra):
    data_dir, smpl, logs = setup
    return get_config(['train', '--data_dir=%s' % data_dir, '--smpl_model_path=%s' % smpl, '--log_dir=%s' % logs,
                       '--datasets=lsp,h36m', '--mocap_datasets=CMU', '--batch_size=2', '--log_img_step=2']
                      + list(extra))


def build(config, seed=0):
    tf.set_random_seed(seed)
    loader = DataLoader(config, seed=seed)
    return HMRTrainer(config, loader.load(), loader.get_smpl_loader(), num_itr_per_epoch=4)


def train(config, max_steps, seed=0):
    with tf.Graph().as_default():
        trainer = build(config, seed)
        save_config(config)
        step = trainer.train(max_steps=max_steps, progress=False)
        return trainer, step


@pytest.fixture(scope='module')
def first_run(setup):
    config = train_config(setup)
    prepare_dirs(config)
    trainer, step = train(config, max_steps=3)
    return config.model_dir, trainer, step


def test_checkpoint_holds_the_released_training_variables(first_run, reference_dir):
    run_dir, _, _ = first_run
    saved = sorted([name, shape] for name, shape in tf.train.list_variables(tf.train.latest_checkpoint(run_dir)))
    with open(os.path.join(reference_dir, 'checkpoint_variables_training.json')) as f:
        assert saved == sorted(json.load(f))


def test_run_folder_has_checkpoint_params_and_events(first_run):
    run_dir, trainer, step = first_run
    assert step == 3 and tf.train.latest_checkpoint(run_dir).endswith('model.ckpt-3')
    with open(os.path.join(run_dir, 'params.json')) as f:
        assert json.load(f)['e_loss_weight'] == 60
    events = [n for n in os.listdir(run_dir) if n.startswith('events.out.tfevents')]
    tags = set()
    for event in tf.train.summary_iterator(os.path.join(run_dir, events[0])):
        tags.update(v.tag for v in event.summary.value)
    assert {'loss/e_loss', 'loss/d_loss', 'loss/e_losses_noscale/kp_loss_stage2', 'd_out/Left_Hip',
            'loss/e_loss_3d_joints_noscale', 'vis_images/0'} <= tags
    assert np.isfinite(trainer.last_result['e_loss'])


def test_discriminator_sees_real_and_fake_batches_of_the_right_shape(first_run):
    _, trainer, _ = first_run
    # batch 2, 3 stages: 6 real MoSh bodies and 6 predictions, 25 scores each.
    assert trainer.d_out.shape.as_list() == [12, 25]
    assert trainer.d_out_real.shape.as_list() == trainer.d_out_fake.shape.as_list() == [6, 25]


def test_resume_continues_the_global_step(first_run, setup):
    run_dir, _, _ = first_run
    config = train_config(setup, '--load_path=%s' % run_dir)
    prepare_dirs(config)
    _, step = train(config, max_steps=4)
    assert step == 4 and tf.train.latest_checkpoint(run_dir).endswith('model.ckpt-4')


def test_changed_hyper_parameters_are_refused_unless_confirmed(first_run, setup):
    run_dir, _, _ = first_run
    config = train_config(setup, '--load_path=%s' % run_dir, '--e_lr=0.5')
    with pytest.raises(HMRError, match=r'changed hyper-parameters \(e_lr: 0.001 -> 0.5\).*--allow_changed_params'):
        prepare_dirs(config)
    config = train_config(setup, '--load_path=%s' % run_dir, '--e_lr=0.5', '--allow_changed_params')
    assert prepare_dirs(config) == {'e_lr': (0.001, 0.5)}


def test_keypoint_loss_falls_when_overfitting(setup, tmp_path):
    data_dir = write_tiny_datasets(str(tmp_path / 'two'), n=2, seed=5)
    config = train_config((data_dir, setup[1], str(tmp_path / 'logs')), '--datasets=lsp', '--use_3d_label=False',
                          '--encoder_only', '--trans_max=0', '--scale_min=1', '--scale_max=1', '--e_lr=0.001',
                          '--log_img_step=1000')
    prepare_dirs(config)
    losses = []
    with tf.Graph().as_default():
        trainer = build(config)
        trainer.train(max_steps=30, progress=False,
                      on_step=lambda step, result: losses.append(result['loss_kp'] / trainer.e_loss_weight))
    assert np.mean(losses[-5:]) < .5 * np.mean(losses[:5]), losses


def test_encoder_starts_from_a_pretrained_resnet(setup, tmp_path):
    from src.models import Encoder_resnet
    pretrained = str(tmp_path / 'resnet_v2_50.ckpt')
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.set_random_seed(4)
        Encoder_resnet(tf.zeros((1, 224, 224, 3)), is_training=False)
        sess.run(tf.global_variables_initializer())
        expected = sess.run(tf.global_variables('resnet_v2_50/conv1/weights')[0])
        tf.train.Saver().save(sess, pretrained)
    config = train_config(setup, '--pretrained_model_path=%s' % pretrained, '--log_dir=%s' % (tmp_path / 'logs'))
    prepare_dirs(config)
    with tf.Graph().as_default(), tf.Session() as sess:
        trainer = build(config)
        assert 'initialised the encoder from' in trainer.checkpoints.restore_or_initialize(sess)
        np.testing.assert_array_equal(sess.run(tf.global_variables('resnet_v2_50/conv1/weights')[0]), expected)


def test_sigterm_saves_a_checkpoint_and_exits_cleanly(setup, tmp_path):
    data_dir, smpl, _ = setup
    logs = str(tmp_path / 'logs')
    proc = subprocess.Popen([sys.executable, '-m', 'src.main', '--data_dir=%s' % data_dir, '--smpl_model_path=%s' % smpl,
                             '--log_dir=%s' % logs, '--datasets=lsp,h36m', '--mocap_datasets=CMU', '--batch_size=2',
                             '--max_steps=100000', '--log_img_step=100000'],
                            cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    output = []
    try:
        # A run that prints nothing blocks this loop: pytest-timeout ends the test, `finally` the run.
        for line in proc.stdout:
            output.append(line)
            if 'initialised from scratch' in line:
                break
        time.sleep(8)  # a few steps
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output.append(rest)
    text = ''.join(output)
    assert proc.returncode == 0, text[-2000:]
    assert 'stopped by signal %d' % signal.SIGTERM in text and 'Traceback' not in text
    run_dir = os.path.join(logs, os.listdir(logs)[0])
    checkpoint = tf.train.latest_checkpoint(run_dir)
    assert checkpoint is not None and os.path.exists(checkpoint + '.index')


def test_trains_on_records_of_the_released_converters(reference_dir, synthetic_models, tmp_path):
    config = train_config((os.path.join(reference_dir, 'tiny_tfrecords'), synthetic_models[0], str(tmp_path)))
    prepare_dirs(config)
    trainer, step = train(config, max_steps=2)
    assert step == 2 and np.isfinite(trainer.last_result['e_loss']) and np.isfinite(trainer.last_result['d_loss'])


def test_a_hard_kill_leaves_a_restorable_checkpoint(setup, tmp_path):
    data_dir, smpl, _ = setup
    logs = str(tmp_path / 'logs')
    proc = subprocess.Popen([sys.executable, '-m', 'src.main', '--data_dir=%s' % data_dir, '--smpl_model_path=%s' % smpl,
                             '--log_dir=%s' % logs, '--datasets=lsp,h36m', '--mocap_datasets=CMU', '--batch_size=2',
                             '--max_steps=100000', '--log_img_step=100000', '--save_every_secs=0'],
                            cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    run_dir = None
    try:
        while time.time() < deadline:
            runs = os.listdir(logs) if os.path.isdir(logs) else []
            run_dir = os.path.join(logs, runs[0]) if runs else None
            if run_dir and len([n for n in os.listdir(run_dir) if n.endswith('.index')]) >= 2:
                break
            time.sleep(.5)
    finally:
        proc.kill()  # SIGKILL, possibly in the middle of writing a checkpoint
        proc.wait()
    checkpoint = tf.train.latest_checkpoint(run_dir)
    assert len(tf.train.list_variables(checkpoint)) == 832
    with tf.Graph().as_default():
        reader = tf.train.NewCheckpointReader(checkpoint)
        assert reader.get_tensor('global_step') >= 1


# ------------------------------------------------------------------------------------- loss wiring
class RecordingTrainer(HMRTrainer):
    """HMRTrainer that keeps the tensors each stage hands to the 3D losses (rotations, shape, joints)."""

    def get_3d_loss(self, Rs, shape, Js):
        self.stage_3d_inputs = getattr(self, 'stage_3d_inputs', []) + [(Rs, shape, Js)]
        return super(RecordingTrainer, self).get_3d_loss(Rs, shape, Js)


def fixed_batch(batch_size=2, seed=0):
    """A batch as DataLoader.load() gives it, as constants: example 0 has 3D joints only, example 1
    SMPL parameters only, so each 3D loss sees exactly one of them."""
    rng = np.random.RandomState(seed)
    label = np.concatenate([rng.uniform(-1, 1, (batch_size, 19, 2)), rng.rand(batch_size, 19, 1) > .3], 2)
    label[:, :, :2] *= label[:, :, 2:]
    rotations = np.stack([np.linalg.qr(rng.randn(3, 3))[0] for _ in range(batch_size * 24)])
    label3d = np.hstack([rotations.reshape(batch_size, 216), rng.randn(batch_size, 10) * .5,
                         rng.randn(batch_size, 42) * .3])
    has3d = np.array([[True, False], [False, True]])
    # The labels each loss must ignore are far off, so counting them would show.
    label3d[0, :226] *= 5.
    label3d[1, 226:] *= 10.
    data = {'image': rng.uniform(-1, 1, (batch_size, 224, 224, 3)), 'label': label, 'label3d': label3d,
            'has3d': has3d}
    mocap = (rng.randn(batch_size * 3, 72) * .2, rng.randn(batch_size * 3, 10) * .5)
    return data, mocap


def half_mse(pred, gt, weights):
    """tf.losses.mean_squared_error(gt, pred, weights[:, None]) * 0.5 (mean over the weighted entries)."""
    return .5 * np.sum(weights[:, None] * (pred - gt) ** 2) / (np.count_nonzero(weights) * pred.shape[1])


def pelvis_aligned(joints):
    return joints - (joints[:, 2:3] + joints[:, 3:4]) / 2.  # LSP right hip 2, left hip 3


@pytest.fixture(scope='module')
def wired(setup):
    """The trainer's losses and the predictions they were computed from, fetched in one run."""
    config = train_config(setup)
    data, mocap = fixed_batch()
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.set_random_seed(0)
        trainer = RecordingTrainer(config, dict((k, tf.constant(v, tf.bool if k == 'has3d' else tf.float32))
                                                for k, v in data.items()),
                                   [tf.constant(m, tf.float32) for m in mocap], num_itr_per_epoch=4)
        sess.run(tf.global_variables_initializer())
        Rs, shape, Js = trainer.stage_3d_inputs[-1]
        fetched = sess.run({'e_loss': trainer.e_loss, 'kp': trainer.e_loss_kp, 'params': trainer.e_loss_3d,
                            'joints': trainer.e_loss_3d_joints, 'disc': trainer.e_loss_disc, 'd_loss': trainer.d_loss,
                            'd_real': trainer.d_out_real, 'd_fake': trainer.d_out_fake,
                            'pred_kp': trainer.all_pred_kps[:, -1], 'Rs': Rs, 'shape': shape, 'Js': Js})
        weights = {'kp': trainer.e_loss_weight, 'd': trainer.d_loss_weight, '3d': trainer.e_3d_weight}
    assert len(trainer.stage_3d_inputs) == config.num_stage
    return fetched, data, weights


def expected_3d_losses(fetched, data, weights, joints_column=0, smpl_column=1):
    has3d = data['has3d'].astype(np.float64)
    params = np.hstack([fetched['Rs'].reshape(2, -1), fetched['shape']])
    loss_params = weights['3d'] * half_mse(params, data['label3d'][:, :226], has3d[:, smpl_column])
    pred_joints = pelvis_aligned(fetched['Js'][:, :14]).reshape(2, -1)
    gt_joints = pelvis_aligned(data['label3d'][:, 226:].reshape(2, 14, 3)).reshape(2, -1)
    loss_joints = weights['3d'] * half_mse(pred_joints, gt_joints, has3d[:, joints_column])
    return loss_params, loss_joints


def test_encoder_loss_is_the_released_sum_of_its_terms(wired):
    fetched, data, weights = wired
    # Keypoints: mean absolute error over the visible coordinates of the last stage, times e_loss_weight.
    visible = data['label'][:, :, 2:]
    kp = weights['kp'] * np.sum(visible * np.abs(data['label'][:, :, :2] - fetched['pred_kp'])) / (2 * visible.sum())
    assert fetched['kp'] == pytest.approx(kp, rel=1e-4)
    # The adversarial term: the encoder wants every prediction scored 1 (least squares).
    disc = np.mean(np.sum((fetched['d_fake'] - 1) ** 2, axis=1))
    assert fetched['disc'] == pytest.approx(disc, rel=1e-4)
    loss_params, loss_joints = expected_3d_losses(fetched, data, weights)
    assert fetched['params'] == pytest.approx(loss_params, rel=1e-4)
    assert fetched['joints'] == pytest.approx(loss_joints, rel=1e-4)
    assert fetched['e_loss'] == pytest.approx(weights['d'] * disc + kp + loss_params + loss_joints, rel=1e-4)
    d_loss = weights['d'] * (np.mean(np.sum((fetched['d_real'] - 1) ** 2, axis=1)) +
                             np.mean(np.sum(fetched['d_fake'] ** 2, axis=1)))
    assert fetched['d_loss'] == pytest.approx(d_loss, rel=1e-4)
    assert min(kp, disc, loss_params, loss_joints) > 0


def test_has3d_columns_switch_the_joint_and_smpl_losses(wired):
    # has3d[:, 0] gates the 3D-joint loss and has3d[:, 1] the SMPL-parameter loss, as released.
    fetched, data, weights = wired
    wired_right = expected_3d_losses(fetched, data, weights)
    swapped = expected_3d_losses(fetched, data, weights, joints_column=1, smpl_column=0)
    assert fetched['params'] == pytest.approx(wired_right[0], rel=1e-4)
    assert fetched['joints'] == pytest.approx(wired_right[1], rel=1e-4)
    # The two wirings differ by far more than the tolerance, so a swap cannot pass.
    assert swapped[0] > 2 * wired_right[0] and swapped[1] > 2 * wired_right[1]


def test_training_stops_after_epoch_epochs(setup, tmp_path):
    config = train_config((setup[0], setup[1], str(tmp_path)), '--epoch=2', '--log_img_step=1000')
    prepare_dirs(config)
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        loader = DataLoader(config, seed=0)
        trainer = HMRTrainer(config, loader.load(), loader.get_smpl_loader(), num_itr_per_epoch=3)
        step = trainer.train(progress=False)
    # 2 epochs of 3 steps, and a checkpoint at the end.
    assert step == 6 and tf.train.latest_checkpoint(config.model_dir).endswith('model.ckpt-6')


def test_a_record_with_nan_labels_stops_training_after_a_checkpoint(synthetic_models, tmp_path):
    from src.data_loader import NonFiniteLabelError
    data_dir = write_tiny_datasets(str(tmp_path / 'bad'), n=2, bad_label=True)
    config = train_config((data_dir, synthetic_models[0], str(tmp_path / 'logs')), '--datasets=lsp',
                          '--use_3d_label=False')
    prepare_dirs(config)
    with pytest.raises(NonFiniteLabelError, match='im0000.jpg: fix or drop that record'):
        train(config, max_steps=3)
    # The checkpoint written on the way out restores: the run resumes once the record is fixed.
    latest = tf.train.latest_checkpoint(config.model_dir)
    assert latest.endswith('model.ckpt-0')
    assert ('global_step', []) in [(name, shape) for name, shape in tf.train.list_variables(latest)]


def test_a_pretrained_model_that_is_not_a_resnet_is_one_line(setup, tmp_path):
    other = str(tmp_path / 'other.ckpt')
    with tf.Graph().as_default(), tf.Session() as sess:
        tf.Variable(tf.zeros(3), name='something_else')
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, other)
    config = train_config(setup, '--pretrained_model_path=%s' % other, '--log_dir=%s' % (tmp_path / 'logs'))
    prepare_dirs(config)
    with tf.Graph().as_default(), tf.Session() as sess:
        trainer = build(config)
        with pytest.raises(HMRError, match='is not a ResNet-50 v2 checkpoint') as raised:
            trainer.checkpoints.restore_or_initialize(sess)
    assert '\n' not in str(raised.value)
