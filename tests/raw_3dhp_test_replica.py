"""A tiny replica of the official MPI-INF-3DHP test set (mpi_inf_3dhp_test_set/TS<k>/annot_data.mat and
imageSequence/img_%06d.jpg), for the test-set converter and the evaluation tests.

TS1 is a MATLAB v5 file (written with SciPy) and TS2 a v7.3 file (HDF5 behind a MATLAB header, arrays
with their dimensions reversed), the two formats of the official download. Invalid frames hold zero
annotations, and one of them has no image, so a converter that used them would fail.
"""
import os
import os.path as osp

import numpy as np

from tests.raw_dataset_replicas import gradient_image, random_skeleton, write_jpeg

# LSP-14 rows of the 17 test-set joints (head_top, neck, r/l shoulder, elbow, wrist, r/l hip, knee,
# ankle, pelvis, spine, head), written out here independently of the converter.
TEST_LSP = [10, 9, 8, 11, 12, 13, 4, 3, 2, 5, 6, 7, 1, 0]
PELVIS = 14
UNIVERSAL_SCALE = .93
# name: (image height, width, camera f, f_y, c_x, c_y, valid_frame, activity_annotation, MATLAB format)
SEQUENCES = {
    'TS1': (160, 200, 300., 302., 101., 79., [1, 0, 1, 0, 1], [1, 2, 3, 2, 3], 'v5'),
    'TS2': (180, 240, 330., 328., 118., 92., [0, 1, 1, 1], [7, 5, 5, 1], 'v7.3'),
}


def write_mat_v73(path, arrays):
    """A MATLAB v7.3 .mat: an HDF5 file after a 512-byte MATLAB header; HDF5 is row-major, so each
    array is stored with its dimensions reversed, as MATLAB does."""
    import h5py
    with h5py.File(path, 'w', userblock_size=512) as f:
        for key, value in arrays.items():
            f.create_dataset(key, data=np.asarray(value).T)
    text = b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2018 HDF5 schema 1.00 .'
    with open(path, 'r+b') as f:
        # 116 bytes of text, 8 of subsystem offset, version 0x0200 and the endian mark 'IM'.
        f.write(text.ljust(116, b' ') + b' ' * 8 + b'\x00\x02IM')


def write_3dhp_test_set(root):
    """Writes the replica under `root`; returns {sequence: [(frame index (0-based), gt2d 14 x 2 pixels,
    universal gt3d 14 x 3 mm, activity, image path, camera [f, px, py])]} for each valid frame, in order."""
    import scipy.io as sio
    rng = np.random.RandomState(11)
    expected = {}
    for seq, (h, w, f, fy, cx, cy, valid, activity, version) in sorted(SEQUENCES.items()):
        seq_dir = osp.join(root, seq)
        os.makedirs(osp.join(seq_dir, 'imageSequence'))
        num = len(valid)
        annot2, annot3, univ = np.zeros((2, 17, 1, num)), np.zeros((3, 17, 1, num)), np.zeros((3, 17, 1, num))
        expected[seq] = []
        for k in range(num):
            path = osp.join(seq_dir, 'imageSequence', 'img_%06d.jpg' % (k + 1))
            if valid[k] or seq == 'TS1':  # the invalid frame of TS2 has no image
                write_jpeg(path, gradient_image(h, w, seed=31 * k + int(seq[2:])))
            if not valid[k]:
                continue
            pts = random_skeleton(rng, 17)
            uv = np.stack([f * pts[:, 0] / pts[:, 2] + cx, fy * pts[:, 1] / pts[:, 2] + cy], axis=1)
            pts_univ = pts[PELVIS] + UNIVERSAL_SCALE * (pts - pts[PELVIS])
            annot2[:, :, 0, k], annot3[:, :, 0, k], univ[:, :, 0, k] = uv.T, pts.T, pts_univ.T
            expected[seq].append((k, uv[TEST_LSP], pts_univ[TEST_LSP], activity[k], path, [.5 * (f + fy), cx, cy]))
        arrays = {'annot2': annot2, 'annot3': annot3, 'univ_annot3': univ,
                  'valid_frame': np.array(valid, np.float64).reshape(-1, 1),
                  'activity_annotation': np.array(activity, np.float64).reshape(-1, 1)}
        mat_path = osp.join(seq_dir, 'annot_data.mat')
        if version == 'v5':
            sio.savemat(mat_path, arrays)
        else:
            write_mat_v73(mat_path, arrays)
    return expected
