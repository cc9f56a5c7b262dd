"""Stand-ins for what the tests, `make bench` and the demo's examples cannot ship: a synthetic SMPL model
and checkpoint (`synthetic_model`), tiny training TFRecords (`synthetic_datasets`), photos with known
person boxes (`photo_set`), a video clip of people with known boxes (`sample_clip`) and the demo's
sample photograph (`sample_images`).

The product code never imports this package. Nothing here reads outside the repository: photos come
from scikit-image's bundled data, and a folder of further photos is an argument."""
