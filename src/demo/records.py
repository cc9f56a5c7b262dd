"""The demo's results as records: one per person of an image (or frame), one per track of a video.
Every field is named once here, with its shape; the writers take these, never string-keyed dicts.
(typing.NamedTuple: the legacy runtime's Python 3.6 has no dataclasses.)

Shapes: V vertices (6890), J joints (19 cocoplus), T frames of a track, K keypoints.
"""
import typing

import numpy as np


class PersonResult(typing.NamedTuple):
    """One person, as the released demo gives them, moved into the image's shared camera."""
    bbox: np.ndarray              # (4,) x, y, w, h in pixels of the original image
    source: str                   # who found them: 'detector', 'openpose', 'bbox' or 'image'
    score: float                  # the finder's confidence
    proc_param: dict              # the crop: scale, start_pt (2,), end_pt (2,), img_size
    theta: np.ndarray             # (85,) camera (3), pose (72), shape (10): the model's output
    cam: np.ndarray               # (3,) the model's weak-perspective camera s, tx, ty of the crop
    pose: np.ndarray              # (72,) axis-angle of the 24 SMPL joints
    shape: np.ndarray             # (10,) SMPL betas
    joints2d_crop: np.ndarray     # (J, 2) projected joints in crop pixels
    joints2d_original: np.ndarray  # (J, 2) the same in original image pixels
    joints3d: np.ndarray          # (J, 3) the model's 3D joints (no translation)
    camera_original: np.ndarray   # (3,) f, cx, cy: the shared camera of the image
    translation: np.ndarray       # (3,) verts = the model's vertices + translation
    verts: np.ndarray             # (V, 3) the mesh in the frame of camera_original
    keypoints: np.ndarray = None  # (K, 3) x, y, confidence, when the finder gave them
    reproj_px: float = None       # quality (src/world/quality.py): keypoints' reprojection error
    truncated: bool = None        # cut by the image's border
    doubtful: bool = None         # not to be trusted


# NAME.json's per-person fields (and its top level's, the first person's, as before), in file order.
PERSON_FIELDS = ('theta', 'cam', 'pose', 'shape', 'joints2d_crop', 'joints2d_original', 'joints3d',
                 'camera_original', 'translation', 'proc_param')
DETECTION_FIELDS = ('bbox', 'source', 'score')
QUALITY_FIELDS = ('reproj_px', 'truncated', 'doubtful')


class ImageResult(typing.NamedTuple):
    """All people of one image, in one camera (the first person's `camera_original`)."""
    path: str                     # the input image
    name: str                     # the output stem: OUT/NAME.*
    image: np.ndarray             # (H, W, 3) uint8 RGB
    people: list                  # of PersonResult, the first as the one-person files had it


class TrackResult(typing.NamedTuple):
    """One person over the T frames of the video they were seen in (smoothed when asked)."""
    id: int                       # the tracker's id: NAME_track<ID>.*
    frames: np.ndarray            # (T,) frame indices in the source, increasing
    cam: np.ndarray               # (T, 3) the model's crop cameras
    pose: np.ndarray              # (T, 72) axis-angle
    shape: np.ndarray             # (10,) betas: the median over the frames
    translation: np.ndarray       # (T, 3) in the video's camera frame
    bbox: np.ndarray              # (T, 4) x, y, w, h
    score: np.ndarray             # (T,) the finder's confidence
    reproj_px: np.ndarray         # (T,) quality per frame, as PersonResult's
    truncated: np.ndarray         # (T,)
    doubtful: np.ndarray          # (T,)
    joints3d: np.ndarray = None   # (T, J, 3) posed by the NumPy body, when it is loaded
    joints2d: np.ndarray = None   # (T, J, 2) their projection by the video's camera


class Track(object):
    """A track being gathered: one PersonResult per frame the person was seen in."""
    __slots__ = ('id', 'frames', 'people')

    def __init__(self, track_id):
        self.id = track_id
        self.frames = []
        self.people = []

    def add(self, frame_index, person):
        self.frames.append(frame_index)
        self.people.append(person)

    def column(self, field):
        """(T, ...) array of one PersonResult field over the frames."""
        return np.asarray([getattr(person, field) for person in self.people])


class VideoResult(typing.NamedTuple):
    """What the video writers write: the tracks of one video and how they were seen."""
    stem: str                     # OUT/NAME: every file is NAME.* or NAME_track<ID>.*
    source: str                   # the input video's absolute path
    tracks: list                  # of TrackResult
    camera: np.ndarray            # (3,) f, cx, cy of the whole video
    size: tuple                   # (width, height) of its frames
    fps: float                    # of the tracks' kept frames (the source's / --every)
    every: int                    # --every: kept frames are every `every`-th
    frame_count: int              # frames read
    frames: object                # iterable of (index, H x W x 3 uint8) with `size`: the footage to draw over
    video_fps: float              # of the overlay video
    draw_flags: bool              # --flags: doubtful people boxed in the overlay
    smoothed: bool                # --smooth
    world: dict = None            # --world: {track id: (frames, WorldMotion)} (src/world/tracks.py)
    foot_lock: bool = True        # --foot_lock, with --world


class Prediction(typing.NamedTuple):
    """One crop's row of RunModel.predict_dict (whose dict API stays as released)."""
    theta: np.ndarray             # (85,) camera, pose, shape
    cams: np.ndarray              # (3,) weak-perspective camera of the crop
    verts: np.ndarray             # (V, 3) the model's mesh
    joints: np.ndarray            # (J, 2) in crop pixels
    joints3d: np.ndarray          # (J, 3)

    @classmethod
    def row(cls, batch, index):
        """Row `index` of a predict_dict result."""
        return cls(*(batch[field][index] for field in cls._fields))


class RunContext(typing.NamedTuple):
    """What a demo run (images or a video) works with, the same for both."""
    model: object                 # RunModel (or a backend with its predict_dict)
    faces: np.ndarray             # (F, 3) the body's faces, one rule: the loaded body's (src/demo/body.py)
    body: object                  # the NumPy BodyModel, or None when no output needs it
    out_dir: str
    outputs: tuple                # the selected output names (src/demo/writers.py)
    workers: int                  # picture processes (0: draw here)
    report: object = None         # report(line): failures and notes (default: stderr)
