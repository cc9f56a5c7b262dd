"""The demo's output files, one writer each, selected by --outputs. Every writer is atomic.

Images: NAME.png (figure), NAME.obj, NAME.json, NAME.npz and, when asked, one-frame NAME.bvh /
NAME.glb per person (NAME_person<i>.* for the second person on). Videos have their own writers in
`src.demo.video`.
"""
import os

import numpy as np

from ..errors import HMRError
from ..joints import COCOPLUS19
from ..util import files
from ..world.quality import for_json
from .results import DETECTION_FIELDS, PERSON_FIELDS, QUALITY_FIELDS

OUTPUTS = ('figure', 'obj', 'json', 'npz', 'video', 'bvh', 'glb')
DEFAULT_OUTPUTS = {'image': ('figure', 'obj', 'json', 'npz'), 'video': ('video', 'json', 'npz', 'bvh', 'glb')}
KIND_OUTPUTS = {'image': ('figure', 'obj', 'json', 'npz', 'bvh', 'glb'), 'video': ('video', 'json', 'npz', 'bvh', 'glb')}
ANIMATIONS = ('bvh', 'glb')


def parse_outputs(text, kind):
    """--outputs 'a,b,...' -> tuple of output names for an input of `kind` ('image' or 'video')."""
    if not text:
        return DEFAULT_OUTPUTS[kind]
    names = [name.strip() for name in text.split(',') if name.strip()]
    unknown = [name for name in names if name not in OUTPUTS]
    if unknown or not names:
        raise HMRError('--outputs takes names from %s, got %r' % (','.join(OUTPUTS), text))
    wrong = [name for name in names if name not in KIND_OUTPUTS[kind]]
    if wrong:
        raise HMRError('--outputs %s: %s cannot be written for %s input (choose from %s)'
                       % (text, ','.join(wrong), kind, ','.join(KIND_OUTPUTS[kind])))
    return tuple(sorted(set(names), key=names.index))


def output_names(paths):
    """An output stem per input path: its file name without extension, or, where two inputs share
    that, the name with its extension (a.jpg, a.png -> a_jpg, a_png), numbered if still not unique."""
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    names = []
    for path, stem in zip(paths, stems):
        name = stem if stems.count(stem) == 1 else os.path.basename(path).replace('.', '_')
        candidate, number = name, 2
        while candidate in names:
            candidate = '%s_%d' % (name, number)
            number += 1
        names.append(candidate)
    return names


def person_suffix(index):
    return '' if index == 0 else '_person%d' % index


def write_json(stem, result):
    first = result.people[0]
    data = {k: first[k] for k in PERSON_FIELDS}
    data.update({
        'image': os.path.abspath(result.path),
        'image_size': [result.image.shape[1], result.image.shape[0]],
        'joint_names': COCOPLUS19[:len(first['joints3d'])],
        'people': [dict({k: person[k] for k in PERSON_FIELDS + DETECTION_FIELDS + QUALITY_FIELDS},
                        reproj_px=for_json(person['reproj_px'])) for person in result.people],
    })
    files.write_json(stem + '.json', data)


def write_npz(stem, result, faces):
    """The first person's arrays under the names NAME.npz always had; every person's, stacked, as
    people_<name>."""
    first = result.people[0]
    arrays = {k: np.asarray(first[k]) for k in PERSON_FIELDS if k != 'proc_param'}
    arrays.update(verts=first['verts'], faces=np.asarray(faces),
                  image_size=np.array([result.image.shape[1], result.image.shape[0]]))
    for key in PERSON_FIELDS[:-1] + ('verts', 'bbox', 'score') + QUALITY_FIELDS:
        arrays['people_' + key] = np.stack([np.asarray(person[key]) for person in result.people])
    arrays['people_source'] = np.array([person['source'] for person in result.people])
    files.write_npz(stem + '.npz', arrays)


def write_obj(stem, result, faces):
    camera = np.round(result.people[0]['camera_original'], 4).tolist()
    header = ['HMR mesh of %s' % os.path.basename(result.path),
              'camera frame of the original image: x right, y down, z away from the camera;',
              'pixel = f * (x / z, y / z) + (cx, cy) with [f, cx, cy] = %s' % camera]
    if len(result.people) > 1:
        header.append('one object per person, in the order of the people of %s.json' % os.path.basename(stem))
    files.write_obj(stem + '.obj', [person['verts'] for person in result.people], faces, header)


def write_animations(stem, result, body, formats, fps=1.):
    """One-frame BVH / glTF per person: their shape, pose and translation in the image's camera."""
    from ..export.tracks import write_track
    from ..world.gltf_camera import camera_beside
    size = (result.image.shape[1], result.image.shape[0])
    for index, person in enumerate(result.people):
        person_stem = stem + person_suffix(index)
        write_track(person_stem, body, person['shape'], person['pose'][None], person['translation'][None], fps,
                    formats)
        camera_beside(person_stem, formats, person['camera_original'], size)


def write_figure(stem, result, faces, renderer):
    from .figure import six_panel_figure
    figure = six_panel_figure(result.image, [person['verts'] for person in result.people], faces,
                              result.people[0]['camera_original'],
                              [person['joints2d_original'] for person in result.people], renderer)
    files.write_png(stem + '.png', figure, compress_level=1)


def write_files(stem, result, outputs, faces, body=None):
    """Every selected output of `result` except the figure (written where a renderer lives)."""
    if 'json' in outputs:
        write_json(stem, result)
    if 'npz' in outputs:
        write_npz(stem, result, faces)
    if 'obj' in outputs:
        write_obj(stem, result, faces)
    animations = [fmt for fmt in ANIMATIONS if fmt in outputs]
    if animations:
        write_animations(stem, result, body, animations)
