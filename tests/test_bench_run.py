"""`make bench`'s collector (bench/run.py): runs each bench script in each runtime given, keeps the
figures in docs/figures.json and regenerates docs/figures.md from them; the committed page is what it
would write, and no other page quotes a measured rate or timing."""
import glob
import io
import json
import os
import re
import sys

import pytest

from bench import run
from tests.conftest import PROJECT_DIR

FAKE_BENCH = u'import json\nprint("warming up")\nprint(json.dumps({"runtime": "fake", "images_per_s": 4.0}))\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder holding one bench script, bench_fake.py, and no docs/ yet."""
    (tmp_path / 'bench').mkdir()
    (tmp_path / 'bench' / '__init__.py').write_text(u'')
    (tmp_path / 'bench' / 'bench_fake.py').write_text(FAKE_BENCH)
    monkeypatch.setattr(run, 'PROJECT_DIR', str(tmp_path))
    return tmp_path


def read(path):
    with io.open(str(path), encoding='utf-8') as f:
        return f.read()


@pytest.fixture
def load(monkeypatch):
    """The machine's load as bench.run sees it: 0.5."""
    monkeypatch.setattr(run.os, 'getloadavg', lambda: (0.5, 0.5, 0.5))


def test_figures_land_in_docs_and_the_page_is_made_from_them(project, load, capsys):
    run.main([sys.executable, sys.executable])
    figures = json.loads(read(project / 'docs' / 'figures.json'))
    assert figures == {'bench_fake.py': [{'images_per_s': 4.0, 'runtime': 'fake', run.LOAD_KEY: 0.5}] * 2}
    page = read(project / 'docs' / 'figures.md')
    assert page == run.figures_page(figures)
    assert '| images_per_s | 4.0 | 4.0 | 1.00 |' in page.splitlines()
    assert page in capsys.readouterr().out
    assert sorted(p.name for p in (project / 'docs').iterdir()) == ['figures.json', 'figures.md']


def test_only_reruns_the_scripts_named_and_keeps_the_others(project, load):
    (project / 'docs').mkdir()
    kept = {'bench_old.py': [{'runtime': 'modern', 'ms': 1.5}],
            'bench_fake.py': [{'runtime': 'fake', 'images_per_s': 1.0}]}
    (project / 'docs' / 'figures.json').write_text(u'%s' % json.dumps(kept))
    run.main([sys.executable], only=['bench_fake.py'])
    figures = json.loads(read(project / 'docs' / 'figures.json'))
    assert figures == {'bench_old.py': kept['bench_old.py'],
                       'bench_fake.py': [{'runtime': 'fake', 'images_per_s': 4.0, run.LOAD_KEY: 0.5}]}
    with pytest.raises(SystemExit):
        run.main([sys.executable], only=['bench_none.py'])


def test_tables_known_answer():
    per_runtime = [{'runtime': 'modern', 'rate': 2.0, 'note': 'a|b'}, {'runtime': 'legacy', 'rate': 3.0}]
    assert run.table(per_runtime) == [
        '| figure | modern | legacy | ratio legacy/modern |',
        '| --- | --- | --- | --- |',
        '| note | a\\|b |  |  |',
        '| rate | 2.0 | 3.0 | 1.50 |']


def test_the_committed_page_is_what_bench_run_writes_from_the_committed_figures():
    figures = json.loads(read(os.path.join(PROJECT_DIR, run.FIGURES_JSON)))
    assert read(os.path.join(PROJECT_DIR, run.FIGURES_PAGE)) == run.figures_page(figures)


# A measured rate or timing: N images/s (frames, examples, crops, person-frames), N ms, N.N s a frame,
# N x / times faster or the speed. Durations of one-off builds and downloads ("about 8 minutes once")
# are instructions, not benchmark figures; so are examples of a program's output in `code`.
MEASURED = re.compile(r'\d\s*(images|frames|examples|crops|person-frames|img|it)/s\b'
                      r'|\d\s*ms\b|\d(\.\d+)?\s*(x|times) (faster|slower|the speed)'
                      r'|\b\d+(\.\d+)? s (a|per) (frame|image|photo|picture)')


def test_no_page_but_the_generated_one_quotes_a_measured_rate_or_timing():
    pages = [os.path.join(PROJECT_DIR, 'README.md')] + glob.glob(os.path.join(PROJECT_DIR, 'docs', '*.md'))
    quoted = []
    for path in pages:
        if os.path.basename(path) == os.path.basename(run.FIGURES_PAGE):
            continue
        for number, line in enumerate(read(path).splitlines(), 1):
            if MEASURED.search(re.sub('`[^`]*`', '', line)):
                quoted.append('%s:%d: %s' % (os.path.relpath(path, PROJECT_DIR), number, line.strip()))
    assert quoted == []
