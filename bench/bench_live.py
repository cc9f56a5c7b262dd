"""Live capture figures in the current runtime: a 640 x 480 clip streamed at 25 frames/s over loopback UDP
by the bundled FFmpeg (-re, MPEG-TS) into `python -m demo --live udp://... --vmc ...` with the default
detector, for one and for two people: frames/s in and processed, frames dropped, the median latency
(frame read to VMC bundle sent) and the VMC bundles received; beside the model's own batch-1 rate
(the model the live demo builds, crops already made). Goals (issue 28): >= 12 frames/s and <= 150 ms for one person,
>= 8 frames/s for two. The machine's load average is reported too: other work on its cores slows all
of these.

Each clip runs with the default following (`joints`: the model's 2D joints give the next crop, the
landmark model checks every 4 frames, the full detector now and then) and with `--live_follow detector`
(the landmark model every frame). The synthetic model's joints do not land on the person, so with it
`joints` keeps losing them and re-detecting (its full detections are reported): its figure is a lower
bound. What a real model's joints would give is estimated from the `--detector none` run (the loop
without any detector: the model, the crop, smoothing, VMC) plus the detector's share, measured here:
the landmark model's check and the search for newcomers (whole picture only), timed on a frame of the
clip (`estimate_1person_joints_real_model_fps`; the full tiled detection is timed too).
By default the network runs where `make live` runs it: on ONNX Runtime where it is installed and the
exporter's environment (.venv/onnx-export) can write the model (exported once, as bench_onnx does),
with TensorFlow's batch-1 rate beside it (`tf_model_batch1_images_per_s`); else on TensorFlow.
`--backend tf|onnx` chooses.
"""
import os
import re
import socket
import subprocess
import sys
import shutil
import tempfile
import threading
import time

import numpy as np

from bench.common import PROJECT_DIR, command_line, report, synthetic_models

SIZE = (640, 480)
FPS = 25.
SECONDS = 12.
MODEL_RUNS = 30
SUMMARY = re.compile(r'live: (\d+) frames read, (\d+) processed \(([\d.]+)/s\), (\d+) dropped, '
                     r'median latency (\S+) ms, (\d+) VMC bundles(?:, (\d+) full detections)?')
# (name, extra arguments) of the runs on each clip.
MODES = (('joints', []), ('detector', ['--live_follow', 'detector']))


def write_walking_clip(path, people=1, size=SIZE, fps=FPS, seconds=SECONDS):
    """People crossing the picture: the first (big) left to right, the second (smaller, mirrored, in
    front of the other half of the picture) right to left. Returns the first person's centre x per frame."""
    import cv2
    from skimage import data
    from src.samples.sample_clip import astronaut_cutout
    from src.video.io import VideoWriter
    width, height = size
    rgb, alpha = astronaut_cutout()
    walkers = []
    for number, (height_fraction, mirrored) in enumerate([(.8, False), (.6, True)][:people]):
        scale = height_fraction * height / rgb.shape[0]
        person = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
        mask = cv2.resize(alpha, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)[..., None]
        if mirrored:
            person, mask = person[:, ::-1], mask[:, ::-1]
        walkers.append((person, mask, mirrored))
    background = cv2.resize(data.rocket(), size, interpolation=cv2.INTER_AREA).astype(np.float32)
    count = int(fps * seconds)
    centres = []
    with VideoWriter(path, fps, size) as writer:
        for i in range(count):
            frame = background.copy()
            progress = i / (count - 1.)
            for person, mask, mirrored in walkers:
                h, w = person.shape[:2]
                travel = .9 * width - w
                left = int(round(.05 * width + travel * ((1 - progress) if mirrored else progress)))
                region = frame[height - h:, left:left + w]
                region += mask * (person - region)
                if not mirrored:
                    centres.append(left + w / 2.)
            writer.write(np.clip(frame + .5, 0, 255).astype(np.uint8))
    return centres


def model_rate(smpl, ckpt, backend_args):
    """The model alone: images/s at batch 1, built as the live demo builds it."""
    import src.backends.flags  # noqa: F401 (--backend, --onnx_path)
    from src.compat import tf
    from src.config import get_config
    from src.backends import build_model
    config = get_config(['bench', '--smpl_model_path=%s' % smpl, '--load_path=%s' % ckpt] + backend_args)
    with tf.Graph().as_default():
        model = build_model(config, 1)
        crop = np.random.RandomState(0).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
        model.predict_dict(crop)
        start = time.time()
        for _ in range(MODEL_RUNS):
            model.predict_dict(crop)
        return MODEL_RUNS / (time.time() - start)


