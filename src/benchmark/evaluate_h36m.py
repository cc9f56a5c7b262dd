"""Human3.6M evaluation (paper Table 1), as released: MPJPE and PA-MPJPE (after Procrustes) in mm on
the 14 LSP joints, both root-relative (pelvis = the midpoint of the hips), per action and overall.

Protocol 1 reads subjects 9 and 11, all four cameras and both trials; Protocol 2 only the frontal
camera (3) and trial 0 (the paper's "trial 1"). Per action, the error is the mean of its sequences'
mean errors; "Average" is the mean over actions, as the released script printed for its table; the
mean and median over all frames are reported too. Each sequence's predictions are kept in
<pred_dir>/predictions/<sequence>.npz and reused by later runs of the same checkpoint (either protocol).

usage: python -m src.benchmark.evaluate_h36m --load_path models/model.ckpt-667589 \
           --tfh36m_dir data/tf_datasets/tf_records_human36m_wjoints [--protocol 1|2] \
           [--pred_dir eval_results] [--vis] [--batch_size 64]
"""
from __future__ import print_function

import itertools
import os.path as osp
import sys

import numpy as np
from absl import flags

from ..datasets.h36m_to_tfrecords import ACTIONS, PROTOCOLS, SUBJECTS, sequence_file_name
from ..errors import HMRError
from . import eval_command
from .eval_util import joint_errors
from .predict import predict_cached
from .tables import PUBLISHED, markdown_table, write_report
from .test_records import read_test_records

flags.DEFINE_string('tfh36m_dir', 'data/tf_datasets/tf_records_human36m_wjoints',
                    'data dir: top of h36m in tf_records (holds test/S9_Directions_0_cam0.tfrecord, ...)')
flags.DEFINE_integer('protocol', 1, 'If 2, then only frontal cam (3) and trial 1, if 1, then all camera & trials')

# The recording that cannot be decoded (see src.datasets.h36m_to_tfrecords), skipped as released.
CORRUPT_SEQUENCE = (11, 'Directions', 1, 0)
METERS_TO_MM = 1000.


def protocol_sequences(protocol):
    """(subject, action, trial, camera) of every sequence `protocol` evaluates."""
    if protocol not in PROTOCOLS:
        raise HMRError('--protocol must be 1 or 2, not %s' % protocol)
    trials, cameras = PROTOCOLS[protocol]
    return [s for s in itertools.product(SUBJECTS['test'], ACTIONS, trials, cameras) if s != CORRUPT_SEQUENCE]


def sequence_errors(model, records, bar, cache_path):
    """Per-frame MPJPE and PA-MPJPE (mm) of one sequence's records, and the predictions (kept in
    cache_path, as the released script kept them in pred_dir)."""
    if records['gt3d'] is None:
        raise HMRError('the test records hold no 3D joints (mosh/gt3d): convert them with h36m_to_tfrecords')
    predictions = predict_cached(model, records['images'], cache_path, progress=bar.update)
    # joints3d is COCO+ 19 (or LSP 14): its first 14 are the LSP joints.
    pred3d = predictions['joints3d'][:, :14] * METERS_TO_MM
    gt3d = records['gt3d'] * METERS_TO_MM
    return (joint_errors(gt3d, pred3d, 'pelvis').mean(axis=1), joint_errors(gt3d, pred3d, 'procrustes').mean(axis=1),
            predictions)


def summarize(per_sequence):
    """Per-action and overall summaries of {sequence tuple: (errors, pa_errors)}."""
    by_action = {}
    for (subject, action, trial, camera), (errors, errors_pa) in per_sequence.items():
        by_action.setdefault(action, []).append((np.mean(errors), np.mean(errors_pa)))
    actions = {a: {'MPJPE': float(np.mean([m for m, _ in v])), 'PA-MPJPE': float(np.mean([p for _, p in v]))}
               for a, v in by_action.items()}
    frames = np.hstack([e for e, _ in per_sequence.values()])
    frames_pa = np.hstack([p for _, p in per_sequence.values()])
    overall = {
        'MPJPE': float(np.mean([v['MPJPE'] for v in actions.values()])),
        'PA-MPJPE': float(np.mean([v['PA-MPJPE'] for v in actions.values()])),
        'MPJPE (all frames)': float(np.mean(frames)), 'PA-MPJPE (all frames)': float(np.mean(frames_pa)),
        'Median': float(np.median(frames)), 'PA-Median': float(np.median(frames_pa)),
        'frames': int(len(frames)), 'sequences': len(per_sequence),
    }
    return actions, overall


