"""The one training step that the released trainer and the port both take, and how its tensors are
summarised for the golden file.

NumPy only, so the generator (beside the released tree, whose package is also called `src`) and the
test (beside the project) share it. Everything here is deterministic: NumPy's RandomState streams
are stable across NumPy versions.
"""
import hashlib

import numpy as np

SEED = 16
BATCH_SIZE = 4
NUM_STAGE = 3
# The checkpoint is taken mid-training: Adam has run this many steps (its power accumulators say so)
# and its moments are non-zero, so one more step moves every parameter smoothly with its gradient
# instead of by +-lr, and the port must restore the optimiser's state to follow.
GLOBAL_STEP = 1000
ADAM_BETA1, ADAM_BETA2 = .9, .999
# Scale of the checkpoint's Adam moments (gradients here are 1e-2 to 1 per element).
SLOT_SCALE = 1e-3
# Examples 0-1 have 3D joints (example 0 also SMPL parameters, as Human3.6M), 2-3 are 2D-only.
HAS3D = np.array([[True, True], [True, False], [False, False], [False, False]])
# Values kept of each tensor too large to store whole.
SAMPLE_SIZE = 64
IMAGE_SAMPLE_SIZE = 2048


def group_of(name):
    """The variable's part of the model: the image encoder, the IEF regressor, the prior, or other."""
    if name.startswith('resnet_v2_50/'):
        return 'resnet'
    if name.startswith('3D_module/') or name.startswith('mean_param'):
        return 'regressor'
    if name.startswith('D/'):
        return 'discriminator'
    return 'other'


def _rng(*keys):
    digest = hashlib.md5('/'.join(str(k) for k in keys).encode()).hexdigest()
    return np.random.RandomState(int(digest[:7], 16))


def rodrigues(axis_angles):
    """N x 3 axis-angle -> N x 3 x 3 rotation matrices (float64)."""
    angle = np.linalg.norm(axis_angles + 1e-8, axis=1)[:, None, None]
    axis = (axis_angles / np.linalg.norm(axis_angles + 1e-8, axis=1, keepdims=True))
    k = np.zeros((len(axis), 3, 3))
    k[:, 0, 1], k[:, 0, 2], k[:, 1, 2] = -axis[:, 2], axis[:, 1], -axis[:, 0]
    k -= k.transpose(0, 2, 1)
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * np.matmul(k, k)


def fixed_batch(seed=SEED, batch_size=BATCH_SIZE, num_stage=NUM_STAGE):
    """The released trainer's inputs as arrays: the data loader's dict and the MoSh (pose, shape).

    Images are smooth random patterns in [-1, 1]; invisible keypoints are zeros and the 3D labels of
    2D-only examples are zeros, as the released loader gives them.
    """
    rng = _rng('batch', seed)
    coarse = rng.rand(batch_size, 28, 28, 3)
    image = np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2) + .1 * rng.randn(batch_size, 224, 224, 3)
    image = np.clip(2 * image - 1, -1, 1)
    visible = (rng.rand(batch_size, 19) > .2).astype(np.float64)
    label = np.concatenate([np.clip(rng.randn(batch_size, 19, 2) * .4, -.95, .95), np.ones((batch_size, 19, 1))], 2)
    label *= visible[:, :, None]
    rotations = rodrigues(rng.randn(batch_size * 24, 3) * .3).reshape(batch_size, 24 * 9)
    shape = rng.randn(batch_size, 10) * .5
    joints = rng.randn(batch_size, 14 * 3) * .3
    label3d = np.concatenate([rotations, shape, joints], 1) * HAS3D[:batch_size, :1]
    return {
        'image': image.astype(np.float32),
        'label': label.astype(np.float32),
        'label3d': label3d.astype(np.float32),
        'has3d': HAS3D[:batch_size].copy(),
        'mocap_pose': (rng.randn(batch_size * num_stage, 72) * .2).astype(np.float32),
        'mocap_shape': (rng.randn(batch_size * num_stage, 10) * .5).astype(np.float32),
    }


def smpl_checkpoint_arrays(model):
    """The SMPL arrays as the released graph stores them (its non-trainable variables)."""
    def dense(x):
        x = x.r if hasattr(x, 'r') and not isinstance(x, np.ndarray) else x
        return np.asarray(x.todense() if hasattr(x, 'todense') else x, dtype=np.float64)
    num_betas = model['shapedirs'].shape[-1]
    return {
        'v_template': dense(model['v_template']),
        'shapedirs': np.reshape(dense(model['shapedirs']), [-1, num_betas]).T,
        'J_regressor': dense(model['J_regressor']).T,
        'posedirs': np.reshape(dense(model['posedirs']), [-1, 207]).T,
        'lbs_weights': dense(model['weights']),
        'cocoplus_regressor': dense(model['cocoplus_regressor']).T,
    }


