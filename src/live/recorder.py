"""Recording a live capture: the processed frames go to a temporary video beside the outputs and each
person's per-frame results to the video demo's tracks; at the end the video demo's own writers
(`VideoRun.write_outputs`) write NAME.mp4, NAME.json / NAME.npz and the animations from them, as they
would for a video of those frames, and the temporary video is removed."""
import collections
import os

from ..demo.records import RunContext, Track
from ..demo.video_run import VideoRun
from ..video.io import VideoReader, VideoWriter

# The processed frames are kept nearly losslessly (x264 quality 12) at the cheapest encoder speed,
# which costs the live loop least.
FRAMES_CRF = 12


class RecordedFrames(object):
    """The frames written, read back as (source index, image) with `size`, as VideoRun draws over them."""

    def __init__(self, path, size, indices):
        self.path, self.size, self.indices = path, size, indices

    def __iter__(self):
        for index, (_, image) in zip(self.indices, VideoReader(self.path)):
            yield index, image


class Recorder(object):
    def __init__(self, stem, source, size, outputs, model, faces, body, workers, smooth):
        self.stem, self.source, self.size = stem, source, size
        self._run = VideoRun(RunContext(model, faces, body, os.path.dirname(stem) or '.', outputs, workers), smooth)
        self._frames_path = '%s.live-frames.mp4' % os.path.join(os.path.dirname(stem), '.' + os.path.basename(stem))
        self._writer = VideoWriter(self._frames_path, 25., size, crf=FRAMES_CRF, preset='ultrafast')
        self._indices = []
        self.tracks = collections.OrderedDict()

    def add(self, index, image, ids, people):
        """One processed frame: its image, and its people (results in the shared camera) by track id."""
        self._writer.write(image)
        self._indices.append(index)
        for track_id, person in zip(ids, people):
            self.tracks.setdefault(track_id, Track(track_id)).add(index, person)

    def finish(self, camera, source_fps, video_fps):
        """Write every output; the tracks' frames are the source's indices at `source_fps`, the overlay
        video plays the processed frames at `video_fps`."""
        try:
            self._writer.close()
            frames = RecordedFrames(self._frames_path, self.size, self._indices)
            self._run.write_outputs(self.stem, self.source, list(self.tracks.values()), frames, camera,
                                    source_fps, source_fps, len(self._indices), video_fps)
        finally:
            self.discard()

    def discard(self):
        self._writer.abort()
        if os.path.exists(self._frames_path):
            os.remove(self._frames_path)
