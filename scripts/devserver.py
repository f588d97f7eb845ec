"""The development site and its background worker, started and stopped together (`make run`).

    .venv/bin/python scripts/devserver.py [--host 127.0.0.1] [--port 8000]

Starts `manage.py runserver` and `manage.py db_worker --reload` (the worker that sends
email; its output goes to var/worker.log) and waits. Ctrl-C, SIGTERM or SIGHUP stop both
quietly and the exit status is 0; if the server ends by itself (say, its port is taken),
the worker is stopped and the server's status is passed on.

Each child runs in a process group of its own and is stopped with one SIGINT to that group,
which is what Ctrl-C in a terminal sends: Django's autoreloader (a parent and a child
process) then shuts down without a traceback. In a terminal, the server's group is made
the terminal's foreground group while it runs, so Ctrl-C reaches only it (and `breakpoint()`
in a view can read the keyboard), never make: make then sees this script end with status 0
instead of being interrupted itself. The terminal is handed back before this script ends.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10


def address(host: str, port: str) -> str:
    """runserver's addrport: an IPv6 address goes in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def interrupt(process: subprocess.Popen, sig: int = signal.SIGINT) -> None:
    """Signal a child's whole process group (Django's autoreloader is two processes)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def stop(process: subprocess.Popen) -> None:
    """SIGINT, then SIGTERM and SIGKILL if it does not end in time."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        interrupt(process, sig)
        try:
            process.wait(timeout=GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        break
    # The group may outlive its leader (an autoreloader's child): nothing stays behind.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            break
        time.sleep(0.2)


class Terminal:
    """The controlling terminal's foreground process group, lent to the server."""

    def __init__(self):
        self.fd = None
        try:
            if sys.stdin.isatty() and os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp():
                self.fd = sys.stdin.fileno()
                self.owner = os.getpgrp()
        except OSError:
            self.fd = None

    def lend(self, pgid: int) -> None:
        self._set(pgid)

    def take_back(self) -> None:
        self._set(getattr(self, "owner", None))

    def _set(self, pgid: int | None) -> None:
        if self.fd is None or pgid is None:
            return
        # A process outside the foreground group gets SIGTTOU (and stops) for tcsetpgrp.
        previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(self.fd, pgid)
        except OSError:
            pass
        finally:
            signal.signal(signal.SIGTTOU, previous)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
    parser.add_argument("--port", default=os.environ.get("PORT") or "8000")
    var = Path(os.environ.get("DJANGO_VAR_DIR") or ROOT / "var")
    parser.add_argument("--worker-log", type=Path, default=var / "worker.log")
    args = parser.parse_args()

    # The settings build SITE_URL from these (config/settings.py), in both processes.
    env = {**os.environ, "HOST": args.host, "PORT": str(args.port)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    args.worker_log.parent.mkdir(parents=True, exist_ok=True)

    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)
    # Ctrl-Z would suspend the server's group while make waits on: ignored, like this
    # ignoring is inherited by the children.
    signal.signal(signal.SIGTSTP, signal.SIG_IGN)

    terminal = Terminal()
    with args.worker_log.open("w") as log:
        worker = subprocess.Popen(
            [*manage, "db_worker", "--reload"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    server = subprocess.Popen(
        [*manage, "runserver", address(args.host, args.port)],
        cwd=ROOT,
        env=env,
        process_group=0,
    )
    terminal.lend(server.pid)
    forwarded = worker_reported = False
    try:
        while server.poll() is None:
            if stopping and not forwarded:
                forwarded = True
                interrupt(server)
                interrupt(worker)
            if worker.poll() is not None and not worker_reported and not stopping:
                worker_reported = True
                print(
                    f"The background worker stopped (status {worker.returncode}); emails wait"
                    f" until it runs again. See {args.worker_log}.",
                    file=sys.stderr,
                )
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=0.2)
    finally:
        terminal.take_back()
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
        stop(server)
        stop(worker)
    return exit_status(server.returncode, stopped=bool(stopping))


def exit_status(server_status: int, stopped: bool) -> int:
    """0 when the user stopped the server; its own status when it ended by itself.

    Ctrl-C in a terminal reaches only the server's group, so a server that ended on
    SIGINT, SIGTERM or SIGHUP (or with the statuses a shell gives those) was stopped on
    purpose even when this script saw no signal itself."""
    on_purpose = {0} | {s for sig in STOP_SIGNALS for s in (-sig, 128 + sig)}
    if stopped or server_status in on_purpose:
        return 0
    return server_status if server_status > 0 else 128 - server_status


if __name__ == "__main__":
    sys.exit(main())
