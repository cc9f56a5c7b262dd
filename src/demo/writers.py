"""The demo's outputs, one row each: its name, the inputs it serves, whether it is on by default, what
it needs and its write. --outputs (its checking and its --help text) and the README's table of
outputs come from this table; a new format is one writer and one row.

A row's `write`: for an image, `write(stem, ImageResult, faces, body)`, or with a renderer (in a
picture worker) `write(renderer, stem, ImageResult, faces)`; for a video, `write(VideoResult, context)`
(src/demo/records.py). Every file is written atomically.
"""
import typing

from ..errors import HMRError
from . import outputs as image_files
from . import video_files

IMAGE, VIDEO, MOTION = 'image', 'video', 'motion re-export'
RENDERER, BODY = 'renderer', 'NumPy body'


class Writer(typing.NamedTuple):
    name: str                     # as --outputs spells it
    extension: str                # of its files: NAME.<extension> (NAME_person<i>/NAME_track<ID> for some)
    files: str                    # what it writes, for the README
    default: tuple                # the inputs it is written for by default
    needs: tuple                  # RENDERER (drawn in a picture worker), BODY (the NumPy SMPL)
    image: object                 # its write for an image, or None
    video: object                 # its write for a video, or None
    motion: bool = False          # also written by `python -m src.export` (src/export/cli.py)

    @property
    def inputs(self):
        return tuple(kind for kind, served in ((IMAGE, self.image), (VIDEO, self.video), (MOTION, self.motion))
                     if served)


WRITERS = (
    Writer('figure', 'png', 'the released six-panel figure with every person', (IMAGE,), (RENDERER,),
           image_files.write_figure, None),
    Writer('video', 'mp4', 'the meshes drawn over the footage', (VIDEO,), (RENDERER, BODY), None,
           video_files.write_overlay),
    Writer('obj', 'obj', 'every mesh in the image\'s camera frame, one object each', (IMAGE,), (),
           image_files.write_obj, None),
    Writer('ply', 'ply', 'the OBJ\'s meshes (same vertices) in one binary little-endian PLY', (), (),
           image_files.write_ply, None),
    Writer('json', 'json', 'the parameters, per person (image) or per track (video)', (IMAGE, VIDEO), (),
           image_files.write_json, video_files.write_json),
    Writer('npz', 'npz', 'the same as NumPy arrays', (IMAGE, VIDEO), (), image_files.write_npz,
           video_files.write_npz),
    Writer('bvh', 'bvh', 'the motion per person (one frame) or per track, camera beside it', (VIDEO,), (BODY,),
           image_files.write_bvh, video_files.write_bvh, motion=True),
    Writer('glb', 'glb', 'the posed, skinned body per person or track, with the camera', (VIDEO,), (BODY,),
           image_files.write_glb, video_files.write_glb, motion=True),
)
BY_NAME = {writer.name: writer for writer in WRITERS}


def served(kind):
    """The rows that can be written for an input of `kind` (IMAGE or VIDEO)."""
    return [writer for writer in WRITERS if kind in writer.inputs]


def defaults(kind):
    return tuple(writer.name for writer in WRITERS if kind in writer.default)


def parse_outputs(text, kind):
    """--outputs 'a,b,...' -> tuple of output names for an input of `kind` (IMAGE or VIDEO)."""
    if not text:
        return defaults(kind)
    names = [name.strip() for name in text.split(',') if name.strip()]
    unknown = [name for name in names if name not in BY_NAME]
    if unknown or not names:
        raise HMRError('--outputs takes names from %s, got %r' % (','.join(BY_NAME), text))
    possible = [writer.name for writer in served(kind)]
    wrong = [name for name in names if name not in possible]
    if wrong:
        raise HMRError('--outputs %s: %s cannot be written for %s input (choose from %s)'
                       % (text, ','.join(wrong), kind, ','.join(possible)))
    return tuple(sorted(set(names), key=names.index))


def needs(outputs, need):
    """True when one of the `outputs` (names) needs `need` (RENDERER or BODY)."""
    return any(need in BY_NAME[name].needs for name in outputs)


def extensions(outputs):
    """The file extensions of `outputs`, to check that none would overwrite an input."""
    return [BY_NAME[name].extension for name in outputs]


def help_text():
    """--outputs' --help text."""
    return 'Comma-separated outputs among %s (default: %s for images; %s for a video)' % (
        ','.join(BY_NAME), ','.join(defaults(IMAGE)), ','.join(defaults(VIDEO)))


def markdown_table():
    """The README's table of outputs (tests/test_demo_writers.py keeps the two equal)."""
    rows = ['| `--outputs` | file | what | for | default for | needs |', '|---|---|---|---|---|---|']
    for writer in WRITERS:
        rows.append('| `%s` | `.%s` | %s | %s | %s | %s |' % (writer.name, writer.extension, writer.files,
                                                    ', '.join(writer.inputs), ', '.join(writer.default) or '-',
                                                    ', '.join(writer.needs) or '-'))
    return '\n'.join(rows)
