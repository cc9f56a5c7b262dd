"""The released renderer's three point lights (camera frame, y down, z forward), shared by the backends,
and the shading they give: opendr's per-vertex Lambertian lighting, which the released renderer
interpolates across each face.

The released code turns the light rig by 120 degrees about y before placing it.
"""
import numpy as np


def _turned_about_y(point, degrees=120):
    a = np.radians(degrees)
    turn = np.array([[np.cos(a), 0., np.sin(a)], [0., 1., 0.], [-np.sin(a), 0., np.cos(a)]])
    return np.dot(point, turn)


# (position, intensity): back light, left light, dimmer right light.
LIGHTS = [
    (_turned_about_y(np.array([-200., -100., -100.])), 1.),
    (_turned_about_y(np.array([800., 10., 300.])), 1.),
    (_turned_about_y(np.array([-500., 500., 1000.])), .7),
]


def _unit_rows(vectors):
    """Rows scaled to length 1; zero rows (a vertex no face uses) stay zero."""
    length = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(length > 0, length, 1.)


def vertex_normals(verts, faces):
    """opendr's VertNormals: at each vertex, the sum of its faces' area-weighted normals
    ((v1 - v0) x (v2 - v0)), made unit length."""
    corners = verts[faces]
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    corner_vertices = faces.ravel()
    normals = np.stack([np.bincount(corner_vertices, np.repeat(face_normals[:, axis], 3), minlength=len(verts))
                        for axis in range(3)], axis=1)
    return _unit_rows(normals)


def lambertian_colors(verts, faces, albedo):
    """V x 3 vertex colours under LIGHTS as opendr's LambertianPointLight gives them, summed over the
    lights: albedo * intensity * max(0, n . unit(light - v)), no fall-off with distance, not clipped."""
    verts = np.asarray(verts, np.float64)
    normals = vertex_normals(verts, np.asarray(faces))
    shade = np.zeros(len(verts))
    for position, intensity in LIGHTS:
        shade += intensity * np.maximum(np.sum(_unit_rows(position - verts) * normals, axis=1), 0.)
    return shade[:, None] * np.asarray(albedo, np.float64)
