"""The released training pictures for TensorBoard: per shown example and IEF stage, the ground-truth and
predicted keypoints over the input, and the predicted mesh rendered over it."""
import io

import numpy as np

from ..camera import FLENGTH, crop_translation
from ..compat import tf
from ..util import renderer as vis_util


def picture_fetches(images, keypoints, verts, pred_keypoints, cams):
    """What a picture step fetches for `Pictures`: the shown examples' input images and ground-truth
    keypoints, and per IEF stage their meshes, predicted keypoints and cameras."""
    return {'input_img': images, 'gt_kp': keypoints, 'e_verts': verts, 'joints': pred_keypoints, 'cam': cams}


class Pictures(object):
    """The trainer's `draw_pictures`: result (its picture fetches) -> tf.Summary, or None without mesh
    faces (a SMPL model without them). The renderer is made at the first picture (chief worker only)."""

    def __init__(self, faces, img_size):
        self.faces = faces
        self.img_size = img_size
        self._renderer = None

    def __call__(self, result):
        if self.faces is None:
            return None
        if self._renderer is None:
            self._renderer = vis_util.SMPLRenderer(img_size=self.img_size, faces=self.faces)
        return draw_results(result, self._renderer, self.img_size)


def draw_results(result, renderer, img_size):
    """A tf.Summary with one image per shown example of `result` (the values of picture_fetches)."""
    from PIL import Image
    camera = np.array([FLENGTH, img_size / 2., img_size / 2.])
    values = []
    for i, (img, gt_kp, verts, joints, cams) in enumerate(zip(result['input_img'], result['gt_kp'],
                                                             result['e_verts'], result['joints'], result['cam'])):
        image = (img + 1) * .5
        visible = gt_kp[:, 2].astype(bool)
        rows = []
        for vert, joint, cam in zip(verts, joints, cams):
            rendered = renderer(vert + crop_translation(cam, img_size), camera, img=image)
            kp_loss = np.sum((gt_kp[visible, :2] - joint[visible]) ** 2)
            rendered = vis_util.draw_text(rendered, {'sc': cam[0], 'tx': cam[1], 'ty': cam[2], 'kpl': kp_loss})
            with_gt = vis_util.draw_skeleton(image, (gt_kp[:, :2] + 1) * .5 * img_size, draw_edges=False,
                                             vis=visible)
            skeleton = vis_util.draw_skeleton(with_gt, (joint + 1) * .5 * img_size)
            rows.append(np.hstack([skeleton, rendered / 255.]))
        combined = (np.clip(np.vstack(rows), 0, 1) * 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(combined).save(buffer, format='PNG')
        values.append(tf.Summary.Value(tag='vis_images/%d' % i, image=tf.Summary.Image(
            encoded_image_string=buffer.getvalue(), height=combined.shape[0], width=combined.shape[1])))
    return tf.Summary(value=values)
