"""Synthetic stand-ins for the licensed model files, so the tests, `make bench` and `make demo-smoke` run
on a fresh clone.

- `write_synthetic_smpl`: a body model in the released SMPL pickle layout (same keys and shapes;
  chumpy-style objects, SciPy sparse regressors, Python 2 flavoured protocol-2 pickle). The body is a
  stick figure of tubes, one per SMPL joint, so it poses, skins and renders like a person.
- `write_mean_params`: the mean-parameter HDF5 file (`pose` 72, `shape` 10).
- `write_seeded_checkpoint`: an HMR inference checkpoint in the released variable layout.

Command line: `python -m src.samples.synthetic_model OUT_DIR [SEED]` writes all three under the released names.
"""
import argparse
import contextlib
import copyreg
import os
import pickle
import sys
import types

import numpy as np
import scipy.sparse as sp

# The project's modules are imported inside the functions that need them: the training golden script
# (tests/golden/make_training_golden.py) loads this file on its own, beside the released `src` package.

NUM_VERTS, NUM_FACES, NUM_JOINTS = 6890, 13776, 24
SMPL_PARENTS = [-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]
# Rest-pose joint positions (metres; y up, the body faces +z), roughly an adult in a T-pose.
SMPL_REST_JOINTS = np.array([
    [0, 0, 0], [.09, -.08, 0], [-.09, -.08, 0], [0, .11, -.02], [.11, -.48, 0], [-.11, -.48, 0],
    [0, .24, 0], [.11, -.88, -.03], [-.11, -.88, -.03], [0, .3, .02], [.12, -.94, .1], [-.12, -.94, .1],
    [0, .5, -.01], [.08, .42, -.01], [-.08, .42, -.01], [0, .6, .04], [.19, .44, -.02], [-.19, .44, -.02],
    [.45, .43, -.03], [-.45, .43, -.03], [.7, .44, -.03], [-.7, .44, -.03], [.79, .43, -.04],
    [-.79, .43, -.04]])
# COCO+ 19 keypoints (14 LSP joints, nose, eyes, ears) as SMPL joints; head top and face points are
# taken on the head tube instead (see _cocoplus_regressor).
LSP_AS_SMPL_JOINT = [8, 5, 2, 1, 4, 7, 21, 19, 17, 16, 18, 20, 12]
RINGS, RING_VERTS = 7, 41
TUBE_VERTS = RINGS * RING_VERTS
TUBE_FACES = 2 * (RINGS - 1) * RING_VERTS + 2 * (RING_VERTS - 2)
# Leaves point this far beyond their joint (direction from the parent).
LEAF_LENGTH = .1
# Tube radius of each joint's segment (metres): a torso, limbs thinning towards hands and feet.
TUBE_RADIUS = np.array([.13, .08, .08, .12, .055, .055, .12, .045, .045, .13, .04, .04,
                        .06, .06, .06, .09, .05, .05, .04, .04, .035, .035, .03, .03])


def _stand_in_class(module, name):
    """A class that pickles as `module.name` (NEWOBJ, then BUILD with its `pickled_state`).

    This writes the released file's globals (chumpy.ch.Ch, scipy.sparse.csc.csc_matrix) whatever
    chumpy and SciPy this Python has, or without chumpy at all.
    """
    def reduce_ex(self, protocol):
        return (copyreg.__newobj__, (type(self),), self.pickled_state)
    return type(name, (object,), {'__module__': module, '__reduce_ex__': reduce_ex})


_CHUMPY_CH = _stand_in_class('chumpy.ch', 'Ch')
_SCIPY_CSC = _stand_in_class('scipy.sparse.csc', 'csc_matrix')


def _stand_in(cls, state):
    obj = cls()
    obj.pickled_state = state
    return obj


def _chumpy_array(array):
    return _stand_in(_CHUMPY_CH, {'_dirty_vars': set(['x']), '_itr': None, '_make_dense': False,
                                  '_make_sparse': False, '_depends_on_deps': {}, 'x': np.asarray(array)})


def _csc_matrix(dense):
    m = sp.csc_matrix(dense)
    return _stand_in(_SCIPY_CSC, {'_shape': m.shape, 'maxprint': 50, 'data': m.data, 'indices': m.indices,
                                  'indptr': m.indptr})


@contextlib.contextmanager
def _modules_posing_as(classes):
    """While pickling, let sys.modules find each stand-in class under the name it poses as."""
    names = set(c.__module__ for c in classes) | set(c.__module__.rsplit('.', 1)[0] for c in classes)
    saved = {name: sys.modules.get(name) for name in names}
    for name in names:
        sys.modules[name] = types.ModuleType(name)
    for cls in classes:
        setattr(sys.modules[cls.__module__], cls.__name__, cls)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


