"""Live capture figures in the current runtime: a 640 x 480 clip streamed at 25 frames/s over loopback UDP
by the bundled FFmpeg (-re, MPEG-TS) into `python -m demo --live udp://... --vmc ...` with the default
detector, for one and for two people: frames/s in and processed, frames dropped, the median latency
(frame read to VMC bundle sent) and the VMC bundles received; beside the model's own batch-1 rate
(one RunModel, crops already made). Goals (issue 28): >= 12 frames/s and <= 150 ms for one person,
>= 8 frames/s for two. The machine's load average is reported too: other work on its cores slows all
of these.
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
                     r'median latency (\S+) ms, (\d+) VMC bundles')


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


def model_rate(smpl, ckpt):
    """The model alone: images/s at batch 1."""
    from src.compat import tf
    from src.config import get_config
    from src.RunModel import RunModel
    config = get_config(['bench', '--smpl_model_path=%s' % smpl, '--batch_size=1'])
    config.load_path = ckpt
    with tf.Graph().as_default():
        model = RunModel(config, sess=tf.Session())
        crop = np.random.RandomState(0).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)
        model.predict(crop)
        start = time.time()
        for _ in range(MODEL_RUNS):
            model.predict(crop)
        rate = MODEL_RUNS / (time.time() - start)
        model.sess.close()
    return rate


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def live_run(clip, smpl, ckpt):
    """One live run on `clip` streamed over UDP: the summary's figures and the VMC bundles received."""
    port = free_udp_port()
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(('127.0.0.1', 0))
    receiver.settimeout(.05)
    import imageio_ffmpeg
    proc = subprocess.Popen([sys.executable, '-m', 'demo', '--live', 'udp://127.0.0.1:%d' % port, '--load_path', ckpt,
                             '--smpl_model_path', smpl, '--vmc', '127.0.0.1:%d' % receiver.getsockname()[1],
                             '--timeout', '3'], cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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
    read, processed, rate, dropped, latency, sent = match.groups()
    return {'fps_in': round(int(read) / SECONDS, 1), 'fps_processed': float(rate), 'dropped': int(dropped),
            'latency_ms_median': float(latency) if latency != '-' else None, 'vmc_bundles_received': bundles,
            'vmc_bundles_sent': int(sent)}


def main():
    from src.compat import tf
    smpl, ckpt = synthetic_models()
    figures = {'runtime': 'tf%s' % tf.__version__.split('.')[0], 'load_average_1min_at_start': os.getloadavg()[0],
               'model_batch1_images_per_s': round(model_rate(smpl, ckpt), 1)}
    folder = tempfile.mkdtemp(prefix='bench_live_')
    try:
        for people in (1, 2):
            clip = os.path.join(folder, 'people%d.mp4' % people)
            write_walking_clip(clip, people)
            for key, value in live_run(clip, smpl, ckpt).items():
                figures['live_%dperson_%s' % (people, key)] = value
    finally:
        shutil.rmtree(folder)
    report(figures)


if __name__ == '__main__':
    command_line(__doc__)
    main()
