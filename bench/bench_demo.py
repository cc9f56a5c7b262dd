"""End-to-end demo figures in the current runtime, each beside the model alone measured in the same run:

- model-only images/s at the demo's batch size (crops already made, one RunModel);
- folder images/s for several --outputs settings (files only; the default with the figure), with the
  built-in detector and with --detector none;
- video frames/s end to end (detection, tracking, model, smoothing, overlay video, BVH and glTF), also
  counted in person-frames (the model's unit: two people in a frame are two crops), and
  with --detector none (the whole frame is one person; HOG, the legacy runtime's detector, finds
  nobody in the sample clip);
- cold start: command to the first file written for one image (--detector none), beside the model's own cold start
  (a fresh process that imports TensorFlow, builds the graph, restores it and predicts once);
- peak memory (RSS) of folder runs of two lengths and of a video, to show it does not grow.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench.common import PROJECT_DIR, command_line, report, seconds, synthetic_models

BATCH = 8
FOLDER_IMAGES = 32
IMAGE_SIZE = (480, 480)
VIDEO_SECONDS = 3.

MODEL_COLD_START = """
import sys, time
start = time.time()
import numpy as np
from src.compat import tf
from src.config import get_config
from src.RunModel import RunModel
config = get_config(['bench', '--smpl_model_path=%s', '--batch_size=1'])
config.load_path = '%s'
model = RunModel(config, sess=tf.Session())
model.predict(np.zeros((1, 224, 224, 3), np.float32))
print(time.time() - start)
"""


def write_images(folder, count):
    from PIL import Image
    from skimage import data
    photo = Image.fromarray(data.astronaut())
    for i in range(count):
        # A little different each: a zoom and a shift, so no two crops are the same.
        zoom = 1. + .02 * (i % 7)
        box = (i % 5 * 4, i % 3 * 4, int(512 / zoom) + i % 5 * 4, int(512 / zoom) + i % 3 * 4)
        photo.crop(box).resize(IMAGE_SIZE).save(os.path.join(folder, 'img%02d.jpg' % i))


def run_demo(args, models):
    """Seconds of one `python -m demo` run. Exit status 1 (some inputs had nobody the detector found,
    HOG on these photos) still counts: those images were read and searched; `done` says how many gave results."""
    start = time.time()
    status = subprocess.call([sys.executable, '-m', 'demo'] + args + models, cwd=PROJECT_DIR,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if status not in (0, 1):
        raise RuntimeError('python -m demo %s exited with %d' % (' '.join(args), status))
    return time.time() - start


def done(out_dir):
    """Inputs with results in out_dir (their JSON)."""
    return len([n for n in os.listdir(out_dir) if n.endswith('.json')]) if os.path.isdir(out_dir) else 0


def person_frames(out_dir):
    """Frames times people seen in them, over the tracks of the video's JSON in out_dir (0 without one)."""
    import json
    names = [n for n in os.listdir(out_dir) if n.endswith('.json')] if os.path.isdir(out_dir) else []
    if not names:
        return 0
    with open(os.path.join(out_dir, names[0])) as f:
        return sum(len(track['frames']) for track in json.load(f)['tracks'])


def peak_rss_mb(args, models):
    """Peak RSS of one demo run (a child of a fresh interpreter, so only its own peak counts)."""
    code = ('import resource, subprocess, sys; status = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, '
            'stderr=subprocess.DEVNULL); assert status in (0, 1), status; '
            'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)')
    out = subprocess.check_output([sys.executable, '-c', code, sys.executable, '-m', 'demo'] + args + models,
                                  cwd=PROJECT_DIR, universal_newlines=True)
    return round(int(out.strip().splitlines()[-1]) / 1024., 1)


