"""Receiving uploads without ever holding a whole file in memory.

``LimitedUploadHandler`` writes each chunk straight to a temporary file on disk (never
Django's in-memory handler), hashes it as it goes, and stops storing a file the moment
it passes DOCUMENT_MAX_BYTES: the partial temporary file is deleted at once and the rest
of that file's bytes are discarded. The other form fields are still parsed, so a
too-large file gives a clear message without losing what the user typed.

Views install it per request with ``use_limited_upload_handler(request)`` before
anything reads ``request.POST`` or ``request.FILES``.
"""

import hashlib

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


def max_bytes() -> int:
    return int(settings.DOCUMENT_MAX_BYTES)


def describe_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def too_large_message(name: str) -> str:
    return (
        f"{name} is larger than {describe_size(max_bytes())}. Upload a file smaller than {describe_size(max_bytes())}."
    )


class LimitedUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_bytes()
        # Names of files refused for size in this request, for the view's error message.
        self.too_large: list[str] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.discarding = False
        self.hasher = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        if self.discarding:
            return None
        self.received += len(raw_data)
        if self.received > self.limit:
            self.discarding = True
            self.too_large.append(self.file_name)
            self.file.close()  # a NamedTemporaryFile: closing deletes it from disk
            return None
        self.hasher.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.discarding:
            return None  # the field is absent from request.FILES; too_large says why
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.hasher.hexdigest()
        return uploaded


def use_limited_upload_handler(request) -> LimitedUploadHandler:
    """Replace the request's upload handlers (memory and temporary file) with ours."""
    handler = LimitedUploadHandler(request)
    request.upload_handlers = [handler]
    return handler
