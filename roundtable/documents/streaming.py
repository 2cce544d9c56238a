"""Streaming a stored file to the browser, whole or one byte range at a time.

Single ranges only (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``): that is what audio and
video elements send to seek. A multi-range request gets the whole file (RFC 9110 lets a
server ignore Range), an unsatisfiable one 416.
"""

import re
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse

CHUNK_BYTES = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# Never shown inline, whatever was stored: types a browser could run as a page.
NEVER_INLINE = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")


class Unsatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for a single satisfiable range; None to send everything."""
    header = (header or "").strip()
    if not header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        return None  # multi-range or another unit: ignore it and send the whole file
    start, end = match.groups()
    if not start and not end:
        return None
    if not start:  # the last n bytes
        length = int(end)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(size - length, 0), size - 1
    first = int(start)
    last = int(end) if end else size - 1
    if first >= size or (end and last < first):
        raise Unsatisfiable
    return first, min(last, size - 1)


def _stream(fieldfile, first: int, length: int):
    """Yield ``length`` bytes from ``first``, one chunk at a time, closing the file after."""
    storage = fieldfile.storage
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:
        # S3-compatible storage: ask the object store for just the bytes wanted, rather than
        # django-storages' S3File, which fetches the whole object before the first read.
        # Not exercised by the test suite (no object store here); see docs/documents.md.
        key = storage._normalize_name(storage._clean_name(fieldfile.name))
        body = bucket.Object(key).get(Range=f"bytes={first}-{first + length - 1}")["Body"]
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()
        return
    handle = storage.open(fieldfile.name, "rb")
    try:
        handle.seek(first)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


async def _as_async(chunks):
    """The same chunks for an ASGI server. Django turns a *synchronous* iterator into a
    list before serving it under ASGI — the whole file in memory — so under uvicorn each
    chunk is read in a worker thread and handed over one at a time instead."""
    done = object()
    try:
        while True:
            chunk = await sync_to_async(next, thread_sensitive=False)(chunks, done)
            if chunk is done:
                break
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=False)()


def safe_filename_header(name: str, inline: bool) -> str:
    """Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name) or "document"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(request, document, *, inline: bool) -> tuple[HttpResponse, tuple[int, int] | None]:
    """The response for a whole file or the one range the request asks for, and that range."""
    range_header = request.headers.get("Range", "")
    size = document.size
    inline = inline and document.content_type not in NEVER_INLINE
    try:
        byte_range = parse_range(range_header, size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        _common_headers(response, document, inline)
        return response, None
    first, last = byte_range if byte_range else (0, size - 1)
    length = max(last - first + 1, 0)
    chunks = _stream(document.file, first, length)
    if isinstance(request, ASGIRequest):
        chunks = _as_async(chunks)
    response = StreamingHttpResponse(chunks, status=206 if byte_range else 200)
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Type"] = document.content_type
    _common_headers(response, document, inline)
    return response, byte_range


def _common_headers(response: HttpResponse, document, inline: bool) -> None:
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = safe_filename_header(document.original_name, inline)
    # Personal data: no shared or browser caches keep a copy.
    response["Cache-Control"] = "private, no-store"
    # A file is never a page: nothing in it may run, even if a browser were fooled.
    response["Content-Security-Policy"] = "default-src 'none'; media-src 'self'; sandbox"
