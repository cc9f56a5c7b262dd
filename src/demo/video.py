"""The demo over a video, in two passes over its frames (both streamed, so memory does not grow with
its length):

1. frames -> people (detector) -> track ids -> the model, in batches; each track keeps its per-frame
   parameters, with the mesh placed in one camera for the whole video (the released whole-frame
   camera: f = 500 / (224 / longest side), principal point at the frame's centre);
2. each track smoothed (--smooth), then the frames read again and every track's mesh drawn over them.

Outputs: NAME.mp4, NAME.json / NAME.npz (per track), NAME_track<ID>.bvh / .glb.
"""
import collections
import os
import sys

import numpy as np

from ..camera import centred_camera, whole_frame_camera
from ..errors import HMRError
from ..export.motion_file import fill_gaps
from ..util import files
from ..util.image import crop_for_model
from .results import QUALITY_FIELDS, in_shared_camera, person_result, with_quality
from .stream import predict_stream, prefetched
from .workers import Pictures
from ..world.flags import WorldOptions
from ..world.focal import choose_focal
from ..world.quality import for_json as reproj_for_json
from ..world.tracks import camera_frame_motion, world_tracks
from ..world.tracks import json_fields as world_json, npz_arrays as world_npz, summary as world_summary

FrameItem = collections.namedtuple('FrameItem', ['index', 'people', 'ids', 'crops', 'proc_params'])
PREFETCH = 8
# Frames of overlay being drawn ahead of the video writer.
FRAMES_IN_FLIGHT = 8
# Frames posed at once when the tracks' joints are computed.
CHUNK = 256


class Track(object):
    """One person over the frames they were seen in."""

    def __init__(self, track_id):
        self.id = track_id
        self.rows = collections.defaultdict(list)

    def add(self, frame_index, person):
        for key in ('cam', 'pose', 'shape', 'translation', 'bbox', 'score') + QUALITY_FIELDS:
            self.rows[key].append(person[key])
        self.rows['frames'].append(frame_index)

    def arrays(self):
        return {key: np.asarray(values) for key, values in self.rows.items()}


