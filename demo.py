"""HMR demo: photos, folders or a video -> every person's 3D body mesh, as pictures, files and animations.

  python -m demo --img_path data/astronaut.png                 # people found by the built-in detector
  python -m demo --img_path 'photos/*.jpg' --out_dir results   # a glob or a folder, batched
  python -m demo --img_path data/random.jpg --json_path data/random_keypoints.json   # OpenPose people
  python -m demo --img_path photo.jpg --bbox '10,20,100,300;200,20,90,280'            # given boxes
  python -m demo --img_path photo.jpg --detector none          # the released behaviour: one tight crop
  python -m demo --img_path clip.mp4 --out_dir results         # video: tracks, overlay, BVH and glTF
  python -m demo --live udp://127.0.0.1:5000 --vmc 127.0.0.1:39539   # live: see docs/live.md

Each image gives, in --out_dir: NAME.png (the released six-panel figure), NAME.obj (every person's
mesh in the original image's camera frame), NAME.json and NAME.npz (per person: theta, camera, 2D/3D
joints, box, crop); a video gives NAME.mp4 (the meshes over the frames), NAME.json / NAME.npz (per
track) and NAME_track<ID>.bvh / .glb. --outputs chooses among the rows of src/demo/writers.py.
"""
import os
import sys

from absl import flags

import src.backends.flags  # noqa: F401 (--backend, --onnx_path, --precision)
import src.live.flags  # noqa: F401 (defines --live and its flags)
from src.detectors import NAMES as DETECTOR_NAMES
from src.demo import writers as demo_writers
from src.errors import HMRError
from src.world import flags as world_flags  # --focal, --fov, --world, --foot_lock, --flags

DEFAULT_IMAGE = 'data/astronaut.png'

flags.DEFINE_string('img_path', DEFAULT_IMAGE, 'Image, folder of images, glob pattern, or video to run')
flags.DEFINE_string('json_path', None, 'If specified, uses the openpose output to crop the image.')
flags.DEFINE_string('bbox', None, 'Person box(es) x,y,w,h in pixels, several separated by ";"')
flags.DEFINE_string('out_dir', 'out', 'Folder for the results')
flags.DEFINE_enum('detector', 'auto', ['auto', 'none'] + list(DETECTOR_NAMES),
                  'Person detector when no --json_path or --bbox is given (none: the whole image is one person)')
flags.DEFINE_integer('max_people', 10, 'At most this many people per image, biggest (or most confident) first')
flags.DEFINE_string('outputs', None, demo_writers.help_text())
flags.DEFINE_integer('workers', -1, 'Processes drawing pictures beside the model (0: none; default: 0 for '
                     'one image, else one per core, up to 4)')
flags.DEFINE_integer('start', 0, 'Video: first frame (0-based)')
flags.DEFINE_integer('end', None, 'Video: stop before this frame')
flags.DEFINE_integer('every', 1, 'Video: use every N-th frame')
flags.DEFINE_boolean('page', True, 'Write OUT/index.html, the run\'s page with 3D views (--nopage or --no_page: off)')
flags.DEFINE_boolean('smooth', True, 'Video: smooth each track over time (--nosmooth or --no_smooth: off)')


def run(config):
    if config.live is None and config.img_path == DEFAULT_IMAGE and not os.path.exists(DEFAULT_IMAGE):
        raise HMRError('no --img_path given and the sample image %s is not there: run `make sample-images` '
                       'or pass --img_path' % DEFAULT_IMAGE)
    from src.demo.app import run as run_demo
    return run_demo(config)


def main(argv):
    from src.cli import run_with_flags
    os.environ.setdefault('MPLBACKEND', 'Agg')
    argv = [{'--no_smooth': '--nosmooth', '--no_page': '--nopage'}.get(arg, world_flags.ALIASES.get(arg, arg)) for arg in argv]
    return run_with_flags(run, argv, on_interrupt='interrupted: the files written so far are complete')


if __name__ == '__main__':
    sys.exit(main(sys.argv))
