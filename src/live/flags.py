"""The live capture's command-line flags (imported by demo.py)."""
from absl import flags

flags.DEFINE_string('live', None, 'Live source: a camera (0, /dev/video0), a stream URL (udp://, rtp://, rtsp://, '
                    'http://, tcp://) or a video file played at its own rate')
flags.DEFINE_float('duration', None, 'Live: stop after this many seconds')
flags.DEFINE_float('timeout', 5., 'Live: end when no frame arrives for this many seconds (the first frame too: '
                   'a source that never sends one is an error)')
flags.DEFINE_string('vmc', None, 'Live: send the VMC protocol (OSC over UDP) to HOST:PORT')
flags.DEFINE_integer('vmc_track', None, 'Live: the track id sent over VMC (default: the first person, kept while seen)')
flags.DEFINE_integer('preview_port', None, 'Live: serve an MJPEG preview of the overlay on this port')
flags.DEFINE_string('preview_host', '127.0.0.1', 'Live: the address the preview listens on')
flags.DEFINE_enum('live_follow', 'joints', ['joints', 'detector'], 'Live: how people are followed between full '
                  'detections: joints (the model\'s 2D joints give the next crop; the landmark model checks them '
                  'every few frames) or detector (the detector\'s own following on every frame, slower)')
