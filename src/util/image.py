"""Image preprocessing of the released demo: scale the person to ~150 px, then crop around a centre."""
import cv2
import numpy as np


def resize_img(img, scale_factor):
    """Resize by `scale_factor` (sizes floored, bilinear); also return the exact [y, x] factors used."""
    new_size = np.floor(np.array(img.shape[0:2]) * scale_factor).astype(int)
    new_img = cv2.resize(img, (int(new_size[1]), int(new_size[0])))
    actual_factor = [new_size[0] / float(img.shape[0]), new_size[1] / float(img.shape[1])]
    return new_img, actual_factor


def scale_and_crop(image, scale, center, img_size):
    """Scale `image` (H x W x 3) by `scale`, then cut an img_size square around `center` ([x, y] pixels
    of the unscaled image), padding with edge pixels where the square leaves the image.

    Returns the crop and proc_param {'scale', 'start_pt', 'end_pt', 'img_size'}, which map results
    back to the original image (see renderer.get_original).
    """
    image_scaled, scale_factors = resize_img(image, scale)
    scale_factors = [scale_factors[1], scale_factors[0]]  # [x, y]
    center_scaled = np.round(np.asarray(center) * scale_factors).astype(int)

    margin = int(img_size / 2)
    image_pad = np.pad(image_scaled, ((margin, ), (margin, ), (0, )), mode='edge')
    center_pad = center_scaled + margin
    start_pt = center_pad - margin
    end_pt = center_pad + margin
    crop = image_pad[start_pt[1]:end_pt[1], start_pt[0]:end_pt[0], :]
    proc_param = {'scale': scale, 'start_pt': start_pt, 'end_pt': end_pt, 'img_size': img_size}
    return crop, proc_param
