"""Code shape (issue 23): no class in src/ over MAX_CLASS_LINES lines, so each stays readable in one sitting."""
import ast
import os
import sys

import pytest

from tests.conftest import PROJECT_DIR

MAX_CLASS_LINES = 200


def class_lengths(root):
    """(file, class, lines) of every class under `root`, nested ones included; lines from the `class`
    line to the last line of its body (ast's end_lineno)."""
    lengths = []
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path, encoding='utf-8') as f:
                    tree = ast.parse(f.read(), path)
                lengths += [(os.path.relpath(path, PROJECT_DIR), node.name, node.end_lineno - node.lineno + 1)
                            for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    return lengths


@pytest.mark.skipif(sys.version_info < (3, 8), reason='ast gives end_lineno from Python 3.8; the code is the '
                                                      'same on both runtimes and is measured on the modern one')
def test_no_class_in_src_is_over_200_lines():
    lengths = class_lengths(os.path.join(PROJECT_DIR, 'src'))
    assert any(name == 'HMRTrainer' for _, name, _ in lengths)  # the walk found the code
    too_long = ['%s %s: %d lines' % item for item in lengths if item[2] > MAX_CLASS_LINES]
    assert not too_long, 'classes over %d lines: %s' % (MAX_CLASS_LINES, '; '.join(too_long))