class VideoRun(object):
    def __init__(self, model, faces, body, out_dir, outputs, workers, smooth=True, report=None, world=None):
        self.model = model
        self.faces = faces
        self.body = body
        self.out_dir = out_dir
        self.outputs = outputs
        self.workers = workers
        self.smooth = smooth
        self.world = world or WorldOptions()  # --focal/--fov, --world, --foot_lock, --flags
        self.report = report or (lambda line: sys.stderr.write(line + '\n'))
        self.every = 1

    def run(self, path, find_people, start=0, end=None, every=1):
        from ..video.io import VideoReader, check_encodable_rate
        reader = VideoReader(path, start, end, every)
        name = os.path.splitext(os.path.basename(path))[0]
        stem = os.path.join(self.out_dir, name)
        if 'video' in self.outputs and os.path.abspath(stem + '.mp4') == os.path.abspath(path):
            raise HMRError('%s: the overlay video would overwrite the input; choose another --out_dir' % path)
        focal = choose_focal(self.world.focal, self.world.fov, None, reader.size)
        camera = whole_frame_camera(reader.size, self.model.img_size) if focal is None else \
            centred_camera(focal, reader.size)
        self.real_camera = focal is not None
        self.every = reader.every
        fps = reader.fps / float(every)
        if 'video' in self.outputs:  # before the long first pass
            check_encodable_rate(stem + '.mp4', fps)
        tracks, frame_count = self._track_people(reader, find_people, camera, path)
        if not tracks:
            raise HMRError('%s: no person found in any of its %d frames' % (path, frame_count))
        self.write_outputs(stem, os.path.abspath(path), tracks, reader, camera, reader.fps, fps, frame_count)
        print('wrote %d track(s) of %d frame(s) of %s to %s' % (len(tracks), frame_count, path, self.out_dir))
        if self.world_results:
            print('world frame: ' + world_summary(self.world_results))
        return 0

    def write_outputs(self, stem, source, tracks, frames, camera, source_fps, fps, frame_count, video_fps=None):
        """Every selected output of `tracks` (Track objects, frame indices of the source): smoothed,
        NAME.json / NAME.npz, the animations at `fps`, and the overlay drawn over `frames` (iterable
        of (index, image) with `size`) at `video_fps` (default `fps`). Also the live capture's writer."""
        finished = [self._finish_track(track, source_fps) for track in tracks]
        self.world_results = None
        if self.world.world:  # the floor, the world frame and planted feet (src/world)
            self.world_results = world_tracks(finished, self.body, fps, self.every, fill_gaps, self.world.foot_lock)[0]
        self._write_tracks(stem, source, finished, camera, fps, frame_count, frames.size)
        if 'video' in self.outputs:
            self._write_overlay(stem + '.mp4', frames, finished, camera, video_fps or fps, frame_count)

    def _frames(self, reader, find_people, path):
        """Frame by frame: its people, their track ids and crops (run on the prefetch thread)."""
        from ..video.tracking import Tracker
        tracker = Tracker()
        for index, frame in reader:
            try:
                people = find_people(frame, '%s frame %d' % (path, index))
            except HMRError:
                people = []  # nobody in this frame; the tracks wait for them
            keypoints = [p.keypoints for p in people]
            ids = tracker.update(index, np.array([p.bbox for p in people]).reshape(-1, 4),
                                 np.array(keypoints) if people and all(k is not None for k in keypoints) else None)
            cropped = [crop_for_model(frame, p.scale, p.center, self.model.img_size) for p in people]
            yield FrameItem(index, people, ids, [c for c, _ in cropped], [p for _, p in cropped])

    def _track_people(self, reader, find_people, camera, path):
        from tqdm import tqdm
        tracks = collections.OrderedDict()
        count = 0
        items = prefetched(self._frames(reader, find_people, path), PREFETCH)
        with tqdm(total=reader.selected_count, desc='HMR pass 1/2: people', unit='frame') as bar:
            for item, predictions in predict_stream(self.model, items, lambda item: item.crops):
                count += 1
                bar.update(1)
                if not item.people:
                    continue
                if not all(np.all(np.isfinite(v)) for prediction in predictions for v in prediction.values()):
                    raise HMRError('%s frame %d: the model gave non-finite values (NaN or infinity); is the '
                                   'checkpoint --load_path damaged?' % (path, item.index))
                results = [person_result(p, proc, pred) for p, proc, pred in
                           zip(item.people, item.proc_params, predictions)]
                for track_id, person in zip(item.ids, in_shared_camera(results, camera, fit=self.real_camera)):
                    tracks.setdefault(track_id, Track(track_id)).add(item.index, with_quality(person, reader.size))
        return list(tracks.values()), count

    def _finish_track(self, track, source_fps):
        """The track's final parameters (smoothed if asked) and the joints they give."""
        rows = track.arrays()
        cams, poses, trans = rows['cam'], rows['pose'], rows['translation']
        betas = np.median(rows['shape'], axis=0)
        if self.smooth:
            from ..video.smoothing import smooth_track
            cams, poses, betas, trans = smooth_track(rows['frames'], cams, poses, rows['shape'], trans, source_fps)
        joints = [self.body.forward(poses[i:i + CHUNK], betas, trans[i:i + CHUNK], pose_blendshapes=True).joints_coco
                  for i in range(0, len(poses), CHUNK)] if self.body is not None else []
        return dict(rows, id=track.id, cam=cams, pose=poses, shape=betas, translation=trans,
                    joints3d=np.concatenate(joints) if joints else None)

    def _write_tracks(self, stem, source, tracks, camera, fps, frame_count, size):
        for track in tracks:
            if track['joints3d'] is not None:
                joints = track['joints3d']
                track['joints2d'] = camera[0] * joints[..., :2] / joints[..., 2:] + camera[1:]
        if 'json' in self.outputs:
            files.write_json(stem + '.json', {
                'video': source, 'size': list(size), 'fps': fps, 'frames': frame_count,
                'camera': camera, 'smoothed': self.smooth,
                'tracks': [{'id': t['id'], 'frames': t['frames'], 'poses': t['pose'], 'betas': t['shape'],
                            'cams': t['cam'], 'trans': t['translation'], 'bbox': t['bbox'], 'score': t['score'],
                            'joints3d': t.get('joints3d'), 'joints2d': t.get('joints2d'),
                            'reproj_px': reproj_for_json(t['reproj_px']), 'truncated': t['truncated'],
                            'doubtful': t['doubtful']}
                           for t in tracks],
                'world': world_json(self.world_results, self.world.foot_lock) if self.world_results else None})
        if 'npz' in self.outputs:
            arrays = {'track_ids': np.array([t['id'] for t in tracks]), 'camera': camera, 'fps': np.float64(fps)}
            for t in tracks:
                prefix = 'track%d_' % t['id']
                arrays.update({prefix + 'frames': t['frames'], prefix + 'poses': t['pose'],
                               prefix + 'betas': t['shape'], prefix + 'trans': t['translation'],
                               prefix + 'cams': t['cam'], prefix + 'bbox': t['bbox'], prefix + 'score': t['score'],
                               prefix + 'reproj_px': t['reproj_px'], prefix + 'truncated': t['truncated'],
                               prefix + 'doubtful': t['doubtful']})
                if t['joints3d'] is not None:
                    arrays.update({prefix + 'joints3d': t['joints3d'], prefix + 'joints2d': t['joints2d']})
            if self.world_results:
                arrays.update(world_npz(self.world_results))
            files.write_npz(stem + '.npz', arrays)
        self._write_animations(stem, tracks, fps, camera, size)

    def _write_animations(self, stem, tracks, fps, camera, size):
        from ..export.tracks import write_track
        from ..world.gltf_camera import camera_beside
        formats = [fmt for fmt in ('bvh', 'glb') if fmt in self.outputs]
        for track in tracks:
            if not formats:
                break
            # One key per frame kept (every --every-th), from the track's first frame to its last.
            _, poses, trans = fill_gaps(np.asarray(track['frames']) // self.every, track['pose'],
                                        track['translation'])
            world_from_camera = None
            if self.world_results:  # the world frame's (locked) motion, written as the exporters take it
                from ..world.frame import export_inputs
                motion = self.world_results[track['id']][1]
                poses, trans = export_inputs(motion.poses, motion.trans, self.body.rest(track['shape'])[1][0])
                world_from_camera = motion.world_from_camera
            track_stem = '%s_track%d' % (stem, track['id'])
            write_track(track_stem, self.body, track['shape'], poses, trans, fps, formats)
            camera_beside(track_stem, formats, camera, size, world_from_camera)

    def _drawn_motion(self, tracks):
        """{track id: {frame: (pose, trans)}} drawn over the footage: with --world the locked motion
        (back in the camera frame), else the track's own."""
        drawn = {}
        for track in tracks:
            if self.world_results:
                frames, motion = self.world_results[track['id']]
                poses, trans = camera_frame_motion(motion, self.body.rest(track['shape'])[1][0])
            else:
                frames, poses, trans = track['frames'], track['pose'], track['translation']
            drawn[track['id']] = dict(zip(np.asarray(frames).tolist(), zip(poses, trans)))
        return drawn

    def _write_overlay(self, path, reader, tracks, camera, fps, frame_count):
        from tqdm import tqdm
        from ..video.io import VideoWriter
        by_frame = collections.defaultdict(list)
        for track in tracks:
            for row, frame in enumerate(track['frames']):
                by_frame[int(frame)].append((track, row))
        drawn = self._drawn_motion(tracks)
        pictures = Pictures(self.workers, self.faces, describe=lambda args: '%s: the overlay of a frame' % path)
        pending = collections.deque()
        try:
            with VideoWriter(path, fps, reader.size) as writer, \
                    tqdm(total=frame_count, desc='HMR pass 2/2: video', unit='frame') as bar:
                for index, frame in reader:
                    meshes = [self.body.forward(drawn[track['id']][index][0][None], track['shape'],
                                                drawn[track['id']][index][1][None]).verts[0]
                              for track, row in by_frame.get(index, [])]
                    doubtful = [track['bbox'][row] for track, row in by_frame.get(index, [])
                                if self.world.flags and track['doubtful'][row]]
                    pending.append(pictures.submit(overlay_frame, frame, meshes, self.faces, camera, doubtful))
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
