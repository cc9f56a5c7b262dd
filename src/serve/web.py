"""The app's routes (Starlette): the upload form, jobs, their status, pages and files."""
import html
import os

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

from .jobs import Busy, zip_of
from .uploads import UploadError, accept, receive_file

STYLE = ('<style>body{font-family:system-ui,sans-serif;margin:1em 2em;color:#222} progress{width:400px}'
         ' iframe{width:100%;height:1400px;border:1px solid #ccc} .error{color:#a00}</style>')


def page(title, body, status=200):
    return HTMLResponse('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>%s</title>%s</head>'
                        '<body><h1>%s</h1>%s</body></html>' % (html.escape(title), STYLE, html.escape(title), body),
                        status_code=status)


def refusal(request, status, message):
    """A 4xx/5xx answer: JSON for scripts, a short page for a browser."""
    if 'text/html' in request.headers.get('accept', ''):
        return page('Not accepted', '<p class="error" id="hmr-refusal">%s</p><p><a href="/">back</a></p>'
                    % html.escape(message), status)
    return JSONResponse({'error': message}, status_code=status)


def make_app(runner, max_upload_mb):
    max_bytes = int(max_upload_mb * 1e6)

    async def index(request):
        return page('HMR: a photo or a video to 3D bodies', (
            '<form method="post" action="/jobs" enctype="multipart/form-data">'
            '<input type="file" name="file" id="file" accept="image/*,video/*" required> '
            '<button type="submit" id="run">Run</button></form>'
            '<p>A photo or a video, up to %.0f MB. The result stays on this computer.</p>' % max_upload_mb))

    async def create(request):
        try:
            job = runner.new_job()
        except Busy as e:
            return refusal(request, 503, str(e))
        upload = os.path.join(job.folder, 'upload.part')
        try:
            await receive_file(request, upload, max_bytes)
            path = await run_in_threadpool(accept, upload, job.folder)
            runner.submit(job, path)
        except UploadError as e:
            runner.drop(job)
            return refusal(request, e.status, str(e))
        except Busy as e:
            return refusal(request, 503, str(e))
        return RedirectResponse('/jobs/%s' % job.id, status_code=303)

    def job_of(request):
        return runner.get(request.path_params['job_id'])

    async def status(request):
        job = job_of(request)
        if job is None:
            return JSONResponse({'error': 'no such job'}, status_code=404)
        return JSONResponse(job.status())

    async def show(request):
        job = job_of(request)
        if job is None:
            return refusal(request, 404, 'no such job (it may have been removed after --keep_hours)')
        if job.state in ('queued', 'running'):
            body = ('<p id="hmr-state">%s</p><progress id="hmr-progress" max="1" value="%s"></progress>'
                    '<script>setInterval(function () { fetch("/jobs/%s/status").then(function (r) { return r.json(); })'
                    '.then(function (s) { document.getElementById("hmr-state").textContent = s.state;'
                    ' document.getElementById("hmr-progress").value = s.progress;'
                    ' if (s.state === "done" || s.state === "failed") location.reload(); }); }, 500);</script>'
                    % (job.state, job.progress, job.id))
            return page('Job %s' % job.id[:8], body)
        if job.state == 'failed':
            return page('Job %s failed' % job.id[:8], '<p class="error" id="hmr-job-error">%s</p><p><a href="/">'
                        'another</a></p>' % html.escape(job.error))
        base = '/jobs/%s/' % job.id  # absolute: /jobs/<id> has no trailing slash
        links = ''.join('<li><a class="hmr-download" href="%sfiles/%s" download>%s</a></li>'
                        % (base, html.escape(name), html.escape(name)) for name in job.files())
        body = ('<p id="hmr-state">done</p><p><a href="/">another</a> · <a id="hmr-zip" href="%szip" download>'
                'all files (zip)</a> · <a href="%sfiles/index.html">the page alone</a></p><ul>%s</ul>'
                '<iframe id="hmr-run-page" src="%sfiles/index.html"></iframe>' % (base, base, links, base))
        return page('Job %s' % job.id[:8], body)

    async def file(request):
        job = job_of(request)
        name = request.path_params['name']
        # Only a name the run wrote: nothing outside the job's out folder can be named.
        if job is None or name not in job.files():
            return refusal(request, 404, 'no such file')
        return FileResponse(os.path.join(job.out_dir, name))

    async def archive(request):
        job = job_of(request)
        if job is None or job.state != 'done':
            return refusal(request, 404, 'no such finished job')
        path = await run_in_threadpool(zip_of, job)
        return FileResponse(path, filename='hmr-%s.zip' % job.id[:8])

    async def not_found(request, exc):
        return refusal(request, exc.status_code, getattr(exc, 'detail', None) or 'not found')

    routes = [Route('/', index), Route('/jobs', create, methods=['POST']),
              Route('/jobs/{job_id}', show), Route('/jobs/{job_id}/', show),
              Route('/jobs/{job_id}/status', status), Route('/jobs/{job_id}/files/{name}', file),
              Route('/jobs/{job_id}/zip', archive)]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found})
