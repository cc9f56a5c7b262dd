"""Fetch and unpack the released model files: `python -m src.util.download [--archive FILE] [--resnet]`.

- HMR: the released `models.tar.gz` (checkpoint model.ckpt-667589, the neutral SMPL model with the
  cocoplus regressor, the mean parameters) into models/.
- ResNet-50 v2 ImageNet weights of TF-slim (`resnet_v2_50.ckpt`) for training, into models/.

The archive is downloaded to a `.part` file, its members are checked against the list the release
holds, then unpacked into a temporary folder next to the
target and moved into place file by file, so an interrupted run never leaves half a model behind.
"""
import argparse
import os
import shutil
import sys
import tarfile
import tempfile

from ..errors import HMRError

MODEL_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'models')


class Release(object):
    def __init__(self, name, url, members, optional=()):
        self.name, self.url, self.members = name, url, members
        self.optional = list(optional)

    @property
    def archive_name(self):
        return self.url.rsplit('/', 1)[-1]


# Member paths as stored in the archives; each is installed into models/ under its base name.
# The releases publish no checksums, so the member list is what is checked.
HMR_MODELS = Release('HMR model', 'https://people.eecs.berkeley.edu/~kanazawa/cachedir/hmr/models.tar.gz', [
    'models/model.ckpt-667589.index',
    'models/model.ckpt-667589.data-00000-of-00001',
    'models/neutral_smpl_with_cocoplus_reg.pkl',
], optional=['models/model.ckpt-667589.meta', 'models/neutral_smpl_mean_params.h5'])
RESNET = Release('ResNet-50 v2 ImageNet checkpoint',
                 'http://download.tensorflow.org/models/resnet_v2_50_2017_04_14.tar.gz', ['resnet_v2_50.ckpt'])


def _download(url, dest):
    """Stream `url` to `dest` with a progress bar; HMRError with instructions when it cannot."""
    from urllib.request import urlopen
    from tqdm import tqdm
    try:
        response = urlopen(url, timeout=30)
    except Exception as e:  # URLError, socket errors, HTTP errors: all mean "not from here"
        raise HMRError('cannot download %s (%s): fetch it on a machine with internet access and run '
                       '`make models ARCHIVE=/path/to/%s`' % (url, getattr(e, 'reason', e), url.rsplit('/', 1)[-1]))
    total = int(response.headers.get('Content-Length') or 0) or None
    with open(dest, 'wb') as f, tqdm(total=total, unit='B', unit_scale=True, desc=os.path.basename(dest)) as bar:
        while True:
            chunk = response.read(1 << 20)
            if not chunk:
                break
            f.write(chunk)
            bar.update(len(chunk))
    if total is not None and os.path.getsize(dest) != total:
        raise HMRError('download of %s stopped early (%d of %d bytes); run it again' % (url, os.path.getsize(dest), total))


def _unsafe(member):
    """Why `member` has no place in a model archive, or None. A release holds regular files and folders
    under relative paths; anything else could write outside models/ if it were ever unpacked."""
    if member.name.startswith('/'):
        return 'an absolute path'
    if '..' in member.name.split('/'):
        return "a path with '..'"
    if member.issym() or member.islnk():
        return 'a link (to %r)' % member.linkname
    if member.isdev():
        return 'a device file or pipe'
    if not (member.isfile() or member.isdir()):
        return 'not a regular file'
    return None


def _release_members(release, archive, tar):
    """{name: TarInfo} of the release's members in an open `tar`; HMRError when any member is unsafe,
    a member is missing or appears twice. Other members (the release's extras) are left alone."""
    found = {}
    for member in tar.getmembers():
        problem = _unsafe(member)
        if problem:
            # repr: a crafted name may hold a newline, and the message stays one line.
            raise HMRError('%s holds %r, which is %s: not installing from it; is it the %s archive?' % (
                archive, member.name, problem, release.name))
        name = member.name
        while name.startswith('./'):
            name = name[2:]
        if member.isfile() and name in release.members + release.optional:
            if name in found:
                raise HMRError('%s holds %s twice: not installing from it; download it again' % (archive, name))
            found[name] = member
    missing = [m for m in release.members if m not in found]
    if missing:
        raise HMRError('%s lacks %s: is it the %s archive?' % (archive, ', '.join(missing), release.name))
    return found


