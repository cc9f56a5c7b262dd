"""Blender's part of the exports (FBX, and characters in FBX or glTF), run in Blender's own Python
(`bpy` 4.2, Python 3.11: .venv/blender, `make setup-blender`) as a subprocess of src/export/blender_job.py,
since the HMR runtimes have no `bpy`. Files come back under temporary names and are renamed into place
only when the whole job succeeded."""
import json
import os
import subprocess
import tempfile

import numpy as np

from ..errors import HMRError

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INSTALL_HINT = 'install Blender as a Python module with `make setup-blender` (bpy 4.2 in .venv/blender, ~1 GB)'


def blender_python():
    """The Python that has `bpy`: $HMR_BLENDER_PYTHON when set, else .venv/blender's; None if it is not there."""
    path = os.environ.get('HMR_BLENDER_PYTHON') or os.path.join(PROJECT_DIR, '.venv', 'blender', 'bin', 'python')
    return path if os.path.isfile(path) else None


def require_blender(what):
    if blender_python() is None:
        raise HMRError('%s needs Blender: %s' % (what, INSTALL_HINT))


def run_job(job):
    """Run one blender_job.py job (a dict, given as JSON); returns its JSON answer."""
    require_blender('this export')
    with tempfile.TemporaryDirectory() as folder:
        job_path, answer_path = os.path.join(folder, 'job.json'), os.path.join(folder, 'answer.json')
        with open(job_path, 'w') as f:
            json.dump(dict(job, answer=answer_path), f)
        process = subprocess.run([blender_python(), '-m', 'src.export.blender_job', job_path], cwd=PROJECT_DIR,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if process.returncode != 0 or not os.path.isfile(answer_path):
            lines = [line for line in process.stderr.splitlines() if line.startswith('hmr-blender-error: ')]
            raise HMRError(lines[-1][len('hmr-blender-error: '):] if lines else
                           'Blender failed: %s' % (process.stderr.strip().splitlines() or ['no message'])[-1])
        with open(answer_path) as f:
            return json.load(f)


def written_by_blender(job, outputs):
    """Run `job`, whose 'outputs' are {format: temporary path}, and rename each into `outputs`
    {format: final path} only if the whole job succeeded."""
    temporary = {fmt: path + '.tmp.' + fmt for fmt, path in outputs.items()}
    try:
        for path in outputs.values():
            folder = os.path.dirname(path)
            if folder and not os.path.isdir(folder):
                os.makedirs(folder)
        answer = run_job(dict(job, outputs=temporary))
        for fmt, path in outputs.items():
            os.replace(temporary[fmt], path)
        return answer
    finally:
        for path in temporary.values():
            if os.path.exists(path):
                os.remove(path)


def glb_to_fbx(write_glb, path, fps):
    """An FBX at `path` of the GLB that `write_glb(temporary path)` writes, converted by Blender."""
    require_blender('FBX output')
    with tempfile.TemporaryDirectory() as folder:
        glb = os.path.join(folder, 'motion.glb')
        write_glb(glb)
        written_by_blender({'task': 'convert', 'input': glb, 'fps': float(fps)}, {'fbx': path})


def read_character(path):
    """The armature of an FBX or glTF character, read by Blender: a dict of names, parents, rest matrices
    (armature space), tails, the armature's world matrix and whether a skinned mesh comes with it."""
    answer = run_job({'task': 'read', 'input': os.path.abspath(path)})
    for key in ('matrix_local', 'tails', 'matrix_world'):
        answer[key] = np.asarray(answer[key], np.float64)
    return answer


def animate_character(path, names, bases, fps, outputs):
    """Write the character at `path` with its bones' pose matrices `bases` (T x J x 4 x 4, Blender's
    matrix_basis of the bones `names`) keyed at frames 0..T-1 into `outputs` {format: path}."""
    with tempfile.TemporaryDirectory() as folder:
        keys = os.path.join(folder, 'keys.npy')
        np.save(keys, np.asarray(bases, np.float64))
        written_by_blender({'task': 'animate', 'input': os.path.abspath(path), 'names': list(names),
                            'keys': keys, 'fps': float(fps)}, outputs)

