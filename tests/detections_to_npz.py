"""The mediapipe detector's people on the released sample photos, saved:
`python -m tests.detections_to_npz IMAGES_DIR OUT`. Used to compare the two runtimes (TF Lite on the
modern one, the TensorFlow graph of src/detectors/tflite_graph.py on the legacy one)."""
import os
import sys

import cv2
import numpy as np

SAMPLES = ['coco1.png', 'coco2.png', 'im1954.jpg', 'im1963.jpg', 'random.jpg']


def main(images_dir, out):
    from src import detectors
    from src.detectors import mediapipe_pose
    detector = detectors.make_detector('mediapipe')
    arrays = {'interpreter': mediapipe_pose._interpreter_class().__name__}
    for name in SAMPLES:
        image = cv2.imread(os.path.join(images_dir, name))[:, :, ::-1].copy()
        people = detector.detect(image)
        arrays[name + '/boxes'] = np.array([p.bbox for p in people]).reshape(-1, 4)
        arrays[name + '/scores'] = np.array([p.score for p in people])
        arrays[name + '/keypoints'] = np.array([p.keypoints for p in people]).reshape(-1, 18, 3)
    np.savez(out, **arrays)


if __name__ == '__main__':
    main(*sys.argv[1:3])
