"""An upload streamed from the request body into a job's folder (python-multipart's streaming parser,
so nothing is spooled elsewhere), with a size limit, then accepted only if its content is a photo or a
video. The client's file name is never used."""
import os

from python_multipart.multipart import MultipartParser, parse_options_header

from ..errors import HMRError

FIELD = b'file'


class UploadError(HMRError):
    """An upload refused, with the HTTP status to answer."""

    def __init__(self, status, message):
        super(UploadError, self).__init__(message)
        self.status = status


async def receive_file(request, path, max_bytes):
    """Stream the multipart field `file` of `request` into `path`; returns its size in bytes."""
    length = request.headers.get('content-length')
    if length is not None and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        raise UploadError(413, 'upload too large: at most %.0f MB' % (max_bytes / 1e6))
    kind, options = parse_options_header(request.headers.get('content-type', ''))
    if kind != b'multipart/form-data' or b'boundary' not in options:
        raise UploadError(400, 'send the file as multipart/form-data, in a field named "file"')
    state = {'field': None, 'headers': {}, 'header': b'', 'value': b'', 'size': 0, 'found': False}
    out = open(path, 'wb')

    def on_header_field(data, start, end):
        state['header'] += data[start:end]

    def on_header_value(data, start, end):
        state['value'] += data[start:end]

    def on_header_end():
        state['headers'][state['header'].lower()] = state['value']
        state['header'], state['value'] = b'', b''

    def on_headers_finished():
        _, disposition = parse_options_header(state['headers'].get(b'content-disposition', b''))
        state['field'] = disposition.get(b'name')
        state['found'] = state['found'] or state['field'] == FIELD

    def on_part_data(data, start, end):
        if state['field'] == FIELD:
            state['size'] += end - start
            if state['size'] > max_bytes:
                raise UploadError(413, 'upload too large: at most %.0f MB' % (max_bytes / 1e6))
            out.write(data[start:end])

    def on_part_end():
        state['headers'], state['field'] = {}, None

    parser = MultipartParser(options[b'boundary'], {
        'on_header_field': on_header_field, 'on_header_value': on_header_value, 'on_header_end': on_header_end,
        'on_headers_finished': on_headers_finished, 'on_part_data': on_part_data, 'on_part_end': on_part_end})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        raise
    except Exception as e:
        raise UploadError(400, 'malformed multipart body (%s)' % type(e).__name__)
    finally:
        out.close()
    if not state['found']:
        raise UploadError(400, 'no field named "file" in the form')
    if state['size'] == 0:
        raise UploadError(400, 'the uploaded file is empty')
    return state['size']


# Leading bytes of the still image formats the demo reads, and of video containers FFmpeg reads.
IMAGE_MAGIC = ((b'\xff\xd8\xff', 'jpg'), (b'\x89PNG\r\n\x1a\n', 'png'), (b'GIF87a', 'gif'), (b'GIF89a', 'gif'),
               (b'BM', 'bmp'), (b'II*\x00', 'tif'), (b'MM\x00*', 'tif'))
VIDEO_MAGIC = ((b'\x1a\x45\xdf\xa3', 'mkv'), (b'\x00\x00\x01\xba', 'mpg'), (b'FLV', 'flv'), (b'OggS', 'ogv'))


def sniff(head):
    """('image'|'video', extension) from a file's first bytes, or None."""
    for magic, ext in IMAGE_MAGIC:
        if head.startswith(magic):
            return 'image', ext
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return 'image', 'webp'
    if head[:4] == b'RIFF' and head[8:12] == b'AVI ':
        return 'video', 'avi'
    if head[4:8] == b'ftyp':
        return 'video', 'mp4'
    for magic, ext in VIDEO_MAGIC:
        if head.startswith(magic):
            return 'video', ext
    return None


def accept(upload, folder):
    """Check that `upload` is a photo or a video by its bytes and by decoding it, and move it to
    `folder`/photo.EXT or video.EXT; returns the new path."""
    with open(upload, 'rb') as f:
        found = sniff(f.read(16))
    if found is None:
        raise UploadError(415, 'not a photo or a video (JPEG, PNG, GIF, BMP, TIFF, WebP; MP4, MOV, AVI, MKV, '
                               'WebM, MPEG, FLV, Ogg)')
    kind, ext = found
    path = os.path.join(folder, '%s.%s' % ('photo' if kind == 'image' else 'video', ext))
    os.replace(upload, path)
    try:
        if kind == 'image':
            from ..util.image import read_image
            read_image(path)
        else:
            from ..video.io import VideoReader
            VideoReader(path)
    except HMRError as e:
        raise UploadError(415, 'the %s cannot be decoded: %s' % ('photo' if kind == 'image' else 'video',
                                                                 str(e).replace(path, 'upload')))
    return path
