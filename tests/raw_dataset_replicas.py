"""Tiny replicas of the official raw dataset layouts, for the converter tests.

Each writer makes a folder laid out like the official download (file names, MATLAB structs, JSON,
CDF, videos) with a handful of synthetic images, and returns the ground truth it wrote so tests can
check the converted records against values computed independently of the converters.
Images are smooth colour gradients (JPEG keeps them within a few grey levels).
"""
import json
import os
import os.path as osp
import pickle

import cv2
import numpy as np



def _mkdir(path):
    if not osp.isdir(path):
        os.makedirs(path)
    return path


def gradient_image(height, width, seed=0):
    """H x W x 3 uint8 RGB, smooth (so JPEG round trips are close)."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    channels = []
    for _ in range(3):
        a, b, c = rng.uniform(-1, 1, 3)
        channels.append(128 + 100 * np.sin(a * xx / 37. + b * yy / 53. + c))
    return np.clip(np.stack(channels, axis=2), 0, 255).astype(np.uint8)


def write_jpeg(path, rgb):
    _mkdir(osp.dirname(path))
    cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [int(cv2.IMWRITE_JPEG_QUALITY), 98])


def read_rgb(path):
    return cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)


def _savemat(path, data):
    import scipy.io as sio
    _mkdir(osp.dirname(path))
    sio.savemat(path, data)


# ---------------------------------------------------------------------------------------------- LSP
def lsp_person(rng, cx, cy, visible):
    """3 x 14: x, y and a visibility flag per LSP joint around (cx, cy)."""
    x = cx + rng.uniform(-20, 20, 14)
    y = cy + np.linspace(35, -35, 14) + rng.uniform(-3, 3, 14)
    return np.vstack([np.round(x, 2), np.round(y, 2), np.asarray(visible, np.float64)])


def write_lsp(root, extended=False):
    """LSP: joints.mat 3 x 14 x N (0 = visible), images/im%04d.jpg. LSP-extended: 14 x 3 x N
    (1 = visible), images/im%05d.jpg. Returns {'images': [paths], 'joints': 3 x 14 x N with 1 = visible}.

    LSP has 4 images (2 train, 2 test; the last has no visible joint); LSP-extended 3."""
    rng = np.random.RandomState(1 if extended else 0)
    num = 3 if extended else 4
    sizes = [(120, 90), (100, 140), (130, 110), (90, 90)]
    paths, truth = [], []
    for i in range(num):
        h, w = sizes[i]
        visible = np.ones(14)
        if i == 1:
            visible[[0, 7, 13]] = 0
        if i == 3 and not extended:
            visible[:] = 0
        truth.append(lsp_person(rng, w / 2., h / 2., visible))
        name = ('im%05d.jpg' if extended else 'im%04d.jpg') % (i + 1)
        paths.append(osp.join(root, 'images', name))
        write_jpeg(paths[-1], gradient_image(h, w, seed=i))
    truth = np.stack(truth, axis=2)
    stored = np.copy(truth)
    if extended:
        stored = np.transpose(stored, (1, 0, 2))
    else:
        stored[2] = 1 - truth[2]
    _savemat(osp.join(root, 'joints.mat'), {'joints': stored})
    return {'images': paths, 'joints': truth}


# --------------------------------------------------------------------------------------------- MPII
MPII_IDS = {'right_ankle': 0, 'right_knee': 1, 'right_hip': 2, 'left_hip': 3, 'left_knee': 4, 'left_ankle': 5,
            'pelvis': 6, 'thorax': 7, 'neck': 8, 'head_top': 9, 'right_wrist': 10, 'right_elbow': 11,
            'right_shoulder': 12, 'left_shoulder': 13, 'left_elbow': 14, 'left_wrist': 15}


def _struct_array(records):
    """A MATLAB 1 x N struct array (numpy record array of objects) from a list of dicts."""
    fields = list(records[0].keys())
    arr = np.zeros((1, len(records)), dtype=[(f, object) for f in fields])
    for i, rec in enumerate(records):
        for f in fields:
            arr[0, i][f] = rec[f]
    return arr


def _cell(items):
    arr = np.empty((len(items), 1), dtype=object)
    for i, item in enumerate(items):
        arr[i, 0] = item
    return arr


def _mpii_rect(points, objpos):
    """points: {joint name: (x, y)}; returns an annorect dict."""
    vis_values = ['1', 0, np.zeros((0, 0))]  # the official file mixes strings, numbers and []
    recs = [{'id': float(MPII_IDS[n]), 'x': float(x), 'y': float(y), 'is_visible': vis_values[k % 3]}
            for k, (n, (x, y)) in enumerate(sorted(points.items()))]
    rect = {'x1': 0., 'y1': 0., 'x2': 1., 'y2': 1., 'scale': 1.,
            'objpos': {'x': float(objpos[0]), 'y': float(objpos[1])}}
    rect['annopoints'] = {'point': _struct_array(recs)} if recs else np.zeros((0, 0))
    return rect


def write_mpii(root):
    """annotations/mpii_human_pose_v1_u12_1.mat (struct RELEASE) and images/.

    Image 0 (train): rects 1 and 2 are single persons (1 with ankles: 150 px rule; 2 without ankles:
    head-top-to-hip 75 px rule), rect 3 is not single. Image 1 (train): its single person has only
    one point (skipped). Image 2 (test): skipped. Image 3 (train): shoulders and hips only (56 px rule).
    Returns {'people': [(image path, {name: (x, y)})] in record order, 'rules': [...]}.
    """
    full = {'right_ankle': (290, 280), 'right_knee': (292, 255), 'right_hip': (295, 230),
            'left_hip': (315, 230), 'left_knee': (318, 255), 'left_ankle': (320, 280),
            'pelvis': (305, 230), 'thorax': (305, 195), 'neck': (305, 190), 'head_top': (305, 170),
            'right_wrist': (275, 225), 'right_elbow': (280, 208), 'right_shoulder': (293, 195),
            'left_shoulder': (317, 195), 'left_elbow': (330, 208), 'left_wrist': (335, 225)}
    no_ankles = {'head_top': (120, 60), 'right_hip': (120, 97.5), 'left_hip': (140, 97.5),
                 'right_shoulder': (112, 75), 'left_shoulder': (142, 75), 'neck': (128, 66)}
    torso_only = {'right_shoulder': (200, 100), 'right_hip': (200, 128), 'left_shoulder': (228, 100),
                  'left_hip': (228, 128)}
    names = ['%09d.jpg' % i for i in (11, 22, 33, 44)]
    sizes = [(320, 400), (120, 160), (100, 100), (240, 300)]
    annolist = []
    annolist.append({'image': {'name': names[0]}, 'annorect': _struct_array([
        _mpii_rect(full, (305, 225)), _mpii_rect(no_ankles, (128, 80)),
        _mpii_rect({'head_top': (30, 30), 'neck': (30, 40), 'left_hip': (30, 70)}, (30, 50))]),
        'frame_sec': np.zeros((0, 0)), 'vididx': np.zeros((0, 0))})
    annolist.append({'image': {'name': names[1]}, 'annorect': _mpii_rect({'head_top': (50, 50)}, (50, 60)),
                     'frame_sec': np.zeros((0, 0)), 'vididx': np.zeros((0, 0))})
    annolist.append({'image': {'name': names[2]}, 'annorect': _mpii_rect(full, (50, 50)),
                     'frame_sec': np.zeros((0, 0)), 'vididx': np.zeros((0, 0))})
    annolist.append({'image': {'name': names[3]}, 'annorect': _mpii_rect(torso_only, (214, 114)),
                     'frame_sec': np.zeros((0, 0)), 'vididx': np.zeros((0, 0))})
    release = {
        'annolist': _struct_array(annolist),
        'img_train': np.array([[1, 1, 0, 1]], dtype=np.uint8),
        'single_person': _cell([np.array([[1], [2]], np.uint8), np.array([[1]], np.uint8),
                                np.array([[1]], np.uint8), np.array([[1]], np.uint8)]),
        'act': _struct_array([{'cat_name': 'sports', 'act_name': 'running', 'act_id': 1.}] * 4),
        'video_list': _cell(['abc']),
    }
    _savemat(osp.join(root, 'annotations', 'mpii_human_pose_v1_u12_1.mat'), {'RELEASE': release})
    for i, (h, w) in enumerate(sizes):
        write_jpeg(osp.join(root, 'images', names[i]), gradient_image(h, w, seed=10 + i))
    path = lambda i: osp.join(root, 'images', names[i])  # noqa: E731
    return {'people': [(path(0), full), (path(0), no_ankles), (path(3), torso_only)],
            'rules': ['diagonal150', 'head_hip75', 'shoulder_hip56']}


# --------------------------------------------------------------------------------------------- COCO
COCO_NAMES = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
              'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
              'right_knee', 'left_ankle', 'right_ankle']


def _coco_kp(points):
    """{name: (x, y, v)} -> the 51-long COCO keypoint list."""
    kp = []
    for name in COCO_NAMES:
        x, y, v = points.get(name, (0, 0, 0))
        kp += [x, y, v]
    return kp


def write_coco(root):
    """annotations/person_keypoints_train2014.json and images/train2014/.

    Image 7 (listed first): people A (whole body, one keypoint labelled occluded: 150 px rule), C (only
    5 fully visible keypoints: dropped), D (mask 50 px tall: dropped), E (crowd: dropped), F (face and
    shoulders only: dropped). Image 3: people B (no ankles, torso: 75 px rule) and G (no ankles, no
    hips: 50 px rule). Returns {'people': [(image path, {name: (x, y, v)}, rule)] in record order}.
    """
    body = {'nose': (200, 110, 2), 'left_eye': (204, 106, 2), 'right_eye': (196, 106, 2),
            'left_ear': (208, 108, 1), 'right_ear': (192, 108, 2), 'left_shoulder': (215, 130, 2),
            'right_shoulder': (185, 130, 2), 'left_elbow': (222, 150, 2), 'right_elbow': (178, 150, 2),
            'left_wrist': (225, 170, 2), 'right_wrist': (175, 170, 2), 'left_hip': (210, 175, 2),
            'right_hip': (190, 175, 2), 'left_knee': (211, 200, 2), 'right_knee': (189, 200, 2),
            'left_ankle': (212, 230, 2), 'right_ankle': (188, 230, 2)}
    torso = {'nose': (80, 40, 2), 'left_eye': (83, 37, 2), 'right_eye': (77, 37, 2),
             'left_shoulder': (95, 60, 2), 'right_shoulder': (65, 60, 2), 'left_elbow': (100, 80, 2),
             'left_hip': (92, 100, 2), 'right_hip': (68, 100, 2), 'right_knee': (67, 125, 1)}
    arms = {'nose': (150, 40, 2), 'left_eye': (153, 37, 2), 'right_eye': (147, 37, 2),
            'left_ear': (156, 38, 2), 'right_ear': (144, 38, 2), 'left_shoulder': (162, 55, 2),
            'left_elbow': (168, 75, 2), 'right_wrist': (130, 90, 1)}
    few = dict((k, body[k]) for k in ['nose', 'left_eye', 'right_eye', 'left_shoulder', 'right_ankle'])
    short = dict((k, (x, 40 + (y - 110) * 0.3, v)) for k, (x, y, v) in body.items())
    face = dict((k, body[k]) for k in ['nose', 'left_eye', 'right_eye', 'right_ear', 'left_shoulder',
                                       'right_shoulder'])

    def polygon(x0, y0, x1, y1):
        return [[x0, y0, x1, y0, x1, y1, x0, y1]]

    images = [{'id': 7, 'file_name': 'COCO_train2014_000000000007.jpg', 'height': 260, 'width': 300},
              {'id': 3, 'file_name': 'COCO_train2014_000000000003.jpg', 'height': 150, 'width': 200},
              {'id': 5, 'file_name': 'COCO_train2014_000000000005.jpg', 'height': 50, 'width': 50}]
    anns = []

    def add(image_id, points, seg, crowd=0, category=1):
        kp = _coco_kp(points)
        anns.append({'id': len(anns) + 1, 'image_id': image_id, 'category_id': category, 'iscrowd': crowd,
                     'keypoints': kp, 'num_keypoints': int(sum(1 for v in kp[2::3] if v > 0)),
                     'segmentation': seg, 'area': 1000.,
                     'bbox': [seg[0][0], seg[0][1], seg[0][2] - seg[0][0], seg[0][5] - seg[0][1]]})

    add(7, body, polygon(170, 100, 230, 235))          # A
    add(7, few, polygon(170, 100, 230, 235))           # C
    add(7, short, polygon(170, 30, 230, 80))           # D (mask rows 30..80)
    add(7, body, polygon(170, 100, 230, 235), crowd=1)  # E
    add(7, face, polygon(180, 100, 220, 170))          # F
    add(3, torso, polygon(60, 30, 105, 130))           # B
    add(3, arms, polygon(125, 30, 175, 100))           # G
    data = {'info': {'description': 'replica'}, 'licenses': [], 'images': images, 'annotations': anns,
            'categories': [{'id': 1, 'name': 'person', 'supercategory': 'person', 'keypoints': COCO_NAMES,
                            'skeleton': []}]}
    _mkdir(osp.join(root, 'annotations'))
    with open(osp.join(root, 'annotations', 'person_keypoints_train2014.json'), 'w') as f:
        json.dump(data, f)
    for k, im in enumerate(images):
        write_jpeg(osp.join(root, 'images', 'train2014', im['file_name']),
                   gradient_image(im['height'], im['width'], seed=20 + k))
    path = lambda i: osp.join(root, 'images', 'train2014', images[i]['file_name'])  # noqa: E731
    return {'people': [(path(1), torso, 'torso75'), (path(1), arms, 'diagonal50'),
                       (path(0), body, 'diagonal150')]}


# --------------------------------------------------------------------------------------------- MoSh
def write_mosh(root, dataset_name='neutrSMPL_CMU'):
    """<root>/<dataset_name>/<seq>/*.pkl as Python-2-compatible pickles. 'seq01' uses 'poses' and 10
    betas, 'seq02' 'new_poses' and 16 betas; S9 and S11_walk hold test subjects (left out).
    Returns {(tuple(pose), tuple(shape10))} of the kept poses."""
    rng = np.random.RandomState(5)
    kept = set()
    seqs = [('seq01', 'a.pkl', 'poses', 4, 10, True), ('seq02', 'b.pkl', 'new_poses', 3, 16, True),
            ('S9', 'c.pkl', 'poses', 2, 10, False), ('S11_walk', 'd.pkl', 'poses', 2, 10, False)]
    for folder, name, key, num, nbetas, keep in seqs:
        poses = rng.randn(num, 72)
        betas = rng.randn(nbetas)
        path = osp.join(_mkdir(osp.join(root, dataset_name, folder)), name)
        with open(path, 'wb') as f:
            pickle.dump({key: poses, 'betas': betas, 'trans': np.zeros((num, 3))}, f, protocol=2)
        if keep:
            for p in poses:
                kept.add((tuple(np.float32(p)), tuple(np.float32(betas[:10]))))
    with open(osp.join(root, dataset_name, 'README.txt'), 'w') as f:
        f.write('replica\n')
    return kept




# ------------------------------------------------------------------------------------- MPI-INF-3DHP
MPI3DHP_LSP = [25, 24, 23, 18, 19, 20, 16, 15, 14, 9, 10, 11, 5, 7]  # LSP-14 rows of the 28 joints


def random_skeleton(rng, num_joints):
    """`num_joints` joints (mm, camera coordinates) of a standing person ~1.6 m tall, 4 m away."""
    pts = np.zeros((num_joints, 3))
    pts[:, 0] = rng.uniform(-300, 300, num_joints)
    pts[:, 1] = rng.uniform(-800, 800, num_joints)
    pts[:, 2] = 4000 + rng.uniform(-100, 100, num_joints)
    return pts


def _calibration_text(cams):
    lines = ['Skeletool Camera Calibration File V1.0']
    for cam_id, (f, cx, cy) in sorted(cams.items()):
        lines += ['name          %d' % cam_id, '  sensor      10 10', '  size        200 160', '  animated    0',
                  '  intrinsic   %g 0 %g 0 0 %g %g 0 0 0 1 0 0 0 0 1 ' % (f, cx, f + 2, cy),
                  '  extrinsic   1 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1 ', '  radial      0']
    return '\n'.join(lines) + '\n'


def write_video(path, frames_rgb, fps=25, codec='MJPG'):
    _mkdir(osp.dirname(path))
    h, w = frames_rgb[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*codec), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError('OpenCV cannot write %s with codec %s' % (path, codec))
    for frame in frames_rgb:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def write_mpi_inf_3dhp(root):
    """S1/Seq1 (6 frames; images of cameras 0 and 4 in imageFrames/, of camera 3, which is not used,
    too), S1/Seq2 (3 frames; camera 0 only as the official imageSequence/video_0.avi), S8/Seq1 (1 frame,
    camera 0: only in trainval). Each has annot.mat with 14 cameras and camera.calibration.

    Frame motion in S1/Seq1 (LSP joints): 1 moves a non-LSP joint 500 mm and the LSP ones 50 mm
    (dropped), 2 moves all 250 mm (kept), 3 moves 10 mm more (dropped), 4 moves the head top 210 mm
    (kept), 5 moves 3 m sideways: sampled but outside the image (skipped).
    Returns {(subject, seq, camera): [(frame index, gt2d 14 x 2, gt3d 14 x 3 mm, [f, px, py], image path)]}
    for every frame expected in the records, and the calibration of each camera."""
    rng = np.random.RandomState(7)
    cams = dict((c, (300. + 10 * c, 100. + c, 80. - c)) for c in range(14))
    h, w = 160, 200
    expected = {}

    def write_seq(sub, seq, deltas, image_cams, video_cams, expect):
        seq_dir = osp.join(root, 'S%d' % sub, 'Seq%d' % seq)
        base = random_skeleton(rng, 28)
        annot2, annot3 = [], []
        for cam_id in range(14):
            pts_all = []
            for d in deltas:
                pts = base + [cam_id * 5., 0, 0]
                pts = pts + d
                pts_all.append(pts)
            pts_all = np.stack(pts_all)
            f, cx, cy = cams[cam_id]
            fy = f + 2
            uv = np.stack([np.stack([f * p[:, 0] / p[:, 2] + cx, fy * p[:, 1] / p[:, 2] + cy], axis=1)
                           for p in pts_all])
            annot2.append(uv.reshape(len(deltas), -1))
            annot3.append(pts_all.reshape(len(deltas), -1))
            if cam_id in image_cams or cam_id in video_cams:
                images = [gradient_image(h, w, seed=100 * sub + 10 * seq + cam_id + k) for k in range(len(deltas))]
                if cam_id in image_cams:
                    for k, image in enumerate(images):
                        write_jpeg(osp.join(seq_dir, 'imageFrames', 'video_%d' % cam_id, 'frame_%06d.jpg' % (k + 1)),
                                   image)
                else:
                    write_video(osp.join(seq_dir, 'imageSequence', 'video_%d.avi' % cam_id), images)
                for k in expect:
                    path = osp.join(seq_dir, 'imageFrames', 'video_%d' % cam_id, 'frame_%06d.jpg' % (k + 1))
                    expected.setdefault((sub, seq, cam_id), []).append(
                        (k, uv[k][MPI3DHP_LSP], pts_all[k][MPI3DHP_LSP],
                         [0.5 * (f + fy), cx, cy], path if cam_id in image_cams else images[k]))
        _savemat(osp.join(seq_dir, 'annot.mat'), {
            'frames': np.arange(len(deltas)).reshape(-1, 1).astype(np.float64),
            'cameras': np.arange(14).reshape(1, -1).astype(np.uint8),
            'annot2': _cell(annot2), 'annot3': _cell(annot3), 'univ_annot3': _cell(annot3)})
        with open(osp.join(seq_dir, 'camera.calibration'), 'w') as fh:
            fh.write(_calibration_text(cams))

    # the 28 x 3 offsets of each frame
    d = [np.zeros((28, 3)) for _ in range(6)]
    d[1][:] = [50, 0, 0]
    d[1][0] = [500, 0, 0]            # spine3 is not an LSP joint
    d[2][:] = [250, 0, 0]
    d[3][:] = [260, 0, 0]
    d[4][:] = [250, 0, 0]
    d[4][7] = [250, 210, 0]          # head top
    d[5][:] = [3250, 0, 0]
    write_seq(1, 1, d, image_cams=[0, 4, 3], video_cams=[], expect=[0, 2, 4])
    write_seq(1, 2, [np.zeros((28, 3)), np.full((28, 3), 5.), np.full((28, 3), 300.)], image_cams=[],
              video_cams=[0], expect=[0, 2])
    write_seq(8, 1, [np.zeros((28, 3))], image_cams=[0], video_cams=[], expect=[0])
    return expected


# ---------------------------------------------------------------------------------------- Human3.6M
H36M_CAMERAS = ['54138969', '55011271', '58860488', '60457274']
H36M_LSP = [3, 2, 1, 6, 7, 8, 27, 26, 25, 17, 18, 19, 13, 15]  # LSP-14 rows of the 32 joints


def _write_cdf(path, pose):
    """One CDF with a 'Pose' zVariable of one record of N x D floats (as the official files)."""
    from cdflib.cdfwrite import CDF
    _mkdir(osp.dirname(path))
    if osp.exists(path):
        os.remove(path)
    writer = CDF(path, cdf_spec={'Majority': 'Row_major'})
    data = np.asarray(pose, np.float32).reshape(1, pose.shape[0], -1)
    writer.write_var({'Variable': 'Pose', 'Data_Type': writer.CDF_FLOAT, 'Num_Elements': 1, 'Rec_Vary': True,
                      'Dim_Sizes': list(data.shape[1:])}, var_data=data)
    writer.close()


def write_h36m(root):
    """S1 (training) and S9 (test) in the official layout: Videos/<Action>.<camera>.mp4,
    MyPoseFeatures/D3_Positions_mono/ and D2_Positions/<Action>.<camera>.cdf.

    S1: 'Directions 1' (camera 0, 11 frames), 'Directions' (cameras 0 and 3, 11 frames; frame 5 of
    camera 0 is 8 m to the side, outside the image), 'WalkDog' (camera 3, 6 frames).
    S9: 'Walking 1' (cameras 0, 3), 'Walking' (camera 3), 'Photo' (camera 0), 7 frames each, and
    'Eating' (camera 1) without video.
    Returns {(subject, action, trial, camera number): [(frame, gt2d 14 x 2, gt3d 14 x 3 mm, cam, RGB)]}
    of the frames a frame step of 5 keeps."""
    rng = np.random.RandomState(11)
    intrinsics = dict((c, (150. + 10 * c, 152. + 10 * c, 100. + 2 * c, 80. - 2 * c)) for c in range(4))
    h, w = 160, 200
    expected = {}
    seqs = [(1, 'Directions 1', 'Directions', 0, [0], 11), (1, 'Directions', 'Directions', 1, [0, 3], 11),
            (1, 'WalkDog', 'WalkingDog', 0, [3], 6), (9, 'Walking 1', 'Walking', 0, [0, 3], 7),
            (9, 'Walking', 'Walking', 1, [3], 7), (9, 'Photo', 'TakingPhoto', 0, [0], 7),
            (9, 'Eating', 'Eating', 0, [1], 7)]
    for subject, label, action, trial, cams, num in seqs:
        base = np.zeros((32, 3))
        base[:, 0] = rng.uniform(-300, 300, 32)
        base[:, 1] = rng.uniform(-800, 800, 32)
        base[:, 2] = 5000 + rng.uniform(-100, 100, 32)
        sdir = osp.join(root, 'S%d' % subject)
        for cam in cams:
            fx, fy, cx, cy = intrinsics[cam]
            pose3d = np.stack([base + [30. * k + 20. * cam, 10. * np.sin(k), 0] for k in range(num)])
            if label == 'Directions' and cam == 0:
                pose3d[5, :, 0] += 8000.
            pose2d = np.stack([pose3d[..., 0] / pose3d[..., 2] * fx + cx, pose3d[..., 1] / pose3d[..., 2] * fy + cy],
                              axis=-1)
            stem = '%s.%s' % (label, H36M_CAMERAS[cam])
            _write_cdf(osp.join(sdir, 'MyPoseFeatures', 'D3_Positions_mono', stem + '.cdf'), pose3d.reshape(num, -1))
            _write_cdf(osp.join(sdir, 'MyPoseFeatures', 'D2_Positions', stem + '.cdf'), pose2d.reshape(num, -1))
            frames = [gradient_image(h, w, seed=1000 + 37 * subject + 7 * cam + k) for k in range(num)]
            if label != 'Eating':
                write_video(osp.join(sdir, 'Videos', stem + '.mp4'), frames, fps=50, codec='mp4v')
            p3, p2 = np.float32(pose3d).astype(np.float64), np.float32(pose2d).astype(np.float64)
            for k in range(0, num, 5):
                if label == 'Eating' or (label == 'Directions' and cam == 0 and k == 5):
                    continue
                expected.setdefault((subject, action, trial, cam), []).append(
                    (k, p2[k][H36M_LSP], p3[k][H36M_LSP], [0.5 * (fx + fy), cx, cy], frames[k]))
    return expected
