"""The demo from parsed flags: choose the inputs, the people finder and the outputs, load the model
once, run, and say what was written. `demo.py` is only the command line around `run`."""
import os
import sys

from ..errors import HMRError
from ..util.names import one_line
from ..util.out_dir import prepare_out_dir
from . import writers
from .outputs import output_names
from .people import PeopleFinder, parse_boxes
from .body import numpy_body, read_body
from .records import RunContext
from .sources import is_video_path, list_images, refuse_overwriting_inputs
from ..world.flags import camera_for, options as world_options


# People per image at most (--max_people): each holds its crop, mesh and figure layer in memory until
# the image's files are written, about 1 MB.
MAX_PEOPLE = 100
# Bytes of one crop fed to the model (224 x 224 x 3 float32), for the --batch_size check.
CROP_BYTES = 224 * 224 * 3 * 4


def batch_for(config, crops):
    """--batch_size, capped to the `crops` the run can have at most (a batch is padded to its size,
    so a batch larger than the run's crops only costs memory); refused when its crops alone would
    not fit in this machine's memory."""
    batch_size = min(config.batch_size, crops) if crops else config.batch_size
    memory = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES')
    if batch_size * CROP_BYTES > memory:
        raise HMRError('--batch_size %d needs %.1f GiB for its crops alone, more than this machine\'s %.1f GiB'
                       % (batch_size, batch_size * CROP_BYTES / 2. ** 30, memory / 2. ** 30))
    return batch_size


def make_finder(config, video=False):
    """The people of each image: --json_path, else --bbox, else the detector (--detector none: the
    whole image, as released)."""
    if video and (config.json_path or config.bbox):
        raise HMRError('--json_path and --bbox describe one image; a video is searched by --detector')
    if not 1 <= config.max_people <= MAX_PEOPLE:
        raise HMRError('--max_people must be 1 to %d (an image\'s people are held in memory together), got %d'
                       % (MAX_PEOPLE, config.max_people))
    boxes = parse_boxes(config.bbox) if config.bbox else None
    detector = None
    if not config.json_path and not boxes and config.detector != 'none':
        from ..detectors import make_detector, make_follower
        detector = make_detector(config.detector)
        if video:  # full detections now and then, people followed between them
            detector = make_follower(detector)
    return PeopleFinder(config.img_size, config.max_people, config.json_path, boxes, detector)


# Picture workers at most: each holds a GL context and a copy of the faces.
MAX_PICTURE_WORKERS = 4


def picture_workers(config, count):
    """--workers, or by default: draw here for one input, else one worker process per core (up to
    MAX_PICTURE_WORKERS). The model shares the cores with them; measured on 2 cores, pictures are
    the slower side, and one worker per core beats leaving a core to the model (bench_demo)."""
    if config.workers >= 0:
        return config.workers
    return 0 if count == 1 else max(1, min(MAX_PICTURE_WORKERS, os.cpu_count() or 1))


def build_model(config, batch_size, body=None):
    """The backend's model; `body`: the run's RunBody (src/demo/body.py), its pickle already read."""
    from ..backends import build_model as build_backend_model
    return build_backend_model(config, batch_size, body.model if body is not None else None)


def model_and_body(config, batch_size, outputs, model=None):
    """(model, faces, NumPy body or None) of a run, the SMPL pickle read once; `model`: one already
    loaded (the web app's), whose faces are kept."""
    if model is not None:
        return model, model.smpl.faces, numpy_body(config, outputs)
    body = read_body(config)
    return build_model(config, batch_size, body), body.faces, numpy_body(config, outputs, body)


def run_images(config, paths, model=None):
    from tqdm import tqdm
    from .images import ImageRun, prepared

    outputs = writers.parse_outputs(config.outputs, writers.IMAGE)
    if config.json_path and len(paths) > 1:
        raise HMRError('--json_path describes one image, but %s names %d' % (config.img_path, len(paths)))
    refuse_overwriting_inputs(paths + [config.json_path], config.out_dir, output_names(paths),
                              writers.extensions(outputs))
    find_people = make_finder(config)
    items = prepared(paths, find_people, config.img_size)
    batch_size = batch_for(config, len(paths) * config.max_people)
    if len(paths) == 1:
        # One image: fail before loading the model, and batch its people without padding.
        item = next(items)
        if item.error:
            raise HMRError(item.error)
        items = iter([item])
        batch_size = min(batch_size, len(item.crops))
    options = world_options(config)
    if options.world:
        raise HMRError('--world finds the floor from the motion of a video; %s is not one' % config.img_path)
    model, faces, body = model_and_body(config, batch_size, outputs, model)
    context = RunContext(model, faces, body, config.out_dir, outputs, picture_workers(config, len(paths)),
                         lambda line: tqdm.write(one_line(line), file=sys.stderr))
    run = ImageRun(context, camera_for=camera_for(options), draw_flags=options.flags)
    with tqdm(total=len(paths), desc='HMR', unit='image', disable=len(paths) == 1) as bar:
        failures = run.run(items, progress=lambda: bar.update(1))
    print('wrote results for %d of %d image(s) to %s' % (len(paths) - failures, len(paths), config.out_dir))
    return 1 if failures else 0


def run_video(config, model=None):
    from ..video.io import VideoReader
    from .video_run import VideoRun
    outputs = writers.parse_outputs(config.outputs, writers.VIDEO)
    find_people = make_finder(config, video=True)
    reader = VideoReader(config.img_path, config.start, config.end, config.every)
    batch_size = batch_for(config, (reader.selected_count or 0) * config.max_people)
    model, faces, body = model_and_body(config, batch_size, outputs, model)
    context = RunContext(model, faces, body, config.out_dir, outputs, picture_workers(config, 2))
    run = VideoRun(context, smooth=config.smooth, world=world_options(config))
    return run.run(reader, find_people)


def run(config, model=None):
    """The demo; `model`: a RunModel already loaded (the web app's), else one is built."""
    from ..backends import require_model_files
    from ..config import PRETRAINED_MODEL
    if config.load_path is None:
        config.load_path = PRETRAINED_MODEL
    if config.batch_size < 1:
        raise HMRError('--batch_size must be at least 1, got %d' % config.batch_size)
    if config.live is not None:
        from ..live.app import run_live
        return run_live(config)
    video = is_video_path(config.img_path)
    paths = None if video else list_images(config.img_path)
    require_model_files(config)
    prepare_out_dir(config.out_dir)
    status = run_video(config, model) if video else run_images(config, paths, model)
    if getattr(config, 'page', False):  # OUT/index.html (src/page); --no_page: off
        from ..page import write_run_page
        write_run_page(config.out_dir, [config.img_path] if video else paths, video, config.start, config.every)
    return status