def _model_value(name, shape, r):
    if name == 'mean_param':
        value = np.zeros(shape)
        value[0, 0], value[0, 3] = .9, np.pi
        value[0, 6:] = r.randn(shape[1] - 6) * .1
        return value
    if name.endswith('/weights'):
        value = r.randn(*shape) * np.sqrt(1. / np.prod(shape[:-1]))
        return value * .05 if name.startswith('3D_module/fc3') else value
    if name.endswith('/biases'):
        return r.randn(*shape) * .01
    if name.endswith('/gamma'):
        return 1 + .1 * r.randn(*shape)
    if name.endswith('/beta'):
        return .1 * r.randn(*shape)
    if name.endswith('/moving_mean'):
        return .05 * r.randn(*shape)
    if name.endswith('/moving_variance'):
        return 1 + .2 * np.abs(r.randn(*shape))
    raise ValueError('no seeded value for variable %s' % name)


def seeded_value(name, shape, smpl_arrays, seed=SEED):
    """The checkpoint's value of one variable of the released training layout."""
    if name == 'global_step':
        return np.array(GLOBAL_STEP, np.int32)
    if name in smpl_arrays:
        return smpl_arrays[name].astype(np.float32)
    if name.startswith('beta1_power'):
        return np.array(ADAM_BETA1 ** (GLOBAL_STEP + 1), np.float32)
    if name.startswith('beta2_power'):
        return np.array(ADAM_BETA2 ** (GLOBAL_STEP + 1), np.float32)
    r = _rng('checkpoint', seed, name)
    if name.endswith('/Adam'):  # first moment: a running mean of gradients
        return (SLOT_SCALE * r.randn(*shape)).astype(np.float32)
    if name.endswith('/Adam_1'):  # second moment: positive, away from zero
        return (SLOT_SCALE ** 2 * (.5 + r.rand(*shape))).astype(np.float32)
    return _model_value(name, shape, r).astype(np.float32)


def checkpoint_values(names_and_shapes, smpl_arrays, seed=SEED):
    """(name, value) of every variable of the layout, in its order."""
    for name, shape in names_and_shapes:
        value = seeded_value(name, list(shape), smpl_arrays, seed)
        if list(value.shape) != list(shape):
            raise ValueError('%s: seeded %s, layout says %s' % (name, value.shape, shape))
        yield name, value


def write_checkpoint(tf, named_values, prefix):
    """Save (name, array) pairs as a TensorFlow checkpoint under exactly those names."""
    named_values = list(named_values)
    with tf.Graph().as_default():
        holders, assigns, variables = [], [], {}
        for name, value in named_values:
            variable = tf.Variable(tf.zeros(value.shape, tf.as_dtype(value.dtype)), name='v%d' % len(holders))
            holder = tf.placeholder(variable.dtype.base_dtype, value.shape)
            holders.append(holder)
            assigns.append(tf.assign(variable, holder))
            variables[name] = variable
        saver = tf.train.Saver(variables)
        with tf.Session() as sess:
            sess.run(assigns, dict(zip(holders, [value for _, value in named_values])))
            return saver.save(sess, prefix, write_meta_graph=False)


class FixedDropout(object):
    """A stand-in for slim.dropout with a fixed mask: the n-th call drops the same units on both sides.

    It keeps dropout's training-time arithmetic (units kept with probability keep_prob, scaled by
    1 / keep_prob), so a port that drops elsewhere or at another rate still differs; only the random
    draw is replaced. `calls` records (scope, keep_prob, is_training) of every call.
    """

    def __init__(self, tf, seed=SEED):
        self.tf, self.seed, self.calls = tf, seed, []

    def __call__(self, inputs, keep_prob=.5, noise_shape=None, is_training=True, outputs_collections=None,
                 scope=None, seed=None):
        tf = self.tf
        self.calls.append((scope, float(keep_prob), bool(is_training)))
        if not is_training:
            return inputs
        shape = inputs.shape.as_list()
        keep = _rng('dropout', self.seed, len(self.calls)).rand(*shape) < keep_prob
        with tf.name_scope(scope, 'FixedDropout', [inputs]):
            return inputs * tf.constant(keep.astype(np.float32) / np.float32(keep_prob))


def draws_at_upper_bound(tf):
    """A stand-in for tf.random_uniform that returns its upper bound: no jitter, no flip."""
    def random_uniform(shape, minval=0, maxval=None, dtype=tf.float32, seed=None, name=None):
        return tf.fill(shape, tf.constant(1 if maxval is None else maxval, dtype))
    return random_uniform


def image_codes(images):
    """8-bit pixel values of images in [-1, 1] made from decoded JPEG pixels (k / 255, rescaled)."""
    return np.round((images.astype(np.float64) + 1) / 2 * 255).astype(np.uint8)


def image_from_codes(codes):
    """The float32 image TensorFlow makes of 8-bit pixels: k * (1 / 255), then (x - .5) * 2."""
    return (codes.astype(np.float32) * np.float32(1. / 255) - np.float32(.5)) * np.float32(2)


def sample_indices(name, size, k=SAMPLE_SIZE):
    """The fixed positions kept of a tensor of `size` elements (all of them when it is small); a
    variable's Adam moments are kept at the variable's positions."""
    if size <= k:
        return np.arange(size)
    for slot in ('/Adam', '/Adam_1'):
        if name.endswith(slot):
            name = name[:-len(slot)]
    return np.sort(_rng('sample', name).randint(0, size, k))  # repeats are rare and harmless


