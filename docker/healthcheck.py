"""Container health check: GET /healthz from inside the container (slim has no curl).

Exits 0 when the site answers 200. The request goes to 127.0.0.1:$PORT with a Host header
Django accepts (the first DJANGO_ALLOWED_HOSTS entry), since any other host gets a 400.
/healthz is exempt from the HTTPS redirect, so plain HTTP is fine here.
"""

import os
import sys
import urllib.request

host = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")[0].strip().lstrip(".")
if host in ("", "*"):
    host = "localhost"
url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": host}), timeout=4):
        pass  # urlopen raises HTTPError on a 4xx or 5xx answer
except Exception as exc:
    print(f"unhealthy: {url} (Host: {host}): {exc}", file=sys.stderr)
    sys.exit(1)
