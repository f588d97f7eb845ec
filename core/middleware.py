"""Request logging with request ids, and the security headers Django does not set itself."""

import logging
import re
import time
import uuid
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

logger = logging.getLogger("blog.request")

# A proxy's request id is trusted only when it looks like one (no log injection).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    """One log record per request: method, path, status, duration and a request id.

    The id comes from the proxy's X-Request-ID header when it sends a sane one, otherwise it
    is generated; it is echoed in the response so a reader's report can be matched to the
    log line. In production the record is one JSON object per line (see LOGGING)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request.id
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


class RejectNulMiddleware:
    """A NUL character in the path or the query string is a 400, before any view runs
    (and, in the admin, an integer beyond 64 bits in the query string, or an empty
    `_to_field`).

    No URL of the site has one, and PostgreSQL refuses NUL in text: left to the views, a
    slug, version, token or admin filter with %00 in it would reach a lookup and end as a
    500 (on SQLite it just finds nothing). Form bodies need no such guard: Django's form
    fields refuse NUL themselves."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest(
                "A NUL character is not allowed in a URL.", content_type="text/plain"
            )
        if request.path.startswith(self.admin) and any(
            _too_big(value) for _, values in request.GET.lists() for value in values
        ):
            # SQLite cannot bind an integer beyond 64 bits (OverflowError), and the admin's
            # filters (`?groups__exact=…`) pass their values straight to a query. Readers'
            # pages read their few parameters themselves (a page past the end is a 404).
            return HttpResponseBadRequest(
                "A number in this URL is too large.", content_type="text/plain"
            )
        if request.path.startswith(self.admin) and request.GET.get("_to_field", None) == "":
            # Django's admin refuses an unknown `_to_field` (400) but looks an empty one up
            # as a field name, which raises FieldDoesNotExist: a 500.
            return HttpResponseBadRequest("_to_field names no field.", content_type="text/plain")
        return self.get_response(request)


_INTEGER = re.compile(r"^\s*[-+]?\d{19,}\s*$")


def _too_big(value: str) -> bool:
    return bool(_INTEGER.match(value)) and not -(2**63) <= int(value) < 2**63


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header: the site uses no camera, microphone, location, ..."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's GZip, except for responses that offer byte ranges (media, core.ranges).

    Their ranges count the bytes of the file as stored: a compressed body would make every
    Content-Range wrong and drop Content-Length, which players need to seek. Audio and
    images are compressed already, so nothing is lost."""

    def process_response(self, request, response):
        if response.get("Accept-Ranges") == "bytes":
            return response
        return super().process_response(request, response)
