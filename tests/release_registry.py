"""A stand-in for GitHub's, GitLab's, PyPI's and npm's APIs on loopback, serving recorded
answers (tests/projects/fixtures/releases/) with ETags, so polling is tested over real
HTTP: conditional requests answered 304, errors and rate limits on cue, every request
recorded."""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "projects" / "fixtures" / "releases"


class Registry:
    def __init__(self):
        self.routes: dict[str, bytes] = {}  # path → body
        self.failures: dict[str, tuple[int, dict]] = {}  # path → (status, headers)
        self.requests: list[tuple[str, dict]] = []  # (path, headers)
        self.base = ""

    def serve(self, path: str, body) -> None:
        self.routes[path] = body if isinstance(body, bytes) else json.dumps(body).encode()

    def serve_fixture(self, path: str, name: str) -> None:
        self.serve(path, (FIXTURES / name).read_bytes())

    def fail(self, path: str, status: int, **headers) -> None:
        self.failures[path] = (status, headers)

    def heal(self, path: str) -> None:
        self.failures.pop(path, None)

    def hits(self, path: str) -> list[dict]:
        return [headers for seen, headers in self.requests if seen == path]


def _handler(registry: Registry):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            registry.requests.append((path, dict(self.headers.items())))
            if path in registry.failures:
                status, headers = registry.failures[path]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), str(value))
                self.end_headers()
                self.wfile.write(b'{"message": "failure on cue"}')
                return
            body = registry.routes.get(path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                self.wfile.write(b'{"message": "Not Found"}')
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def registry(settings):
    """The four APIs on one loopback server; the settings point at it."""
    found = Registry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.GITHUB_API_URL = found.base
    settings.GITLAB_API_URL = found.base + "/api/v4"
    settings.PYPI_URL = found.base
    settings.NPM_REGISTRY_URL = found.base
    yield found
    server.shutdown()
    server.server_close()
