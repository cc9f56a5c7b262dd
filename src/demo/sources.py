"""What the demo was given: one image, a folder of images, a glob pattern, or one video."""
import glob
import os

from ..errors import HMRError

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp', '.gif')


def list_images(img_path):
    """A file, a folder (its images, sorted) or a glob pattern -> list of paths. A path that exists
    is that file or folder, even with glob characters in its name (`photo[1].png`)."""
    if os.path.isdir(img_path):
        paths = [os.path.join(img_path, n) for n in sorted(os.listdir(img_path))
                 if n.lower().endswith(IMAGE_EXTENSIONS)]
    elif is_pattern(img_path):
        paths = sorted(p for p in glob.glob(img_path) if os.path.isfile(p))
    else:
        paths = [img_path]
    if not paths:
        raise HMRError('%s: no images found' % img_path)
    return paths


def is_pattern(img_path):
    """A glob pattern: glob characters in a path that does not exist."""
    return any(c in img_path for c in '*?[') and not os.path.exists(img_path)


def is_video_path(img_path):
    """A video is given by its file name alone (a folder or pattern means images)."""
    if os.path.isdir(img_path) or is_pattern(img_path):
        return False
    from ..video.io import is_video
    return is_video(img_path)


def refuse_overwriting_inputs(inputs, out_dir, names, extensions):
    """An output never replaces an input: HMRError (one line, before any work) when one of the files
    `out_dir`/NAME.EXT (NAME from `names`, EXT from `extensions`) is one of `inputs` (the images,
    the --json_path). Persons after the first add `_person<i>` to NAME, so `NAME_person*` is checked
    by prefix."""
    given = {os.path.realpath(p): p for p in inputs if p}
    for name in names:
        stem = os.path.realpath(os.path.join(out_dir, name))
        for path, original in given.items():
            root, ext = os.path.splitext(path)
            if ext[1:] in extensions and (
                    root == stem or (root.startswith(stem + '_person') and root[len(stem) + 7:].isdigit())):
                raise HMRError('%s: an output (%s%s) would overwrite this input; choose another --out_dir'
                               % (original, name, ext))
