"""`make run`'s supervisor (scripts/devserver.py): Ctrl-C and SIGTERM stop the site and the
worker quietly, with exit status 0, whether or not a terminal is attached."""

import fcntl
import os
import pty
import shutil
import signal
import subprocess
import sys
import termios
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.network import free_port

ROOT = Path(__file__).resolve().parents[1]
DEVSERVER = ROOT / "scripts" / "devserver.py"


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory):
    """A development environment of its own: a migrated SQLite file in a temporary var/."""
    var = tmp_path_factory.mktemp("devserver-var")
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    for name in ("DATABASE_URL", "SITE_URL", "EMAIL_URL", "REDIS_URL", "CI"):
        base.pop(name, None)
    env = {**base, "DJANGO_VAR_DIR": str(var), "DATABASE_URL": f"sqlite:///{var}/db.sqlite3"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return env


def wait_for_site(port: int, process: subprocess.Popen) -> None:
    for _ in range(300):
        assert process.poll() is None, "the dev server ended before serving a page"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                assert r.status == 200
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the dev server served no page")


def wait_for_worker(env: dict) -> None:
    """The worker is up once it says so; on a loaded machine that can come after the site."""
    log = Path(env["DJANGO_VAR_DIR"]) / "worker.log"
    for _ in range(300):
        if log.exists() and "Starting worker" in log.read_text():
            return
        time.sleep(0.1)
    raise AssertionError("the worker never started")


def leftovers(env: dict) -> list[str]:
    """Processes still running with this test's var/ folder in their environment."""
    marker = f"DJANGO_VAR_DIR={env['DJANGO_VAR_DIR']}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                found.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" "))
        except OSError:
            continue
    return [c.decode(errors="replace") for c in found]


def assert_quiet(output: str) -> None:
    assert "Traceback" not in output
    assert "Segmentation fault" not in output
    assert "Error" not in output


def test_sigterm_to_the_dev_server_stops_site_and_worker_with_status_0(dev_env):
    """SIGTERM (or SIGINT, the same path) from a process manager, no terminal attached."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(DEVSERVER), "--port", str(port)],
        cwd=ROOT,
        env=dev_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_site(port, process)
        wait_for_worker(dev_env)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert_quiet(output)
    assert leftovers(dev_env) == []
    log = (Path(dev_env["DJANGO_VAR_DIR"]) / "worker.log").read_text()
    assert "Starting worker" in log
    assert "shutting down gracefully" in log


def test_ctrl_c_in_a_terminal_stops_both_and_make_ends_with_status_0(dev_env, tmp_path):
    """As in a terminal window: make runs the dev server; Ctrl-C is typed."""
    if shutil.which("make") is None:
        pytest.fail("make is needed: `make run` is what this tests")
    port = free_port()
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"run:\n\t@{sys.executable} {DEVSERVER} --port {port}\n")
    master, slave = pty.openpty()
    make = subprocess.Popen(
        ["make", "-f", str(makefile), "run"],
        cwd=ROOT,
        env=dev_env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    os.close(slave)
    chunks = []

    def read():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        wait_for_site(port, make)
        wait_for_worker(dev_env)
        os.write(master, b"\x03")  # Ctrl-C: the terminal signals its foreground group
        status = make.wait(timeout=30)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        make.wait()
        reader.join(timeout=5)
        os.close(master)
    output = b"".join(chunks).decode(errors="replace")
    assert status == 0, output
    assert "make: ***" not in output
    assert_quiet(output)
    assert leftovers(dev_env) == []
