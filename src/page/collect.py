"""What the page shows, read from the run's own files (the writers' outputs; nothing is computed
here): per image its figure and its people's meshes (NAME.npz, else NAME.obj), per video its overlay,
tracks (NAME.json) and each track's animated body (NAME_track<ID>.glb)."""
import base64
import json
import os

import numpy as np

from ..demo.outputs import output_names

# Per-track or per-person keys that say how far a result can be trusted, shown where a run wrote them.
QUALITY_KEYS = ('score', 'reproj_px', 'truncated', 'doubtful')


def b64(array, dtype):
    return base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode('ascii')


def run_files(out_dir, name):
    """The files of one input's results: NAME.*, NAME_person<i>.*, NAME_track<ID>.*."""
    found = []
    for entry in sorted(os.listdir(out_dir)):
        stem, _ = os.path.splitext(entry)
        if stem == name or stem.startswith(name + '_person') or stem.startswith(name + '_track'):
            if os.path.isfile(os.path.join(out_dir, entry)) and not entry.endswith('.tmp'):
                found.append(entry)
    return found


def read_json(path):
    with open(path) as f:
        return json.load(f)


def read_obj(path):
    """(people's vertices, faces 0-based) of an OBJ the demo wrote ('o person<i>' between people)."""
    people, faces = [], []
    with open(path) as f:
        for line in f:
            if line.startswith('v '):
                if not people:
                    people.append([])
                people[-1].append([float(v) for v in line.split()[1:4]])
            elif line.startswith('o ') and people and people[-1]:
                people.append([])
            elif line.startswith('f ') and len(people) == 1:
                faces.append([int(v.split('/')[0]) - 1 for v in line.split()[1:4]])
    return [np.array(p) for p in people], np.array(faces)


def image_entry(out_dir, name):
    stem = os.path.join(out_dir, name)
    entry = {'name': name, 'kind': 'image', 'files': run_files(out_dir, name), 'people': [], 'notes': []}
    if os.path.isfile(stem + '.png'):
        entry['figure'] = name + '.png'
    info = read_json(stem + '.json') if os.path.isfile(stem + '.json') else None
    if info:
        entry['camera'] = info['camera_original']
        entry['image_size'] = info['image_size']
    if os.path.isfile(stem + '.npz'):
        with np.load(stem + '.npz', allow_pickle=False) as arrays:
            verts, faces = list(arrays['people_verts']), arrays['faces']
    elif os.path.isfile(stem + '.obj'):
        verts, faces = read_obj(stem + '.obj')
    else:
        verts, faces = [], None
        entry['notes'].append('no mesh in this run\'s outputs (NAME.npz or NAME.obj): no 3D view' if
                              entry['files'] else 'no results for this input (see the run\'s messages)')
    if faces is not None:
        entry['faces'] = b64(faces, '<u4')
    people_info = info['people'] if info else [{}] * len(verts)
    for person_verts, person in zip(verts, people_info):
        entry['people'].append(dict({k: person[k] for k in QUALITY_KEYS + ('source',) if k in person},
                                    verts=b64(person_verts, '<f4')))
    return entry


def video_entry(out_dir, name, start, every):
    stem = os.path.join(out_dir, name)
    entry = {'name': name, 'kind': 'video', 'files': run_files(out_dir, name), 'tracks': [], 'notes': [],
             'start': start, 'every': every}
    if os.path.isfile(stem + '.mp4'):
        entry['overlay'] = name + '.mp4'
    if not os.path.isfile(stem + '.json'):
        entry['notes'].append('no NAME.json in this run\'s outputs: no tracks to show')
        return entry
    info = read_json(stem + '.json')
    entry.update(fps=info['fps'], frames=info['frames'], size=info['size'], camera=info['camera'])
    for track in info['tracks']:
        glb = '%s_track%d.glb' % (stem, track['id'])
        shown = {'id': track['id'], 'frames': track['frames'],
                 'quality': {k: track[k] for k in QUALITY_KEYS if track.get(k) is not None}}
        if os.path.isfile(glb):
            with open(glb, 'rb') as f:
                shown['glb'] = base64.b64encode(f.read()).decode('ascii')
        else:
            entry['notes'].append('track %d: no NAME_track%d.glb in this run\'s outputs: not in the 3D view'
                                  % (track['id'], track['id']))
        entry['tracks'].append(shown)
    return entry


def collect(out_dir, paths, video, start=0, every=1):
    """The page's data: one entry per input, in the run's order."""
    names = output_names(paths)
    if video:
        return [video_entry(out_dir, names[0], start, every)]
    return [image_entry(out_dir, name) for name in names]
