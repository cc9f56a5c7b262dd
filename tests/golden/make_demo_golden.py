"""Writes the demo's recorded predictions and its golden files (tests/test_demo_golden.py).

    python -m tests.golden.make_demo_golden record PHOTO OPENPOSE_JSON CLIP
        runs the synthetic model (seed 0) over PHOTO's OpenPose people and frames 20-27 of CLIP
        (the sample clip, people found by the HOG detector) and records what the model gave and who
        was found: tests/golden/demo_predictions.npz. Run once; the network's numbers depend on the CPU.
    python -m tests.golden.make_demo_golden golden
        replays them through the demo's writers (tests/demo_replay.py) and records the sha256 of every
        data file and the drawn pictures (downsampled) as the golden answers, and (modern runtime) the
        data files themselves, for CPUs that round differently. Run with the code whose
        files are to be kept, on each runtime (the hashes are per runtime: NumPy's NPZ bytes differ).
"""
import json
import os
import sys
import tempfile

import numpy as np

from tests import demo_replay

# The clip's frames recorded: the follower sees two people in two of them.
VIDEO_FRAMES = (20, 28)


def _config(smpl_path, ckpt):
    from src import config as hmr_config
    hmr_config.get_config(['record', '--smpl_model_path=%s' % smpl_path, '--batch_size=1'])
    hmr_config.FLAGS.load_path = ckpt
    return hmr_config.FLAGS


def record(photo, openpose_json, clip):
    from src.samples import synthetic_model
    from src.demo.people import PeopleFinder
    from src.detectors import make_detector, make_follower
    from src.demo.people import from_openpose
    from src.RunModel import RunModel
    from src.util.image import crop_for_model, read_image
    from src.video.io import VideoReader
    smpl_path, ckpt = synthetic_model.write_synthetic_models(tempfile.mkdtemp())
    config = _config(smpl_path, ckpt)
    model = RunModel(config)
    arrays = {}

    def predict(image, people):
        rows = []
        for person in people:
            crop, _ = crop_for_model(image, person.scale, person.center, model.img_size)
            result = model.predict_dict(crop[None].astype(np.float32))
            rows.append({key: result[key][0] for key in demo_replay.PREDICTION_KEYS})
        return rows

    image = read_image(photo)
    people = from_openpose(openpose_json)
    image_rows = predict(image, people)
    video_people, video_rows, counts = [], [], []
    reader = VideoReader(clip, *VIDEO_FRAMES)
    find_people = PeopleFinder(model.img_size, 10, detector=make_follower(make_detector('hog')))
    for index, frame in reader:
        found = find_people(frame, 'frame %d' % index)
        video_people += found
        video_rows += predict(frame, found)
        counts.append(len(found))
    for prefix, found, rows, shape in (('image_', people, image_rows, image.shape),
                                       ('video_', video_people, video_rows, frame.shape)):
        recorded = demo_replay.record_people(found)
        for i, keypoints in enumerate(recorded.pop('keypoints')):
            arrays['%skeypoints%d' % (prefix, i)] = keypoints
        arrays.update({prefix + key: value for key, value in recorded.items()})
        arrays.update({prefix + key: np.stack([row[key] for row in rows]) for key in demo_replay.PREDICTION_KEYS})
        arrays[prefix + 'frame_shape'] = np.array(shape[:2])
    arrays['video_people_per_frame'] = np.array(counts)
    np.savez_compressed(demo_replay.PREDICTIONS, **arrays)
    print('recorded %d + %d people in %s' % (len(people), len(video_people), demo_replay.PREDICTIONS))


def golden():
    from src.samples import synthetic_model
    from tests.runtimes import current_runtime
    work = tempfile.mkdtemp()
    smpl_path = os.path.join(work, 'smpl.pkl')
    synthetic_model.write_synthetic_smpl(smpl_path, 0)
    written = demo_replay.replay(os.path.join(work, 'out'), smpl_path)
    goldens = {}
    if os.path.exists(demo_replay.GOLDEN):
        with open(demo_replay.GOLDEN) as f:
            goldens = json.load(f)
    goldens[current_runtime()] = written.digests()
    with open(demo_replay.GOLDEN, 'w') as f:
        json.dump(goldens, f, indent=1, sort_keys=True)
        f.write('\n')
    pictures = written.pictures()
    np.savez_compressed(demo_replay.GOLDEN_PICTURES, **pictures)
    if current_runtime() == 'modern':
        from tests.test_demo_golden import key
        np.savez_compressed(demo_replay.GOLDEN_FILES, **{key(name): np.frombuffer(content, np.uint8)
                                                         for name, content in written.contents().items()})
    print('golden hashes of %d files for %s, pictures %s' % (len(goldens[current_runtime()]), current_runtime(),
                                                              sorted(pictures)))


if __name__ == '__main__':
    if sys.argv[1:2] == ['record'] and len(sys.argv) == 5:
        record(*sys.argv[2:])
    elif sys.argv[1:] == ['golden']:
        golden()
    else:
        sys.exit(__doc__)
