"""The released demo's six-panel figure (input, joints, overlay, mesh, two turned views), composed with
OpenCV instead of matplotlib: the same 2 x 3 layout at 1200 x 800 pixels, panels drawn at the size
they are shown, so three views of the mesh at panel resolution make the whole figure.
"""
import cv2
import numpy as np

from ..util import renderer as vis_util

FIGURE_SIZE = (1200, 800)  # width, height: the released figsize (12, 8) at 100 dpi
COLUMNS, ROWS = 3, 2
TITLE_HEIGHT = 30
MARGIN = 8
TITLES = ['input', 'joint projection', '3D Mesh overlay', '3D mesh', 'diff vp', 'diff vp']
TURNS = (60, -60)
WHITE = 255


def _panel_scale(image_shape):
    """The factor that fits an image into one panel (shrinking or enlarging)."""
    cell_w = FIGURE_SIZE[0] // COLUMNS - 2 * MARGIN
    cell_h = FIGURE_SIZE[1] // ROWS - TITLE_HEIGHT - MARGIN
    return min(cell_w / float(image_shape[1]), cell_h / float(image_shape[0]))


def _scaled_pixels(points, factor):
    """Pixel coordinates (centres at integers) after resizing the image by `factor`."""
    return (np.asarray(points, np.float64) + .5) * factor - .5


def panels(image, meshes, faces, camera, joints, renderer):
    """The six panels (uint8 RGB, all one size) for `meshes` (one V x 3 array per person, in the frame
    of `camera` [f, cx, cy]) and their 2D `joints` in the original image."""
    factor = _panel_scale(image.shape)
    size = (max(1, int(round(image.shape[1] * factor))), max(1, int(round(image.shape[0] * factor))))
    shown = cv2.resize(image, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    cam = np.hstack([camera[0] * factor, _scaled_pixels(camera[1:], factor)])
    skeleton = shown
    for person_joints in joints:
        skeleton = vis_util.draw_skeleton(skeleton, _scaled_pixels(person_joints, factor))
    verts, all_faces = vis_util.stack_meshes(meshes, faces)
    (mesh, mask), (left, _), (right, _) = renderer.render_views(verts, cam, shown.shape, (0,) + TURNS, all_faces,
                                                                    frame_turned=True)
    overlay = np.where(mask[:, :, None], mesh, shown)
    return [shown, skeleton, overlay, mesh, left, right]


def compose(panel_images, titles=TITLES):
    """Panels in the released 2 x 3 grid with their titles above, on a white FIGURE_SIZE canvas."""
    width, height = FIGURE_SIZE
    canvas = np.full((height, width, 3), WHITE, np.uint8)
    cell_w, cell_h = width // COLUMNS, height // ROWS
    for i, (panel, title) in enumerate(zip(panel_images, titles)):
        left, top = (i % COLUMNS) * cell_w, (i // COLUMNS) * cell_h
        (text_w, text_h), _ = cv2.getTextSize(title, cv2.FONT_HERSHEY_SIMPLEX, .6, 1)
        cv2.putText(canvas, title, (left + (cell_w - text_w) // 2, top + (TITLE_HEIGHT + text_h) // 2),
                    cv2.FONT_HERSHEY_SIMPLEX, .6, (0, 0, 0), 1, cv2.LINE_AA)
        h, w = panel.shape[:2]
        x = left + (cell_w - w) // 2
        y = top + TITLE_HEIGHT + (cell_h - TITLE_HEIGHT - MARGIN - h) // 2
        canvas[y:y + h, x:x + w] = panel[:, :, :3]
    return canvas


def six_panel_figure(image, meshes, faces, camera, joints, renderer):
    """The whole figure as one uint8 RGB image."""
    return compose(panels(image, meshes, faces, camera, joints, renderer))
