"""End-to-end demo figures in the current runtime: seconds to the first result from a cold start (a new
process: imports, graph, restore, predict, render, write) and images/s over a folder."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench.common import PROJECT_DIR, report, synthetic_models

FOLDER_IMAGES = 8


def write_images(folder, count):
    from PIL import Image
    from skimage import data
    image = Image.fromarray(data.astronaut()).resize((480, 480))
    for i in range(count):
        image.save(os.path.join(folder, 'img%02d.jpg' % i))


def main():
    smpl, ckpt = synthetic_models()
    work = tempfile.mkdtemp(prefix='hmr-bench-')
    try:
        images = os.path.join(work, 'images')
        os.makedirs(images)
        write_images(images, FOLDER_IMAGES)
        models = ['--load_path', ckpt, '--smpl_model_path', smpl]
        start = time.time()
        subprocess.check_call([sys.executable, '-m', 'demo', '--img_path', os.path.join(images, 'img00.jpg'),
                               '--out_dir', os.path.join(work, 'cold')] + models, cwd=PROJECT_DIR,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cold = time.time() - start

        from src.compat import RUNTIME
        from src.config import get_config
        from src.demo_pipeline import DemoPipeline
        config = get_config(['bench', '--smpl_model_path=%s' % smpl, '--batch_size=1'])
        config.load_path = ckpt
        pipeline = DemoPipeline(config)
        out = os.path.join(work, 'warm')
        os.makedirs(out)
        paths = sorted(os.path.join(images, n) for n in os.listdir(images))
        pipeline.run(paths[0], out)  # warm-up
        start = time.time()
        for path in paths:
            pipeline.run(path, out)
        per_image = (time.time() - start) / len(paths)
        report({'runtime': RUNTIME, 'cold_start_to_first_result_s': round(cold, 2),
                'demo_images_per_s_480px': round(1. / per_image, 3)})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
