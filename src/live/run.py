"""The live loop: the newest frame -> people (src/live/follow.py: the model's joints carry each person to
the next frame's crop, the detector runs now and then) ->
track ids -> the model (batch 1, one run per person) -> each track smoothed online -> VMC, the preview,
the recording and the status line. Causal throughout: a frame's output depends on it and the frames
before only, so it leaves as soon as the frame is processed.

Latency is measured from the moment the source thread read the frame to the moment its outputs left
(the VMC bundle sent, the preview handed its frame, the recording given it); buffering inside the
source's decoder or network before that moment is not seen from here.
"""
import collections
import os
import sys
import time

import numpy as np

from ..camera import whole_frame_camera
from ..demo.records import Prediction
from ..demo.results import in_shared_camera, person_result, with_quality
from ..errors import HMRError
from ..util.image import crop_for_model
from .source import LiveSource

# Seconds over which the status line's rates and latency are taken.
STATUS_WINDOW = 2.
# (width, height) of the blank picture the people finder first runs on.
WARM_UP_SIZE = (640, 480)


class Status(object):
    """Frames in and processed per second, dropped, latency: over the last STATUS_WINDOW seconds for
    the status line, over the whole run for the summary."""

    def __init__(self):
        self.start = time.monotonic()
        self.processed = 0
        self.latencies = []
        self._recent = collections.deque()  # (time, frames read, processed)

    def add(self, frames_read, latency):
        now = time.monotonic()
        self.processed += 1
        self.latencies.append(latency)
        self._recent.append((now, frames_read, self.processed))
        while now - self._recent[0][0] > STATUS_WINDOW and len(self._recent) > 2:
            self._recent.popleft()

    def line(self, dropped):
        (t0, read0, done0), (t1, read1, done1) = self._recent[0], self._recent[-1]
        span = max(t1 - t0, 1e-6)
        recent = self.latencies[-(done1 - done0 + 1):]
        return 'in %.1f/s, processed %.1f/s, dropped %d, latency %.0f ms' % (
            (read1 - read0) / span, (done1 - done0) / span, dropped, 1000 * np.median(recent))

    def summary(self, source):
        """The whole run's figures; frames/s processed is taken while frames were coming (from the first
        frame to the last one processed), not over the --timeout waited after the source stopped."""
        elapsed = max(time.monotonic() - self.start, 1e-6)
        processing = max(self._recent[-1][0] - self.start, 1e-6) if self._recent else elapsed
        return {'seconds': elapsed, 'frames_read': source.frames_read, 'processed': self.processed,
                'dropped': source.dropped, 'fps_in': source.frames_read / elapsed,
                'fps_processed': self.processed / processing,
                'latency_ms_median': 1000 * float(np.median(self.latencies)) if self.latencies else None}


