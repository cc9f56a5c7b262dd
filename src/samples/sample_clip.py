"""A short real clip for the video demo: two people, cut out of a real photograph, walk across a real
background and cross; the one in front walks out of the picture and comes back.

The person is scikit-image's astronaut (NASA's portrait of Eileen Collins, public domain), cut out by
GrabCut from a hand-drawn outline; the second person is the same cut-out mirrored and smaller, further
back. The background is scikit-image's rocket (a SpaceX launch photograph, public domain), panned
slowly. Both photographs ship with scikit-image, so nothing needs downloading.

usage: python -m src.samples.sample_clip OUT.mp4 [--boxes BOXES.json] [--seconds S] [--fps F]
BOXES.json holds, per frame, each visible person's box [x, y, w, h] in pixels, by person id.
"""
import argparse
import sys

import cv2
import numpy as np
from PIL import Image
from skimage import data

from ..errors import HMRError
from ..video.io import VideoWriter

SIZE = (640, 360)
FPS = 25.0
SECONDS = 4.0
# The astronaut's outline in the 512 x 512 photograph (x, y): head, shoulders and torso, leaving out
# the helmet she holds. GrabCut refines it to her silhouette.
OUTLINE = [(225, 14), (270, 22), (298, 50), (302, 95), (292, 140), (300, 170), (305, 215), (330, 250),
           (355, 275), (365, 320), (330, 345), (300, 360), (285, 420), (280, 511), (25, 511), (25, 400),
           (35, 320), (60, 265), (115, 240), (118, 195), (150, 150), (158, 110), (150, 60), (180, 25)]
# A person is listed in a frame's boxes when at least this much of their box is inside the frame.
MIN_VISIBLE = 0.25

_cutout_cache = []


def astronaut_cutout():
    """(RGB uint8, alpha float in [0, 1]) of the astronaut cut out of her photograph, cropped to her."""
    if not _cutout_cache:
        image = data.astronaut()
        outline = np.zeros(image.shape[:2], np.uint8)
        cv2.fillPoly(outline, [np.array(OUTLINE, np.int32)], 1)
        kernel = np.ones((3, 3), np.uint8)
        mask = np.full(image.shape[:2], cv2.GC_BGD, np.uint8)
        mask[cv2.dilate(outline, kernel, iterations=15) > 0] = cv2.GC_PR_BGD
        mask[outline > 0] = cv2.GC_PR_FGD
        mask[cv2.erode(outline, kernel, iterations=20) > 0] = cv2.GC_FGD
        cv2.setRNGSeed(0)
        cv2.grabCut(np.ascontiguousarray(image[..., ::-1]), mask, None, np.zeros((1, 65)), np.zeros((1, 65)), 5,
                    cv2.GC_INIT_WITH_MASK)
        person = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.float32)
        # A soft edge, as a camera's optics would leave it.
        alpha = cv2.GaussianBlur(person, (5, 5), 1.0)
        rows, cols = np.nonzero(person)
        crop = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
        _cutout_cache.append((image[crop], alpha[crop]))
    return _cutout_cache[0]


def _scaled(rgb, alpha, height, mirror):
    width = int(round(rgb.shape[1] * height / float(rgb.shape[0])))
    rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.BILINEAR), np.float32)
    alpha = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)
    if mirror:
        rgb, alpha = rgb[:, ::-1], alpha[:, ::-1]
    return rgb, alpha[..., None]


def _paste(frame, rgb, alpha, left, top):
    """Blend a cut-out into `frame` (float) with its top-left corner at (left, top); clipped to the frame."""
    height, width = frame.shape[:2]
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + rgb.shape[1], width), min(top + rgb.shape[0], height)
    if x0 >= x1 or y0 >= y1:
        return
    part = (slice(y0 - top, y1 - top), slice(x0 - left, x1 - left))
    frame[y0:y1, x0:x1] += alpha[part] * (rgb[part] - frame[y0:y1, x0:x1])


def _front_x(t, width):
    """The front person's centre x at time fraction t: right across and out of the picture, a short
    pause outside (about a tenth of the clip), back in."""
    out, back = 1.1 * width, 0.7 * width
    if t < 0.6:
        return 0.15 * width + (out - 0.15 * width) * t / 0.6
    if t < 0.68:
        return out
    return out + (back - out) * (t - 0.68) / 0.32


def _walkers(width, height):
    """(person id, cut-out height, mirrored, centre x as a function of t, drawing order) of the two."""
    back = (1, int(0.62 * height), True, lambda t: (0.85 - 0.65 * t) * width)
    front = (0, int(0.85 * height), False, lambda t: _front_x(t, width))
    return [back, front]  # drawn back to front


def sample_frames(size=SIZE, fps=FPS, seconds=SECONDS):
    """Yield (frame H x W x 3 uint8, {person id: [x, y, w, h]}) for each frame of the clip."""
    width, height = size
    rgb, alpha = astronaut_cutout()
    background = data.rocket()
    scale = 1.15 * max(width / float(background.shape[1]), height / float(background.shape[0]))
    wide = np.asarray(Image.fromarray(background).resize(
        (int(background.shape[1] * scale), int(background.shape[0] * scale)), Image.BILINEAR), np.float32)
    people = [(pid, _scaled(rgb, alpha, h, mirror), path) for pid, h, mirror, path in _walkers(width, height)]
    count = int(round(seconds * fps))
    for i in range(count):
        t = i / float(max(count - 1, 1))
        pan = int(round(t * (wide.shape[1] - width)))
        top_bg = (wide.shape[0] - height) // 2
        frame = wide[top_bg:top_bg + height, pan:pan + width].copy()
        boxes = {}
        for pid, (person_rgb, person_alpha), path in people:
            h, w = person_rgb.shape[:2]
            # A walker's bob: two steps a second.
            bob = 4 * np.sin(2 * np.pi * 2 * i / fps + pid)
            left = int(round(path(t) - w / 2.0))
            top = int(round(height - 0.92 * h + bob))
            _paste(frame, person_rgb, person_alpha, left, top)
            x0, y0 = max(left, 0), max(top, 0)
            x1, y1 = min(left + w, width), min(top + h, height)
            if x1 > x0 and y1 > y0 and (x1 - x0) * (y1 - y0) >= MIN_VISIBLE * w * h:
                boxes[pid] = [x0, y0, x1 - x0, y1 - y0]
        yield np.clip(frame + 0.5, 0, 255).astype(np.uint8), boxes


def write_sample_clip(path, size=SIZE, fps=FPS, seconds=SECONDS):
    """Write the clip to `path` (H.264 MP4); returns the per-frame boxes, a list of {person id: box}."""
    boxes = []
    with VideoWriter(path, fps, size) as writer:
        for frame, frame_boxes in sample_frames(size, fps, seconds):
            writer.write(frame)
            boxes.append(frame_boxes)
    return boxes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out', help='the video to write (.mp4)')
    parser.add_argument('--boxes', help='also write each frame\'s person boxes to this JSON file')
    parser.add_argument('--seconds', type=float, default=SECONDS)
    parser.add_argument('--fps', type=float, default=FPS)
    args = parser.parse_args(argv)
    try:
        boxes = write_sample_clip(args.out, fps=args.fps, seconds=args.seconds)
        if args.boxes:
            from ..util.files import write_json
            write_json(args.boxes, {'fps': args.fps, 'frames': [{str(k): v for k, v in b.items()} for b in boxes]})
    except HMRError as e:
        print('error: %s' % e, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
