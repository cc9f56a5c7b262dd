"""The BlazePose models (src/detectors/mediapipe_pose.py) in the current runtime: ms per run of each model
as a TensorFlow graph (src/detectors/tflite_graph.py) and, where TensorFlow has one that runs them (TF 2),
with tf.lite.Interpreter; best of REPEAT runs on the astronaut photo."""
import os

import numpy as np

from bench.common import command_line, report, seconds

REPEAT = 10


def main():
    import cv2
    import skimage.data
    from src.compat import IS_TF2, RUNTIME, tf
    from src.detectors import mediapipe_pose, tflite_graph
    figures = {'runtime': RUNTIME}
    folder = mediapipe_pose.model_dir()
    if folder is None:
        report(figures)
        return
    models = {'detector': (mediapipe_pose.DETECTOR_MODEL, mediapipe_pose.DETECTOR_SIZE, 127.5, -1.),
              'landmark': (mediapipe_pose.LANDMARK_MODEL, mediapipe_pose.LANDMARK_SIZE, 255., 0.)}
    for name, (model, size, scale, offset) in sorted(models.items()):
        path = os.path.join(folder, model)
        square = cv2.resize(skimage.data.astronaut(), (size, size), interpolation=cv2.INTER_AREA)
        x = square[None].astype(np.float32) / scale + offset
        runners = {'graph': tflite_graph.TFLiteGraph(path)}
        if IS_TF2:
            with mediapipe_pose.without_native_info_lines():
                runners['tflite'] = tf.lite.Interpreter(model_path=path)
                runners['tflite'].allocate_tensors()
        for kind, runner in sorted(runners.items()):
            runner.set_tensor(runner.get_input_details()[0]['index'], x)
            runner.invoke()  # warm-up: first-run allocations are not per-image cost
            figures['%s_%s_ms' % (name, kind)] = round(1000 * seconds(runner.invoke, REPEAT), 1)
    report(figures)


if __name__ == '__main__':
    command_line(__doc__)
    main()
