"""Training run folders: the released naming, params.json, and the checks before resuming."""
import json
import os
import os.path as osp
from datetime import datetime

from .datasets import registry
from .errors import HMRError
from .util.files import write_json

# Flags that may change between a run and its resumption.
RESUMABLE_CHANGES = {'load_path', 'log_img_step', 'pretrained_model_path', 'max_steps', 'save_every_secs',
                     'allow_changed_params', 'model_dir', 'data_dir', 'epoch',
                     'distributed'}
PARAMS_FILE = 'params.json'


def flag_values(config):
    """The parsed flags as a plain dict (what params.json holds)."""
    return {name: config[name].value for name in config}


def run_name(config, prefix='HMR'):
    """The released run-folder name: what differs from the paper's recipe, then the time."""
    prefix, postfix = [prefix], []
    recipe = registry.names(registry.IMAGES, in_recipe=True)
    if sorted(config.datasets) != sorted(recipe):
        if all(d in config.datasets for d in recipe):
            postfix.append('default+' + '-'.join(sorted(d for d in config.datasets if d not in recipe)))
        else:
            postfix.append('-'.join(sorted(config.datasets)))
    if sorted(config.mocap_datasets) != sorted(registry.names(registry.MOCAP, in_recipe=True)):
        postfix.append('-'.join(config.mocap_datasets))
    postfix.append(config.model_type)
    if config.num_stage != 3:
        prefix.append('T%d' % config.num_stage)
    postfix.append('Elr%1.e' % config.e_lr)
    if config.e_loss_weight != 1:
        postfix.append('kp-weight%g' % config.e_loss_weight)
    if not config.encoder_only:
        postfix.append('Dlr%1.e' % config.d_lr)
        if config.d_loss_weight != 1:
            postfix.append('d-weight%g' % config.d_loss_weight)
    if config.use_3d_label:
        prefix.append('3DSUP')
        if config.e_3d_weight != 1:
            postfix.append('3dsup-weight%g' % config.e_3d_weight)
    if config.trans_max != 20:
        postfix.append('transmax-%d' % config.trans_max)
    if config.scale_max != 1.23:
        postfix.append('scmax_%.3g' % config.scale_max)
    if config.scale_min != 0.8:
        postfix.append('scmin-%.3g' % config.scale_min)
    return '%s_%s_%s' % ('_'.join(prefix), '_'.join(postfix), datetime.now().strftime('%b%d_%H%M'))


def changed_params(config, run_dir):
    """{flag: (before, now)} for hyper-parameters that differ from the run's params.json."""
    path = osp.join(run_dir, PARAMS_FILE)
    try:
        with open(path, encoding='utf-8') as f:
            before = json.load(f)
    except (IOError, OSError, ValueError) as e:
        raise HMRError('cannot resume %s: %s is missing or unreadable (%s)' % (run_dir, PARAMS_FILE, e))
    if not isinstance(before, dict):
        raise HMRError('cannot resume %s: %s holds a %s, not the run\'s flags' % (run_dir, PARAMS_FILE,
                                                                                type(before).__name__))
    now = flag_values(config)
    return {k: (before[k], now[k]) for k in sorted(before) if k in now and k not in RESUMABLE_CHANGES
            and before[k] != now[k]}


def prepare_dirs(config):
    """Set config.model_dir: the run to resume (--load_path) or a new folder under log_dir."""
    if config.load_path:
        if not osp.isdir(config.load_path):
            raise HMRError('load_path %s is not a run folder' % config.load_path)
        changes = changed_params(config, config.load_path)
        from .training.checkpoints import run_checkpoints
        if not run_checkpoints(config.load_path):
            raise HMRError('cannot resume %s: it has %s but no checkpoint (model.ckpt-<step>.index)'
                           % (config.load_path, PARAMS_FILE))
        if changes and not config.allow_changed_params:
            listed = '; '.join('%s: %s -> %s' % (k, a, b) for k, (a, b) in changes.items())
            raise HMRError('resuming %s with changed hyper-parameters (%s): pass --allow_changed_params to '
                           'accept them' % (config.load_path, listed))
        config.model_dir = config.load_path
    else:
        config.model_dir = osp.join(config.log_dir, run_name(config))
    if not osp.isdir(config.model_dir):
        os.makedirs(config.model_dir)
    return changes if config.load_path else {}


def save_config(config, workers=None):
    """params.json beside the checkpoints, written atomically; for a distributed run (`workers`, see
    src.distributed) also the number of workers, the global batch and the learning rates in effect."""
    path = osp.join(config.model_dir, PARAMS_FILE)
    values = flag_values(config)
    if workers is not None and workers.distributed:
        values.update({'num_workers': workers.size, 'global_batch_size': config.batch_size * workers.size,
                       'effective_e_lr': workers.learning_rate(config.e_lr),
                       'effective_d_lr': workers.learning_rate(config.d_lr)})
    write_json(path, values, indent=4)
    return path
