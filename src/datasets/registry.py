"""The datasets of HMR, one descriptor each: the one place that knows their names, training sizes,
3D labels, record files, converters, datasets.cfg keys and MoSh names (like TF-slim's dataset_factory).

Everything else reads this table: the flags' defaults (src.config), the training reader
(src.data_loader: which records, which have 3D labels; num_examples for epochs), the run-folder names
(src.run_dir), and `make datasets` (prepare_datasets.sh runs src.datasets.prepare, which also writes
datasets.cfg.example). A name that is not in the table is an HMRError naming the known ones.

Adding a dataset takes one converter and one descriptor:
  1. Write its converter, src/datasets/<name>_to_tfrecords.py: a `main(argv)` (argparse) that reads the
     official raw folder and writes tf.train.Examples built by src.datasets.common
     (convert_to_example: 2D keypoints; convert_to_example_wmosh or person_3d_example: 3D labels; MoSh
     sets write `pose` and `shape` as smpl_to_tfrecords does) through src.datasets.records.ShardedWriter
     into its --output_directory, under names its descriptor's `pattern` matches; end the module with
     `sys.exit(run_command(main))` (src.cli) under `if __name__ == '__main__'`.
  2. Add a Dataset(...) to DATASETS below. `args` are the converter's arguments with {raw} (the folder
     its cfg_key names), {out} (<DATA_DIR>/<folder>) and {KEY} for each of its cfg_options.
  3. Regenerate the example config: python -m src.datasets.prepare --example > datasets.cfg.example
     (a test fails until it matches the table).
Then `--datasets <name>` trains on it (epochs count num_train), `make datasets` converts it when
datasets.cfg sets its cfg_key, and tests/test_dataset_registry.py checks this recipe on a toy dataset.
"""
import os.path as osp
from collections import namedtuple
from glob import glob

from ..errors import HMRError

IMAGES = 'images'  # images with keypoints: --datasets
MOCAP = 'mocap'    # MoSh'ed SMPL parameters for the adversarial prior: --mocap_datasets
TEST = 'test'      # written for an evaluation only, never trained on

class Dataset(namedtuple('Dataset', ['name', 'kind', 'folder', 'pattern', 'converter', 'args', 'cfg_key',
                                     'cfg_help', 'num_train', 'has_3d', 'cfg_options', 'in_recipe',
                                     'flag_default', 'mosh_name'])):
    """One dataset.

    name          the name in --datasets / --mocap_datasets
    kind          IMAGES, MOCAP or TEST
    folder        the folder under --data_dir its converter writes
    pattern       glob of its training records inside folder
    converter     the module that writes it (python -m ...)
    args          the converter's arguments; {raw}, {out} and {KEY} of cfg_options are filled in
    cfg_key       the datasets.cfg variable naming its official raw folder (empty: not converted)
    cfg_help      what that folder holds (the comment above cfg_key in datasets.cfg.example)
    num_train     training examples of the released conversion (epochs, progress); None for TEST
    has_3d        its records carry 3D labels (with --use_3d_label, paired with 2D-only ones)
    cfg_options   ((KEY, default, comment), ...): further datasets.cfg settings of the converter
    in_recipe     in the paper's training recipe (do_train.sh); run-folder names list what differs
    flag_default  in the released default of --datasets / --mocap_datasets
    mosh_name     MOCAP: the MoSh folder and record prefix, neutrSMPL_<name>
    """
    __slots__ = ()

    def record_pattern(self, data_dir):
        """Glob of its training records under data_dir."""
        return osp.join(data_dir, self.folder, self.pattern)

    def record_files(self, data_dir):
        return sorted(glob(self.record_pattern(data_dir)))


Dataset.__new__.__defaults__ = (None, False, (), False, False, None)


def _mosh(name, num_train):
    """A MoSh set of the prior (all share one converter and the MOSH_DIR folder)."""
    mosh_name = 'neutrSMPL_%s' % name
    return Dataset(name, MOCAP, num_train=num_train, folder='mocap_neutrMosh',
                   pattern='%s_*.tfrecord' % mosh_name,
                   converter='src.datasets.smpl_to_tfrecords',
                   args=('--data_directory', '{raw}', '--output_directory', '{out}', '--dataset_name', mosh_name),
                   cfg_key='MOSH_DIR', cfg_help="MoSh'ed SMPL parameters of the prior: the folder holding the "
                                                'neutrSMPL_<name>/ folders',
                   in_recipe=True, flag_default=True, mosh_name=mosh_name)