def detector_ms(clip):
    """Milliseconds of the default detector's full detection and of its landmark model following one
    person, on a frame of `clip` (best of a few: the load of the machine varies)."""
    from src.detectors import make_detector
    from src.video.io import VideoReader
    frames = [image for index, image in VideoReader(clip, 0, 40) if index in (30, 31)]
    detector = make_detector('auto')
    people = detector.detect(frames[0])
    figures = {}
    for name, run, repeat in (('full_detection', lambda: detector.detect(frames[0]), 3),
                              ('newcomer_search', lambda: detector.detect(frames[0], tiles=False), 3),
                              ('landmark_follow', lambda: detector.follow(frames[1], people[0]), 10)):
        if name != 'full_detection' and not (people and hasattr(detector, 'follow')):
            continue  # following by the model's joints needs a detector with a landmark model
        run()
        best = float('inf')
        for _ in range(repeat):
            start = time.time()
            run()
            best = min(best, time.time() - start)
        figures['%s_ms_%s' % (detector.name, name)] = round(1000 * best, 1)
    return figures


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def live_run(clip, smpl, ckpt, extra_args):
    """One live run on `clip` streamed over UDP: the summary's figures and the VMC bundles received."""
    port = free_udp_port()
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(('127.0.0.1', 0))
    receiver.settimeout(.05)
    import imageio_ffmpeg
    proc = subprocess.Popen([sys.executable, '-m', 'demo', '--live', 'udp://127.0.0.1:%d' % port, '--load_path', ckpt,
                             '--smpl_model_path', smpl, '--vmc', '127.0.0.1:%d' % receiver.getsockname()[1],
                             '--timeout', '3'] + extra_args, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    bundles = 0
    try:
        for line in iter(proc.stderr.readline, ''):
            if line.startswith('reading udp://'):
                break
        # The status line goes on: keep its pipe drained.
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        sender = subprocess.Popen([imageio_ffmpeg.get_ffmpeg_exe(), '-loglevel', 'error', '-re', '-i', clip,
                                   '-c:v', 'mpeg2video', '-q:v', '3', '-f', 'mpegts',
                                   'udp://127.0.0.1:%d?pkt_size=1316' % port])
        while proc.poll() is None:
            try:
                receiver.recv(65536)
                bundles += 1
            except socket.timeout:
                pass
        sender.wait()
        stdout = proc.stdout.read()
    finally:
        receiver.close()
        if proc.poll() is None:
            proc.kill()
    match = SUMMARY.search(stdout)
    if not match:
        raise RuntimeError('the live run printed no summary (exit %s)' % proc.returncode)
    read, processed, rate, dropped, latency, sent, detections = match.groups()
    return {'full_detections': int(detections) if detections else None, 'fps_in': round(int(read) / SECONDS, 1), 'fps_processed': float(rate), 'dropped': int(dropped),
            'latency_ms_median': float(latency) if latency != '-' else None, 'vmc_bundles_received': bundles,
            'vmc_bundles_sent': int(sent)}


def joints_estimate(figures):
    """What `joints` following would give one person with a model whose joints land on them (the real
    one): the loop without a detector, plus the landmark model every CONFIRM_EVERY frames and the search
    for newcomers every REDETECT_EVERY, at the times measured in this run. An estimate, not a measurement."""
    from src.live.follow import CONFIRM_EVERY, REDETECT_EVERY
    loop = figures.get('live_1person_no_detector_fps_processed')
    search = [v for k, v in figures.items() if k.endswith('_ms_newcomer_search')]
    landmark = [v for k, v in figures.items() if k.endswith('_ms_landmark_follow')]
    if not loop or not search or not landmark:
        return {}
    seconds = 1. / loop + (landmark[0] / CONFIRM_EVERY + search[0] / REDETECT_EVERY) / 1000.
    return {'estimate_1person_joints_real_model_fps': round(1. / seconds, 1)}


def default_backend():
    """The backend `make live` runs: onnx where ONNX Runtime is installed and the model can be exported."""
    import importlib.util
    from bench.bench_onnx import EXPORT_PYTHON
    return 'onnx' if importlib.util.find_spec('onnxruntime') and os.path.exists(EXPORT_PYTHON) else 'tf'


def main(args):
    from src.compat import tf
    smpl, ckpt = synthetic_models()
    backend = args.backend or default_backend()
    backend_args = ['--backend', 'tf']
    if backend == 'onnx':
        from bench.bench_onnx import onnx_file
        backend_args = ['--backend', 'onnx', '--onnx_path', onnx_file(smpl, ckpt)]
    figures = {'runtime': 'tf%s' % tf.__version__.split('.')[0], 'backend': backend,
               'load_average_1min_at_start': os.getloadavg()[0],
               'model_batch1_images_per_s': round(model_rate(smpl, ckpt, backend_args), 1)}
    if backend == 'onnx':
        figures['tf_model_batch1_images_per_s'] = round(model_rate(smpl, ckpt, ['--backend', 'tf']), 1)
    folder = tempfile.mkdtemp(prefix='bench_live_')
    try:
        for people in (1, 2):
            clip = os.path.join(folder, 'people%d.mp4' % people)
            write_walking_clip(clip, people)
            if people == 1:
                figures.update(detector_ms(clip))
            modes = MODES + ((('no_detector', ['--detector', 'none']),) if people == 1 else ())
            for mode, extra in modes:
                for key, value in live_run(clip, smpl, ckpt, backend_args + extra).items():
                    figures['live_%dperson_%s_%s' % (people, mode, key)] = value
    finally:
        shutil.rmtree(folder)
    figures.update(joints_estimate(figures))
    figures['load_average_1min_at_end'] = os.getloadavg()[0]
    report(figures)


if __name__ == '__main__':
    main(command_line(__doc__, lambda parser: parser.add_argument(
        '--backend', choices=('tf', 'onnx'), help='what runs the network (default: as make live runs it)')))
