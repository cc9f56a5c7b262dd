"""What the demo is given is never lost or mistaken: an output never replaces an input (the image, the
--json_path), and a path that exists is that file even with glob characters in its name (issue 22,
items 2 and 8)."""
import json
import os

import pytest

import demo
from src.compat import tf
from src.demo.sources import is_video_path, list_images, refuse_overwriting_inputs
from src.errors import HMRError
from tests.test_demo import sample_image


def demo_main(synthetic_models, *args):
    smpl, ckpt = synthetic_models
    with tf.Graph().as_default():
        return demo.main(['demo', '--load_path', ckpt, '--smpl_model_path', smpl, '--detector', 'none'] + list(args))


def read_bytes(path):
    with open(str(path), 'rb') as f:
        return f.read()


@pytest.mark.parametrize('args, outputs', [([], 'figure,json'), (['--json_path', 'photo.json'], 'json')])
def test_out_dir_that_is_the_inputs_folder_is_refused_before_writing(tmp_path, synthetic_models, capsys, args,
                                                                      outputs):
    image = str(tmp_path / 'photo.png')
    sample_image(image, size=(60, 80))
    openpose = {'version': 1.2, 'people': [{'pose_keypoints_2d': [30., 40., .9] * 18}]}
    (tmp_path / 'photo.json').write_text(json.dumps(openpose))
    before = {name: read_bytes(tmp_path / name) for name in ('photo.png', 'photo.json')}
    args = [str(tmp_path / a) if a.endswith('.json') else a for a in args]
    code = demo_main(synthetic_models, '--img_path', image, '--out_dir', str(tmp_path), '--outputs', outputs, *args)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith('error: ') and 'would overwrite this input; choose another --out_dir' in err[0]
    assert sorted(os.listdir(str(tmp_path))) == ['photo.json', 'photo.png']
    assert {name: read_bytes(tmp_path / name) for name in before} == before


def test_outputs_beside_inputs_are_allowed_when_no_name_meets_an_input(tmp_path):
    paths = [str(tmp_path / 'a.png'), str(tmp_path / 'b.jpg')]
    refuse_overwriting_inputs(paths, str(tmp_path), ['a', 'b'], ['json', 'obj', 'npz'])
    with pytest.raises(HMRError, match=r'b\.jpg: an output \(b\.jpg\) would overwrite'):
        refuse_overwriting_inputs(paths, str(tmp_path), ['a', 'b'], ['json', 'jpg'])
    # A second person's outputs are NAME_person<i>.*: an input of that name is protected too.
    with pytest.raises(HMRError, match=r'a_person2\.json: an output'):
        refuse_overwriting_inputs(paths + [str(tmp_path / 'a_person2.json')], str(tmp_path), ['a'], ['json'])
    refuse_overwriting_inputs(paths + [str(tmp_path / 'a_personal.json')], str(tmp_path), ['a'], ['json'])


def test_a_path_that_exists_is_that_file_even_with_glob_characters(tmp_path):
    for name in ('photo[1].png', 'photo1.png', 'clip [1].mp4'):
        (tmp_path / name).write_bytes(b'')
    assert list_images(str(tmp_path / 'photo[1].png')) == [str(tmp_path / 'photo[1].png')]
    assert list_images(str(tmp_path / 'photo[0-9].png')) == [str(tmp_path / 'photo1.png')]
    assert is_video_path(str(tmp_path / 'clip [1].mp4'))
    assert not is_video_path(str(tmp_path / 'clip [0-9].mp4'))