# In the order `make datasets` converts them.
DATASETS = (
    Dataset('lsp', IMAGES, num_train=1000, folder='lsp', pattern='train_*.tfrecord',
            converter='src.datasets.lsp_to_tfrecords',
            args=('--img_directory', '{raw}', '--output_directory', '{out}', '--dataset', 'lsp'),
            cfg_key='LSP_DIR', cfg_help='LSP: joints.mat and images/im0001.jpg ...',
            in_recipe=True, flag_default=True),
    Dataset('lsp_ext', IMAGES, num_train=10000, folder='lsp_ext', pattern='train_*.tfrecord',
            converter='src.datasets.lsp_to_tfrecords',
            args=('--img_directory', '{raw}', '--output_directory', '{out}', '--dataset', 'lsp_ext'),
            cfg_key='LSP_EXT_DIR', cfg_help='LSP-extended: joints.mat and images/im00001.jpg ...',
            in_recipe=True, flag_default=True),
    Dataset('mpii', IMAGES, num_train=20000, folder='mpii', pattern='train_*.tfrecord',
            converter='src.datasets.mpii_to_tfrecords',
            args=('--img_directory', '{raw}', '--output_directory', '{out}'),
            cfg_key='MPII_DIR', cfg_help='MPII: annotations/mpii_human_pose_v1_u12_1.mat and images/',
            in_recipe=True, flag_default=True),
    Dataset('coco', IMAGES, num_train=79344, folder='coco', pattern='train_*.tfrecord',
            converter='src.datasets.coco_to_tfrecords',
            args=('--data_directory', '{raw}', '--output_directory', '{out}'),
            cfg_key='COCO_DIR', cfg_help='COCO 2014: annotations/person_keypoints_train2014.json and '
                                         'images/train2014/ (needs pycocotools)',
            in_recipe=True, flag_default=True),
    Dataset('mpi_inf_3dhp', IMAGES, num_train=147221, has_3d=True, folder='mpi_inf_3dhp',
            pattern='train/*.tfrecord',
            converter='src.datasets.mpi_inf_3dhp_to_tfrecords',
            args=('--data_directory', '{raw}', '--output_directory', '{out}', '--split', '{MPI_INF_3DHP_SPLIT}'),
            cfg_key='MPI_INF_3DHP_DIR', cfg_help='MPI-INF-3DHP: S1..S8/Seq1,Seq2/ with annot.mat, camera.calibration '
                                                 'and imageFrames/video_<c>/ or imageSequence/video_<c>.avi',
            cfg_options=(('MPI_INF_3DHP_SPLIT', 'train', 'train (S1-S7) or trainval (S1-S8)'),),
            in_recipe=True),
    Dataset('mpi_inf_3dhp_test', TEST, folder='mpi_inf_3dhp', pattern='test/*.tfrecord',
            converter='src.datasets.mpi_inf_3dhp_test_to_tfrecords',
            args=('--data_directory', '{raw}', '--output_directory', '{out}'),
            cfg_key='MPI_INF_3DHP_TEST_DIR', cfg_help='MPI-INF-3DHP test set (for the evaluation): '
                                                      'mpi_inf_3dhp_test_set/ with TS1..TS6/annot_data.mat and '
                                                      'TS<k>/imageSequence/img_000001.jpg ...; written to '
                                                      'DATA_DIR/mpi_inf_3dhp/test/'),
    Dataset('h36m', IMAGES, num_train=312188, has_3d=True, folder='tf_records_human36m_wjoints',
            pattern='train/*.tfrecord',
            converter='src.datasets.h36m_to_tfrecords',
            args=('--data_directory', '{raw}', '--output_directory', '{out}', '--split', '{H36M_SPLIT}'),
            cfg_key='H36M_DIR', cfg_help='Human3.6M: S1 ... S11 with Videos/<Action>.<camera>.mp4 and '
                                         'MyPoseFeatures/D3_Positions_mono/, D2_Positions/<Action>.<camera>.cdf '
                                         '(needs cdflib)',
            cfg_options=(('H36M_SPLIT', 'both', 'train, test or both'),),
            in_recipe=True),
    _mosh('CMU', 3934267),
    _mosh('H3.6', 1559985),  # without S9 and S11
    _mosh('jointLim', 181968),
)

_KIND_NAMES = {IMAGES: 'image sets (--datasets)', MOCAP: 'MoSh sets of the prior (--mocap_datasets)',
               TEST: 'evaluation sets'}


def find(name, kind, flag):
    """The descriptor of `name`, which `flag` asks for as one of the datasets of `kind`."""
    known = [d for d in DATASETS if d.kind == kind]
    for dataset in DATASETS:
        if dataset.name == name:
            if dataset.kind == kind:
                return dataset
            raise HMRError('%s is one of the %s, not of the %s: %s' % (
                name, _KIND_NAMES[dataset.kind], _KIND_NAMES[kind], ', '.join(d.name for d in known)))
    raise HMRError('unknown dataset %r in %s (known: %s; a new one needs a descriptor in '
                   'src/datasets/registry.py)' % (name, flag, ', '.join(d.name for d in known)))


def lookup(names, kind, flag):
    """The descriptors of a flag's list of names (see find)."""
    return [find(name, kind, flag) for name in names]


def names(kind, in_recipe=False, flag_default=False):
    """Names of the datasets of `kind`, in table order; only those of the paper's recipe or of the
    flag's default when asked."""
    return [d.name for d in DATASETS if d.kind == kind and (d.in_recipe or not in_recipe)
            and (d.flag_default or not flag_default)]


def num_examples(datasets):
    """Training examples of `datasets` (a name or a list of names of image or MoSh sets), as released."""
    datasets = datasets if isinstance(datasets, list) else [datasets]
    trained = [d for d in DATASETS if d.kind != TEST]
    sizes = dict((d.name, d.num_train) for d in trained)
    unknown = [name for name in datasets if name not in sizes]
    if unknown:
        raise HMRError('unknown dataset %r: the training sets are %s' % (unknown[0], ', '.join(sorted(sizes))))
    return sum(sizes[name] for name in datasets)
