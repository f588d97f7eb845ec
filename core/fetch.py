"""Outgoing HTTP GETs for JSON APIs (the package registries, GitHub, GitLab): a timeout, a
size cap, conditional requests (ETag / If-Modified-Since), and errors as one exception
with a message worth showing in the admin.

The standard library's urllib is enough here (one GET at a time, from the worker), so no
HTTP client is added for it."""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

TIMEOUT = 15
MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = "blog-release-imports (+https://github.com/)"


class FetchError(Exception):
    """The request failed: `status` (0 without an answer) and, for 429/403 rate limits,
    `retry_after` in seconds when the server said."""

    def __init__(self, message: str, status: int = 0, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass
class Response:
    status: int  # 200, or 304 (not modified: no data)
    data: object = None
    etag: str = ""
    last_modified: str = ""
    headers: dict = field(default_factory=dict)


def _retry_after(headers) -> int | None:
    """Seconds to wait, from Retry-After (seconds or a date) or GitHub's rate-limit reset."""
    value = headers.get("Retry-After", "")
    if value.isdigit():
        return int(value)
    if headers.get("X-RateLimit-Remaining") == "0":
        reset = headers.get("X-RateLimit-Reset", "")
        if reset.isdigit():
            return max(int(reset) - int(time.time()), 1)
    if value:
        try:
            return max(int(parsedate_to_datetime(value).timestamp() - time.time()), 1)
        except (TypeError, ValueError):
            return None
    return None


def get_json(url: str, *, etag: str = "", last_modified: str = "", headers=None) -> Response:
    """GET `url` for JSON. 304 is a Response with no data; any other failure (network,
    status, too large, not JSON) raises FetchError."""
    sent = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
    request = urllib.request.Request(url, headers=sent)
    if etag:
        request.add_header("If-None-Match", etag)
    if last_modified:
        request.add_header("If-Modified-Since", last_modified)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            body = answer.read(MAX_BYTES + 1)
            found = dict(answer.headers.items())
            status = answer.status
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Response(304, None, etag, last_modified, dict(error.headers.items()))
        raise FetchError(
            f"{url} answered {error.code} {error.reason}",
            status=error.code,
            retry_after=_retry_after(error.headers),
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"{url} could not be reached: {reason}") from None
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url} answered more than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(body)
    except ValueError:
        raise FetchError(f"{url} did not answer JSON") from None
    return Response(status, data, found.get("ETag", ""), found.get("Last-Modified", ""), found)