def sample_of(name, array, k=SAMPLE_SIZE):
    """The values of `array` at sample_indices, as float64."""
    flat = np.asarray(array).ravel()
    return flat[sample_indices(name, flat.size, k)].astype(np.float64)


def summarize(named_arrays, k=SAMPLE_SIZE):
    """Arrays of name -> tensor as a few columns: names, sizes, float64 norms, and a fixed sample of
    the values (concatenated; `offsets` delimit each tensor)."""
    names = sorted(named_arrays)
    samples, offsets = [], [0]
    for name in names:
        samples.append(sample_of(name, named_arrays[name], k))
        offsets.append(offsets[-1] + len(samples[-1]))
    arrays = [np.asarray(named_arrays[n]) for n in names]
    return {
        'names': np.array(names),
        'sizes': np.array([a.size for a in arrays], np.int64),
        'norms': np.array([np.linalg.norm(a.astype(np.float64)) for a in arrays]),
        'samples': np.concatenate(samples).astype(np.float32),
        'offsets': np.array(offsets, np.int64),
    }


def unpack(summary):
    """name -> dict(size, norm, sample) of a `summarize` result (or its stored columns)."""
    out = {}
    for i, name in enumerate(summary['names']):
        name = str(name)
        lo, hi = summary['offsets'][i], summary['offsets'][i + 1]
        out[name] = {'size': int(summary['sizes'][i]), 'norm': float(summary['norms'][i]),
                     'sample': summary['samples'][lo:hi].astype(np.float64)}
    return out


def relative_error(a, b):
    """||a - b|| / ||b||: 0 when equal, inf when b is zero and a is not."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    diff, scale = np.linalg.norm(a - b), np.linalg.norm(b)
    if scale == 0:
        return 0. if diff == 0 else np.inf
    return diff / scale


def sampled_errors(reference, measured, before=None):
    """Relative errors of `measured` (name -> array) against `reference` (unpacked golden columns) on
    the stored samples, per tensor and per group; with `before` (name -> array), of their changes."""
    per_tensor, squares = {}, {}
    for name, ref in reference.items():
        a, b = sample_of(name, measured[name]), ref['sample']
        if before is not None:
            a, b = a - sample_of(name, before[name]), b - sample_of(name, before[name])
        per_tensor[name] = relative_error(a, b)
        diff, scale = squares.setdefault(group_of(name), [0., 0.])
        squares[group_of(name)] = [diff + np.sum((a - b) ** 2), scale + np.sum(b ** 2)]
    per_group = {g: (np.sqrt(d / s) if s > 0 else (0. if d == 0 else np.inf)) for g, (d, s) in squares.items()}
    return per_tensor, per_group


def step_tensors(tf, trainer):
    """What one step reports and what its optimisers see: losses, d_out and the gradients."""
    losses = {'e_loss': trainer.e_loss, 'e_loss_kp': trainer.e_loss_kp, 'e_loss_disc': trainer.e_loss_disc,
              'e_loss_3d': trainer.e_loss_3d, 'e_loss_3d_joints': trainer.e_loss_3d_joints,
              'd_loss': trainer.d_loss, 'd_loss_real': trainer.d_loss_real, 'd_loss_fake': trainer.d_loss_fake}
    grads = {}
    for loss, variables in ((trainer.e_loss, trainer.E_var), (trainer.d_loss, trainer.D_var)):
        for variable, grad in zip(variables, tf.gradients(loss, variables)):
            if grad is not None:
                grads[variable.op.name] = grad
    return {'losses': losses, 'summary': trainer.summary_op_always, 'd_out': trainer.d_out, 'grads': grads}


def variable_values(tf, sess):
    """name -> value of every global variable."""
    return dict(zip([v.op.name for v in tf.global_variables()], sess.run(tf.global_variables())))


def one_step(tf, sess, trainer, tensors, restore, feed):
    """Forward/backward without updating, then one encoder and one discriminator step, each from the
    restored checkpoint (as the released train() intends: both from the same state)."""
    restore(sess)
    before = variable_values(tf, sess)
    measured = sess.run(tensors, feed)
    summary = tf.Summary.FromString(measured.pop('summary'))
    measured['reported'] = {v.tag: v.simple_value for v in summary.value}
    # Each update with the loss the released train() fetches beside it: fetching e_loss runs the
    # batch-norm statistics' updates (its control dependencies), which the gradient alone does not need.
    restore(sess)
    sess.run([trainer.d_opt, trainer.d_loss], feed)
    after_d = variable_values(tf, sess)
    restore(sess)
    sess.run([trainer.e_opt, trainer.e_loss], feed)
    after_e = variable_values(tf, sess)
    changed_d = set(n for n in before if not np.array_equal(after_d[n], before[n]))
    changed_e = set(n for n in before if not np.array_equal(after_e[n], before[n]))
    if changed_d & changed_e:
        raise AssertionError('both optimisers changed %s' % sorted(changed_d & changed_e))
    measured['after'] = {n: (after_d if n in changed_d else after_e)[n] for n in before}
    measured['changed_by_d'] = sorted(changed_d)
    return measured, before

