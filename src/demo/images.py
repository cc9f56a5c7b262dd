"""The demo over images: read and find people ahead (a thread), run every person of every image
through the model in batches, write files on a thread and pictures in worker processes.

One image that fails (unreadable, no person, anything unexpected) is reported in one line naming it;
the others go on.
"""
import collections
import concurrent.futures
import os
import sys

import numpy as np

from ..errors import HMRError
from ..util.image import crop_for_model, read_image
from . import outputs as demo_outputs
from . import writers
from .results import image_result
from .stream import predict_stream, prefetched
from .workers import Ledger, Pictures

Prepared = collections.namedtuple('Prepared', ['path', 'name', 'image', 'people', 'crops', 'proc_params', 'error'])
# Images read and cropped ahead of the model.
PREFETCH = 4


def describe(error, path):
    """One line for a failure: HMRError's own message, anything else with its type and the image."""
    if isinstance(error, HMRError):
        return str(error)
    return '%s: unexpected %s: %s' % (path, type(error).__name__, str(error).splitlines()[0] if str(error) else '')


def prepared(paths, find_people, img_size, names=None):
    """The images of `paths`, read and cropped (lazily, one by one)."""
    names = names or demo_outputs.output_names(paths)
    return (prepare(path, name, find_people, img_size) for path, name in zip(paths, names))


def prepare(path, name, find_people, img_size):
    """Read one image and crop its people, or record why that failed."""
    try:
        image = read_image(path)
        people = find_people(image, path)
        cropped = [crop_for_model(image, p.scale, p.center, img_size) for p in people]
        return Prepared(path, name, image, people, [c for c, _ in cropped], [p for _, p in cropped], None)
    except Exception as e:
        return Prepared(path, name, None, [], [], [], describe(e, path))


class ImageRun(object):
    """Writes the selected outputs of each image through the table of writers; `context` a RunContext
    (as VideoRun's), whose report(line) hears of failures."""

    def __init__(self, context, camera_for=None, draw_flags=False):
        self.context = context
        self.report = context.report or (lambda line: sys.stderr.write(line + '\n'))
        self.camera_for = camera_for  # (path, image) -> a real camera [f, cx, cy], or None: the released one
        self.draw_flags = draw_flags

    def run(self, items, progress=None):
        """Write the outputs of `items` (Prepared, e.g. from `prepared`); returns how many failed."""
        failures = [0]

        def done(path, errors):
            if errors:
                failures[0] += 1
                self.report('failed: %s' % describe(errors[0], path))
            if progress is not None:
                progress()

        chosen = [writer for writer in writers.WRITERS if writer.name in self.context.outputs and writer.image]
        drawn = [writer for writer in chosen if writers.RENDERER in writer.needs]
        written = [writer for writer in chosen if writers.RENDERER not in writer.needs]
        items = prefetched(items, PREFETCH)
        workers = self.context.workers
        pictures = Pictures(workers, self.context.faces, describe=lambda args: args[1].path) if drawn else None
        files = concurrent.futures.ThreadPoolExecutor(1)
        ledger = Ledger(2 * max(1, workers) + PREFETCH, done)
        try:
            for item, predictions in predict_stream(self.context.model, items, lambda item: item.crops):
                if item.error:
                    failed = concurrent.futures.Future()
                    failed.set_exception(HMRError(item.error))
                    ledger.add(item.path, [failed])
                else:
                    ledger.add(item.path, self._submit(item, predictions, written, drawn, pictures, files))
        finally:
            ledger.collect()
            files.shutdown(wait=True)
            if pictures is not None:
                pictures.close()
        return failures[0]

    def _submit(self, item, predictions, written, drawn, pictures, files):
        if not all(np.all(np.isfinite(value)) for prediction in predictions for value in prediction):
            # Never written: NaN is not JSON, nor a vertex.
            failed = concurrent.futures.Future()
            failed.set_exception(HMRError('%s: the model gave non-finite values (NaN or infinity); is the '
                                          'checkpoint --load_path damaged?' % item.path))
            return [failed]
        camera = self.camera_for(item.path, item.image) if self.camera_for else None
        result = image_result(item.path, item.name, item.image, item.people, item.proc_params, predictions, camera)
        stem = os.path.join(self.context.out_dir, item.name)
        jobs = [files.submit(write_files, written, stem, result, self.context.faces, self.context.body)]
        doubtful = [person.bbox for person in result.people if person.doubtful]
        if drawn and self.draw_flags and doubtful:  # --flags: doubtful people boxed in the figure's image
            from ..world.quality import draw_flags
            result = result._replace(image=draw_flags(result.image, doubtful))
        jobs.extend(pictures.submit(writer.image, stem, result, self.context.faces) for writer in drawn)
        return jobs


def write_files(chosen, stem, result, faces, body):
    """The outputs of `result` that need no renderer (rows of the table), one after the other."""
    for writer in chosen:
        writer.image(stem, result, faces, body)
