"""Files served with byte ranges (RFC 9110 section 14), for the media the app serves itself.

Audio players seek and podcast apps resume downloads with `Range: bytes=…` requests;
Django's static file view answers those with the whole file, so a browser cannot seek.
`file_response()` answers a GET for one range with 206 Partial Content, a range that lies
outside the file with 416, and a range whose `If-Range` validator no longer matches the
file with the whole file (200), so a resumed download never mixes two versions. Every
answer says `Accept-Ranges: bytes` and carries a strong ETag and Last-Modified; If-Match,
If-None-Match and the date preconditions are Django's (`get_conditional_response`).

A request for several ranges at once gets the whole file: RFC 9110 lets a server ignore
Range, no player asks for more than one, and multipart/byteranges would be code nobody
runs. Malformed or unknown-unit Range headers are ignored the same way, as the RFC says.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

# One byte-range-spec: "first-last", "first-" or "-suffix". Twenty digits is beyond any
# file; a longer number is malformed (and would be costly to convert).
_RANGE = re.compile(r"bytes=[ \t]*(\d{0,20})[ \t]*-[ \t]*(\d{0,20})[ \t]*", re.IGNORECASE)


class RangeNotSatisfiable(Exception):
    """The Range header is well formed, but no byte of it lies inside the file."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range that `header` asks for in a file of `size` bytes.

    None when the header is to be ignored (absent, malformed, another unit, several
    ranges); RangeNotSatisfiable when it starts past the end of the file (or asks for the
    last 0 bytes, or anything of an empty file). An end past the file is cut to the file."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # "-500": the last 500 bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # "500-100" is invalid syntax: ignore it
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


def if_range_matches(if_range: str | None, etag: str, last_modified: int) -> bool:
    """Whether a Range may be honoured under the request's If-Range (RFC 9110 13.1.5):
    an entity tag must equal the current one by strong comparison (a weak one never
    matches); a date must equal the file's Last-Modified exactly."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith('"'):
        return value == etag
    if value.startswith("W/"):
        return False
    return parse_http_date_safe(value) == last_modified


class _FileSlice:
    """`length` bytes of an open file from `start`: what FileResponse streams for a 206.
    No fileno() on purpose, so a server's sendfile() cannot send past the slice."""

    def __init__(self, file, start: int, length: int):
        self._file = file
        self._left = length
        file.seek(start)

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._file.read(size)
        self._left -= len(data)
        return data

    def close(self):
        self._file.close()


def file_etag(stat) -> str:
    """A strong validator for a file: it changes whenever the file is rewritten."""
    return f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'


def file_response(request, path: Path, content_type: str):
    """The file at `path`, whole or the one range the request asks for (see the module)."""
    stat = path.stat()
    size = stat.st_size
    etag = file_etag(stat)
    last_modified = int(stat.st_mtime)
    validators = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
    }

    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is not None:  # 304 Not Modified or 412 Precondition Failed
        for name, value in validators.items():
            response.headers[name] = value
        return response

    byte_range = None
    if request.method == "GET" and if_range_matches(
        request.headers.get("If-Range"), etag, last_modified
    ):
        try:
            byte_range = parse_range(request.headers.get("Range"), size)
        except RangeNotSatisfiable:
            response = HttpResponse(
                "The requested range is outside the file.\n",
                status=416,
                content_type="text/plain; charset=utf-8",
            )
            response.headers["Content-Range"] = f"bytes */{size}"
            response.headers["Accept-Ranges"] = "bytes"
            return response

    file = path.open("rb")
    if byte_range is None:
        response = FileResponse(file, content_type=content_type, filename=path.name)
    else:
        body = _FileSlice(file, byte_range.start, byte_range.length)
        response = FileResponse(body, content_type=content_type, filename=path.name, status=206)
        response.headers["Content-Range"] = byte_range.content_range(size)
        response.headers["Content-Length"] = str(byte_range.length)
    for name, value in validators.items():
        response.headers[name] = value
    return response
