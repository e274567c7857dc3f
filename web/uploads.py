"""Upload limits enforced while the request is read, not after it has been stored.

Django's multipart parser streams every file part to memory or to a temporary file before a
view sees it, so a size check in the view (``upload.size > limit``) comes after the whole body
was written to disk. Here the limits act earlier, in two places:

- ``RefuseOversizedBodies`` (a middleware, before the CSRF check, which is the first to read the
  body): a request whose declared length (CONTENT_LENGTH) is above what its view can accept is
  answered 413 with a Vietnamese page before one byte of its body is read. What a view accepts:
  its file fields × its per-file limit (``takes_uploads``) plus ``UPLOAD_FIELDS_MARGIN`` for the
  other fields and the multipart headers; a view that takes no file, Django's own limit on form
  fields (DATA_UPLOAD_MAX_MEMORY_SIZE) plus the margin. A body is never read past its declared
  length (django.core.handlers.wsgi.LimitedStream), and a request without one is read as empty,
  so the declared length bounds what is read.
- ``LimitedUploadHandler`` (first in FILE_UPLOAD_HANDLERS, so it sees each chunk before the
  memory and temporary-file handlers store it): refuses the same body again from
  ``handle_raw_input`` when something read it before the middleware (400), and counts each file
  part's bytes: a part that passes its view's per-file limit is dropped (SkipFile) before the
  chunk that passes the limit is stored; the rest of the form is still read, and the view finds
  the field in ``too_large(request, field)`` to say the file was too large.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import render

from scoring.vietnamese import format_count


def takes_uploads(setting: str, files: int = 1):
    """Mark a view as taking up to ``files`` file fields of at most ``settings.<setting>``
    bytes each (read at every request, so override_settings and the environment apply).
    Put it outermost (above login_required): the URL's view is what is marked."""
    def mark(view):
        view.upload_limit = (setting, files)
        return view
    return mark


def file_limit(view) -> int:
    """The largest file part ``view`` accepts, in bytes (0: the view takes no file)."""
    setting, _files = getattr(view, "upload_limit", (None, 0))
    return getattr(settings, setting) if setting else 0


def body_limit(view) -> int | None:
    """The largest request body ``view`` accepts, in bytes (None: no limit)."""
    setting, files = getattr(view, "upload_limit", (None, 0))
    if setting:
        return files * getattr(settings, setting) + settings.UPLOAD_FIELDS_MARGIN
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is None:
        return None
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + settings.UPLOAD_FIELDS_MARGIN


def _views():
    """Every view of the URL configuration."""
    from django.urls import get_resolver

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                yield pattern.callback

    return walk(get_resolver().url_patterns)


def any_view_limits() -> tuple[int, int | None]:
    """(largest file part, largest body) over every view: the limits used when a body is parsed
    before the URL is resolved (something read it in a middleware's request phase)."""
    views = list(_views())
    bodies = [body_limit(view) for view in views]
    return (max(file_limit(view) for view in views),
            None if None in bodies else max(bodies))


def declared_length(meta) -> int:
    """The request's CONTENT_LENGTH as Django reads it (missing or not a number: 0)."""
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def too_large_message(limit: int, size: int | None = None) -> str:
    """The view's message for a file over its limit (Vietnamese, as the pages show it)."""
    if size is None:
        return f"Tệp quá lớn (tối đa {format_count(limit)} byte)."
    return f"Tệp quá lớn ({format_count(size)} byte; tối đa {format_count(limit)} byte)."


def read_within(upload, limit: int, refused) -> bytes:
    """The bytes of ``upload`` when there are at most ``limit`` of them; else raises
    ``refused(message)`` with the Vietnamese message (the size said, when known). A part over
    the limit was already dropped while the request was read (LimitedUploadHandler): this is
    the check of what reached the view, whatever handler stored it."""
    if upload.size > limit:
        raise refused(too_large_message(limit, upload.size))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise refused(too_large_message(limit))
    return data


def chosen_file(request, field: str, refused):
    """The file sent in ``field``, or None when none was chosen; raises ``refused(message)``
    when one was dropped while the request was read for passing its limit (the message names
    that limit)."""
    upload = request.FILES.get(field)
    if upload is None:
        limit = too_large(request, field)
        if limit is not None:
            raise refused(too_large_message(limit))
    return upload


def too_large(request, field: str) -> int | None:
    """The limit a file sent in ``field`` passed (it was dropped while the request was read),
    or None when no file of that field was dropped."""
    return getattr(request, "uploads_too_large", {}).get(field)


class BodyTooLarge(RequestDataTooBig):
    """A request body larger than its view accepts, found when the body is parsed."""


class RefuseOversizedBodies:
    """Answer 413 before the body is read when the declared length is above what the view accepts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        limit = body_limit(view_func)
        length = declared_length(request.META)
        if limit is None or length <= limit:
            return None
        request._mark_post_parse_error()   # whatever reads request.POST after this finds it empty
        _setting, files = getattr(view_func, "upload_limit", (None, 0))
        return render(request, "web/too_large.html", {"length": format_count(length), "limit": format_count(limit),
                                                      "files": files, "file_mb": file_limit(view_func) / 2 ** 20},
                      status=413)


class LimitedUploadHandler(FileUploadHandler):
    """Refuse a body above its view's limit, and drop a file part as soon as it passes the
    view's per-file limit (before the chunk that passes it reaches the storing handlers)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        match = getattr(self.request, "resolver_match", None)
        if match is not None:
            self.part_limit, body = file_limit(match.func), body_limit(match.func)
        else:
            self.part_limit, body = any_view_limits()
        if body is not None and content_length > body:
            raise BodyTooLarge(f"Request body of {content_length} bytes is above this page's {body} bytes.")
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.part_limit:
            refused = getattr(self.request, "uploads_too_large", None)
            if refused is None:
                refused = self.request.uploads_too_large = {}
            refused[self.field_name] = self.part_limit
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None   # the next handlers store the file
