"""Example builders of the released TFRecord layout, shared by every dataset converter: 2D keypoints
(convert_to_example), 3D labels (convert_to_example_wmosh), and the whole 3D-set Example of a person
in a frame (person_3d_example).

Features (names and types as released, so records written by the released converters and by ours
are interchangeable):
  image/height, image/width (int64), image/center (int64 x 2, [x, y] of the person box),
  image/x, image/y (float x 14), image/visibility (int64 x 14), image/face_pts (float x 15, optional:
  the 5 COCO face points as rows x, y, visibility), image/format, image/filename, image/encoded (bytes);
  3D examples add mosh/pose (72), mosh/shape (10), mosh/gt3d (14 x 3 flattened), meta/scale_factors (2),
  meta/crop_pt (int64 x 2), meta/has_3d (int64), image/cam (3: f, px, py).
"""
import os.path as osp

import cv2
import numpy as np

from ..compat import tf
from ..errors import HMRError
from .person_crop import person_scale, rescale_and_crop

NUM_LSP = 14


class ImageCoder(object):
    """JPEG/PNG encoding and decoding of RGB uint8 images (the released converters' helper API)."""

    def encode_jpeg(self, image, quality=95):
        ok, data = cv2.imencode('.jpg', cv2.cvtColor(np.asarray(image, np.uint8), cv2.COLOR_RGB2BGR),
                                [int(cv2.IMWRITE_JPEG_QUALITY), quality])
        if not ok:
            raise HMRError('could not encode an image of shape %s as JPEG' % (np.shape(image),))
        return data.tobytes()

    def encode_png(self, image):
        ok, data = cv2.imencode('.png', cv2.cvtColor(np.asarray(image, np.uint8), cv2.COLOR_RGB2BGR))
        if not ok:
            raise HMRError('could not encode an image of shape %s as PNG' % (np.shape(image),))
        return data.tobytes()

    def decode(self, image_data):
        """JPEG or PNG bytes -> H x W x 3 RGB uint8."""
        image = cv2.imdecode(np.frombuffer(image_data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise HMRError('image data could not be decoded (not a JPEG or PNG)')
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)

    decode_jpeg = decode
    decode_png = decode

    def png_to_jpeg(self, image_data):
        return self.encode_jpeg(self.decode(image_data), quality=100)


def int64_feature(value):
    values = value if isinstance(value, (list, np.ndarray)) else [value]
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(v) for v in np.ravel(values)]))


def float_feature(value):
    values = value if isinstance(value, (list, np.ndarray)) else [value]
    return tf.train.Feature(float_list=tf.train.FloatList(value=[float(v) for v in np.ravel(values)]))


def bytes_feature(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[tf.compat.as_bytes(value)]))


def _image_features(image_data, image_path, height, width, label, center):
    return {
        'image/height': int64_feature(height),
        'image/width': int64_feature(width),
        'image/center': int64_feature(np.asarray(center).astype(np.int64)),
        'image/x': float_feature(label[0, :NUM_LSP]),
        'image/y': float_feature(label[1, :NUM_LSP]),
        'image/visibility': int64_feature(label[2, :NUM_LSP].astype(np.int64)),
        'image/format': bytes_feature('JPEG'),
        'image/filename': bytes_feature(osp.basename(image_path)),
        'image/encoded': bytes_feature(image_data),
    }


def convert_to_example(image_data, image_path, height, width, label, center):
    """Example of a 2D-annotated image. label is 3 x 14 (x, y, visibility), or 3 x 19 with the five
    COCO face points, which are stored apart as image/face_pts."""
    label = np.asarray(label, dtype=np.float64)
    if label.shape[0] != 3 or label.shape[1] not in (NUM_LSP, 19):
        raise HMRError('keypoint label must be 3 x 14 or 3 x 19, got %s' % (label.shape,))
    features = _image_features(image_data, image_path, height, width, label, center)
    if label.shape[1] == 19:
        features['image/face_pts'] = float_feature(label[:, NUM_LSP:].ravel())
    return tf.train.Example(features=tf.train.Features(feature=features))


def convert_to_example_wmosh(image_data, image_path, height, width, label, center, gt3d, pose, shape,
                             scale_factors, start_pt, cam):
    """Example of an image with 3D labels: gt3d 14 x 3 joints, and MoSh pose (72) / shape (10) when
    known (pose None stores -1s and has_3d 0). label is 3 x 14 (or 14 x 3)."""
    label = np.asarray(label, dtype=np.float64)
    if label.shape[0] != 3:
        label = label.T
    if label.shape != (3, NUM_LSP):
        raise HMRError('3D examples take 3 x 14 keypoints, got %s' % (label.shape,))
    has_3d = pose is not None
    if not has_3d:
        pose, shape = -np.ones(72), -np.ones(10)
    features = _image_features(image_data, image_path, height, width, label, center)
    features.update({
        'mosh/pose': float_feature(np.asarray(pose)),
        'mosh/shape': float_feature(np.asarray(shape)),
        'mosh/gt3d': float_feature(np.asarray(gt3d)),
        'meta/scale_factors': float_feature(np.asarray(scale_factors)),
        'meta/crop_pt': int64_feature(np.asarray(start_pt).astype(np.int64)),
        'meta/has_3d': int64_feature(int(has_3d)),
        'image/cam': float_feature(np.asarray(cam)),
    })
    return tf.train.Example(features=tf.train.Features(feature=features))


def person_3d_example(image, image_path, gt2d, gt3d_m, cam, pose=None, shape=None, coder=None):
    """The released 3D-set Example (MPI-INF-3DHP, Human3.6M): all 14 joints visible; the person is
    rescaled so the diagonal of its joints' box is 150 px, and a window of up to 300 x 300 around the
    rounded, rescaled box centre is cut (no padding). gt2d is 14 x 2 pixels, gt3d_m 14 x 3 metres,
    cam [f, px, py]: f is multiplied by the scale, the principal point follows the resize and the crop.
    meta/scale_factors are the resize's actual [y, x] factors, meta/crop_pt the window's [x, y].
    None when the joints have no extent."""
    coder = coder or ImageCoder()
    gt2d = np.asarray(gt2d, np.float64)
    min_pt, max_pt = gt2d.min(axis=0), gt2d.max(axis=0)
    scale = person_scale(np.linalg.norm(max_pt - min_pt))
    if scale is None:
        return None
    crop, joints, center, start_pt, factors_yx = rescale_and_crop(
        image, gt2d.T, scale, 150, center_unscaled=(min_pt + max_pt) / 2.)
    cam = np.array(cam, dtype=np.float64)
    cam[0] *= scale
    cam[1] = cam[1] * factors_yx[1] - start_pt[0]
    cam[2] = cam[2] * factors_yx[0] - start_pt[1]
    label = np.vstack([joints, np.ones((1, joints.shape[1]))])
    height, width = crop.shape[:2]
    return convert_to_example_wmosh(coder.encode_jpeg(crop), image_path, height, width, label, center,
                                    np.asarray(gt3d_m, np.float64), pose, shape, np.asarray(factors_yx),
                                    start_pt, cam)
