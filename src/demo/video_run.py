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

import numpy as np

from ..camera import centred_camera, project, whole_frame_camera
from ..errors import HMRError
from ..export.motion_file import fill_gaps
from ..util.image import crop_for_model
from . import writers
from .records import Track, TrackResult, VideoResult
from .results import in_shared_camera, person_result, with_quality
from .stream import predict_stream, prefetched
from ..world.flags import WorldOptions
from ..world.focal import choose_focal
from ..world.tracks import summary as world_summary, world_tracks

FrameItem = collections.namedtuple('FrameItem', ['index', 'people', 'ids', 'crops', 'proc_params'])
PREFETCH = 8
# Frames posed at once when the tracks' joints are computed.
CHUNK = 256
# A track's per-frame fields, gathered from its PersonResults.
TRACK_COLUMNS = ('cam', 'pose', 'shape', 'translation', 'bbox', 'score', 'reproj_px', 'truncated', 'doubtful')


class VideoRun(object):
    """One video through the model and the table of writers; `context` a RunContext (as ImageRun's)."""

    def __init__(self, context, smooth=True, world=None):
        self.context = context
        self.model = context.model
        self.smooth = smooth
        self.world = world or WorldOptions()  # --focal/--fov, --world, --foot_lock, --flags
        self.every = 1
        self.real_camera = False
        self.world_results = None

    def run(self, reader, find_people):
        """The video `reader` (src/video/io.py VideoReader, its frame range chosen) through both passes."""
        from ..video.io import check_encodable_rate
        path = reader.path
        name = os.path.splitext(os.path.basename(path))[0]
        stem = os.path.join(self.context.out_dir, name)
        if 'video' in self.context.outputs and os.path.abspath(stem + '.mp4') == os.path.abspath(path):
            raise HMRError('%s: the overlay video would overwrite the input; choose another --out_dir' % path)
        focal = choose_focal(self.world.focal, self.world.fov, None, reader.size)
        camera = whole_frame_camera(reader.size, self.model.img_size) if focal is None else \
            centred_camera(focal, reader.size)
        self.real_camera = focal is not None
        self.every = reader.every
        fps = reader.fps / float(reader.every)
        if 'video' in self.context.outputs:  # before the long first pass
            check_encodable_rate(stem + '.mp4', fps)
        tracks, frame_count = self._track_people(reader, find_people, camera, path)
        if not tracks:
            raise HMRError('%s: no person found in any of its %d frames' % (path, frame_count))
        self.write_outputs(stem, os.path.abspath(path), tracks, reader, camera, reader.fps, fps, frame_count)
        print('wrote %d track(s) of %d frame(s) of %s to %s' % (len(tracks), frame_count, path, self.context.out_dir))
        if self.world_results:
            print('world frame: ' + world_summary(self.world_results))
        return 0

    def write_outputs(self, stem, source, tracks, frames, camera, source_fps, fps, frame_count, video_fps=None):
        """Every selected output of `tracks` (Track, frame indices of the source): smoothed, through the
        table of writers, the animations at `fps`, the overlay drawn over `frames` (iterable of (index,
        image) with `size`) at `video_fps` (default `fps`). Also the live capture's writer."""
        finished = [self.finish_track(track, source_fps, camera) for track in tracks]
        self.world_results = None
        if self.world.world:  # the floor, the world frame and planted feet (src/world)
            self.world_results = world_tracks(finished, self.context.body, fps, self.every, fill_gaps,
                                              self.world.foot_lock)[0]
        result = VideoResult(stem=stem, source=source, tracks=finished, camera=camera, size=tuple(frames.size),
                             fps=fps, every=self.every, frame_count=frame_count, frames=frames,
                             video_fps=video_fps or fps, draw_flags=self.world.flags, smoothed=self.smooth,
                             world=self.world_results, foot_lock=self.world.foot_lock)
        # The drawn outputs (the overlay video: minutes) last, so that an interrupted run keeps the rest.
        for writer in sorted(writers.WRITERS, key=lambda writer: writers.RENDERER in writer.needs):
            if writer.name in self.context.outputs and writer.video:
                writer.video(result, self.context)

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
                if not all(np.all(np.isfinite(v)) for prediction in predictions for v in prediction):
                    raise HMRError('%s frame %d: the model gave non-finite values (NaN or infinity); is the '
                                   'checkpoint --load_path damaged?' % (path, item.index))
                results = [person_result(p, proc, pred) for p, proc, pred in
                           zip(item.people, item.proc_params, predictions)]
                for track_id, person in zip(item.ids, in_shared_camera(results, camera, fit=self.real_camera)):
                    tracks.setdefault(track_id, Track(track_id)).add(item.index, with_quality(person, reader.size))
        return list(tracks.values()), count

    def finish_track(self, track, source_fps, camera):
        """The track's TrackResult: smoothed if asked, with the joints the NumPy body gives (if loaded)
        and their projection by `camera`."""
        rows = {field: track.column(field) for field in TRACK_COLUMNS}
        frames = np.asarray(track.frames)
        cams, poses, trans = rows['cam'], rows['pose'], rows['translation']
        betas = np.median(rows['shape'], axis=0)
        if self.smooth:
            from ..video.smoothing import smooth_track
            cams, poses, betas, trans = smooth_track(frames, cams, poses, rows['shape'], trans, source_fps)
        body = self.context.body
        joints3d = joints2d = None
        if body is not None:
            joints3d = np.concatenate([body.forward(poses[i:i + CHUNK], betas, trans[i:i + CHUNK],
                                                    pose_blendshapes=True).joints_coco
                                       for i in range(0, len(poses), CHUNK)])
            joints2d = project(camera, joints3d)
        return TrackResult(track.id, frames, cams, poses, betas, trans, rows['bbox'], rows['score'],
                           rows['reproj_px'], rows['truncated'], rows['doubtful'], joints3d, joints2d)
