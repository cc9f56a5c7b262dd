"""The app's own flags, beside the demo's (model, detector, outputs) which it imports."""
from absl import flags

flags.DEFINE_string('host', '127.0.0.1', 'Address to listen on (anything but loopback opens the app to the network)')
flags.DEFINE_integer('port', 8000, 'Port to listen on')
flags.DEFINE_string('jobs_dir', 'jobs', 'Folder for the jobs: one subfolder each, nothing is written elsewhere')
flags.DEFINE_float('max_upload_mb', 200., 'Largest upload accepted, in MB')
flags.DEFINE_float('keep_hours', 24., 'Jobs older than this are removed')
flags.DEFINE_integer('max_queued', 4, 'Jobs waiting at most; more uploads are refused (503) until one ends')
