"""Reading the official raw files of a dataset: a folder or file that must be there (else one line
naming it), a file's bytes, a video's frames in order, and the progress bar over them."""
import os.path as osp
import sys

from ..errors import HMRError


class VideoError(HMRError):
    """A video that is missing or cannot be decoded (converters report and skip its sequence)."""


def require_dir(path, what):
    if not osp.isdir(path):
        raise HMRError('%s not found: %s is not a directory' % (what, path))
    return path


def require_file(path, what):
    """`path`, or an HMRError naming the official file that is missing."""
    if not osp.isfile(path):
        raise HMRError('%s not found: expected the official file %s' % (what, path))
    return path


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def progress(iterable, desc, total=None, unit='img'):
    """A tqdm progress bar on stderr (plain iteration when tqdm is missing)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is in both requirement files
        return iterable
    return tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)


def video_frames(path, wanted):
    """Yield (index, RGB frame) for the frame indices in `wanted` of a video, decoding it once in order
    with OpenCV. Stops early after the last wanted frame or at the end of a short/broken video."""
    import cv2
    wanted = sorted(set(int(i) for i in wanted))
    if not wanted:
        return
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise VideoError('could not open the video %s' % path)
    try:
        targets = iter(wanted)
        target = next(targets)
        index = 0
        while True:
            ok = capture.grab()
            if not ok:
                return
            if index == target:
                ok, frame = capture.retrieve()
                if not ok:
                    return
                yield index, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                target = next(targets, None)
                if target is None:
                    return
            index += 1
    finally:
        capture.release()
