"""No code path loads a NumPy file in a way that could unpickle it: NumPy 1.14 (the legacy runtime)
unpickles by default, so every np.load in the project says allow_pickle=False."""
import ast
import os

from tests.conftest import PROJECT_DIR


def python_files():
    for top in ('src', 'bench', 'demo.py'):
        path = os.path.join(PROJECT_DIR, top)
        if os.path.isfile(path):
            yield path
        for folder, _, names in os.walk(path):
            for name in names:
                if name.endswith('.py'):
                    yield os.path.join(folder, name)


def unsafe_loads(source):
    """Line numbers of np.load / numpy.load calls without allow_pickle=False."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'load' \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ('np', 'numpy'):
            # False is an ast.NameConstant on Python 3.6 and an ast.Constant later: both have .value.
            safe = [k for k in node.keywords if k.arg == 'allow_pickle' and getattr(k.value, 'value', None) is False]
            if not safe:
                lines.append(node.lineno)
    return lines


def test_the_scan_finds_an_unsafe_load():
    assert unsafe_loads('import numpy as np\nnp.load(p)\nnp.load(p, allow_pickle=True)\n'
                        'np.load(p, allow_pickle=False)\n') == [2, 3]


def test_every_numpy_load_refuses_pickles():
    found = []
    for path in python_files():
        with open(path) as f:
            found += ['%s:%d' % (os.path.relpath(path, PROJECT_DIR), n) for n in unsafe_loads(f.read())]
    assert not found, 'np.load without allow_pickle=False: %s' % ', '.join(found)
