"""Two versions of one data file compared by what they hold, for when their bytes differ: the same
structure, the same text and integers, and floats equal to within rounding.

Another CPU's BLAS kernels sum float64 products in another order, so a value can differ in its last
bits (~1e-15 relative), a float32 stored from it by one unit in the last place (~6e-8), and a number
printed with 6 decimals in its last digit. Anything larger is a changed file.
"""
import io
import json
import struct

import numpy as np

BINARY = dict(rtol=1e-6, atol=1e-9)
PRINTED = dict(rtol=1e-6, atol=2e-6)


def differences(name, got, golden):
    """What differs between the bytes `got` and `golden` of the file `name` beyond rounding: a list of
    short descriptions, empty when they agree."""
    extension = name.rsplit('.', 1)[-1]
    compare = {'json': _json_bytes, 'npz': _npz, 'glb': _glb, 'obj': _text, 'bvh': _text}[extension]
    return ['%s: %s' % (name, problem) for problem in compare(got, golden)]


def _close(a, b, tolerance):
    return bool(np.isclose(a, b, equal_nan=True, **tolerance))


def _values(got, golden, where, tolerance):
    if isinstance(golden, dict):
        if not isinstance(got, dict) or sorted(got) != sorted(golden):
            return ['%s: keys differ' % where]
        return [p for key in golden for p in _values(got[key], golden[key], '%s.%s' % (where, key), tolerance)]
    if isinstance(golden, list):
        if not isinstance(got, list) or len(got) != len(golden):
            return ['%s: lengths differ' % where]
        return [p for i, (a, b) in enumerate(zip(got, golden)) for p in _values(a, b, '%s[%d]' % (where, i), tolerance)]
    if isinstance(golden, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return [] if _close(got, golden, tolerance) else ['%s: %r, not %r' % (where, got, golden)]
    return [] if got == golden and type(got) is type(golden) else ['%s: %r, not %r' % (where, got, golden)]


def _json_bytes(got, golden):
    return _values(json.loads(got.decode('utf-8')), json.loads(golden.decode('utf-8')), 'json', PRINTED)


def _npz(got, golden):
    got, golden = np.load(io.BytesIO(got), allow_pickle=False), np.load(io.BytesIO(golden), allow_pickle=False)
    if sorted(got.files) != sorted(golden.files):
        return ['arrays %s, not %s' % (sorted(got.files), sorted(golden.files))]
    problems = []
    for key in golden.files:
        a, b = got[key], golden[key]
        if a.dtype != b.dtype or a.shape != b.shape:
            problems.append('%s: %s %s, not %s %s' % (key, a.dtype, a.shape, b.dtype, b.shape))
        elif a.dtype.kind == 'f':
            if not np.allclose(a, b, equal_nan=True, **BINARY):
                problems.append('%s: values differ by up to %g' % (key, np.nanmax(np.abs(a - b))))
        elif not np.array_equal(a, b):
            problems.append('%s: values differ' % key)
    return problems


def _glb_chunks(content):
    """(JSON, BIN bytes) of a binary glTF: a 12-byte header, then chunks of (length, type, data)."""
    chunks, offset = [], 12
    while offset < len(content):
        length, _ = struct.unpack_from('<II', content, offset)
        chunks.append(content[offset + 8:offset + 8 + length])
        offset += 8 + length
    return json.loads(chunks[0].decode('utf-8')), chunks[1] if len(chunks) > 1 else b''


def _glb(got, golden):
    (got_json, got_bin), (golden_json, golden_bin) = _glb_chunks(got), _glb_chunks(golden)
    problems = _values(got_json, golden_json, 'gltf', BINARY)
    if len(got_bin) != len(golden_bin):
        return problems + ['buffer of %d bytes, not %d' % (len(got_bin), len(golden_bin))]
    # Words that differ, read as float32: the buffer's floats (positions, rotations, times) may round
    # apart; a differing index or count read as a float is a denormal (or far off) and fails.
    a, b = np.frombuffer(got_bin, '<u4'), np.frombuffer(golden_bin, '<u4')
    changed = a != b
    fa, fb = a[changed].view('<f4'), b[changed].view('<f4')
    floats = [(f == 0) | (np.isfinite(f) & (np.abs(f) >= np.finfo(np.float32).tiny)) for f in (fa, fb)]
    if not (floats[0].all() and floats[1].all() and np.allclose(fa, fb, rtol=1e-6, atol=1e-7)):
        problems.append('%d buffer words differ beyond float32 rounding' % changed.sum())
    return problems


def _number(token):
    try:
        return float(token)
    except ValueError:
        return None


def _text(got, golden):
    got_lines, golden_lines = got.decode('utf-8').splitlines(), golden.decode('utf-8').splitlines()
    if len(got_lines) != len(golden_lines):
        return ['%d lines, not %d' % (len(got_lines), len(golden_lines))]
    problems = []
    for number, (a, b) in enumerate(zip(got_lines, golden_lines), 1):
        if a == b:
            continue
        ta, tb = a.split(), b.split()
        same = len(ta) == len(tb) and all(
            x == y or (_number(x) is not None and _number(y) is not None and _close(_number(x), _number(y), PRINTED))
            for x, y in zip(ta, tb))
        if not same:
            problems.append('line %d: %r, not %r' % (number, a[:80], b[:80]))
    return problems[:5]