def _tube_axes(joints):
    """Start, end and two unit normals of the tube of each joint (joint -> first child, or onwards)."""
    starts, ends = joints.copy(), np.zeros_like(joints)
    for j in range(NUM_JOINTS):
        children = [c for c in range(NUM_JOINTS) if SMPL_PARENTS[c] == j]
        if children:
            ends[j] = joints[children[0]]
        else:
            away = joints[j] - joints[SMPL_PARENTS[j]]
            ends[j] = joints[j] + LEAF_LENGTH * away / np.linalg.norm(away)
    axes = ends - starts
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    helper = np.where(np.abs(axes[:, 2:3]) < .9, [[0, 0, 1.]], [[1., 0, 0]])
    n1 = np.cross(axes, helper)
    n1 /= np.linalg.norm(n1, axis=1, keepdims=True)
    return starts, ends, n1, np.cross(axes, n1)


def _tube_mesh(joints):
    """Vertices (24 tubes + 2 spare points to reach SMPL's count) and faces (sides + capped ends)."""
    starts, ends, n1, n2 = _tube_axes(joints)
    t = np.linspace(0, 1, RINGS)[:, None, None]
    phi = np.linspace(0, 2 * np.pi, RING_VERTS, endpoint=False)[None, :, None]
    verts, faces = [], []
    for j in range(NUM_JOINTS):
        centre = starts[j] + t * (ends[j] - starts[j])
        ring = TUBE_RADIUS[j] * (np.cos(phi) * n1[j] + np.sin(phi) * n2[j])
        verts.append((centre + ring).reshape(-1, 3))
        base = j * TUBE_VERTS
        for r in range(RINGS - 1):
            for k in range(RING_VERTS):
                a, b = base + r * RING_VERTS + k, base + r * RING_VERTS + (k + 1) % RING_VERTS
                faces += [[a, b, a + RING_VERTS], [b, b + RING_VERTS, a + RING_VERTS]]
        for r, flip in ((0, True), (RINGS - 1, False)):
            first = base + r * RING_VERTS
            for k in range(1, RING_VERTS - 1):
                tri = [first, first + k + 1, first + k]
                faces.append(tri[::-1] if flip else tri)
    spare = [joints[15] + [0, .12, 0], joints[0]]
    verts = np.vstack(verts + [spare])
    # Zero-area triangles on the spare points bring the face count to SMPL's.
    padding = [[NUM_VERTS - 2, NUM_VERTS - 1, NUM_VERTS - 2]] * (NUM_FACES - len(faces))
    return verts, np.asarray(faces + padding, dtype=np.uint32)


def _skinning_weights():
    """Each tube follows its joint, blending towards the parent near the joint end."""
    weights = np.zeros((NUM_VERTS, NUM_JOINTS))
    along = np.repeat(np.linspace(0, 1, RINGS), RING_VERTS)
    for j in range(NUM_JOINTS):
        rows = slice(j * TUBE_VERTS, (j + 1) * TUBE_VERTS)
        if j == 0:
            weights[rows, 0] = 1
        else:
            weights[rows, j] = .7 + .3 * along
            weights[rows, SMPL_PARENTS[j]] = .3 - .3 * along
    weights[NUM_VERTS - 2:, [15, 0]] = np.eye(2)
    return weights


def _ring_mean(joint, ring):
    """A regressor row averaging one ring of a joint's tube: the ring's centre."""
    row = np.zeros(NUM_VERTS)
    start = joint * TUBE_VERTS + ring * RING_VERTS
    row[start:start + RING_VERTS] = 1. / RING_VERTS
    return row


def _cocoplus_regressor():
    rows = [_ring_mean(j, 0) for j in LSP_AS_SMPL_JOINT]
    head_top = np.zeros(NUM_VERTS)
    head_top[NUM_VERTS - 2] = 1
    rows.append(head_top)
    head = 15 * TUBE_VERTS + 3 * RING_VERTS
    face_points = [0, 4, -4, 9, -9]  # nose, left eye, right eye, left ear, right ear (ring offsets)
    for k in face_points:
        row = np.zeros(NUM_VERTS)
        row[head + k % RING_VERTS] = 1
        rows.append(row)
    return np.asarray(rows)


