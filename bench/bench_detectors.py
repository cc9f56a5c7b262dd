"""Person detectors in the current runtime: ms per image and recall/precision (IoU >= 0.5) on the composite
set and on the real photos of src/detectors/photo_set.py, for every detector this runtime has."""
import sys
import time

from tqdm import tqdm

from bench.common import report


def measure(detector, photos, label):
    """(mean seconds per image, Score) of `detector` over `photos`."""
    from src.detectors import photo_set
    detector.detect(photos[0].image)  # warm-up: first-call allocations are not per-image cost
    found = []
    start = time.time()
    for photo in tqdm(photos, desc='%s on %s' % (detector.name, label), file=sys.stderr):
        found.append(detector.detect(photo.image))
    return (time.time() - start) / len(photos), photo_set.score(found, photos)


def main():
    from src.compat import RUNTIME
    from src.detectors import available, make_detector, photo_set
    figures = {'runtime': RUNTIME,
               'detector_photo_set': 'samples+skimage' if photo_set.has_sample_images()
               else 'skimage only (no ../shared/hmr_reference/images)'}
    sets = [('composites', photo_set.composites()), ('photos', photo_set.photos())]
    figures['detector_people_composites'] = sum(len(p.people) for p in sets[0][1])
    for name in available():
        start = time.time()
        detector = make_detector(name)
        figures['%s_load_s' % name] = round(time.time() - start, 2)
        for label, photos in sets:
            seconds, score = measure(detector, photos, label)
            figures['%s_ms_per_image_%s' % (name, label)] = round(1000 * seconds, 1)
            figures['%s_recall_%s' % (name, label)] = round(score.recall, 3)
            figures['%s_precision_%s' % (name, label)] = round(score.precision, 3)
    report(figures)


if __name__ == '__main__':
    main()
