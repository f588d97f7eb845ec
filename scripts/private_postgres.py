"""A throw-away PostgreSQL cluster for scripts that must restart the database (make
fault-test): initdb into a temporary folder, a free port, sockets in that folder, trust
authentication on loopback; as the `postgres` user when run as root. The server other work
on the machine uses is never touched."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def server_bindir() -> Path:
    try:
        return Path(run("pg_config", "--bindir").stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not versions:
            raise SystemExit(
                "PostgreSQL's server binaries (initdb, pg_ctl) were not found."
            ) from None
        return versions[-1]


class PrivateCluster:
    """A throw-away PostgreSQL cluster: trust authentication, loopback only."""

    def __init__(self):
        self.bindir = server_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="blog-fault-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        # initdb refuses to run as root: then the cluster belongs to `postgres`.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def pg_ctl(self, *args):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        return run(*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w",
                   "-l", str(self.folder / "server.log"), "-o", options, *args)  # fmt: skip

    def create(self):
        run(*self.as_user, str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "-A", "trust", "--no-sync", "-E", "UTF8")  # fmt: skip
        self.pg_ctl("start")

    def ready(self) -> bool:
        probe = [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe).returncode == 0

    def restart(self) -> tuple[float, float]:
        """Restart with a fast shutdown (sessions cut, as on a real restart); returns
        (when it began, when the server accepted connections again)."""
        began = time.monotonic()
        self.pg_ctl("restart", "-m", "fast")
        while not self.ready():
            time.sleep(0.02)
        return began, time.monotonic()

    def destroy(self):
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data),
                        "stop", "-m", "immediate"], capture_output=True)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)
