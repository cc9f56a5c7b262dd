"""An independent NumPy/SciPy SMPL forward pass for checking the TensorFlow one."""
import numpy as np
from scipy.spatial.transform import Rotation


def rotations(theta):
    """K x 3 axis-angle -> K x 3 x 3 (SciPy)."""
    return Rotation.from_rotvec(np.asarray(theta, np.float64).reshape(-1, 3)).as_matrix() \
        if hasattr(Rotation, 'as_matrix') else Rotation.from_rotvec(np.asarray(theta).reshape(-1, 3)).as_dcm()


def smpl_forward(model, beta, theta):
    """(verts V x 3, cocoplus joints 19 x 3, skeleton joints 24 x 3) for one body."""
    v_shaped = model['v_template'] + model['shapedirs'].dot(beta)
    J = model['J_regressor'].dot(v_shaped)
    R = rotations(theta)
    v_posed = v_shaped + model['posedirs'].dot((R[1:] - np.eye(3)).ravel())
    parents = model['kintree_table'][0].astype(np.int64)
    G = np.zeros((len(R), 4, 4))
    for i in range(len(R)):
        local = np.eye(4)
        local[:3, :3] = R[i]
        local[:3, 3] = J[i] - (J[parents[i]] if i else 0)
        G[i] = local if i == 0 else G[parents[i]].dot(local)
    posed_joints = G[:, :3, 3].copy()
    # Relative transforms: subtract where the rest joint goes.
    G[:, :3, 3] -= np.einsum('kij,kj->ki', G[:, :3, :3], J)
    T = np.einsum('vk,kij->vij', model['weights'], G)
    verts = np.einsum('vij,vj->vi', T[:, :3, :3], v_posed) + T[:, :3, 3]
    return verts, model['cocoplus_regressor'].dot(verts), posed_joints
