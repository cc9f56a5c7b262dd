"""Command-line flags of the released HMR code (same names and defaults) and the project's paths.

Importing this module only defines flags: it reads no file and checks no path, so tools and tests can
import it on a machine without the models. `get_config()` parses `sys.argv`.
"""
import os.path as osp
import sys

from absl import flags

from .datasets import registry
from .errors import HMRError

SRC_DIR = osp.dirname(osp.abspath(__file__))
PROJECT_DIR = osp.dirname(SRC_DIR)
MODEL_DIR = osp.join(PROJECT_DIR, 'models')
SMPL_MODEL_PATH = osp.join(MODEL_DIR, 'neutral_smpl_with_cocoplus_reg.pkl')
SMPL_FACE_PATH = osp.join(SRC_DIR, 'tf_smpl', 'smpl_faces.npy')
# The released demo checkpoint.
PRETRAINED_MODEL = osp.join(MODEL_DIR, 'model.ckpt-667589')
# Where the released code expected the converted TFRecords; override with --data_dir.
DATA_DIR = osp.join(PROJECT_DIR, 'data', 'tf_datasets')

# Inputs are always NHWC: slim's ResNet wants it.
NUM_CAM = 3
NUM_POSE = 72
NUM_SHAPE = 10
NUM_THETA = NUM_CAM + NUM_POSE + NUM_SHAPE

FLAGS = flags.FLAGS


def _define_log_dir(default, help_text):
    """absl >= 0.8 defines `--log_dir` in absl.logging (imported by TF 2.x): adopt that flag.

    Both meanings are "a folder for logs", so one flag serves both; only its default becomes ours.
    """
    import absl.logging  # noqa: F401  (defines its --log_dir, so the order of imports cannot matter)
    if 'log_dir' in FLAGS:
        FLAGS.set_default('log_dir', default)
        FLAGS['log_dir'].help = help_text
    else:
        flags.DEFINE_string('log_dir', default, help_text)


flags.DEFINE_string('smpl_model_path', SMPL_MODEL_PATH, 'path to the neutral smpl model')
flags.DEFINE_string('smpl_face_path', SMPL_FACE_PATH, 'path to smpl mesh faces (for easy rendering)')
flags.DEFINE_string('load_path', None, 'path to trained model')
flags.DEFINE_string('pretrained_model_path', None, 'if not None, fine-tunes from this ckpt')
flags.DEFINE_integer('batch_size', 8, 'Images per batch: per training step (per worker with --distributed), '
                     'per run of the model in the demo and the evaluation')

# Don't change if testing:
flags.DEFINE_integer('img_size', 224, 'Input image size to the network after preprocessing')
flags.DEFINE_string('data_format', 'NHWC', 'Data format')
flags.DEFINE_integer('num_stage', 3, '# of times to iterate regressor')
flags.DEFINE_string('model_type', 'resnet_fc3_dropout', 'Specifies which network to use')
flags.DEFINE_enum('joint_type', 'cocoplus', ['cocoplus', 'lsp'],
                  'cocoplus (19 keypoints) or lsp 14 keypoints, returned by SMPL')

# Training settings:
flags.DEFINE_string('data_dir', DATA_DIR, 'Where the converted TFRecords are')
_define_log_dir('logs', 'Where to save training models')
flags.DEFINE_string('model_dir', None, 'Where model will be saved -- filled automatically')
flags.DEFINE_integer('log_img_step', 100, 'How often to visualize img during training')
flags.DEFINE_integer('epoch', 100, '# of epochs to train')

flags.DEFINE_list('datasets', registry.names(registry.IMAGES, flag_default=True),
                  'datasets to use for training, among %s' % ','.join(registry.names(registry.IMAGES)))
flags.DEFINE_list('mocap_datasets', registry.names(registry.MOCAP, flag_default=True),
                  'datasets to use for adversarial prior training, among %s' % ','.join(registry.names(registry.MOCAP)))


def _known_datasets(kind, flag):
    """A flag validator: every name is a dataset of `kind` in src.datasets.registry (else the flag's
    value is refused while parsing, with the registry's one-line reason)."""
    def check(names):
        try:
            registry.lookup(names, kind, flag)
        except HMRError as e:
            raise flags.ValidationError(str(e))
        return True
    return check


flags.register_validator('datasets', _known_datasets(registry.IMAGES, '--datasets'))
flags.register_validator('mocap_datasets', _known_datasets(registry.MOCAP, '--mocap_datasets'))

# Model config
flags.DEFINE_boolean('encoder_only', False, 'if set, no adversarial prior is trained = monsters')
flags.DEFINE_boolean('use_3d_label', True, 'Uses 3D labels if on.')

# Hyper parameters:
flags.DEFINE_float('e_lr', 0.001, 'Encoder learning rate')
flags.DEFINE_float('d_lr', 0.001, 'Adversarial prior learning rate')
flags.DEFINE_float('e_wd', 0.0001, 'Encoder weight decay')
flags.DEFINE_float('d_wd', 0.0001, 'Adversarial prior weight decay')
flags.DEFINE_float('e_loss_weight', 60, 'weight on E_kp losses')
flags.DEFINE_float('d_loss_weight', 1, 'weight on discriminator')
flags.DEFINE_float('e_3d_weight', 1, 'weight on E_3d')

# Training loop (not in the released code, which ran until `epoch` with a Supervisor)
flags.DEFINE_integer('max_steps', None, 'stop after this many steps in total (default: `epoch` epochs)')
flags.DEFINE_integer('save_every_secs', 600, 'seconds between periodic checkpoints')
flags.DEFINE_boolean('allow_changed_params', False,
                     'resume with --load_path even though hyper-parameters differ from params.json')

# Data parallel training on Horovod (src/distributed.py): batch_size is per worker.
flags.DEFINE_boolean('distributed', False, 'train as one of the workers started by horovodrun')
flags.DEFINE_enum('lr_scaling', 'linear', ['linear', 'none'],
                  'with --distributed: e_lr and d_lr times the number of workers (linear) or as given (none)')

# Data augmentation
flags.DEFINE_integer('trans_max', 20, 'Value to jitter translation')
flags.DEFINE_float('scale_max', 1.23, 'Max value of scale jitter')
flags.DEFINE_float('scale_min', 0.8, 'Min value of scale jitter')


def get_config(argv=None):
    """Parse the command line (default `sys.argv`) into the flags object, as the released code did.

    Every flag not on the command line takes its default, also when called again in one process.
    """
    config = FLAGS
    config.unparse_flags()
    config(sys.argv if argv is None else argv)
    if 'resnet' in config.model_type:
        config.img_size = 224
        config.data_format = 'NHWC'
    return config


def require_model_files(load_path=None, smpl_model_path=None):
    """Raise HMRError (one line) unless the checkpoint `load_path` (its .index, the released layout)
    and the SMPL model `smpl_model_path` exist; only the ones given are checked."""
    if load_path is not None and not load_path:
        raise HMRError('no checkpoint given: pass --load_path (the released one is models/model.ckpt-667589)')
    missing = [path for path in ((load_path + '.index') if load_path else None, smpl_model_path)
               if path and not osp.exists(path)]
    if missing:
        raise HMRError('model files missing (%s): run `make models` to download the released model, or pass '
                       '--load_path and --smpl_model_path' % ', '.join(missing))
