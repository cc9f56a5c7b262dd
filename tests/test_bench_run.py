"""`make bench`'s collector (bench/run.py): runs each bench script in each runtime given and writes
build/bench.json, creating build/ on a fresh clone."""
import json
import sys

from bench import run


def test_figures_land_in_a_new_build_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / 'bench').mkdir()
    (tmp_path / 'bench' / '__init__.py').write_text(u'')
    (tmp_path / 'bench' / 'bench_fake.py').write_text(
        u'import json\nprint("warming up")\nprint(json.dumps({"runtime": "fake", "images_per_s": 4.0}))\n')
    monkeypatch.setattr(run, 'PROJECT_DIR', str(tmp_path))
    run.main([sys.executable, sys.executable])
    with open(str(tmp_path / 'build' / 'bench.json')) as f:
        assert json.load(f) == {'bench_fake.py': [{'images_per_s': 4.0, 'runtime': 'fake'}] * 2}
    assert 'images_per_s | 4.0 | 4.0 | 1.00' in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / 'build').iterdir()) == ['bench.json']
