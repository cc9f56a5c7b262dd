"""Write a sample image the project may ship: scikit-image's astronaut (a NASA photograph, public
domain). usage: python -m src.samples.sample_images OUT.png"""
import argparse

from skimage import data

from ..util.files import write_png

if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', metavar='OUT.png', help='where to write the photograph')
    write_png(parser.parse_args().out, data.astronaut())
