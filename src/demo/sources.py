"""What the demo was given: one image, a folder of images, a glob pattern, or one video."""
import glob
import os

from ..errors import HMRError

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp', '.gif')


def list_images(img_path):
    """A file, a folder (its images, sorted) or a glob pattern -> list of paths."""
    if os.path.isdir(img_path):
        paths = [os.path.join(img_path, n) for n in sorted(os.listdir(img_path))
                 if n.lower().endswith(IMAGE_EXTENSIONS)]
    elif any(c in img_path for c in '*?['):
        paths = sorted(p for p in glob.glob(img_path) if os.path.isfile(p))
    else:
        paths = [img_path]
    if not paths:
        raise HMRError('%s: no images found' % img_path)
    return paths


def is_video_path(img_path):
    """A video is given by its file name alone (a folder or pattern means images)."""
    if os.path.isdir(img_path) or any(c in img_path for c in '*?['):
        return False
    from ..video.io import is_video
    return is_video(img_path)
