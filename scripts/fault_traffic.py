"""The traffic of the fault test (scripts/fault_test.py): a recording SMTP server and a
stream of newsletter signups, each from its own address."""

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

SIGNUP_PREFIX = "fault-signup-"


class Recorder:
    """The SMTP server: keeps (arrival time, recipient) of every accepted message."""

    def __init__(self, delay: float):
        self.delay = delay
        self.received: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a server that takes its time (blocks its own loop)
        now = time.monotonic()
        with self.lock:
            self.received.extend((now, rcpt) for rcpt in envelope.rcpt_tos)
        return "250 OK"

    def counts(self, signups: bool) -> Counter:
        with self.lock:
            return Counter(
                rcpt for _, rcpt in self.received if rcpt.startswith(SIGNUP_PREFIX) == signups
            )

    def first_after(self, moment: float) -> float | None:
        with self.lock:
            later = [at for at, _ in self.received if at > moment]
        return min(later) - moment if later else None


class Signups(threading.Thread):
    """Signs up one new address after another; remembers which were answered with success."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base = base
        self.accepted: list[str] = []
        self.refused = 0
        self.stop = threading.Event()

    def run(self):
        number = 0
        while not self.stop.is_set():
            number += 1
            email = f"{SIGNUP_PREFIX}{number}@example.com"
            try:
                jar = http.cookiejar.CookieJar()
                opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
                page = opener.open(self.base + "/newsletter/", timeout=5).read().decode()
                fields = dict(re.findall(r'name="(form_token|source)" value="([^"]*)"', page))
                data = urllib.parse.urlencode({**fields, "email": email}).encode()
                request = urllib.request.Request(
                    self.base + "/newsletter/subscribe/",
                    data=data,
                    headers={
                        "X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}"
                        f".{number % 256}",
                        "Referer": self.base + "/newsletter/",
                    },
                )
                response = opener.open(request, timeout=5)
                if response.status == 200:
                    self.accepted.append(email)
                else:
                    self.refused += 1
            except (urllib.error.URLError, OSError):
                self.refused += 1
            time.sleep(0.05)
