"""Training input with tf.data, reading the released TFRecord layout unchanged.

Batches as released: `image` (B x 224 x 224 x 3 in [-1, 1]), `label` (B x 19 x 3: x, y in [-1, 1]
and visibility), and with 3D labels `label3d` (B x 268: 24 rotation matrices, 10 shape, 14 x 3
joints) and `has3d` (B x 2: has 3D joints, has SMPL parameters). With 3D labels on, every batch holds
3D and 2D-only examples in equal numbers, as the released queues paired them. The prior's MoSh
batches hold batch_size * num_stage poses and shapes.

Which records each dataset has, and which carry 3D labels, is src.datasets.registry's table; a name
it does not know is an error here. A record whose labels are not finite stops training with an error
naming its image (NonFiniteLabelError).
"""
from os.path import isdir

from .compat import tf
from .datasets import registry
from .datasets.registry import num_examples  # noqa: F401 (the released trainer imports it from here)
from .distributed import SINGLE
from .errors import HMRError
from .tf_smpl.batch_lbs import batch_rodrigues
from .util import data_utils

# Graph collection of the input checks (FiniteLabelCheck) that a failed step can ask what they stopped.
DATA_CHECKS = 'hmr_data_checks'


class NonFiniteLabelError(HMRError):
    """A training record whose labels are NaN or infinite; `image` is the image name it was written with."""

    def __init__(self, image):
        HMRError.__init__(self, 'non-finite label in the record of image %s: fix or drop that record' % image)
        self.image = image


class FiniteLabelCheck(object):
    """Stops the input at a record whose labels are not finite, and remembers its image name on the
    Python side, so that the step that fails can raise NonFiniteLabelError (see `error`)."""

    def __init__(self):
        self.bad_images = []
        tf.add_to_collection(DATA_CHECKS, self)

    def __call__(self, name, *tensors):
        """The tensors, behind an assertion that all are finite."""
        finite = tf.reduce_all([tf.reduce_all(tf.is_finite(t)) for t in tensors])
        # Python is called only for a bad record: a good one stays off the GIL in the parallel decoding.
        noted = tf.cond(finite, lambda: finite, lambda: tf.py_func(self._note, [name], tf.bool, stateful=True))
        with tf.control_dependencies([tf.Assert(noted, [name])]):
            return [tf.identity(t) for t in tensors]

    def _note(self, name):
        self.bad_images.append(name.decode('utf-8', 'replace'))
        return False

    def error(self):
        """NonFiniteLabelError naming the first record stopped (parallel decoding may have stopped more), or None."""
        return NonFiniteLabelError(self.bad_images[0]) if self.bad_images else None


def data_error(graph):
    """The typed error of the input check of `graph` that stopped a step, or None."""
    errors = [check.error() for check in graph.get_collection(DATA_CHECKS)]
    return next((error for error in errors if error is not None), None)


SHUFFLE_BUFFER = 2000


