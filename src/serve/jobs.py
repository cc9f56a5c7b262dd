"""Jobs: each upload is one job in its own folder under the jobs folder, run one at a time by one
worker thread with the model it loaded once; at most `max_queued` wait. Old jobs are removed."""
import os
import queue
import re
import shutil
import threading
import time
import traceback
import uuid

from ..errors import HMRError
from ..util import files
from . import progress

JOB_ID = re.compile(r'^[0-9a-f]{32}$')
OUT = 'out'


class Busy(HMRError):
    pass


class Job(object):
    def __init__(self, jobs_dir):
        self.id = uuid.uuid4().hex
        self.folder = os.path.join(jobs_dir, self.id)
        os.makedirs(os.path.join(self.folder, OUT))
        self.state, self.progress, self.error, self.input = 'queued', 0., '', None
        self.created = time.time()

    @property
    def out_dir(self):
        return os.path.join(self.folder, OUT)

    def status(self):
        return {'state': self.state, 'progress': round(self.progress, 3), 'error': self.error}

    def files(self):
        """The run's files (its out folder), sorted."""
        if self.state != 'done':
            return []
        return sorted(n for n in os.listdir(self.out_dir) if os.path.isfile(os.path.join(self.out_dir, n)))


class JobRunner(object):
    """The jobs and the worker thread that runs them with `run(config, model)` (src.demo.app.run)."""

    def __init__(self, config, model, jobs_dir, max_queued, keep_hours, run):
        self.config, self.model, self.run = config, model, run
        self.jobs_dir = os.path.abspath(jobs_dir)
        self.keep_seconds = keep_hours * 3600.
        self.jobs = {}
        self.lock = threading.Lock()
        self.waiting = queue.Queue(maxsize=max_queued)
        os.makedirs(self.jobs_dir, exist_ok=True)
        progress.install()
        threading.Thread(target=self._work, name='hmr-jobs', daemon=True).start()

    def new_job(self):
        self.remove_old()
        if self.waiting.full():
            raise Busy('busy: %d jobs are waiting already; try again when one has finished' % self.waiting.maxsize)
        job = Job(self.jobs_dir)
        with self.lock:
            self.jobs[job.id] = job
        return job

    def drop(self, job):
        with self.lock:
            self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def submit(self, job, path):
        job.input = path
        try:
            self.waiting.put_nowait(job)
        except queue.Full:
            self.drop(job)
            raise Busy('busy: %d jobs are waiting already; try again when one has finished' % self.waiting.maxsize)

    def get(self, job_id):
        with self.lock:
            return self.jobs.get(job_id) if JOB_ID.match(job_id or '') else None

    def remove_old(self):
        """Remove the jobs (and their folders) older than --keep_hours, except one running."""
        limit = time.time() - self.keep_seconds
        with self.lock:
            old = [job for job in self.jobs.values() if job.created < limit and job.state in ('done', 'failed')]
            for job in old:
                del self.jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def _work(self):
        while True:
            job = self.waiting.get()
            job.state = 'running'
            progress.listen(lambda value, job=job: setattr(job, 'progress', value))
            try:
                self.config.img_path, self.config.out_dir = job.input, job.out_dir
                status = self.run(self.config, self.model)
                if status:
                    raise HMRError('the run reported a failure (status %d)' % status)
                job.progress, job.state = 1., 'done'
            except HMRError as e:
                job.error, job.state = str(e).replace(job.folder + os.sep, ''), 'failed'
            except Exception as e:  # the app keeps serving; the job says what went wrong
                traceback.print_exc()
                job.error, job.state = 'unexpected %s: %s' % (type(e).__name__, e), 'failed'
            finally:
                progress.listen(None)


def zip_of(job):
    """The job's results as one zip (written once, atomically), returned as its path."""
    import zipfile
    path = os.path.join(job.folder, 'results.zip')
    if not os.path.isfile(path):
        with files.atomic_file(path, 'wb') as f, zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED) as archive:
            for name in job.files():
                archive.write(os.path.join(job.out_dir, name), name)
    return path
