"""`python -m src.export` (console script `hmr-export`): re-export a motion NPZ without running the
network, on a rig preset (--rig) or retargeted onto the user's character (--character)."""
import argparse
import os
import sys

from ..errors import HMRError
from .rigs import RIGS
from .tracks import FORMATS

DEFAULT_SMPL_MODEL = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                  'models', 'neutral_smpl_with_cocoplus_reg.pkl')


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise HMRError(message)


def parser():
    p = _Parser(prog='python -m src.export', description=__doc__.split('\n\n')[0])
    p.add_argument('--motion', required=True, help='the demo\'s video or image NPZ, or an AMASS-style motion NPZ')
    p.add_argument('--out_dir', required=True, help='folder of the outputs: <motion>_track<ID>[_<character>].<ext>')
    p.add_argument('--track', type=int, action='append', default=[], help='track ID to export (repeatable; '
                                                                           'default: every track)')
    p.add_argument('--outputs', default='bvh,glb', help='comma-separated formats from %s' % ','.join(FORMATS))
    p.add_argument('--rig', default='smpl', help='skeleton preset without --character: %s' % ' or '.join(RIGS))
    p.add_argument('--character', help='the character to retarget onto: .fbx, .glb/.gltf (need Blender) or .bvh')
    p.add_argument('--bone_map', help='JSON {"standard bone": "your bone"} for names not recognised')
    p.add_argument('--fps', type=float, help='frame rate of the output (default: the motion\'s own)')
    p.add_argument('--smpl_model', default=DEFAULT_SMPL_MODEL, help='the SMPL model pickle')
    p.add_argument('--world', action='store_true', help='for a static camera: find the floor from the feet\'s '
                   'contacts and write the motion in a Y-up world frame, floor at y = 0, feet planted (docs/world.md)')
    p.add_argument('--no_foot_lock', action='store_true', help='with --world: leave the feet as the motion has them')
    return p


def _formats(text):
    names = [n.strip() for n in text.split(',') if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise HMRError('--outputs takes names from %s, got %r' % (','.join(FORMATS), text))
    return tuple(sorted(set(names), key=names.index))


def run(argv):
    from ..body_model import BodyModel
    from .character import read_character
    from .motion_file import motion_stem, read_motion, select_tracks
    from .retarget import read_bone_map
    from .tracks import fit_betas, in_camera_frame, write_track
    args = parser().parse_args(argv)
    formats = _formats(args.outputs)
    if args.rig not in RIGS:
        raise HMRError('--rig must be one of %s, not %r' % (', '.join(RIGS), args.rig))
    if args.fps is not None and not args.fps > 0:
        raise HMRError('--fps must be positive, not %r' % args.fps)
    tracks = select_tracks(read_motion(args.motion), args.track, args.motion)
    if not os.path.isfile(args.smpl_model):
        raise HMRError('%s: no SMPL model (make models, or --smpl_model)' % args.smpl_model)
    body = BodyModel.from_pickle(args.smpl_model)
    if 'fbx' in formats and args.character is None:
        from .blender import require_blender
        require_blender('FBX output')
    character = read_character(args.character, read_bone_map(args.bone_map)) if args.character else None
    stem = os.path.join(args.out_dir, motion_stem(args.motion))
    # Every track checked before the first file is written.
    prepared = []
    for track in tracks:
        betas = fit_betas(track.betas, body)
        prepared.append((track, betas) + tuple(in_camera_frame(body, betas, track.poses, track.trans, track.frame)))
    worlds = in_world_frame(body, prepared, not args.no_foot_lock) if args.world else {}
    camera = demo_camera(args.motion) if args.world else None
    for track, betas, poses, trans in prepared:
        track_stem = '%s_track%d' % (stem, track.id)
        if args.world:
            from ..world.frame import export_inputs
            motion = worlds[track.id]
            poses, trans = export_inputs(motion.poses, motion.trans, body.rest(betas)[1][0])
        write_track(track_stem, body, betas, poses, trans, args.fps or track.fps, formats, args.rig, character)
        print('wrote track %d (%d frames) of %s' % (track.id, len(poses), args.motion))
        if args.world:
            if camera is not None:
                write_world_camera(track_stem, formats, camera, worlds[track.id])
            print('track %d in the world frame: foot skate %.1f -> %.1f mm per frame of contact'
                  % (track.id, worlds[track.id].skate_before_mm, worlds[track.id].skate_after_mm))
    return 0


def in_world_frame(body, prepared, lock_feet):
    """{track id: WorldMotion}: the floor found from the longest track, shared by the others (one static
    camera), each track's feet planted unless `lock_feet` is False. Before any file is written."""
    from ..world.frame import world_motion_of_body
    worlds, floor = {}, None
    for track, betas, poses, trans in sorted(prepared, key=lambda p: -len(p[2])):
        worlds[track.id] = world_motion_of_body(body, betas, poses, trans, track.fps, lock_feet, floor)
        floor = worlds[track.id].floor
    return worlds


def demo_camera(motion_path):
    """The demo's camera [f, cx, cy] of a video NPZ (`camera`), or None for a motion without one (AMASS)."""
    import numpy as np
    with np.load(motion_path, allow_pickle=False) as data:
        return np.asarray(data['camera'], np.float64) if 'camera' in data.files else None


def write_world_camera(track_stem, formats, camera, motion):
    """The demo's camera (its principal point at the frame's centre) posed in the world frame, in the GLB
    and beside the BVH."""
    from ..world.gltf_camera import camera_beside
    size = (int(round(2 * camera[1])), int(round(2 * camera[2])))
    camera_beside(track_stem, [f for f in formats if f in ('glb', 'bvh')], camera, size, motion.world_from_camera)


def main(argv=None):
    """Console entry point: one line and a non-zero status for a problem the user can fix."""
    argv = sys.argv[1:] if argv is None else argv
    if '-h' in argv or '--help' in argv:
        parser().print_help()
        return 0
    try:
        return run(argv)
    except HMRError as e:
        print('error: %s' % e, file=sys.stderr)
        return 1