class DataLoader(object):
    def __init__(self, config, seed=None, workers=SINGLE):
        """`seed` makes the order and the augmentation repeatable (then decoding runs on one thread);
        `workers` (src.distributed) gives this process its own shard and shuffle."""
        self.config = config
        self.workers = workers
        self.use_3d_label = config.use_3d_label
        self.dataset_dir = config.data_dir
        self.datasets = registry.lookup(config.datasets, registry.IMAGES, '--datasets')
        self.mocap_datasets = registry.lookup(config.mocap_datasets, registry.MOCAP, '--mocap_datasets')
        self.batch_size = config.batch_size
        self.output_size = config.img_size
        self.trans_max = config.trans_max
        self.scale_range = [config.scale_min, config.scale_max]
        self.seed = workers.seed(seed)
        self.parallel_calls = 1 if seed is not None else 4
        if not isdir(self.dataset_dir):
            raise HMRError('data_dir %s does not exist: convert the datasets first (make datasets) or set '
                           '--data_dir' % self.dataset_dir)

    def _files(self, datasets, what='training records'):
        """The record files of `datasets` (descriptors), sorted within each; an HMRError names those without."""
        per_dataset = [(d, d.record_files(self.dataset_dir)) for d in datasets]
        empty = [d for d, files in per_dataset if not files]
        if empty:
            raise HMRError('no %s for %s: nothing matches %s' % (
                what, ', '.join(d.name for d in empty), ', '.join(d.record_pattern(self.dataset_dir) for d in empty)))
        return [f for _, files in per_dataset for f in files]

    def _records(self, files):
        files, by_record = self.workers.shard(files)
        names = tf.data.Dataset.from_tensor_slices(tf.constant(files))
        records = names.shuffle(len(files), seed=self.seed).repeat().flat_map(tf.data.TFRecordDataset)
        return records.shard(self.workers.size, self.workers.rank) if by_record else records

    def _check_finite(self, name, *tensors):
        """The tensors, after an assertion that they are finite (a failure names the record's image)."""
        return self._finite_check(name, *tensors)

    def load(self):
        """Iterator output: the batch dict described in the module docstring."""
        # Made here, in the caller's graph (the record functions are traced in graphs of their own).
        self._finite_check = FiniteLabelCheck()
        if self.use_3d_label:
            datasets_2d = [d for d in self.datasets if not d.has_3d]
            datasets_3d = [d for d in self.datasets if d.has_3d]
            if not datasets_3d:
                with_3d = [d.name for d in registry.DATASETS if d.kind == registry.IMAGES and d.has_3d]
                raise HMRError('use_3d_label is on but none of %s has 3D labels (%s): add one or pass '
                               '--use_3d_label=False' % (','.join(d.name for d in self.datasets), ', '.join(with_3d)))
            examples = self._examples(self._files(datasets_3d), has_3d=True)
            if datasets_2d:
                # One 3D and one 2D example in turn, like the released paired queues.
                examples_2d = self._examples(self._files(datasets_2d), has_3d=False)
                examples = tf.data.Dataset.zip((examples, examples_2d)).flat_map(
                    lambda a, b: tf.data.Dataset.from_tensors(a).concatenate(tf.data.Dataset.from_tensors(b)))
        else:
            examples = self._examples(self._files(self.datasets), has_3d=False)
        batches = examples.shuffle(SHUFFLE_BUFFER, seed=self.seed).batch(self.batch_size, drop_remainder=True)
        batch = batches.prefetch(2).make_one_shot_iterator().get_next()
        names = ['image', 'label', 'label3d', 'has3d'] if self.use_3d_label else ['image', 'label']
        return dict(zip(names, batch))

    def _examples(self, files, has_3d):
        def prepare(serialized):
            parsed = data_utils.parse_example_proto(serialized, has_3d=has_3d)
            checked = ['label', 'pose', 'shape', 'gt3d'] if has_3d else ['label']
            parsed.update(zip(checked, self._check_finite(parsed['fname'], *[parsed[k] for k in checked])))
            if has_3d:
                image, label, pose, gt3d = self.image_preprocessing(
                    parsed['image'], parsed['image_size'], parsed['label'], parsed['center'],
                    pose=parsed['pose'], gt3d=parsed['gt3d'])
                rotations = batch_rodrigues(tf.reshape(pose, [-1, 3]))
                label3d = tf.concat([tf.reshape(rotations, [-1]), parsed['shape'], tf.reshape(gt3d, [-1])], 0)
                has3d = tf.concat([[True], parsed['has_smpl3d']], 0)
            else:
                image, label = self.image_preprocessing(parsed['image'], parsed['image_size'], parsed['label'],
                                                        parsed['center'])
                label3d = tf.zeros(24 * 9 + 10 + 14 * 3)
                has3d = tf.constant([False, False])
            label = tf.transpose(label)
            image.set_shape([self.output_size, self.output_size, 3])
            return image, label, label3d, has3d

        examples = self._records(files).map(prepare, num_parallel_calls=self.parallel_calls)
        if not self.use_3d_label:
            examples = examples.map(lambda image, label, label3d, has3d: (image, label))
        return examples

    def image_preprocessing(self, image, image_size, label, center, pose=None, gt3d=None):
        """Jitter, pad, crop to img_size and maybe mirror; keypoints to [-1, 1], invisible ones zeroed."""
        margin = self.output_size // 2
        with tf.name_scope('image_preprocessing'):
            visibility = label[2, :]
            center = data_utils.jitter_center(center, self.trans_max, seed=self.seed)
            image, keypoints, center = data_utils.jitter_scale(image, image_size, label[:2, :], center,
                                                               self.scale_range, seed=self.seed)
            margin_safe = margin + self.trans_max + 50
            image_pad = data_utils.pad_image_edge(image, margin_safe)
            start_pt = tf.squeeze(center + margin_safe - margin)
            crop = tf.slice(image_pad, tf.stack([start_pt[1], start_pt[0], 0]),
                            [self.output_size, self.output_size, 3])
            crop_kp = tf.stack([keypoints[0, :] + float(margin_safe) - tf.cast(start_pt[0], tf.float32),
                                keypoints[1, :] + float(margin_safe) - tf.cast(start_pt[1], tf.float32),
                                visibility])
            if pose is not None:
                crop, crop_kp, pose, gt3d = data_utils.random_flip(crop, crop_kp, pose, gt3d, seed=self.seed)
            else:
                crop, crop_kp = data_utils.random_flip(crop, crop_kp, seed=self.seed)
            visible = tf.cast(crop_kp[2, :] > 0, tf.float32)
            final_label = visible * tf.stack([2.0 * (crop_kp[0, :] / self.output_size) - 1.0,
                                              2.0 * (crop_kp[1, :] / self.output_size) - 1.0, visible])
            crop = data_utils.rescale_image(crop)
            if pose is not None:
                return crop, final_label, pose, gt3d
            return crop, final_label

    def get_smpl_loader(self):
        """(pose, shape) batches of batch_size * num_stage MoSh examples for the prior."""
        files = self._files(self.mocap_datasets, 'MoSh records')

        def parse(serialized):
            pose, shape = data_utils.parse_smpl_example(serialized)
            return tuple(self._check_finite(tf.constant('(MoSh record)'), pose, shape))

        with tf.name_scope('input_smpl_loader'):
            poses = self._records(files).map(parse, num_parallel_calls=self.parallel_calls)
            poses = poses.shuffle(SHUFFLE_BUFFER, seed=self.seed)
            batch = poses.batch(self.batch_size * self.config.num_stage, drop_remainder=True)
            return batch.prefetch(2).make_one_shot_iterator().get_next()
