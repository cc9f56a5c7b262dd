"""From the model's crop predictions to each person's results in the original image.

Each person is first moved into the original image as the released demo does (`get_original`: a
camera [f, cx, cy] of their own, f = 500 / crop scale, the principal point at their crop's centre).
Several people must share one camera to stand in one OBJ or one picture: each is then moved rigidly
into the shared camera so that the centre of their mesh projects to the same pixel, at a depth scaled
by the ratio of the focal lengths. The first person keeps the released camera unchanged.
"""
import numpy as np

from ..camera import fit_translation, shift_into
from ..config import NUM_CAM, NUM_POSE
from ..util import renderer as vis_util
from ..world.quality import assess
from .records import ImageResult, PersonResult


def person_result(person, proc_param, prediction):
    """One person's PersonResult as released, from its Prediction (a row of RunModel.predict_dict) (`verts` is the
    mesh in the camera frame of `camera_original`, i.e. the model's vertices plus `translation`)."""
    camera, verts, joints_original = vis_util.get_original(proc_param, prediction.verts, prediction.cams,
                                                           prediction.joints, None)
    theta = prediction.theta
    return PersonResult(
        bbox=np.asarray(person.bbox, np.float64), source=person.source, score=person.score,
        proc_param={k: np.asarray(v) for k, v in proc_param.items()}, theta=theta, cam=prediction.cams,
        pose=theta[NUM_CAM:NUM_CAM + NUM_POSE], shape=theta[NUM_CAM + NUM_POSE:],
        joints2d_crop=prediction.joints, joints2d_original=joints_original, joints3d=prediction.joints3d,
        camera_original=camera, translation=verts[0] - prediction.verts[0], verts=verts,
        keypoints=person.keypoints)


def in_shared_camera(people, camera=None, fit=False):
    """`people` (PersonResult) moved into one camera, the first person's by default; `fit`: each placed
    so that their 3D joints project onto their released 2D joints (a real camera)."""
    camera = people[0].camera_original if camera is None else np.asarray(camera, np.float64)
    placed = []
    for person in people:
        if fit:
            shift = fit_translation(camera, person.joints3d, person.joints2d_original) - person.translation
        else:
            shift = shift_into(camera, person.camera_original, person.verts)
        placed.append(person._replace(camera_original=camera, verts=person.verts + shift,
                                      translation=person.translation + shift))
    return placed


def image_result(path, name, image, people, proc_params, predictions, camera=None):
    """All people of one image, in `camera` (a real one, see src/world/focal.py), else in the first
    person's."""
    results = [person_result(p, proc, pred) for p, proc, pred in zip(people, proc_params, predictions)]
    placed = [with_quality(person, (image.shape[1], image.shape[0]))
              for person in in_shared_camera(results, camera, fit=camera is not None)]
    return ImageResult(path, name, image, placed)


def with_quality(person, size):
    """`person` with its quality fields, judged in a width x height image."""
    return person._replace(**assess(person.joints2d_original, person.keypoints, float(person.proc_param['scale']),
                                    person.score, size))
