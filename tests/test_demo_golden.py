"""The files users hold do not change: recorded predictions (a photo of two people, frames of the
sample clip) replayed through the demo's results, tracks and writers (tests/demo_replay.py) give
every data file byte for byte as the demo wrote it before its writers were rearranged
(tests/golden/demo_golden.json, sha256 per runtime: the two NumPy versions write different NPZ and
GLB bytes), and the drawn pictures within a tolerance of theirs (rasterizers differ by CPU and by
runtime). Regenerate the goldens only on purpose: python -m tests.golden.make_demo_golden golden.
"""
import json

import numpy as np
import pytest

from tests import demo_replay
from tests.runtimes import current_runtime

# Pictures: mean absolute difference in levels (0..255) over the 1/4-size picture, and the share of its
# pixels that may differ by more than 32 levels. One rasterizer against another moves silhouette edge
# pixels, H.264 adds its own rounding: measured legacy against modern, 0.23 / 0.96 levels (figure /
# video) and 0.05% of the pixels; a mesh moved, missing or recoloured changes several percent.
MEAN_LEVELS = 2.
FAR_SHARE = .005


@pytest.fixture(scope='module')
def written(synthetic_models, tmp_path_factory):
    return demo_replay.replay(str(tmp_path_factory.mktemp('golden') / 'out'), synthetic_models[0])


def test_every_data_file_is_byte_identical(written):
    with open(demo_replay.GOLDEN) as f:
        golden = json.load(f)[current_runtime()]
    digests = written.digests()
    assert sorted(digests) == sorted(golden)
    assert {name: digests[name] for name in golden if digests[name] != golden[name]} == {}


def test_pictures_are_drawn_as_before(written):
    golden = np.load(demo_replay.GOLDEN_PICTURES)
    pictures = written.pictures()
    assert sorted(pictures) == sorted(golden.files)
    for name in golden.files:
        assert pictures[name].shape == golden[name].shape, name
        difference = np.abs(pictures[name].astype(np.int16) - golden[name])
        assert difference.mean() <= MEAN_LEVELS, name
        assert np.mean(difference.max(axis=-1) > 32) <= FAR_SHARE, name
