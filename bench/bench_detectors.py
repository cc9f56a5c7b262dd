"""Person detectors in the current runtime: ms per image and recall/precision (IoU >= 0.5) on the composite
set and on the real photos of src/samples/photo_set.py, for every detector this runtime has; and on the
sample video clip (25 fps), ms per frame and recall/precision of detecting every frame against following
people between full detections (src/detectors/follow.py) for several redetect_every."""
import sys
import time

from tqdm import tqdm

from bench.common import REFERENCE_IMAGES, command_line, report


def measure(detector, photos, label):
    """(mean seconds per image, Score) of `detector` over `photos`."""
    from src.samples import photo_set
    detector.detect(photos[0].image)  # warm-up: first-call allocations are not per-image cost
    found = []
    start = time.time()
    for photo in tqdm(photos, desc='%s on %s' % (detector.name, label), file=sys.stderr):
        found.append(detector.detect(photo.image))
    return (time.time() - start) / len(photos), photo_set.score(found, photos)


# redetect_every values tried on the clip besides the default.
FOLLOW_SWEEP = (2, 4, 16)


class CountingDetector(object):
    """A detector that counts its full detections; it follows as the detector does, if it can."""

    def __init__(self, detector):
        self.name = detector.name
        self.detector = detector
        self.full_detections = 0
        if hasattr(detector, 'follow'):
            self.follow = detector.follow

    def detect(self, image):
        self.full_detections += 1
        return self.detector.detect(image)


def measure_clip(detector, frames, settings):
    """Per setting (None: the detector on every frame, else a follower's redetect_every): (mean seconds per
    frame, Score, full detections). The settings take turns frame by frame, so that other load on the
    machine weighs on them alike."""
    from src.detectors import make_follower
    from src.samples import photo_set
    counters = [CountingDetector(detector) for _ in settings]
    finders = [c if every is None else make_follower(c, every) for c, every in zip(counters, settings)]
    seconds = [0.] * len(settings)
    found = [[] for _ in settings]
    for frame in tqdm(frames, desc='%s on the clip' % detector.name, file=sys.stderr):
        for k, finder in enumerate(finders):
            start = time.time()
            found[k].append(finder.detect(frame.image))
            seconds[k] += time.time() - start
    return [(total / len(frames), photo_set.score(people, frames), counter.full_detections)
            for total, people, counter in zip(seconds, found, counters)]


def clip_figures(detector, frames):
    """The clip's figures: detecting every frame and, for a detector that can follow (a follower of any
    other is the detector itself), following with the default redetect_every and those of FOLLOW_SWEEP."""
    from src.detectors.follow import REDETECT_EVERY
    name = detector.name
    runs = [('every_frame', None)]
    figures = {'%s_clip_follows' % name: hasattr(detector, 'follow')}
    if hasattr(detector, 'follow'):
        runs += [('follow', REDETECT_EVERY)] + [('follow%d' % every, every) for every in FOLLOW_SWEEP]
        figures['%s_clip_redetect_every' % name] = REDETECT_EVERY
    for (label, _), (seconds, score, full) in zip(runs, measure_clip(detector, frames, [r[1] for r in runs])):
        key = '%s_clip_%s_' % (name, label)
        figures.update({key + 'ms_per_frame': round(1000 * seconds, 1), key + 'recall': round(score.recall, 3),
                        key + 'precision': round(score.precision, 3), key + 'full_detections': full})
    return figures


def main():
    from src.compat import RUNTIME
    from src.detectors import available, make_detector
    from src.samples import photo_set
    figures = {'runtime': RUNTIME,
               'detector_photo_set': 'samples+skimage' if photo_set.has_sample_images(REFERENCE_IMAGES)
               else 'skimage only (no %s)' % REFERENCE_IMAGES}
    sets = [('composites', photo_set.composites(images_dir=REFERENCE_IMAGES)),
            ('photos', photo_set.photos(REFERENCE_IMAGES))]
    figures['detector_people_composites'] = sum(len(p.people) for p in sets[0][1])
    clip, _ = photo_set.clip_frames()
    figures['detector_clip_frames'] = len(clip)
    figures['detector_clip_people'] = sum(len(p.people) for p in clip)
    for name in available():
        start = time.time()
        detector = make_detector(name)
        figures['%s_load_s' % name] = round(time.time() - start, 2)
        for label, photos in sets:
            seconds, score = measure(detector, photos, label)
            figures['%s_ms_per_image_%s' % (name, label)] = round(1000 * seconds, 1)
            figures['%s_recall_%s' % (name, label)] = round(score.recall, 3)
            figures['%s_precision_%s' % (name, label)] = round(score.precision, 3)
        figures.update(clip_figures(detector, clip))
    report(figures)


if __name__ == '__main__':
    command_line(__doc__)
    main()
