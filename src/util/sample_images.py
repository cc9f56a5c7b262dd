"""Write a sample image the project may ship: scikit-image's astronaut (a NASA photograph, public
domain). usage: python -m src.util.sample_images OUT.png"""
import sys

from skimage import data

from .files import write_png

if __name__ == '__main__':
    write_png(sys.argv[1], data.astronaut())
