"""MPI-INF-3DHP evaluation (paper Table 3): PCK at 150 mm, AUC (PCK averaged over 0, 5, ..., 150 mm)
and MPJPE in mm on the 14 LSP joints of the test set's valid frames, against univ_annot3.

Two alignments, as in the paper: "no rigid alignment" compares root-relative joints (pelvis = the
midpoint of the hips); "rigid alignment" first fits the prediction to the ground truth by Procrustes
(scale, rotation, translation). Each is reported over all frames, per activity (the test set's seven
annotations) and per sequence. The released code has no 3DHP evaluation; this follows its H3.6M script.

Reads <tf3dhp_dir>/test/TS*.tfrecord (src.datasets.mpi_inf_3dhp_test_to_tfrecords) and writes
<pred_dir>/mpi_inf_3dhp.json (per frame: name, sequence, activity, and per alignment the 14 joint
errors and the frame's PCK, AUC and MPJPE; all summaries) and mpi_inf_3dhp.md (the tables, with the paper's numbers beside ours).

usage: python -m src.benchmark.evaluate_3dhp --load_path models/model.ckpt-667589 \
           --tf3dhp_dir data/tf_datasets/mpi_inf_3dhp [--pred_dir eval_results] [--vis] [--batch_size 64]
"""
from __future__ import print_function

import os.path as osp
import sys
from glob import glob

import numpy as np
from absl import flags

from ..compat import tf
from ..datasets.mpi_inf_3dhp_test_to_tfrecords import ACTIVITIES
from ..errors import HMRError
from . import eval_command
from .eval_util import auc, group_means, joint_errors, pck
from .predict import predict_cached
from .tables import PUBLISHED, comparison_table, markdown_table, write_report
from .test_records import read_test_records

flags.DEFINE_string('tf3dhp_dir', 'data/tf_datasets/mpi_inf_3dhp',
                    'data dir: top of the MPI-INF-3DHP test set in tf_records (holds test/TS1.tfrecord, ...)')

METERS_TO_MM = 1000.
METRICS = ('PCK', 'AUC', 'MPJPE')
# alignment: (its name in the paper, the paper's numbers)
ALIGNMENTS = {'pelvis': ('No rigid alignment', PUBLISHED['mpi_inf_3dhp']),
              'procrustes': ('Rigid alignment', PUBLISHED['mpi_inf_3dhp_aligned'])}
ALIGNMENT_ORDER = ('pelvis', 'procrustes')
CONVERT_HINT = 'convert the test set with `python -m src.datasets.mpi_inf_3dhp_test_to_tfrecords`'


def find_records(tf3dhp_dir):
    """{sequence name: path} of <tf3dhp_dir>/test/TS*.tfrecord."""
    test_dir = osp.join(tf3dhp_dir, 'test')
    if not osp.isdir(test_dir):
        raise HMRError('MPI-INF-3DHP test records not found: %s is not a directory; %s or set --tf3dhp_dir'
                       % (test_dir, CONVERT_HINT))
    paths = sorted(glob(osp.join(test_dir, 'TS*.tfrecord')))
    if not paths:
        raise HMRError('no MPI-INF-3DHP test records (TS*.tfrecord) in %s: %s' % (test_dir, CONVERT_HINT))
    return dict((osp.splitext(osp.basename(p))[0], p) for p in paths)


def read_activities(path):
    """The meta/activity (1-7) of each record of one file, in order."""
    activities = []
    try:
        for data in tf.python_io.tf_record_iterator(path):
            example = tf.train.Example()
            example.ParseFromString(data)
            values = example.features.feature['meta/activity'].int64_list.value
            if len(values) != 1 or not 1 <= values[0] <= len(ACTIVITIES):
                raise HMRError('%s holds a record without a valid meta/activity: %s' % (path, CONVERT_HINT))
            activities.append(int(values[0]))
    except tf.errors.DataLossError as e:
        raise HMRError('test records %s are corrupt (%s): convert them again' % (path, e.message.splitlines()[0]))
    return activities


def frame_metrics(errors):
    """PCK, AUC and MPJPE of each frame's 14 joint errors (N x 14, mm)."""
    return {'PCK': np.array([pck(e) for e in errors]), 'AUC': np.array([auc(e) for e in errors]),
            'MPJPE': errors.mean(axis=1)}


def group_summary(per_frame, groups, order):
    """{group: {metric: value, 'frames': count}}. Every frame has 14 joints, so a group's PCK and AUC
    (over all its joints) are the means of its frames' values."""
    groups = np.asarray(groups)
    means = dict((m, group_means(per_frame[m], groups, order)) for m in METRICS)
    return dict((g, dict([(m, means[m][g]) for m in METRICS] + [('frames', int(np.sum(groups == g)))]))
                for g in order if g in means['MPJPE'])


def summarize(per_frame, activities, sequences, sequence_order):
    summary = {}
    for alignment in ALIGNMENT_ORDER:
        values = per_frame[alignment]
        summary[alignment] = {
            'overall': group_summary(values, ['All'] * len(activities), ['All'])['All'],
            'per_activity': group_summary(values, activities, ACTIVITIES),
            'per_sequence': group_summary(values, sequences, sequence_order),
        }
    return summary