def first_file_seconds(args, models, out):
    """Command to the first output file written, for one image."""
    start = time.time()
    proc = subprocess.Popen([sys.executable, '-m', 'demo'] + args + models, cwd=PROJECT_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    first = None
    while proc.poll() is None or first is None:
        if first is None and os.path.isdir(out) and any(not n.endswith('.tmp') for n in os.listdir(out)):
            first = time.time() - start
        if proc.poll() is not None and first is None:
            first = time.time() - start
        time.sleep(.02)
    return first


def model_only_rate(smpl, ckpt):
    from src.compat import tf
    from src.config import get_config
    from src.RunModel import RunModel
    config = get_config(['bench', '--smpl_model_path=%s' % smpl, '--batch_size=%d' % BATCH])
    config.load_path = ckpt
    crops = np.clip(np.random.RandomState(0).randn(BATCH, 224, 224, 3) * .5, -1, 1).astype(np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        model = RunModel(config, sess=sess)
        model.predict(crops)
        runs = 4
        return BATCH * runs / seconds(lambda: [model.predict(crops) for _ in range(runs)])


def main():
    from src.compat import RUNTIME
    from src.detectors import available
    smpl, ckpt = synthetic_models()
    models = ['--load_path', ckpt, '--smpl_model_path', smpl, '--batch_size', str(BATCH)]
    work = tempfile.mkdtemp(prefix='hmr-bench-')
    figures = {'runtime': RUNTIME, 'detector_auto': (available() or ['none'])[0], 'batch_size': BATCH}
    try:
        images = os.path.join(work, 'images')
        os.makedirs(images)
        write_images(images, FOLDER_IMAGES)
        model_rate = model_only_rate(smpl, ckpt)
        figures['model_only_images_per_s'] = round(model_rate, 2)

        # Folder throughput: the run's time less a one-image run's (start-up, model build) with the same flags.
        one = os.path.join(work, 'one')
        os.makedirs(one)
        shutil.copy(os.path.join(images, 'img00.jpg'), one)
        settings = [('files', ['--outputs', 'json,npz,obj']),
                    ('files_no_detector', ['--outputs', 'json,npz,obj', '--detector', 'none']),
                    ('figure', []),
                    ('figure_no_detector', ['--detector', 'none'])]
        for label, flags in settings:
            base = run_demo(['--img_path', one, '--out_dir', os.path.join(work, 'o1' + label)] + flags, models)
            full = run_demo(['--img_path', images, '--out_dir', os.path.join(work, 'o' + label)] + flags, models)
            rate = (FOLDER_IMAGES - 1) / max(full - base, 1e-6)
            figures['folder_%s_images_per_s' % label] = round(rate, 2)
            figures['folder_%s_images_with_results' % label] = done(os.path.join(work, 'o' + label))
            figures['folder_%s_vs_model' % label] = round(rate / model_rate, 3)

        # Video: frames/s over the frames beyond a one-second clip's run (start-up, build, first frames).
        from src.samples.sample_clip import main as write_clip
        clip, short = os.path.join(work, 'clip.mp4'), os.path.join(work, 'short.mp4')
        write_clip([clip, '--seconds', str(VIDEO_SECONDS)])
        write_clip([short, '--seconds', '1'])
        from src.video.io import VideoReader
        frames, short_frames = sum(1 for _ in VideoReader(clip)), sum(1 for _ in VideoReader(short))
        for label, flags in [('video', []), ('video_no_detector', ['--detector', 'none'])]:
            base = run_demo(['--img_path', short, '--out_dir', os.path.join(work, label + '1')] + flags, models)
            full = run_demo(['--img_path', clip, '--out_dir', os.path.join(work, label)] + flags, models)
            video_rate = (frames - short_frames) / max(full - base, 1e-6)
            figures['%s_frames_per_s' % label] = round(video_rate, 2)
            figures['%s_vs_model' % label] = round(video_rate / model_rate, 3)
            figures['%s_with_results' % label] = done(os.path.join(work, label))
            # The model's unit is a person: with two people in a frame it runs twice per frame.
            people = person_frames(os.path.join(work, label)) - person_frames(os.path.join(work, label + '1'))
            people_rate = people / max(full - base, 1e-6)
            figures['%s_person_frames_per_s' % label] = round(people_rate, 2)
            figures['%s_person_frames_vs_model' % label] = round(people_rate / model_rate, 3)

        # Cold start, one image, command to first file, beside the model's own cold start.
        # --detector none: the legacy runtime's HOG finds nobody in this photo, and no file would be written.
        cold = first_file_seconds(['--img_path', os.path.join(images, 'img00.jpg'), '--out_dir',
                                   os.path.join(work, 'cold'), '--detector', 'none'], models, os.path.join(work, 'cold'))
        own = float(subprocess.check_output([sys.executable, '-c', MODEL_COLD_START % (smpl, ckpt)], cwd=PROJECT_DIR,
                                            stderr=subprocess.DEVNULL, universal_newlines=True).split()[-1])
        figures['cold_start_first_file_s'] = round(cold, 2)
        figures['model_cold_start_s'] = round(own, 2)
        figures['cold_start_vs_model'] = round(cold / own, 3)

        # Peak memory: a folder 4x longer and the video must not need more.
        half = os.path.join(work, 'quarter')
        os.makedirs(half)
        for name in sorted(os.listdir(images))[:FOLDER_IMAGES // 4]:
            shutil.copy(os.path.join(images, name), half)
        figures['peak_rss_mb_folder_%d' % (FOLDER_IMAGES // 4)] = peak_rss_mb(
            ['--img_path', half, '--out_dir', os.path.join(work, 'm1')], models)
        figures['peak_rss_mb_folder_%d' % FOLDER_IMAGES] = peak_rss_mb(
            ['--img_path', images, '--out_dir', os.path.join(work, 'm2')], models)
        figures['peak_rss_mb_video_1s'] = peak_rss_mb(['--img_path', short, '--out_dir', os.path.join(work, 'm3')],
                                                      models)
        figures['peak_rss_mb_video_%ds' % VIDEO_SECONDS] = peak_rss_mb(
            ['--img_path', clip, '--out_dir', os.path.join(work, 'm4')], models)
        report(figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    command_line(__doc__)
    main()
