"""SMPL in NumPy: the body model's geometry without TensorFlow or a renderer.

It computes what `src.tf_smpl.batch_smpl.SMPL` computes (shape and pose blend shapes, the 24-joint
kinematic tree, linear blend skinning, the COCO+ keypoint regressor) for a sequence of poses of one
body, in float64. Axes are SMPL's own: the rest body stands along +y and faces +z; HMR's poses turn
the root by about 180 degrees about x, so that posed bodies stand upright in the camera frame (x right,
y down, z away from the camera).
"""
import collections

import numpy as np

from .errors import HMRError
from .joints import SMPL24
from .rotations import axis_angle_to_matrix
from .tf_smpl.smpl_io import load_smpl_pickle

_REQUIRED_KEYS = ('v_template', 'shapedirs', 'J_regressor', 'posedirs', 'kintree_table', 'weights',
                  'cocoplus_regressor', 'f')
# Frames skinned at once: bounds the per-vertex transforms (frames x 6890 x 12 floats).
_FRAMES_PER_CHUNK = 32

Posed = collections.namedtuple('Posed', ['verts', 'joints', 'joints_coco', 'transforms'])
Posed.__doc__ = """One body over T frames.

verts (T, V, 3), joints (T, 24, 3) SMPL skeleton joints, joints_coco (T, 19, 3) the COCO+ keypoints
(HMR's `joints3d` when trans is None), transforms (T, 24, 4, 4): each joint's global frame (rotation
relative to the rest pose, translation = the joint's position)."""


def _dense(x):
    return np.asarray(x.todense() if hasattr(x, 'todense') else x, dtype=np.float64)


class BodyModel(object):
    """The SMPL model of one pickle. `faces` (F, 3), `weights` (V, 24), `parents` (24,) with -1 for the
    root, `joint_names` SMPL24."""

    def __init__(self, model):
        """`model`: the dict of the SMPL pickle (arrays or SciPy sparse matrices)."""
        missing = [k for k in _REQUIRED_KEYS if k not in model]
        if missing:
            raise HMRError('SMPL model lacks %s' % ', '.join(missing))
        self.v_template = _dense(model['v_template'])
        self.shapedirs = _dense(model['shapedirs'])
        self.posedirs = _dense(model['posedirs'])
        self.j_regressor = _dense(model['J_regressor'])
        self.cocoplus_regressor = _dense(model['cocoplus_regressor'])
        self.weights = _dense(model['weights'])
        self.faces = np.asarray(model['f']).astype(np.int64)
        # kintree_table[0] holds the parents; the root's is stored as 2**32 - 1.
        self.parents = np.asarray(model['kintree_table'])[0].astype(np.int64)
        self.parents[0] = -1
        self.joint_names = list(SMPL24)
        num_verts, num_joints = self.v_template.shape[0], len(self.parents)
        if (num_joints != len(SMPL24) or self.weights.shape != (num_verts, num_joints)
                or self.j_regressor.shape != (num_joints, num_verts)
                or self.posedirs.shape != (num_verts, 3, 9 * (num_joints - 1))):
            raise HMRError('SMPL model arrays do not fit together (weights %s, J_regressor %s, posedirs %s '
                           'for %d vertices)' % (self.weights.shape, self.j_regressor.shape, self.posedirs.shape,
                                                 num_verts))

    @classmethod
    def from_pickle(cls, path):
        """The model of an SMPL pickle (the released chumpy-era file or the synthetic one)."""
        model = load_smpl_pickle(path)
        try:
            return cls(model)
        except HMRError as e:
            raise HMRError('%s: %s' % (path, e))

    @property
    def num_betas(self):
        return self.shapedirs.shape[-1]

    def _check_betas(self, betas):
        betas = np.asarray(betas, np.float64)
        if betas.shape != (self.num_betas,):
            raise HMRError('betas must hold %d shape coefficients, not shape %s' % (self.num_betas, betas.shape))
        return betas

    def rest(self, betas):
        """(verts V x 3, joints 24 x 3) of the body of shape `betas` in the rest pose."""
        verts = self.v_template + self.shapedirs.dot(self._check_betas(betas))
        return verts, self.j_regressor.dot(verts)

    def _global_transforms(self, rotations, rest_joints):
        """Forward kinematics: (T, 24, 3, 3) joint rotations (root first) and the rest joints ->
        (T, 24, 4, 4) global joint frames."""
        num_frames = rotations.shape[0]
        frames = np.zeros((num_frames, len(self.parents), 4, 4))
        frames[:, :, 3, 3] = 1
        frames[:, :, :3, :3] = rotations
        frames[:, 0, :3, 3] = rest_joints[0]
        frames[:, 1:, :3, 3] = rest_joints[1:] - rest_joints[self.parents[1:]]
        for j in range(1, len(self.parents)):
            frames[:, j] = np.matmul(frames[:, self.parents[j]], frames[:, j])
        return frames

    def forward(self, poses, betas, trans=None, pose_blendshapes=True):
        """Pose the body of shape `betas` (10,) by each row of `poses` (T, 72: axis-angle, root first, as
        HMR's theta[3:75]), then add `trans` (T, 3) if given. Returns a `Posed`."""
        poses = np.asarray(poses, np.float64)
        num_joints = len(self.parents)
        if poses.ndim != 2 or poses.shape[1] != 3 * num_joints:
            raise HMRError('poses must be T x %d axis-angle rows, not shape %s' % (3 * num_joints, poses.shape))
        num_frames = poses.shape[0]
        if trans is not None:
            trans = np.asarray(trans, np.float64)
            if trans.shape != (num_frames, 3):
                raise HMRError('trans must be %d x 3 (one per pose), not shape %s' % (num_frames, trans.shape))
        v_shaped, rest_joints = self.rest(betas)
        rotations = axis_angle_to_matrix(poses.reshape(num_frames, num_joints, 3))
        frames = self._global_transforms(rotations, rest_joints)

        # Skinning moves each vertex by how far its joint's frame moved from the rest pose.
        skinning = frames.copy()
        skinning[:, :, :3, 3] -= np.einsum('tjab,jb->tja', frames[:, :, :3, :3], rest_joints)
        verts = np.empty((num_frames,) + v_shaped.shape)
        flat_posedirs = self.posedirs.reshape(-1, self.posedirs.shape[-1])
        for start in range(0, num_frames, _FRAMES_PER_CHUNK):
            chunk = slice(start, start + _FRAMES_PER_CHUNK)
            v_posed = np.repeat(v_shaped[None], len(rotations[chunk]), axis=0)
            if pose_blendshapes:
                # SMPL's pose feature: the non-root rotations minus the identity (the root does not deform).
                feature = (rotations[chunk, 1:] - np.eye(3)).reshape(len(v_posed), -1)
                v_posed += feature.dot(flat_posedirs.T).reshape(v_posed.shape)
            per_vertex = np.matmul(self.weights, skinning[chunk, :, :3, :].reshape(len(v_posed), num_joints, 12))
            per_vertex = per_vertex.reshape(len(v_posed), -1, 3, 4)
            verts[chunk] = np.einsum('tvab,tvb->tva', per_vertex[..., :3], v_posed) + per_vertex[..., 3]

        if trans is not None:
            verts += trans[:, None]
            frames[:, :, :3, 3] += trans[:, None]
        joints_coco = np.einsum('kv,tvc->tkc', self.cocoplus_regressor, verts)
        return Posed(verts, frames[:, :, :3, 3].copy(), joints_coco, frames)
