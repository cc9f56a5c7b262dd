"""A job's progress from the demo's own progress bars: the app runs one job at a time, so the tqdm
bars the demo opens (HMR pass 1/2, pass 2/2, the images' bar) report to the job that is running."""
import threading

import tqdm

# (start, share) of the job's progress per bar, by the start of its description.
STAGES = (('HMR pass 1/2', 0.0, 0.5), ('HMR pass 2/2', 0.5, 0.5), ('HMR', 0.0, 1.0))
_listener = threading.local()


class JobBar(tqdm.tqdm):
    def update(self, n=1):
        shown = super(JobBar, self).update(n)
        report = getattr(_listener, 'report', None)
        if report is not None and not self.disable and self.total:
            for prefix, start, share in STAGES:
                if (self.desc or '').startswith(prefix):
                    report(start + share * min(1., self.n / float(self.total)))
                    break
        return shown


def install():
    """Make the demo's `from tqdm import tqdm` open JobBars."""
    tqdm.tqdm = JobBar


def listen(report):
    """Send this thread's bars' progress (0..1) to `report` (None: to nobody)."""
    _listener.report = report