def synthetic_smpl(seed=0):
    """The model dict (plain arrays) that `write_synthetic_smpl` pickles."""
    rng = np.random.RandomState(seed)
    joints = SMPL_REST_JOINTS + rng.randn(NUM_JOINTS, 3) * .003
    v_template, faces = _tube_mesh(joints)
    # Ten smooth shape directions: stature, girth, and random low-frequency bends.
    shapedirs = np.zeros((NUM_VERTS, 3, 10))
    shapedirs[:, 1, 0] = .05 * v_template[:, 1]
    shapedirs[:, [0, 2], 1] = .05 * v_template[:, [0, 2]]
    waves = np.sin(v_template.dot(rng.randn(3, 8)) * 3 + rng.rand(8) * 6)
    shapedirs[:, :, 2:] = .01 * waves[:, None, :] * rng.randn(1, 3, 8)
    j_regressor = np.asarray([_ring_mean(j, 0) for j in range(NUM_JOINTS)])
    return {
        'v_template': v_template,
        'shapedirs': shapedirs,
        'posedirs': rng.randn(NUM_VERTS, 3, 9 * (NUM_JOINTS - 1)) * 1e-3,
        'J_regressor': j_regressor,
        'J': j_regressor.dot(v_template),
        'weights': _skinning_weights(),
        'kintree_table': np.vstack([np.asarray(SMPL_PARENTS) % 2 ** 32, np.arange(NUM_JOINTS)]).astype(np.int64),
        'f': faces,
        'cocoplus_regressor': _cocoplus_regressor(),
        'bs_type': 'lrotmin',
        'bs_style': 'lbs',
    }


def write_synthetic_smpl(path, seed=0, chumpy_style=True):
    """Pickle `synthetic_smpl(seed)` as the released file is laid out; returns the plain dict."""
    model = synthetic_smpl(seed)
    stored = dict(model)
    for key in ['J_regressor', 'cocoplus_regressor']:
        stored[key] = _csc_matrix(model[key])
    if chumpy_style:
        for key in ['v_template', 'shapedirs', 'posedirs', 'weights', 'J']:
            stored[key] = _chumpy_array(model[key])
    with open(path, 'wb') as f, _modules_posing_as([_CHUMPY_CH, _SCIPY_CSC]):
        pickle.dump(stored, f, protocol=2)
    return model


def write_mean_params(path, seed=0):
    """The mean-parameter HDF5 file: `pose` (72) and `shape` (10)."""
    import h5py
    rng = np.random.RandomState(seed + 1)
    with h5py.File(path, 'w') as h:
        h['pose'] = rng.randn(72) * .1
        h['shape'] = rng.randn(10) * .1


def write_seeded_checkpoint(smpl_path, out_prefix, seed=0):
    """An HMR inference checkpoint: seeded initial weights, mean theta with scale .9 and the root
    turned by pi about x (upright in the image), as the released trainer starts."""
    from ..compat import tf
    from ..config import NUM_THETA
    from ..models import get_encoder_fn_separate
    from ..tf_smpl.batch_smpl import SMPL

    rng = np.random.RandomState(seed + 2)
    mean = np.zeros((1, NUM_THETA), np.float32)
    mean[0, 0], mean[0, 3] = .9, np.pi
    mean[0, 6:] = rng.randn(NUM_THETA - 6) * .05
    with tf.Graph().as_default() as graph:
        tf.set_random_seed(seed)
        SMPL(smpl_path)
        mean_var = tf.Variable(mean, name='mean_param')
        images = tf.constant(np.clip(rng.randn(2, 224, 224, 3) * .5, -1, 1), tf.float32)
        image_fn, regressor_fn = get_encoder_fn_separate('resnet_fc3_dropout')
        feature, _ = image_fn(images, is_training=False)
        regressor_fn(tf.concat([feature, tf.tile(mean_var, [2, 1])], 1), num_output=NUM_THETA, is_training=False)
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            # Untrained batch-norm statistics let features grow through 50 layers; rescale the last
            # norm (ReLU and pooling follow, both scale-equivariant) so features are O(1) and the
            # predicted bodies stay near the mean, as a trained model's do.
            feature_std = sess.run(feature).std()
            for name in ['resnet_v2_50/postnorm/gamma', 'resnet_v2_50/postnorm/beta']:
                variable = tf.global_variables(name)[0]
                sess.run(variable.assign(variable / feature_std))
            return tf.train.Saver().save(sess, out_prefix, write_meta_graph=False)


def write_synthetic_models(out_dir, seed=0):
    """All three files under the released names; returns (smpl path, checkpoint prefix)."""
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    smpl_path = os.path.join(out_dir, 'neutral_smpl_with_cocoplus_reg.pkl')
    write_synthetic_smpl(smpl_path, seed)
    write_mean_params(os.path.join(out_dir, 'neutral_smpl_mean_params.h5'), seed)
    prefix = write_seeded_checkpoint(smpl_path, os.path.join(out_dir, 'model.ckpt-0'), seed)
    return smpl_path, prefix


def main(argv=None):
    from ..errors import HMRError
    parser = argparse.ArgumentParser(prog='python -m src.samples.synthetic_model',
                                     description='Write the synthetic SMPL model, its mean parameters and a '
                                                 'seeded HMR checkpoint into OUT_DIR.')
    parser.add_argument('out_dir', metavar='OUT_DIR')
    parser.add_argument('seed', metavar='SEED', nargs='?', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        print('wrote %s, %s' % write_synthetic_models(args.out_dir, args.seed))
    except (IOError, OSError) as e:
        raise HMRError('cannot write the synthetic models to %s (%s)' % (args.out_dir, e))


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main))
