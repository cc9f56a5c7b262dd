"""HMR demo: image(s) -> 3D body mesh, as pictures and files.

The person should be roughly centred and ~150 px tall after cropping: give OpenPose output
(--json_path) or a box (--bbox x,y,w,h) when the image is not a tight crop around one person.

  python -m demo --img_path data/coco1.png
  python -m demo --img_path data/random.jpg --json_path data/random_keypoints.json
  python -m demo --img_path 'photos/*.jpg' --out_dir results

Each image gives, in --out_dir: NAME.png (the released six-panel figure), NAME.obj (the mesh in the
original image's camera frame), NAME.json and NAME.npz (theta, camera, 2D/3D joints, crop).
"""
import os
import sys

from absl import flags

from src import config as hmr_config
from src.errors import HMRError

flags.DEFINE_string('img_path', 'data/im1963.jpg', 'Image, folder of images, or glob pattern to run')
flags.DEFINE_string('json_path', None, 'If specified, uses the openpose output to crop the image.')
flags.DEFINE_string('bbox', None, 'Person box x,y,w,h in pixels (instead of OpenPose output)')
flags.DEFINE_string('out_dir', 'out', 'Folder for the results')


def _check_models(config):
    missing = [p for p in (config.load_path + '.index', config.smpl_model_path) if not os.path.exists(p)]
    if missing:
        raise HMRError('model files missing (%s): run `make models` to download the released model, or pass '
                       '--load_path and --smpl_model_path' % ', '.join(missing))


def run(config):
    from tqdm import tqdm
    from src.demo_pipeline import DemoPipeline, list_images, parse_bbox

    images = list_images(config.img_path)
    if config.json_path and len(images) > 1:
        raise HMRError('--json_path describes one image, but %s names %d' % (config.img_path, len(images)))
    bbox = parse_bbox(config.bbox) if config.bbox else None
    if config.load_path is None:
        config.load_path = hmr_config.PRETRAINED_MODEL
    _check_models(config)
    if not os.path.isdir(config.out_dir):
        os.makedirs(config.out_dir)
    config.batch_size = 1
    pipeline = DemoPipeline(config)
    failures = 0
    for path in tqdm(images, desc='HMR', unit='image', disable=len(images) == 1):
        try:
            pipeline.run(path, config.out_dir, json_path=config.json_path, bbox=bbox)
        except HMRError as e:
            failures += 1
            tqdm.write('skipped: %s' % e, file=sys.stderr)
    print('wrote results for %d of %d image(s) to %s' % (len(images) - failures, len(images), config.out_dir))
    return 1 if failures else 0


def main(argv):
    os.environ.setdefault('MPLBACKEND', 'Agg')
    config = hmr_config.get_config(argv)
    try:
        return run(config)
    except HMRError as e:
        print('error: %s' % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main(sys.argv))
