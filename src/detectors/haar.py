"""OpenCV's Haar cascade for whole bodies (haarcascade_fullbody.xml, Kruppa et al.), in opencv-python 4.x.

Boxes only, no keypoints; the score is the cascade's last-stage weight."""
import os

import cv2
import numpy as np

from . import Detection
from .boxes import check_image, clip_to_image, suppress_and_sort

NAME = 'haar'
CASCADE = 'haarcascade_fullbody.xml'
PYRAMID_SCALE = 1.05
MIN_NEIGHBOURS = 3
MAX_SIDE = 640
SAME_PERSON_IOU = 0.3


def _cascade_path():
    folder = getattr(getattr(cv2, 'data', None), 'haarcascades', None)
    return os.path.join(folder, CASCADE) if folder else None


def available():
    path = _cascade_path()
    return path is not None and os.path.exists(path)


class HaarFullBody(object):
    name = NAME

    def __init__(self):
        self._cascade = cv2.CascadeClassifier(_cascade_path())

    def detect(self, image):
        check_image(image)
        scale = min(1., float(MAX_SIDE) / max(image.shape[:2]))
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        if scale < 1:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        rects, _, weights = self._cascade.detectMultiScale3(gray, scaleFactor=PYRAMID_SCALE,
                                                            minNeighbors=MIN_NEIGHBOURS, outputRejectLevels=True)
        people = [Detection(clip_to_image(np.asarray(rect, np.float64) / scale, image.shape), float(weight), None)
                  for rect, weight in zip(np.reshape(rects, (-1, 4)), np.ravel(weights))]
        return suppress_and_sort(people, SAME_PERSON_IOU)
