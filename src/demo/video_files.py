"""The demo's files of one video, one writer each (rows of the table in src/demo/writers.py), from a
VideoResult (src/demo/records.py): NAME.json / NAME.npz (per track), NAME_track<ID>.bvh / .glb and
NAME.mp4, the meshes drawn over the footage. Also the live capture's (src/live/recorder.py)."""
import collections

import numpy as np

from ..export.motion_file import fill_gaps
from ..util import files
from ..world.quality import for_json as reproj_for_json
from ..world.tracks import camera_frame_motion, json_fields as world_json, npz_arrays as world_npz
from .workers import Pictures

# Frames of overlay being drawn ahead of the video writer.
FRAMES_IN_FLIGHT = 8


def write_json(result, context):
    files.write_json(result.stem + '.json', {
        'video': result.source, 'size': list(result.size), 'fps': result.fps, 'frames': result.frame_count,
        'camera': result.camera, 'smoothed': result.smoothed,
        'tracks': [{'id': t.id, 'frames': t.frames, 'poses': t.pose, 'betas': t.shape, 'cams': t.cam,
                    'trans': t.translation, 'bbox': t.bbox, 'score': t.score, 'joints3d': t.joints3d,
                    'joints2d': t.joints2d, 'reproj_px': reproj_for_json(t.reproj_px), 'truncated': t.truncated,
                    'doubtful': t.doubtful}
                   for t in result.tracks],
        'world': world_json(result.world, result.foot_lock) if result.world else None})


def write_npz(result, context):
    arrays = {'track_ids': np.array([t.id for t in result.tracks]), 'camera': result.camera,
              'fps': np.float64(result.fps)}
    for t in result.tracks:
        prefix = 'track%d_' % t.id
        arrays.update({prefix + 'frames': t.frames, prefix + 'poses': t.pose, prefix + 'betas': t.shape,
                       prefix + 'trans': t.translation, prefix + 'cams': t.cam, prefix + 'bbox': t.bbox,
                       prefix + 'score': t.score, prefix + 'reproj_px': t.reproj_px, prefix + 'truncated': t.truncated,
                       prefix + 'doubtful': t.doubtful})
        if t.joints3d is not None:
            arrays.update({prefix + 'joints3d': t.joints3d, prefix + 'joints2d': t.joints2d})
    if result.world:
        arrays.update(world_npz(result.world))
    files.write_npz(result.stem + '.npz', arrays)


def _write_animation(result, context, fmt):
    """Each track as NAME_track<ID>.`fmt`: one key per frame kept (every --every-th), from the track's
    first frame to its last; with --world, the world frame's (locked) motion."""
    from ..export.tracks import write_track
    from ..world.gltf_camera import camera_beside
    for track in result.tracks:
        _, poses, trans = fill_gaps(np.asarray(track.frames) // result.every, track.pose, track.translation)
        world_from_camera = None
        if result.world:  # written as the exporters take it
            from ..world.frame import export_inputs
            motion = result.world[track.id][1]
            poses, trans = export_inputs(motion.poses, motion.trans, context.body.rest(track.shape)[1][0])
            world_from_camera = motion.world_from_camera
        track_stem = '%s_track%d' % (result.stem, track.id)
        write_track(track_stem, context.body, track.shape, poses, trans, result.fps, [fmt])
        camera_beside(track_stem, [fmt], result.camera, result.size, world_from_camera)


def write_bvh(result, context):
    _write_animation(result, context, 'bvh')


def write_glb(result, context):
    _write_animation(result, context, 'glb')


def drawn_motion(result, body):
    """{track id: {frame: (pose, trans)}} drawn over the footage: with --world the locked motion (back
    in the camera frame), else the track's own."""
    drawn = {}
    for track in result.tracks:
        if result.world:
            frames, motion = result.world[track.id]
            poses, trans = camera_frame_motion(motion, body.rest(track.shape)[1][0])
        else:
            frames, poses, trans = track.frames, track.pose, track.translation
        drawn[track.id] = dict(zip(np.asarray(frames).tolist(), zip(poses, trans)))
    return drawn


def write_overlay(result, context):
    """NAME.mp4: every track's mesh drawn over `result.frames`, the doubtful people boxed (--flags)."""
    from tqdm import tqdm
    from ..video.io import VideoWriter
    path = result.stem + '.mp4'
    by_frame = collections.defaultdict(list)
    for track in result.tracks:
        for row, frame in enumerate(track.frames):
            by_frame[int(frame)].append((track, row))
    drawn = drawn_motion(result, context.body)
    pictures = Pictures(context.workers, context.faces, describe=lambda args: '%s: the overlay of a frame' % path)
    pending = collections.deque()
    try:
        with VideoWriter(path, result.video_fps, result.frames.size) as writer, \
                tqdm(total=result.frame_count, desc='HMR pass 2/2: video', unit='frame') as bar:
            for index, frame in result.frames:
                seen = by_frame.get(index, [])
                meshes = [context.body.forward(drawn[track.id][index][0][None], track.shape,
                                               drawn[track.id][index][1][None]).verts[0] for track, _ in seen]
                doubtful = [track.bbox[row] for track, row in seen if result.draw_flags and track.doubtful[row]]
                pending.append(pictures.submit(overlay_frame, frame, meshes, context.faces, result.camera, doubtful))
                while len(pending) > FRAMES_IN_FLIGHT:
                    writer.write(pending.popleft().result())
                    bar.update(1)
            while pending:
                writer.write(pending.popleft().result())
                bar.update(1)
    finally:
        for future in pending:
            future.cancel()
        pictures.close()


def overlay_frame(renderer, frame, meshes, faces, camera, doubtful=()):
    """The frame with `meshes` (in the frame's camera) drawn over it, and the boxes of `doubtful`
    people (--flags) marked."""
    if not meshes:
        return frame
    from ..util.renderer import stack_meshes
    verts, all_faces = stack_meshes(meshes, faces)
    mesh, mask = renderer.render_with_mask(verts, camera, frame.shape, all_faces)
    frame = np.where(mask[:, :, None], mesh, frame)
    if len(doubtful):
        from ..world.quality import draw_flags
        frame = draw_flags(frame, doubtful)
    return frame