def _group_rows(summary, key, order):
    rows = []
    for group in order:
        if group in summary['pelvis'][key]:
            rows.append([group, summary['pelvis'][key][group]['frames']] +
                        [summary[a][key][group][m] for a in ALIGNMENT_ORDER for m in METRICS])
    return rows


def report_markdown(summary, sequence_order, load_path):
    overall = summary['pelvis']['overall']
    lines = ['# MPI-INF-3DHP test set\n',
             'Model: `%s`; %d sequences, %d valid frames; 14 LSP joints, root = the midpoint of the hips; '
             'PCK at 150 mm, AUC over 0-150 mm, MPJPE in mm.\n' % (load_path, len(sequence_order), overall['frames'])]
    for alignment in ALIGNMENT_ORDER:
        title, published = ALIGNMENTS[alignment]
        lines.append('## %s\n' % title)
        lines.append(comparison_table(dict((m, summary[alignment]['overall'][m]) for m in METRICS), published))
    header = ['Frames', 'PCK', 'AUC', 'MPJPE', 'PA-PCK', 'PA-AUC', 'PA-MPJPE']
    lines.append('## Per activity (PA- = with rigid alignment)\n')
    lines.append(markdown_table(['Activity'] + header, _group_rows(summary, 'per_activity', ACTIVITIES)))
    lines.append('## Per sequence\n')
    lines.append(markdown_table(['Sequence'] + header, _group_rows(summary, 'per_sequence', sequence_order)))
    return '\n'.join(lines)


def print_summary(summary):
    for alignment in ALIGNMENT_ORDER:
        title, published = ALIGNMENTS[alignment]
        ours = summary[alignment]['overall']
        print('%s: PCK %.2f, AUC %.2f, MPJPE %.2f (paper: %s)' % (
            title, ours['PCK'], ours['AUC'], ours['MPJPE'], ', '.join('%g' % published[m] for m in METRICS)))
    activities = [a for a in ACTIVITIES if a in summary['pelvis']['per_activity']]
    print('---for excel: PCK per activity---')
    print(', '.join(activities + ['All']))
    for alignment in ALIGNMENT_ORDER:
        if alignment == 'procrustes':
            print('With Alignment:')
        values = [summary[alignment]['per_activity'][a]['PCK'] for a in activities]
        print(', '.join('%.2f' % v for v in values + [summary[alignment]['overall']['PCK']]))


def main(config):
    paths = find_records(config.tf3dhp_dir)
    activities = dict((s, read_activities(p)) for s, p in paths.items())
    model = eval_command.load_model(config)
    extremes = eval_command.extremes_for(config)
    per_frame = {'names': [], 'sequence': [], 'activity': []}
    errors = dict((a, []) for a in ALIGNMENT_ORDER)
    bar = eval_command.progress_bar(sum(len(a) for a in activities.values()), 'MPI-INF-3DHP')
    for sequence in sorted(paths):
        records = read_test_records(paths[sequence], config.img_size)
        if records['gt3d'] is None:
            raise HMRError('%s holds no 3D joints (mosh/gt3d): %s' % (paths[sequence], CONVERT_HINT))
        bar.set_postfix_str(sequence, refresh=False)
        predictions = predict_cached(model, records['images'], osp.join(config.pred_dir, 'predictions', sequence + '.npz'),
                                     progress=bar.update)
        # joints3d is COCO+ 19 (or LSP 14): its first 14 are the LSP joints.
        pred3d = predictions['joints3d'][:, :14] * METERS_TO_MM
        gt3d = records['gt3d'] * METERS_TO_MM
        for alignment in ALIGNMENT_ORDER:
            errors[alignment].append(joint_errors(gt3d, pred3d, alignment))
        per_frame['names'] += records['names']
        per_frame['sequence'] += [sequence] * len(records['names'])
        per_frame['activity'] += [ACTIVITIES[a - 1] for a in activities[sequence]]
        if extremes is not None:
            extremes.add(errors['pelvis'][-1].mean(axis=1), records['images'], predictions, records['names'])
    bar.close()

    for alignment in ALIGNMENT_ORDER:
        joint_errs = np.concatenate(errors[alignment])
        per_frame[alignment] = dict(frame_metrics(joint_errs), joint_errors=joint_errs)
    sequence_order = sorted(paths)
    summary = summarize(per_frame, per_frame['activity'], per_frame['sequence'], sequence_order)
    results = {'load_path': config.load_path, 'sequences': sequence_order, 'summary': summary,
               'alignments': dict((a, ALIGNMENTS[a][0]) for a in ALIGNMENT_ORDER),
               'paper': dict((a, ALIGNMENTS[a][1]) for a in ALIGNMENT_ORDER), 'per_frame': per_frame}
    json_path, md_path = write_report(config.pred_dir, 'mpi_inf_3dhp', results,
                                      report_markdown(summary, sequence_order, config.load_path))
    if extremes is not None:
        eval_command.write_vis(extremes, config)
    print('MPI-INF-3DHP: %d frames of %d sequences' % (len(per_frame['names']), len(sequence_order)))
    print_summary(summary)
    print('wrote %s and %s' % (json_path, md_path))
    return results


if __name__ == '__main__':
    from ..cli import run_with_flags
    sys.exit(run_with_flags(main))
