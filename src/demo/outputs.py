"""The demo's files of one image, one writer each (rows of the table in src/demo/writers.py). Every
writer is atomic.

NAME.png (figure), NAME.obj, NAME.ply, NAME.json, NAME.npz and one-frame NAME.bvh / NAME.glb per person
(NAME_person<i>.* for the second person on). A video's writers are in src/demo/video_files.py.
"""
import os

import numpy as np

from ..joints import COCOPLUS19
from ..util import files
from ..world.quality import for_json
from .records import DETECTION_FIELDS, PERSON_FIELDS, QUALITY_FIELDS


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


def write_json(stem, result, faces, body=None):
    first = result.people[0]
    data = {k: getattr(first, k) for k in PERSON_FIELDS}
    data.update({
        'image': os.path.abspath(result.path),
        'image_size': [result.image.shape[1], result.image.shape[0]],
        'joint_names': COCOPLUS19[:len(first.joints3d)],
        'people': [dict({k: getattr(person, k) for k in PERSON_FIELDS + DETECTION_FIELDS + QUALITY_FIELDS},
                        reproj_px=for_json(person.reproj_px)) for person in result.people],
    })
    files.write_json(stem + '.json', data)


def write_npz(stem, result, faces, body=None):
    """The first person's arrays under the names NAME.npz always had; every person's, stacked, as
    people_<name>."""
    first = result.people[0]
    arrays = {k: np.asarray(getattr(first, k)) for k in PERSON_FIELDS if k != 'proc_param'}
    arrays.update(verts=first.verts, faces=np.asarray(faces),
                  image_size=np.array([result.image.shape[1], result.image.shape[0]]))
    for key in PERSON_FIELDS[:-1] + ('verts', 'bbox', 'score') + QUALITY_FIELDS:
        arrays['people_' + key] = np.stack([np.asarray(getattr(person, key)) for person in result.people])
    arrays['people_source'] = np.array([person.source for person in result.people])
    files.write_npz(stem + '.npz', arrays)


def write_obj(stem, result, faces, body=None):
    camera = np.round(result.people[0].camera_original, 4).tolist()
    header = ['HMR mesh of %s' % os.path.basename(result.path),
              'camera frame of the original image: x right, y down, z away from the camera;',
              'pixel = f * (x / z, y / z) + (cx, cy) with [f, cx, cy] = %s' % camera]
    if len(result.people) > 1:
        header.append('one object per person, in the order of the people of %s.json' % os.path.basename(stem))
    files.write_obj(stem + '.obj', [person.verts for person in result.people], faces, header)


def write_ply(stem, result, faces, body=None):
    """Every person's mesh, as in NAME.obj (the image's camera frame, the people in its order), as one
    binary little-endian PLY (trimesh's writer: float32 vertices, int32 faces)."""
    import trimesh
    from ..util.renderer import stack_meshes
    verts, all_faces = stack_meshes([person.verts for person in result.people], faces)
    mesh = trimesh.Trimesh(verts, all_faces, process=False)
    files.write_bytes(stem + '.ply', trimesh.exchange.ply.export_ply(mesh, encoding='binary'))


def _write_animation(stem, result, body, fmt, fps=1.):
    """One-frame `fmt` (bvh or glb) per person: their shape, pose and translation in the image's camera."""
    from ..export.tracks import write_track
    from ..world.gltf_camera import camera_beside
    size = (result.image.shape[1], result.image.shape[0])
    for index, person in enumerate(result.people):
        person_stem = stem + person_suffix(index)
        write_track(person_stem, body, person.shape, person.pose[None], person.translation[None], fps, [fmt])
        camera_beside(person_stem, [fmt], person.camera_original, size)


def write_bvh(stem, result, faces, body):
    _write_animation(stem, result, body, 'bvh')


def write_glb(stem, result, faces, body):
    _write_animation(stem, result, body, 'glb')


def write_figure(renderer, stem, result, faces):
    from .figure import six_panel_figure
    figure = six_panel_figure(result.image, [person.verts for person in result.people], faces,
                              result.people[0].camera_original,
                              [person.joints2d_original for person in result.people], renderer)
    files.write_png(stem + '.png', figure, compress_level=1)
