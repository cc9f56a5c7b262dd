"""--vis: the best and worst results of an evaluation as PNGs, drawn like the released H3.6M script
(input | mesh over it, skeleton | mesh seen from 90 degrees)."""
import heapq
import os

import numpy as np

from ..util import renderer as vis_util
from ..camera import crop_translation
from ..util.files import write_png


class ExtremeResults(object):
    """Keeps the `count` lowest- and highest-error samples seen, with what drawing them needs."""

    def __init__(self, count):
        self.count = count
        self.best, self.worst = [], []  # heaps of (key, serial, sample)
        self._serial = 0

    def add(self, errors, images, predictions, names):
        for i, error in enumerate(errors):
            sample = {'error': float(error), 'name': names[i], 'image': np.array(images[i]),  # not a view
                      'vert': predictions['verts'][i], 'joint': predictions['joints'][i],
                      'cam': predictions['cams'][i]}
            self._serial += 1
            for heap, key in ((self.worst, float(error)), (self.best, -float(error))):
                item = (key, self._serial, sample)
                if len(heap) < self.count:
                    heapq.heappush(heap, item)
                elif item > heap[0]:
                    heapq.heapreplace(heap, item)

    def ranked(self):
        """(worst first, best first) lists of samples."""
        return ([s for _, _, s in sorted(self.worst, key=lambda t: -t[0])],
                [s for _, _, s in sorted(self.best, key=lambda t: -t[0])])


def draw_sample(sample, renderer, img_size):
    image = ((sample['image'] + 1) * .5 * 255).astype(np.uint8)
    cam = sample['cam']
    verts = sample['vert'] + crop_translation(cam, img_size)
    rendered = renderer(verts, img=image)
    side = renderer.rotated(verts, 90, img_size=(img_size, img_size), do_alpha=False)
    side = vis_util.draw_text(side, {'diff_viewpoint': 90})
    skeleton = vis_util.draw_skeleton(image, sample['joint'])
    return np.vstack([np.hstack([image, rendered]), np.hstack([skeleton, side])]).astype(np.uint8)


def write_extremes(extremes, renderer, img_size, out_dir):
    """PNGs vis/worst_NN_<error>mm_<name>.png and vis/best_...; returns their paths."""
    paths = []
    worst, best = extremes.ranked()
    for kind, samples in (('worst', worst), ('best', best)):
        for rank, sample in enumerate(samples):
            stem = os.path.splitext(os.path.basename(sample['name']))[0]
            path = os.path.join(out_dir, 'vis', '%s_%02d_%.1fmm_%s.png' % (kind, rank, sample['error'], stem))
            write_png(path, draw_sample(sample, renderer, img_size))
            paths.append(path)
    return paths
