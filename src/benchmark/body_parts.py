"""The six body parts of the UP-3D LSP part segmentation (Lassner et al., CVPR 2017) on the SMPL mesh.

Label values are those of `upi-s1h/data/lsp/im%04d_part_segmentation.png`: 0 background, then head,
torso, right arm, left arm, right leg, left leg (the order of `six_region_groups` in the UP code;
255 marks pixels the annotators could not label). As in UP's grouping of its 31 regions, the neck and
the shoulders (SMPL's collar joints) belong to the torso. Left and right are the person's own.

Each vertex takes the part of the joint that moves it most (largest skinning weight), so the labels
follow any model in the SMPL layout, the released one or the tests' synthetic one.
"""
import numpy as np

from ..joints import SMPL24

PARTS = ['head', 'torso', 'right_arm', 'left_arm', 'right_leg', 'left_leg']
LABELS = {name: i + 1 for i, name in enumerate(PARTS)}
NUM_LABELS = len(PARTS) + 1
IGNORE = 255

JOINTS_OF_PART = {
    'head': ['head'],
    'torso': ['pelvis', 'spine1', 'spine2', 'spine3', 'neck', 'left_collar', 'right_collar'],
    'right_arm': ['right_shoulder', 'right_elbow', 'right_wrist', 'right_hand'],
    'left_arm': ['left_shoulder', 'left_elbow', 'left_wrist', 'left_hand'],
    'right_leg': ['right_hip', 'right_knee', 'right_ankle', 'right_foot'],
    'left_leg': ['left_hip', 'left_knee', 'left_ankle', 'left_foot'],
}
# Part label of each SMPL joint, in SMPL24 order.
JOINT_LABELS = np.array([next(LABELS[part] for part, joints in JOINTS_OF_PART.items() if name in joints)
                         for name in SMPL24], np.uint8)


def vertex_labels(weights):
    """Part label (1-6) of each vertex from the V x 24 skinning weights."""
    return JOINT_LABELS[np.argmax(np.asarray(weights), axis=1)]


def face_labels(faces, vertex_label):
    """Part label of each face: the label most of its three vertices have (ties: the lowest label)."""
    votes = np.zeros((len(faces), NUM_LABELS), np.int64)
    corner_labels = np.asarray(vertex_label)[np.asarray(faces)]
    for corner in range(corner_labels.shape[1]):
        votes[np.arange(len(faces)), corner_labels[:, corner]] += 1
    return np.argmax(votes, axis=1).astype(np.uint8)
