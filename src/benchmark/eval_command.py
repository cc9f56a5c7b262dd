"""What every evaluation command (evaluate_<dataset>.py) shares: its output flags, loading the model,
progress and the --vis pictures. Its errors are HMRErrors, which src/cli.py prints as one line."""
from __future__ import print_function

import os.path as osp
import sys

from absl import flags

from ..errors import HMRError

flags.DEFINE_string('pred_dir', 'eval_results', 'folder for the JSON of per-sample errors, the Markdown table '
                    'and the --vis pictures')
flags.DEFINE_boolean('vis', False, 'render the best and worst results as PNGs in pred_dir')
flags.DEFINE_integer('num_vis', 30, 'with --vis: how many of the best and of the worst to render')


def load_model(config):
    """A RunModel on `config.load_path`, which must name a checkpoint (model.ckpt-<step>)."""
    from ..RunModel import RunModel
    from ..compat import tf
    if not config.load_path:
        raise HMRError('no model to evaluate: pass --load_path models/model.ckpt-667589 (or your checkpoint)')
    if 'model.ckpt' not in osp.basename(config.load_path):
        raise HMRError('--load_path %s is not a checkpoint: name the model.ckpt-<step> prefix' % config.load_path)
    return RunModel(config, sess=tf.Session())


def progress_bar(total, desc, unit='img'):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)


def extremes_for(config):
    """With --vis, the collector of the best and worst results (see vis.py); otherwise None."""
    from .vis import ExtremeResults
    return ExtremeResults(config.num_vis) if config.vis else None


def write_vis(extremes, config):
    """Draw the collected best and worst results into pred_dir/vis; returns the PNG paths."""
    from ..tf_smpl.smpl_io import load_smpl_pickle, mesh_faces
    from ..util.renderer import SMPLRenderer
    from .vis import write_extremes
    renderer = SMPLRenderer(img_size=config.img_size,
                            faces=mesh_faces(load_smpl_pickle(config.smpl_model_path), config.smpl_face_path))
    paths = write_extremes(extremes, renderer, config.img_size, config.pred_dir)
    print('wrote %d pictures to %s' % (len(paths), osp.join(config.pred_dir, 'vis')))
    return paths
