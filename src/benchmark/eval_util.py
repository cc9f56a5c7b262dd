"""Evaluation metrics shared by the benchmarks: 3D joint errors (MPJPE, after pelvis or Procrustes
alignment), PCK/AUC as on MPI-INF-3DHP, per-group aggregation, and segmentation accuracy/F1.

Joints are N x 14 x 3 in the LSP-14 order (src.joints.LSP14) and in millimetres, as in the released
H3.6M evaluation; the pelvis is the midpoint of the hips.
"""
from __future__ import division

import numpy as np

from ..joints import LSP14

LEFT_HIP, RIGHT_HIP = LSP14.index('left_hip'), LSP14.index('right_hip')
PCK_THRESHOLD_MM = 150.
# The 3DHP benchmark's AUC: PCK averaged over thresholds 0, 5, ..., 150 mm.
AUC_THRESHOLDS_MM = np.linspace(0., 150., 31)


def _batched(points):
    points = np.asarray(points, dtype=np.float64)
    return points[None] if points.ndim == 2 else points


def compute_similarity_transform(S1, S2):
    """S1 moved by the similarity transform (scale, rotation, translation) that best fits it to S2 in
    the least-squares sense (orthogonal Procrustes with scale, no reflection). J x 3 or N x J x 3."""
    single = np.asarray(S1).ndim == 2
    S1, S2 = _batched(S1), _batched(S2)
    if S1.shape != S2.shape:
        raise ValueError('point sets differ in shape: %s vs %s' % (S1.shape, S2.shape))
    mu1, mu2 = S1.mean(axis=1, keepdims=True), S2.mean(axis=1, keepdims=True)
    X1, X2 = S1 - mu1, S2 - mu2
    K = np.einsum('nji,njk->nik', X1, X2)  # 3 x 3 cross-covariance per sample
    U, _, Vt = np.linalg.svd(K)
    # Flip the last axis where U V^T is a reflection, so R is a proper rotation.
    Z = np.tile(np.eye(3), (len(S1), 1, 1))
    Z[:, -1, -1] = np.sign(np.linalg.det(np.einsum('nij,njk->nik', U, Vt)))
    R = np.einsum('nji,njk,nlk->nil', Vt, Z, U)  # V Z U^T
    scale = np.einsum('nij,nji->n', R, K) / np.sum(X1 ** 2, axis=(1, 2))
    S1_hat = scale[:, None, None] * np.einsum('nij,nkj->nki', R, X1) + mu2
    return S1_hat[0] if single else S1_hat


def align_by_pelvis(joints):
    """LSP-14 joints (J x 3 or N x J x 3) relative to the midpoint of the hips."""
    joints = np.asarray(joints, dtype=np.float64)
    pelvis = (joints[..., LEFT_HIP, :] + joints[..., RIGHT_HIP, :]) / 2.
    return joints - pelvis[..., None, :]


def joint_errors(gt3ds, preds, alignment='pelvis'):
    """Euclidean error of each joint, N x J, after aligning the prediction to the ground truth:
    'pelvis' (both root-relative), 'procrustes' (pelvis, then the best similarity transform) or
    'none'."""
    gt3ds, preds = _batched(gt3ds), _batched(preds)
    if gt3ds.shape != preds.shape:
        raise ValueError('ground truth %s and predictions %s differ in shape' % (gt3ds.shape, preds.shape))
    if alignment == 'none':
        return np.linalg.norm(gt3ds - preds, axis=-1)
    gt3ds, preds = align_by_pelvis(gt3ds), align_by_pelvis(preds)
    if alignment == 'procrustes':
        preds = compute_similarity_transform(preds, gt3ds)
    elif alignment != 'pelvis':
        raise ValueError('unknown alignment %r' % alignment)
    return np.linalg.norm(gt3ds - preds, axis=-1)


def compute_errors(gt3ds, preds):
    """The released API: per-sample MPJPE after pelvis alignment and after Procrustes (lists).
    As released, each ground truth may be flat (N x 42) as well as N x 14 x 3."""
    gt3ds = np.asarray(gt3ds, dtype=np.float64)
    gt3ds = gt3ds.reshape(len(gt3ds), -1, 3)
    return (list(joint_errors(gt3ds, preds, 'pelvis').mean(axis=1)),
            list(joint_errors(gt3ds, preds, 'procrustes').mean(axis=1)))


def pck(per_joint_errors, threshold=PCK_THRESHOLD_MM):
    """Percentage of joints whose error is within `threshold` (0-100)."""
    return 100. * np.mean(np.asarray(per_joint_errors) <= threshold)


def auc(per_joint_errors, thresholds=AUC_THRESHOLDS_MM):
    """Area under the PCK curve over `thresholds`, as the mean PCK over them (0-100)."""
    return float(np.mean([pck(per_joint_errors, t) for t in thresholds]))


def group_means(values, groups, order=None):
    """{group: mean of the values in that group}, for the groups of `order` (default: all, sorted)."""
    values, groups = np.asarray(values, dtype=np.float64), np.asarray(groups)
    order = sorted(set(groups.tolist())) if order is None else order
    return {g: float(values[groups == g].mean()) for g in order if np.any(groups == g)}


class SegmentationScores(object):
    """Pixel accuracy and mean F1 of label maps, accumulated over a dataset as the UP-3D benchmark does
    (and HMR's Table 4): per label, F1 = 2 TP / (2 TP + FP + FN) from the counts of all images,
    averaged over the labels, background (0) included. Pixels whose truth is `ignore` count as
    background for the accuracy and are left out of the F1 counts."""

    def __init__(self, num_labels, ignore=255):
        self.num_labels, self.ignore = num_labels, ignore
        self.confusion = np.zeros((num_labels, num_labels), np.int64)
        self.correct = self.total = 0

    def add(self, gt_labels, pred_labels):
        gt, pred = np.asarray(gt_labels, np.int64), np.asarray(pred_labels, np.int64)
        if gt.shape != pred.shape:
            raise ValueError('label maps differ in size: %s vs %s' % (gt.shape, pred.shape))
        known = gt != self.ignore
        self.correct += int(np.sum(np.where(known, gt, 0) == pred))
        self.total += gt.size
        index = gt[known] * self.num_labels + pred[known]
        self.confusion += np.bincount(index, minlength=self.num_labels ** 2).reshape(self.confusion.shape)

    def accuracy(self):
        """Percentage of pixels labelled right."""
        return 100. * self.correct / max(self.total, 1)

    def f1(self):
        """Mean over the labels seen in truth or prediction of 2 TP / (2 TP + FP + FN)."""
        true_pos = np.diag(self.confusion).astype(np.float64)
        false_pos = self.confusion.sum(axis=0) - true_pos
        false_neg = self.confusion.sum(axis=1) - true_pos
        seen = (true_pos + false_pos + false_neg) > 0
        return float(np.mean(2 * true_pos[seen] / (2 * true_pos + false_pos + false_neg)[seen]))