class LiveRun(object):
    """One live capture. `vmc` (a VMCSender or None), `preview_address` ((host, port) or None),
    `record` (a function (size, camera) -> Recorder, or None)."""

    def __init__(self, model, people, body, smooth=True, vmc=None, vmc_track=None, preview_address=None,
                 record=None, report=None):
        self.model = model
        self.people = people  # src.live.follow: make_live_finder(...)
        self.body = body
        self.smooth = smooth
        self.vmc = vmc
        self.vmc_track = vmc_track
        self.preview_address = preview_address
        self.record = record
        self.report = report or (lambda line: print(line, file=sys.stderr))
        self._smoothers = {}
        self._sent_track = None
        self._processed_count = 0
        if vmc is not None:
            from .vmc import RestJoints
            self._rest_joints = RestJoints(body)

    def run(self, source_text, timeout, duration=None):
        from tqdm import tqdm
        from ..video.tracking import Tracker
        source = LiveSource(source_text)
        preview = recorder = None
        if self.preview_address:
            from .preview import Preview
            preview = Preview(self.preview_address[0], self.preview_address[1], self.model.smpl.faces)
            self.report('preview: %s' % preview.url)
        try:
            self._warm_up()
            self.report('reading %s (first frame within %g s)' % (source_text, timeout))
            source.start(timeout)
            camera = whole_frame_camera(source.size, self.model.img_size)
            if preview is not None:
                preview.camera = camera
            status = Status()
            if self.record:
                recorder = self.record(source.size, camera)
            tracker = Tracker()
            with tqdm(desc='HMR live', unit='frame', mininterval=.5) as bar:
                try:
                    while duration is None or time.monotonic() - status.start < duration:
                        frame = source.next_frame(timeout)
                        if frame is None:
                            break
                        people, ids = self._process(frame, tracker, camera)
                        self._send(frame, people, ids, preview, recorder)
                        status.add(source.frames_read, time.monotonic() - frame.time)
                        bar.update(1)
                        bar.set_postfix_str(status.line(source.dropped), refresh=False)
                except KeyboardInterrupt:
                    self.report('stopped (Ctrl-C)')
            source.stop()
            summary = status.summary(source)
            if recorder is not None:
                if not recorder.tracks:
                    raise HMRError('%s: no person found in any of the %d processed frames, so nothing was recorded'
                                   % (source_text, status.processed))
                recorder.finish(camera, source.fps or summary['fps_in'], summary['fps_processed'])
                recorder = None
        finally:
            source.stop()
            if preview is not None:
                preview.close()
                if preview.error:
                    self.report(preview.error)
            if recorder is not None:
                recorder.discard()
        summary['vmc_bundles'] = self.vmc.bundles_sent if self.vmc else 0
        detections = ''
        if hasattr(self.people, 'detections'):  # following by the model's joints: how often the detector ran
            summary['detections'] = self.people.detections
            detections = ', %d full detections' % summary['detections']
        print('live: %(frames_read)d frames read, %(processed)d processed (%(fps_processed).1f/s), %(dropped)d dropped, '
              'median latency %(latency)s ms, %(vmc_bundles)d VMC bundles'
              % dict(summary, latency='%.0f' % summary['latency_ms_median'] if summary['latency_ms_median'] else '-')
              + detections)
        return summary

    def _warm_up(self):
        """Run the model and the people finder once on a blank picture before the source starts: their
        first runs are slow (graph set-up, models loaded), which would otherwise drop a few seconds of
        frames and show that as latency."""
        self.model.predict_dict(np.zeros((1, self.model.img_size, self.model.img_size, 3), np.float32))
        self.people.warm_up(np.zeros((WARM_UP_SIZE[1], WARM_UP_SIZE[0], 3), np.uint8))

    def _process(self, frame, tracker, camera):
        """The frame's people (results in the shared camera, smoothed per track) and their track ids."""
        people, keypoints = self.people.people(frame.image, 'frame %d' % frame.index)
        # The tracker counts processed frames, not the source's: when processing is slow, the frames dropped
        # between two processed ones are no gap in which a person went unseen (a track ends after 30).
        self._processed_count += 1
        ids = tracker.update(self._processed_count, np.array([p.bbox for p in people]).reshape(-1, 4),
                             np.array(keypoints) if people and keypoints is not None else None)
        results = []
        for person in people:
            crop, proc_param = crop_for_model(frame.image, person.scale, person.center, self.model.img_size)
            prediction = self.model.predict_dict(crop[None].astype(np.float32))
            results.append(person_result(person, proc_param, Prediction.row(prediction, 0)))
        size = (frame.image.shape[1], frame.image.shape[0])
        self.people.moved(size, [person.joints2d_original for person in results])
        return [with_quality(person, size) for person in in_shared_camera(results, camera)], ids

    def _smoothed(self, frame, track_id, person):
        """(pose, betas, translation) of the person, filtered online along their track."""
        if not self.smooth:
            return person.pose, person.shape, person.translation
        from ..video.smoothing import OnlineTrackSmoother
        smoother = self._smoothers.setdefault(track_id, OnlineTrackSmoother())
        _, pose, betas, trans = smoother(frame.time, person.cam, person.pose, person.shape, person.translation)
        return pose, betas, trans

    def _vmc_person(self, ids):
        """The index among `ids` of the person to send: --vmc_track, else the one sent last while they
        are seen, else the lowest id."""
        wanted = self.vmc_track if self.vmc_track is not None else self._sent_track
        if wanted in ids:
            return ids.index(wanted)
        if self.vmc_track is not None or not ids:
            return None
        self._sent_track = min(ids)
        return ids.index(self._sent_track)

    def _send(self, frame, people, ids, preview, recorder):
        smoothed = [self._smoothed(frame, track_id, person) for track_id, person in zip(ids, people)]
        if self.vmc is not None:
            chosen = self._vmc_person(ids)
            if chosen is not None:
                from .vmc import bone_transforms
                pose, betas, trans = smoothed[chosen]
                root, bones = bone_transforms(pose, self._rest_joints(betas), trans, self.body.parents)
                self.vmc.send(root, bones)
        if preview is not None:
            meshes = [self.body.forward(pose[None], betas, trans[None]).verts[0] for pose, betas, trans in smoothed]
            preview.show(frame.image, meshes)
        if recorder is not None:
            recorder.add(frame.index, frame.image, ids, people)


def capture_name(source):
    """The stem of a recorded capture: a file's name, camera<N>, or 'live' for a stream."""
    if os.path.isfile(source):
        return os.path.splitext(os.path.basename(source))[0]
    if source.isdigit() or source.startswith('/dev/'):
        return 'camera' + ''.join(c for c in source if c.isdigit())
    return 'live'
