"""Flags: the released names and defaults, the --log_dir collision handled, no I/O at import."""
import subprocess
import sys

from src import config
from tests.conftest import PROJECT_DIR

RELEASED_DEFAULTS = {
    'batch_size': 8, 'img_size': 224, 'num_stage': 3, 'model_type': 'resnet_fc3_dropout',
    'joint_type': 'cocoplus', 'data_format': 'NHWC', 'load_path': None, 'pretrained_model_path': None,
    'log_dir': 'logs', 'log_img_step': 100, 'epoch': 100, 'datasets': ['lsp', 'lsp_ext', 'mpii', 'coco'],
    'mocap_datasets': ['CMU', 'H3.6', 'jointLim'], 'encoder_only': False, 'use_3d_label': True,
    'e_lr': 0.001, 'd_lr': 0.001, 'e_wd': 0.0001, 'd_wd': 0.0001, 'e_loss_weight': 60,
    'd_loss_weight': 1, 'e_3d_weight': 1, 'trans_max': 20, 'scale_max': 1.23, 'scale_min': 0.8,
}


def test_released_flags_and_defaults():
    for name, default in RELEASED_DEFAULTS.items():
        assert config.FLAGS[name].default == default, name
    assert config.FLAGS['smpl_model_path'].default.endswith('models/neutral_smpl_with_cocoplus_reg.pkl')
    assert config.PRETRAINED_MODEL.endswith('models/model.ckpt-667589')


def test_log_dir_is_one_flag_shared_with_absl_logging():
    code = ('import absl.logging, tensorflow; from src import config; '
            'config.get_config(["x", "--log_dir=/tmp/runs"]); print(config.FLAGS.log_dir)')
    out = subprocess.check_output([sys.executable, '-c', code], cwd=PROJECT_DIR, stderr=subprocess.DEVNULL)
    assert out.decode().strip().splitlines()[-1] == '/tmp/runs'


def test_import_touches_no_files_and_needs_no_models():
    # Importing config from a folder without models/ must not fail, print or open anything.
    code = ('import builtins, sys; sys.path.insert(0, %r); opened = []; real = builtins.open; '
            'builtins.open = lambda *a, **k: opened.append(a[0]) or real(*a, **k); '
            'import src.config; print(len([p for p in opened if "models" in str(p)]))' % PROJECT_DIR)
    out = subprocess.check_output([sys.executable, '-c', code], cwd='/')
    assert out.decode().strip() == '0'


def test_bad_joint_type_is_refused_at_parse_time():
    code = 'from src import config; config.get_config(["x", "--joint_type=h36m"])'
    proc = subprocess.run([sys.executable, '-c', code], cwd=PROJECT_DIR, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    assert proc.returncode != 0 and b'cocoplus' in proc.stderr
