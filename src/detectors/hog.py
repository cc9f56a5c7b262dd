"""OpenCV's HOG people detector (Dalal and Triggs' linear SVM on 64 x 128 windows), in opencv-python 4.x.

It knows upright, mostly whole people and gives boxes, no keypoints. Its window keeps about 16 px of
margin around the person on each side (Dalal and Triggs 2005); that margin is taken off so the box is
the person's.
"""
import cv2
import numpy as np

from . import Detection
from .boxes import check_image, clip_to_image, suppress_and_sort

NAME = 'hog'
WINDOW = (64, 128)
MARGIN = 16
WIN_STRIDE = (8, 8)
PADDING = (16, 16)
PYRAMID_SCALE = 1.05
# Images are shrunk to this long side first: the pyramid's cost grows with the pixels, and people
# small enough to be lost by that are below the window's size anyway in most photos.
MAX_SIDE = 640
# OpenCV's hit grouping gives one box per cluster; boxes of one person left after it overlap this much.
SAME_PERSON_IOU = 0.3


def available():
    return hasattr(cv2, 'HOGDescriptor') and hasattr(cv2, 'HOGDescriptor_getDefaultPeopleDetector')


class HogPeople(object):
    name = NAME

    def __init__(self):
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(cv2.HOGDescriptor_getDefaultPeopleDetector())

    def detect(self, image):
        check_image(image)
        scale = min(1., float(MAX_SIDE) / max(image.shape[:2]))
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
        if small.shape[1] < WINDOW[0] or small.shape[0] < WINDOW[1]:
            return []  # no window fits: no person this detector can see (and OpenCV 4.1 crashes on it)
        rects, weights = self._hog.detectMultiScale(small, winStride=WIN_STRIDE, padding=PADDING,
                                                    scale=PYRAMID_SCALE)
        people = []
        for rect, weight in zip(np.reshape(rects, (-1, 4)), np.ravel(weights)):
            inset = np.array([MARGIN / float(WINDOW[0]), MARGIN / float(WINDOW[1])]) * rect[2:]
            box = np.concatenate([rect[:2] + inset, rect[2:] - 2 * inset]) / scale
            people.append(Detection(clip_to_image(box, image.shape), float(weight), None))
        return suppress_and_sort(people, SAME_PERSON_IOU)