def _open(archive):
    try:
        return tarfile.open(archive)
    except (tarfile.TarError, IOError, OSError, EOFError) as e:
        raise HMRError('%s is not a readable tar.gz archive (%s); delete it and download again' % (archive, e))


def verify_archive(release, archive):
    """HMRError unless `archive` is a readable tar holding every member of the release, and only safe
    members."""
    with _open(archive) as tar:
        try:
            _release_members(release, archive, tar)
        except (tarfile.TarError, IOError, OSError, EOFError) as e:
            raise HMRError('%s is not a readable tar.gz archive (%s); delete it and download again' % (archive, e))


def install(release, archive, model_dir=MODEL_DIR):
    """Unpack the release's members (and only those, by their base names) from a verified archive into
    model_dir, atomically per file."""
    verify_archive(release, archive)
    if not os.path.isdir(model_dir):
        os.makedirs(model_dir)
    staging = None
    try:
        staging = tempfile.mkdtemp(prefix='.unpack-', dir=model_dir)
        with _open(archive) as tar:
            members = _release_members(release, archive, tar)
            wanted = release.members + [n for n in release.optional if n in members]
            for name in wanted:
                with open(os.path.join(staging, os.path.basename(name)), 'wb') as out:
                    shutil.copyfileobj(tar.extractfile(members[name]), out)
        for name in wanted:
            base = os.path.basename(name)
            os.rename(os.path.join(staging, base), os.path.join(model_dir, base))
    except (IOError, OSError) as e:
        raise HMRError('cannot install %s into %s: %s' % (archive, model_dir, e.strerror or e))
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return [os.path.join(model_dir, os.path.basename(n)) for n in wanted]


def installed(release, model_dir=MODEL_DIR):
    return all(os.path.exists(os.path.join(model_dir, os.path.basename(n))) for n in release.members)


def fetch(release, model_dir=MODEL_DIR, archive=None, url=None):
    """Install `release` into model_dir from `archive`, or else by downloading it (from `url` if given)."""
    if installed(release, model_dir) and archive is None:
        return [os.path.join(model_dir, os.path.basename(n)) for n in release.members]
    if archive is None:
        if not os.path.isdir(model_dir):
            os.makedirs(model_dir)
        archive = os.path.join(model_dir, release.archive_name)
        partial = archive + '.part'
        try:
            _download(url or release.url, partial)
            verify_archive(release, partial)
            os.rename(partial, archive)
        except (IOError, OSError) as e:
            raise HMRError('cannot download %s into %s: %s; nothing was installed' % (release.archive_name, model_dir,
                                                                                   e.strerror or e))
        finally:
            if os.path.exists(partial):  # cut short or refused: never left to look like a download
                os.remove(partial)
    elif not os.path.isfile(archive):
        raise HMRError('%s: no such archive' % archive)
    return install(release, archive, model_dir)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--archive', help='install from this models.tar.gz instead of downloading')
    parser.add_argument('--resnet', action='store_true', help='also fetch the ResNet-50 v2 ImageNet checkpoint')
    parser.add_argument('--model_dir', default=MODEL_DIR)
    args = parser.parse_args(argv)
    for release in [HMR_MODELS] + ([RESNET] if args.resnet else []):
        paths = fetch(release, args.model_dir, archive=args.archive if release is HMR_MODELS else None)
        print('%s: %s' % (release.name, ', '.join(os.path.relpath(p) for p in paths)))


if __name__ == '__main__':
    from ..cli import run_command
    sys.exit(run_command(main, on_interrupt='interrupted: nothing was installed'))
