"""Graph ops of the training input: parsing the released TFRecords, augmentation, and flips.

Augmentation follows the released data loader: the person centre jitters by up to `trans_max` pixels,
the image scales by a factor in [scale_min, scale_max], edges are repeated as padding, a 224 crop is
cut, and half of the examples are mirrored (joints swap sides, the SMPL pose and 3D joints reflect).
"""
import numpy as np

from ..compat import tf
from ..joints import COCOPLUS19, LSP14, SMPL24, flip_permutation

NUM_LSP = len(LSP14)
NUM_FACE = len(COCOPLUS19) - NUM_LSP


def parse_example_proto(example_serialized, has_3d=False):
    """Decode one released training Example.

    Returns a dict: image (H x W x 3 float in [0, 1]), image_size [h, w], label (3 x 19: x, y,
    visibility; the 5 face points are zeros when absent), center (2 x 1 int), fname, and with has_3d
    also pose (72), shape (10), gt3d (14 x 3), has_smpl3d (1 bool).
    """
    feature_map = {
        'image/encoded': tf.FixedLenFeature([], dtype=tf.string, default_value=''),
        'image/height': tf.FixedLenFeature([1], dtype=tf.int64, default_value=-1),
        'image/width': tf.FixedLenFeature([1], dtype=tf.int64, default_value=-1),
        'image/filename': tf.FixedLenFeature([], dtype=tf.string, default_value=''),
        'image/center': tf.FixedLenFeature((2, 1), dtype=tf.int64),
        'image/visibility': tf.FixedLenFeature((1, NUM_LSP), dtype=tf.int64),
        'image/x': tf.FixedLenFeature((1, NUM_LSP), dtype=tf.float32),
        'image/y': tf.FixedLenFeature((1, NUM_LSP), dtype=tf.float32),
        'image/face_pts': tf.FixedLenFeature((1, 3 * NUM_FACE), dtype=tf.float32,
                                             default_value=[0.] * (3 * NUM_FACE)),
    }
    if has_3d:
        feature_map.update({
            'mosh/pose': tf.FixedLenFeature((72,), dtype=tf.float32),
            'mosh/shape': tf.FixedLenFeature((10,), dtype=tf.float32),
            'mosh/gt3d': tf.FixedLenFeature((NUM_LSP * 3,), dtype=tf.float32),
            'meta/has_3d': tf.FixedLenFeature((1,), dtype=tf.int64, default_value=[0]),
        })
    features = tf.parse_single_example(example_serialized, feature_map)
    label = tf.concat([features['image/x'], features['image/y'],
                       tf.cast(features['image/visibility'], tf.float32)], 0)
    label = tf.concat([label, tf.reshape(features['image/face_pts'], [3, NUM_FACE])], 1)
    image = tf.image.convert_image_dtype(tf.image.decode_jpeg(features['image/encoded'], channels=3), tf.float32)
    parsed = {
        'image': image,
        'image_size': tf.cast(tf.concat([features['image/height'], features['image/width']], 0), tf.int32),
        'label': label,
        'center': tf.cast(features['image/center'], tf.int32),
        'fname': features['image/filename'],
    }
    if has_3d:
        parsed.update({
            'pose': features['mosh/pose'],
            'shape': features['mosh/shape'],
            'gt3d': tf.reshape(features['mosh/gt3d'], [NUM_LSP, 3]),
            'has_smpl3d': tf.cast(features['meta/has_3d'], tf.bool),
        })
    return parsed


def parse_smpl_example(example_serialized):
    """MoSh record -> (pose 72, shape 10)."""
    features = tf.parse_single_example(example_serialized, {
        'pose': tf.FixedLenFeature((72,), dtype=tf.float32),
        'shape': tf.FixedLenFeature((10,), dtype=tf.float32)})
    return features['pose'], features['shape']


def rescale_image(image):
    """[0, 1] -> [-1, 1] (ResNet v2 preprocessing)."""
    return (image - 0.5) * 2.0


def jitter_center(center, trans_max, seed=None):
    if trans_max <= 0:  # an integer range of zero width is an error in tf.random_uniform
        return center
    return center + tf.random_uniform([2, 1], minval=-trans_max, maxval=trans_max, dtype=tf.int32, seed=seed)


def jitter_scale(image, image_size, keypoints, center, scale_range, seed=None):
    """Resize by a random factor; keypoints (2 x K) and centre follow with the factors really used."""
    factor = tf.random_uniform([1], minval=scale_range[0], maxval=scale_range[1], dtype=tf.float32, seed=seed)
    new_size = tf.cast(tf.cast(image_size, tf.float32) * factor, tf.int32)
    new_image = tf.image.resize_images(image, new_size)
    actual = tf.cast(tf.shape(new_image)[:2], tf.float32) / tf.cast(image_size, tf.float32)
    keypoints = tf.stack([keypoints[0, :] * actual[1], keypoints[1, :] * actual[0]])
    center = tf.cast(tf.stack([tf.cast(center[0], tf.float32) * actual[1],
                               tf.cast(center[1], tf.float32) * actual[0]]), tf.int32)
    return new_image, keypoints, center


def pad_image_edge(image, margin):
    """Pad H x W x C by `margin` on every side, repeating the edge pixels (np.pad mode='edge')."""
    def edge_indices(n):
        return tf.clip_by_value(tf.range(-margin, n + margin), 0, n - 1)
    shape = tf.shape(image)
    image = tf.gather(image, edge_indices(shape[0]), axis=0)
    return tf.gather(image, edge_indices(shape[1]), axis=1)


KEYPOINT_FLIP = flip_permutation(COCOPLUS19)
JOINTS3D_FLIP = flip_permutation(LSP14)
_SMPL_FLIP = flip_permutation(SMPL24)
# Mirroring in x keeps an axis-angle's x component and negates y and z; left and right joints swap.
POSE_FLIP = np.array([3 * j + axis for j in _SMPL_FLIP for axis in range(3)])
POSE_SIGN = np.tile([1., -1., -1.], len(SMPL24))


def reflect_pose(pose):
    """72-D SMPL pose of the mirrored body."""
    with tf.name_scope('reflect_pose', values=[pose]):
        return tf.gather(pose, POSE_FLIP) * tf.constant(POSE_SIGN, pose.dtype)


def reflect_joints3d(joints):
    """14 x 3 LSP joints of the mirrored body, centred on their mean (as released)."""
    with tf.name_scope('reflect_joints3d', values=[joints]):
        mirrored = tf.gather(joints, JOINTS3D_FLIP) * tf.constant([-1., 1., 1.], joints.dtype)
        return mirrored - tf.reduce_mean(mirrored, axis=0)


def flip_image(image, kp, pose=None, gt3d=None):
    """Mirror a square crop and its 3 x K keypoints (and the pose and 3D joints when given)."""
    image = tf.reverse(image, [1])
    new_x = tf.cast(tf.shape(image)[0], kp.dtype) - kp[0, :] - 1
    kp = tf.gather(tf.concat([new_x[None], kp[1:, :]], 0), KEYPOINT_FLIP, axis=1)
    if pose is None:
        return image, kp
    return image, kp, reflect_pose(pose), reflect_joints3d(gt3d)


def random_flip(image, kp, pose=None, gt3d=None, seed=None):
    """flip_image for half of the calls."""
    mirror = tf.less(tf.random_uniform([], 0, 1.0, seed=seed), .5)
    if pose is None:
        return tf.cond(mirror, lambda: flip_image(image, kp), lambda: (image, kp))
    return tf.cond(mirror, lambda: flip_image(image, kp, pose, gt3d), lambda: (image, kp, pose, gt3d))
