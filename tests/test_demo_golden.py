"""The files users hold do not change: recorded predictions (a photo of two people, frames of the
sample clip) replayed through the demo's results, tracks and writers (tests/demo_replay.py) give
every data file byte for byte as the demo wrote it before its writers were rearranged
(tests/golden/demo_golden.json, sha256 per runtime: the two NumPy versions write different NPZ and
GLB bytes), and the drawn pictures within a tolerance of theirs (rasterizers differ by CPU and by
runtime). A CPU whose BLAS kernels round differently from the one that made the hashes (the NumPy
body's float64 products run in the replay) gets files that hold the same within rounding instead
(tests/golden_files.py, against the files kept in tests/golden/demo_golden_files.npz).
Regenerate the goldens only on purpose: python -m tests.golden.make_demo_golden golden.
"""
import json

import numpy as np
import pytest

from tests import demo_replay
from tests.golden_files import _glb_chunks, differences
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
    changed = sorted(name for name in golden if digests[name] != golden[name])
    if changed:
        kept = np.load(demo_replay.GOLDEN_FILES)
        contents = written.contents()
        assert [p for name in changed for p in differences(name, contents[name], kept[key(name)].tobytes())] == []


def key(name):
    """A file's key in demo_golden_files.npz (an archive member name holds no folders)."""
    return name.replace('/', '|')


def test_pictures_are_drawn_as_before(written):
    golden = np.load(demo_replay.GOLDEN_PICTURES)
    pictures = written.pictures()
    assert sorted(pictures) == sorted(golden.files)
    for name in golden.files:
        assert pictures[name].shape == golden[name].shape, name
        difference = np.abs(pictures[name].astype(np.int16) - golden[name])
        assert difference.mean() <= MEAN_LEVELS, name
        assert np.mean(difference.max(axis=-1) > 32) <= FAR_SHARE, name


def test_rounding_passes_and_a_changed_value_does_not():
    """The comparison for other CPUs: last-bit changes pass, a moved value or index fails."""
    kept = np.load(demo_replay.GOLDEN_FILES)
    text = kept[key('image/random.json')].tobytes()
    data = json.loads(text.decode('utf-8'))
    value = data['people'][0]['theta'][5]
    for change, expected in ((value * 1e-12, []), (1e-3, ['image/random.json: json.people[0].theta[5]'])):
        data['people'][0]['theta'][5] = value + change
        found = differences('image/random.json', json.dumps(data).encode(), text)
        assert [p.split(':')[0] + ':' + p.split(':')[1] for p in found] == expected
    golden_glb = kept[key('image/random.glb')].tobytes()
    assert differences('image/random.glb', golden_glb, golden_glb) == []
    gltf, _ = _glb_chunks(golden_glb)
    json_length = int.from_bytes(golden_glb[12:16], 'little')
    triangles = next(a for a in gltf['accessors'] if a['componentType'] in (5123, 5125))  # unsigned indices
    view = gltf['bufferViews'][triangles['bufferView']]
    word = 12 + 8 + json_length + 8 + view.get('byteOffset', 0) + triangles.get('byteOffset', 0)
    glb = bytearray(golden_glb)
    glb[word] += 1  # one vertex index of the first triangle
    assert differences('image/random.glb', bytes(glb), golden_glb) == [
        'image/random.glb: 1 buffer words differ beyond float32 rounding']
    glb = bytearray(golden_glb)
    glb[-4] ^= 1  # the last float's lowest mantissa bit: one unit in the last place
    assert differences('image/random.glb', bytes(glb), golden_glb) == []
