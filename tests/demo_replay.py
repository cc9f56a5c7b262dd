"""The demo after the network, replayed from recorded predictions (tests/golden/demo_predictions.npz):
the model's outputs and the people found, recorded once from the synthetic model on a photo of two
people and on the sample clip (tests/golden/make_demo_golden.py). Fed back through the demo's
results, tracks and writers, they must give the files the demo wrote before its writers were
rearranged (tests/test_demo_golden.py): the network's own outputs differ from CPU to CPU, these do not.

The pixels are stand-ins of the recorded inputs' sizes (the files depend on the pixels only through
the drawn pictures, which are compared with a tolerance).
"""
import os

import numpy as np

from src.demo.people import Person

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'golden')
PREDICTIONS = os.path.join(GOLDEN_DIR, 'demo_predictions.npz')
GOLDEN = os.path.join(GOLDEN_DIR, 'demo_golden.json')
GOLDEN_PICTURES = os.path.join(GOLDEN_DIR, 'demo_golden_pictures.npz')
# The data files themselves (modern runtime), for a CPU whose BLAS rounds differently from the one that
# wrote the hashes: there the files must equal these to within float rounding (tests/golden_files.py).
GOLDEN_FILES = os.path.join(GOLDEN_DIR, 'demo_golden_files.npz')
# RunModel.predict_dict's keys, recorded per crop.
PREDICTION_KEYS = ('theta', 'cams', 'verts', 'joints', 'joints3d')
PERSON_ARRAYS = ('bbox', 'scale', 'center', 'score')
# The image's path as the JSON names it: any fixed absolute path (the writers never read it).
IMAGE_PATH = '/hmr-golden/random.jpg'
CLIP_FPS = 25.


def stand_in_pixels(height, width, index=0):
    """A smooth uint8 RGB picture of height x width, different for each `index`."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([(x * 255 // max(1, width - 1) + 7 * index) % 256, y * 255 // max(1, height - 1),
                     np.full_like(x, 96 + 5 * index)], axis=-1).astype(np.uint8)


def record_people(people):
    """Person tuples -> arrays for the NPZ (keypoints: K x 3, or an empty 0 x 3 when none)."""
    return {'bbox': np.array([p.bbox for p in people], np.float64).reshape(-1, 4),
            'scale': np.array([p.scale for p in people], np.float64),
            'center': np.array([p.center for p in people], np.float64).reshape(-1, 2),
            'score': np.array([p.score for p in people], np.float64),
            'source': np.array([p.source for p in people]),
            'keypoints': [np.zeros((0, 3)) if p.keypoints is None else np.asarray(p.keypoints) for p in people]}


def replayed_people(data, prefix, first, count):
    """The recorded Person tuples first .. first + count of `prefix` ('image_' or 'video_')."""
    people = []
    for i in range(first, first + count):
        keypoints = data['%skeypoints%d' % (prefix, i)]
        people.append(Person(data[prefix + 'bbox'][i], str(data[prefix + 'source'][i]), float(data[prefix + 'score'][i]),
                             float(data[prefix + 'scale'][i]), data[prefix + 'center'][i].astype(int),
                             keypoints if len(keypoints) else None))
    return people


class ReplayModel(object):
    """Stands in for RunModel (batch size 1): predict_dict gives the recorded predictions in order."""

    batch_size = 1
    img_size = 224

    def __init__(self, data, prefix):
        self._rows = [{key: data[prefix + key][i:i + 1] for key in PREDICTION_KEYS}
                      for i in range(len(data[prefix + 'theta']))]

    def predict_dict(self, images):
        assert images.shape[0] == 1
        return self._rows.pop(0)


class ReplayFinder(object):
    """Stands in for the video's people finder: the recorded people of each frame, in order."""

    def __init__(self, data):
        self._data = data
        self._counts = list(data['video_people_per_frame'])
        self._first = 0

    def __call__(self, image, name):
        count = int(self._counts.pop(0))
        people = replayed_people(self._data, 'video_', self._first, count)
        self._first += count
        return people


def load():
    data = np.load(PREDICTIONS)
    return {key: data[key] for key in data.files}


def write_stand_in_clip(path, data):
    """The recorded clip's frame count and size, as smooth stand-in frames (an MP4 at CLIP_FPS)."""
    from src.video.io import VideoWriter
    height, width = data['video_frame_shape']
    with VideoWriter(path, CLIP_FPS, (int(width), int(height))) as writer:
        for index in range(len(data['video_people_per_frame'])):
            writer.write(stand_in_pixels(height, width, index))


