"""How long a newcomer waits for `make run` (`make bench-setup`).

    python3 scripts/bench_setup.py               # the committed HEAD of this checkout
    python3 scripts/bench_setup.py --ref abc123  # any other commit, e.g. to compare

Clones the repository's committed state (never the work tree, never its .venv) into a
temporary folder and, as a user on a fresh machine would, runs `make run PORT=<free port>`
there twice: first with an empty package cache (cold), then again (warm). Each time it
measures the seconds from starting make to the first 200 answer for `/`, then stops make
the way a user does, with Ctrl-C typed on its (pseudo-)terminal, and reports how make
ended. Last it reports the size of the clone's .venv.

Package tools see what a plain machine has: no pip or uv configuration files, no PIP_* or
UV_* variables (this machine points pip at local wheel folders and indexes, which a user's
machine does not have; --machine-config keeps them), and caches in fresh empty folders.
Numbers depend on the machine and the network; they are printed, never asserted.
"""

import argparse
import contextlib
import fcntl
import json
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import termios
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold": 45.0, "warm": 10.0, "venv_mb": 250.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plain_environment(scratch: Path, machine_config: bool = False) -> dict:
    """This process's environment as a fresh machine would have it for package tools."""
    package_settings = () if machine_config else ("PIP_", "UV_")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith((*package_settings, "DJANGO_", "VIRTUAL_ENV", "PYTHON"))
        and k not in {"SITE_URL", "DATABASE_URL", "EMAIL_URL", "REDIS_URL", "HOST", "PORT"}
    }
    cache = scratch / "cache"
    if not machine_config:
        env.update(PIP_CONFIG_FILE=os.devnull, UV_NO_CONFIG="1")  # no configuration files
    env.update(
        # ensure_superuser asks a terminal for the admin's address; answered here, since a
        # person's typing is no part of the setup's time.
        DJANGO_SUPERUSER_EMAIL="admin@example.com",
        PIP_CACHE_DIR=str(cache / "pip"),
        UV_CACHE_DIR=str(cache / "uv"),
        XDG_CACHE_HOME=str(cache / "xdg"),
    )
    return env


def wait_for_page(url: str, process: subprocess.Popen, limit: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    response.read()
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    return None


class Terminal:
    """A command on a pseudo-terminal of its own, as in a terminal window: what it prints
    goes to a log file, and Ctrl-C is typed, so the terminal signals its foreground group."""

    def __init__(self, command: list[str], cwd: Path, env: dict, log: Path):
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            # The new session's controlling terminal: this one.
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.log = log.open("wb")
        self.reader = threading.Thread(target=self._copy, daemon=True)
        self.reader.start()

    def _copy(self):
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the terminal has ended
                break
            if not data:
                break
            self.log.write(data)
            self.log.flush()

    def ctrl_c(self):
        os.write(self.master, b"\x03")

    def close(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # whatever is left of the session
        self.process.wait()
        self.reader.join(timeout=5)
        os.close(self.master)
        self.log.close()


def make_run(clone: Path, env: dict, log: Path) -> dict:
    """One `make run`: seconds to the first page, then Ctrl-C and how make ended."""
    port = free_port()
    started = time.monotonic()
    terminal = Terminal(["make", "run", f"PORT={port}"], clone, env, log)
    try:
        seconds = wait_for_page(f"http://127.0.0.1:{port}/", terminal.process, limit=900)
        if seconds is not None:
            seconds = time.monotonic() - started
        terminal.ctrl_c()
        try:
            status = terminal.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            status = "still running 30 s after Ctrl-C"
    finally:
        terminal.close()
    output = log.read_text(errors="replace")
    return {
        "seconds": None if seconds is None else round(seconds, 1),
        "exit_status_after_ctrl_c": status,
        "segmentation_fault": "Segmentation fault" in output,
        "traceback": "Traceback (most recent call last)" in output,
        "log": str(log),
    }


def size_mb(folder: Path) -> float:
    """Disk usage as `du` counts it (allocated blocks), hard links once."""
    seen, total = set(), 0
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return round(total / 1e6, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", default="HEAD", help="commit to measure (default: HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--machine-config",
        action="store_true",
        help="keep this machine's pip/uv configuration (local indexes, find-links)",
    )
    args = parser.parse_args()

    base = Path(tempfile.gettempdir()) / "setup-bench"
    base.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    clone = scratch / "clone"
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", args.ref], check=True)
        commit = subprocess.run(
            ["git", "-C", str(clone), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        env = plain_environment(scratch, args.machine_config)
        print(f"measuring {commit}\n  in {clone}, empty caches under {scratch / 'cache'}")
        cold = make_run(clone, env, scratch / "cold.log")
        warm = make_run(clone, env, scratch / "warm.log")
        venv = clone / ".venv"
        results = {
            "commit": commit,
            "cold": cold,
            "warm": warm,
            "venv_mb": size_mb(venv) if venv.exists() else None,
            "cache_mb": size_mb(scratch / "cache") if (scratch / "cache").exists() else 0,
        }
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    def verdict(value, target):
        return "?" if value is None else ("ok" if value <= target else f"over {target:g}")

    print(f"\n{'':34}{'measured':>10}  target")
    for label, key in (
        ("fresh clone, empty cache -> page", "cold"),
        ("second make run -> page", "warm"),
    ):
        seconds = results[key]["seconds"]
        shown = "failed" if seconds is None else f"{seconds:.1f} s"
        print(f"{label:34}{shown:>10}  <= {TARGETS[key]:g} s  {verdict(seconds, TARGETS[key])}")
    venv_mb = results["venv_mb"]
    print(f"{'.venv size':34}{venv_mb or 0:>8.1f} MB  <= {TARGETS['venv_mb']:g} MB  "
          f"{verdict(venv_mb, TARGETS['venv_mb'])}")  # fmt: skip
    print(f"{'package cache filled':34}{results['cache_mb']:>8.1f} MB")
    for key in ("cold", "warm"):
        run = results[key]
        print(
            f"Ctrl-C on the {key} run: make exited {run['exit_status_after_ctrl_c']}"
            + (", 'Segmentation fault' printed" if run["segmentation_fault"] else "")
            + (", a traceback printed" if run["traceback"] else "")
        )
    if args.keep:
        print(f"logs: {results['cold']['log']}, {results['warm']['log']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if cold["seconds"] is not None and warm["seconds"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
