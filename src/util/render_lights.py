"""The released renderer's three point lights (camera frame, y down, z forward), shared by the backends.

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
