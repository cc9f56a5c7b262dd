"""The test stand-ins live in one package (src/samples/), which the product code never imports and which
reads nothing outside the repository; the concepts once written twice (box IoU, filling the model's
fixed batch) have one copy each, with known answers."""
import ast
import os
import re

import numpy as np
import pytest

from src.backends.common import fill_batch
from src.detectors.boxes import iou
from src.samples import photo_set
from src.video.tracking import Tracker
from tests.conftest import PROJECT_DIR

SRC = os.path.join(PROJECT_DIR, 'src')
SAMPLES = os.path.join(SRC, 'samples')


def python_files(top):
    for folder, _, names in os.walk(top):
        for name in sorted(names):
            if name.endswith('.py'):
                yield os.path.join(folder, name)


def parsed(path):
    with open(path) as f:
        return ast.parse(f.read(), path)


def imported_modules(path):
    """Absolute names of the modules `path` imports (relative imports resolved against its package)."""
    package = os.path.relpath(os.path.dirname(path), PROJECT_DIR).split(os.sep)
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = '.'.join(base + ([node.module] if node.module else []))
            yield module
            for alias in node.names:
                yield module + '.' + alias.name


def test_no_product_module_imports_the_stand_ins():
    product = [p for p in python_files(SRC) if not p.startswith(SAMPLES + os.sep)]
    product.append(os.path.join(PROJECT_DIR, 'demo.py'))
    importers = [os.path.relpath(p, PROJECT_DIR) for p in product
                 if any(m == 'src.samples' or m.startswith('src.samples.') for m in imported_modules(p))]
    assert importers == []


def test_the_stand_ins_name_no_folder_outside_the_repository():
    """No absolute path, parent folder, environment variable or user folder in src/samples/: a folder of
    further photos is an argument (photo_set's images_dir), scikit-image's bundled photos the default."""
    for path in python_files(SAMPLES):
        tree = parsed(path)
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        strings += [n.s for n in ast.walk(tree) if type(n).__name__ == 'Str']  # Python 3.6's ast
        names = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
        where = os.path.relpath(path, PROJECT_DIR)
        assert not [s for s in strings if s.startswith(('/', '~')) or s in ('..', 'shared')], where
        assert not set(names) & {'environ', 'getenv', 'pardir', 'expanduser'}, where


def test_without_a_folder_the_photo_set_is_scikit_image_alone():
    names = [p.name for p in photo_set.photos()]
    assert names[:2] == list(photo_set.SKIMAGE_BOXES)
    assert set(names) <= set(photo_set.SKIMAGE_BOXES) | set(photo_set.NO_PERSON)
    assert not photo_set.has_sample_images(None)


def test_one_box_iou_in_the_code():
    """Only src/detectors/boxes.py defines an IoU of boxes; tracking and the photo set use it."""
    defining = [os.path.relpath(p, PROJECT_DIR) for p in python_files(SRC)
                for node in ast.walk(parsed(p))
                if isinstance(node, ast.FunctionDef) and 'iou' in node.name.lower().split('_')]
    assert defining == [os.path.join('src', 'detectors', 'boxes.py')]


def test_box_iou_known_answers():
    a = [[0, 0, 10, 10], [0, 0, 4, 4]]
    b = [[5, 0, 10, 10], [0, 0, 10, 10], [2, 2, 4, 4], [10, 0, 3, 3]]
    # Overlaps 50, 100, 16, 0 over unions 150, 100, 100, 109; and 0, 16, 4, 0 over 116, 100, 28, 25.
    expected = [[50. / 150, 1., 16. / 100, 0.], [0., 16. / 100, 4. / 28, 0.]]
    np.testing.assert_allclose(iou(a, b), expected, rtol=1e-12)
    assert iou([[3, 3, 0, 0]], [[3, 3, 0, 0]])[0, 0] == 0  # empty boxes overlap nothing, no NaN


def test_tracking_keeps_an_overlapping_person_and_parts_from_a_disjoint_one():
    """The tracker's overlap is boxes.iou: a box moved within the gate keeps its id."""
    tracker = Tracker()
    first = tracker.update(0, [[0., 0., 100., 200.], [400., 0., 100., 200.]])
    assert tracker.update(1, [[410., 0., 100., 200.], [5., 0., 100., 200.]]) == first[::-1]


def test_fill_batch_known_answers():
    images = np.arange(2 * 2 * 2 * 3, dtype=np.float32).reshape(2, 2, 2, 3)
    filled = fill_batch(images, 4)
    assert filled.shape == (4, 2, 2, 3) and filled.dtype == np.float32
    assert np.array_equal(filled[:2], images) and not filled[2:].any()
    assert fill_batch(images, 2) is images
    with pytest.raises(ValueError):
        fill_batch(images, 1)


def test_the_fixed_batch_is_filled_in_one_place():
    """No other module builds the zero rows of a short batch (np.zeros((batch_size - count, ...)))."""
    filling = []
    for path in python_files(SRC):
        with open(path) as f:
            if re.search(r'zeros\(\(\s*[\w.]*batch_size\s*-', f.read()):
                filling.append(os.path.relpath(path, PROJECT_DIR))
    assert filling == []
