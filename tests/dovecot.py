"""A real IMAP server on loopback: Debian's Dovecot with a configuration of its own in a
temporary folder, on a free port, for the session (tests/conftest.py makes the fixture
available everywhere).

Locally, a machine without /usr/sbin/dovecot skips the tests that need it, with a message;
in CI (CI=true) a missing Dovecot fails them instead, so they are never skipped silently.
Dovecot's master runs as root (it must, to switch to the `mail` user for mailboxes), so the
fixture needs root too; imap-login keeps its default unprivileged user.
"""

import imaplib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.network import free_port

DOVECOT = Path("/usr/sbin/dovecot")
USER = "bounces"
PASSWORD = "s3cret/p@ss%"  # the URL must percent-encode "/", "@" and "%"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_uid = mail
mail_gid = mail
first_valid_uid = 8
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
}}
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """One Dovecot instance: start, stop (as a crash would: the master and its children
    go), and an IMAP client for the test to APPEND and look with."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.config = root / "dovecot.conf"
        self.process: subprocess.Popen | None = None

    def url(self, folder: str = "INBOX", *, port: int | None = None) -> str:
        password = urllib.parse.quote(PASSWORD, safe="")
        return f"imap://{USER}:{password}@127.0.0.1:{port or self.port}/{folder}"

    def write_config(self) -> None:
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        shutil.chown(self.root / "mail", "mail", "mail")
        # "%" starts a variable in Dovecot's settings: "%%" is a literal one.
        password = PASSWORD.replace("%", "%%")
        self.config.write_text(CONFIG.format(root=self.root, port=self.port, password=password))

    def start(self) -> None:
        self.write_config()
        # -F: in the foreground, so the fixture owns the process and its exit.
        self.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on port {self.port}: {self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
        self.process = None
        # Until its port is free again, a restart would fail to listen.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                return

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def client(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        return connection

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.client() as connection:
            status, detail = connection.append(folder, None, None, raw)
            assert status == "OK", detail

    def messages(self, folder: str) -> list[bytes]:
        """The raw messages in a folder ([] when it does not exist)."""
        with self.client() as connection:
            status, _ = connection.select(quote(folder), readonly=True)
            if status != "OK":
                return []
            _, data = connection.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                found.append(parts[0][1])
            return found

    def folders(self) -> list[str]:
        with self.client() as connection:
            _, listed = connection.list()
        return [folder_name(line) for line in listed if line]

    def empty(self) -> None:
        """Delete every folder but INBOX, and everything in INBOX: a clean mailbox."""
        names = self.folders()
        with self.client() as connection:
            for name in sorted(names, key=len, reverse=True):  # children first
                if name.upper() != "INBOX":
                    connection.delete(quote(name))
            _, count = connection.select("INBOX")
            if int(count[0]):  # STORE 1:* is an error on an empty folder
                connection.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                connection.expunge()


LIST_LINE = re.compile(rb'\((?P<flags>[^)]*)\) (?:NIL|"(?:[^"\\]|\\.)*") (?P<name>.+)')


def folder_name(line: bytes) -> str:
    name = LIST_LINE.match(line).group("name").decode()
    if name.startswith('"'):
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name


def quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture(scope="session")
def dovecot_server():
    """Dovecot for the session (see the module docstring)."""
    if not DOVECOT.exists():
        reason = f"{DOVECOT} is missing: apt-get install dovecot-imapd"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    if os.geteuid() != 0:
        reason = "Dovecot's master must run as root to switch to the mail user"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # Not under pytest's temporary folders: they are private to root (0700), and the
    # mail user must reach its maildir.
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o711)
    server = Dovecot(root)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server):
    """The session's Dovecot, running and with an empty mailbox for this test."""
    if dovecot_server.process is None:  # a test stopped it and failed before restarting
        dovecot_server.start()
    dovecot_server.empty()
    yield dovecot_server
    if dovecot_server.process is None:
        dovecot_server.start()