def report_markdown(protocol, actions, overall, load_path):
    published = PUBLISHED['h36m_p%d' % protocol]
    order = [a for a in ACTIONS if a in actions]
    lines = ['# Human3.6M, Protocol %d\n' % protocol, 'Model: `%s`; %d sequences, %d frames.\n' % (
        load_path, overall['sequences'], overall['frames'])]
    lines.append(markdown_table(['Metric (mm)', 'Ours', 'Paper'], [
        [name, overall[name], published.get(name)] for name in
        ('MPJPE', 'PA-MPJPE', 'MPJPE (all frames)', 'PA-MPJPE (all frames)', 'Median', 'PA-Median')]))
    lines.append('\nPer action (mean of the sequences\' means):\n')
    lines.append(markdown_table(['Action', 'MPJPE', 'PA-MPJPE'],
                                [[a, actions[a]['MPJPE'], actions[a]['PA-MPJPE']] for a in order]))
    return '\n'.join(lines)


def main(config):
    sequences = protocol_sequences(config.protocol)
    test_dir = osp.join(config.tfh36m_dir, 'test')
    paths = {s: osp.join(test_dir, sequence_file_name(*s) + '.tfrecord') for s in sequences}
    present = {s: p for s, p in paths.items() if osp.isfile(p)}
    if not present:
        raise HMRError('no Human3.6M test records in %s: convert them with `python -m '
                       'src.datasets.h36m_to_tfrecords --split test` or set --tfh36m_dir' % test_dir)
    model = eval_command.load_model(config)
    missing = sorted(set(paths) - set(present))
    if missing:
        print('warning: %d of %d sequences of protocol %d are missing, e.g. %s; evaluating the rest' % (
            len(missing), len(paths), config.protocol, osp.basename(paths[missing[0]])), file=sys.stderr)
    extremes = eval_command.extremes_for(config)
    per_sequence, per_frame = {}, {'names': [], 'MPJPE': [], 'PA-MPJPE': []}
    bar = eval_command.progress_bar(None, 'H3.6M P%d' % config.protocol)
    for sequence in sorted(present):
        records = read_test_records(present[sequence], config.img_size)
        bar.set_postfix_str(sequence_file_name(*sequence), refresh=False)
        cache = osp.join(config.pred_dir, 'predictions', sequence_file_name(*sequence) + '.npz')
        errors, errors_pa, predictions = sequence_errors(model, records, bar, cache)
        per_sequence[sequence] = (errors, errors_pa)
        per_frame['names'] += records['names']
        per_frame['MPJPE'] += errors.tolist()
        per_frame['PA-MPJPE'] += errors_pa.tolist()
        if extremes is not None:
            extremes.add(errors, records['images'], predictions, records['names'])
    bar.close()

    actions, overall = summarize(per_sequence)
    results = {'protocol': config.protocol, 'load_path': config.load_path, 'overall': overall,
               'actions': actions, 'missing_sequences': [sequence_file_name(*s) for s in missing],
               'per_frame': per_frame,
               'per_sequence': {sequence_file_name(*s): {'MPJPE': float(np.mean(e)), 'PA-MPJPE': float(np.mean(p))}
                                for s, (e, p) in per_sequence.items()}}
    name = 'h36m_p%d' % config.protocol
    json_path, md_path = write_report(config.pred_dir, name, results,
                                      report_markdown(config.protocol, actions, overall, config.load_path))
    if extremes is not None:
        eval_command.write_vis(extremes, config)
    print('H3.6M protocol %d: MPJPE %.2f, PA-MPJPE %.2f (mean over actions); median %.2f, PA-median %.2f; '
          'wrote %s and %s' % (config.protocol, overall['MPJPE'], overall['PA-MPJPE'], overall['Median'],
                               overall['PA-Median'], json_path, md_path))
    return results


if __name__ == '__main__':
    from ..cli import run_with_flags
    sys.exit(run_with_flags(main))