IMAGE_OUTPUTS = ('figure', 'obj', 'json', 'npz', 'bvh', 'glb')
VIDEO_OUTPUTS = ('video', 'json', 'npz', 'bvh', 'glb')
PICTURE_EXTENSIONS = ('.png', '.mp4')
# Pictures are kept and compared at 1/PICTURE_STEP of their size (area averages).
PICTURE_STEP = 4


class Written(object):
    """The files of one replay: `files` {name relative to the output folder: path}; `clip` the stand-in
    video's path (NAME.json names it)."""

    def __init__(self, out_dir, clip):
        self.clip = clip
        self.files = {os.path.relpath(os.path.join(root, name), out_dir): os.path.join(root, name)
                      for root, _, names in os.walk(out_dir) for name in names}

    def data(self):
        return {name: path for name, path in self.files.items() if not name.endswith(PICTURE_EXTENSIONS)}

    def contents(self):
        """{name: bytes} of every data file; in the video's JSON, the stand-in clip's path (a temporary
        folder) is replaced by CLIP."""
        import json
        contents = {}
        for name, path in self.data().items():
            with open(path, 'rb') as f:
                contents[name] = f.read()
            if name == os.path.join('video', 'clip.json'):
                contents[name] = contents[name].replace(json.dumps(self.clip).encode(), b'"CLIP"')
        return contents

    def digests(self):
        """sha256 of every data file's contents."""
        import hashlib
        return {name: hashlib.sha256(content).hexdigest() for name, content in self.contents().items()}

    def pictures(self):
        """{name: uint8 array} of the drawn pictures at 1/PICTURE_STEP size: the figure (H x W x 3), the
        overlay video's frames (N x H x W x 3)."""
        import cv2
        from src.util.image import read_image
        from src.video.io import VideoReader

        def small(image):
            height, width = image.shape[:2]
            return cv2.resize(image, (width // PICTURE_STEP, height // PICTURE_STEP), interpolation=cv2.INTER_AREA)
        pictures = {}
        for name, path in self.files.items():
            if name.endswith('.png'):
                pictures[name] = small(read_image(path))
            elif name.endswith('.mp4'):
                pictures[name] = np.stack([small(frame) for _, frame in VideoReader(path)])
        return pictures


def replay(out_dir, smpl_path):
    """Every output of the recorded photo (OUT/image) and clip (OUT/video), and the motion re-export of
    the clip's NPZ (OUT/export), written by the demo's code from the recorded predictions."""
    from src.body_model import BodyModel
    from src.demo.records import RunContext
    from src.demo.video_run import VideoRun
    from src.export.cli import run as export
    from src.video.io import VideoReader
    data = load()
    body = BodyModel.from_pickle(smpl_path)
    folders = [os.path.join(out_dir, name) for name in ('image', 'video', 'export')]
    for folder in folders:
        os.makedirs(folder)
    replay_image(folders[0], smpl_path, IMAGE_OUTPUTS, body)
    clip = os.path.join(os.path.dirname(os.path.abspath(out_dir)), 'clip.mp4')
    write_stand_in_clip(clip, data)
    VideoRun(RunContext(ReplayModel(data, 'video_'), body.faces, body, folders[1], VIDEO_OUTPUTS, 0)).run(
        VideoReader(clip), ReplayFinder(data))
    export(['--motion', os.path.join(folders[1], 'clip.npz'), '--out_dir', folders[2], '--smpl_model', smpl_path])
    return Written(out_dir, clip)


def replay_image(out_dir, smpl_path, outputs, body=None):
    """The recorded photo's `outputs` written into `out_dir`; returns their stem (OUT/random)."""
    from src.body_model import BodyModel
    from src.demo.images import ImageRun, Prepared
    from src.demo.records import RunContext
    from src.util.image import crop_for_model
    data = load()
    body = body or BodyModel.from_pickle(smpl_path)
    height, width = data['image_frame_shape']
    image = stand_in_pixels(height, width)
    people = replayed_people(data, 'image_', 0, len(data['image_theta']))
    cropped = [crop_for_model(image, p.scale, p.center, ReplayModel.img_size) for p in people]
    item = Prepared(IMAGE_PATH, 'random', image, people, [c for c, _ in cropped], [p for _, p in cropped], None)
    failures = ImageRun(RunContext(ReplayModel(data, 'image_'), body.faces, body, out_dir, outputs, 0)).run([item])
    assert failures == 0
    return os.path.join(out_dir, 'random')
