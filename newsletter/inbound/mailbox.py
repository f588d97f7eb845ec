"""Reading the bounce mailbox over IMAP (NEWSLETTER_BOUNCE_MAILBOX_URL).

One poll: log in, select the folder, and for each message (by UID, oldest first) look at its
size, fetch it, hand it to `messages.handle` (which recognises bounces, complaints,
unsubscribes and auto-replies and applies them), then move it to
NEWSLETTER_BOUNCE_PROCESSED_FOLDER. Messages are moved, never deleted: the mailbox keeps
what the site read.

A message that cannot be used whole never stops the poll: one larger than
NEWSLETTER_UNRECOGNISED_MAX_BYTES is kept (cut to that size) as unrecognised mail and moved
whole to the "Unprocessable" folder under the processed one; so is one whose handling
raised. Losing the server (refused connection, a dropped one, a timeout, failed login)
raises MailboxUnavailable, and the message being read stays in the folder for the next poll:
handling the same message twice has one effect (the events are keyed).
"""

import imaplib
import logging
import re
import socket
import ssl
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings

from newsletter.inbound import messages
from newsletter.inbound.feedback import keep_unrecognised

logger = logging.getLogger(__name__)

SOURCE = "mailbox"
TIMEOUT_SECONDS = 30
# Sizes are fetched this many messages at a time, and one poll reads at most
# MESSAGES_PER_POLL (the next poll, scheduled soon after, goes on).
SIZE_BATCH = 50
MESSAGES_PER_POLL = 500
UNPROCESSABLE = "Unprocessable"
DEFAULT_PORTS = {"imap": 143, "imaps": 993}


class MailboxURLError(ValueError):
    """NEWSLETTER_BOUNCE_MAILBOX_URL is not a usable imap:// or imaps:// URL."""


class MailboxUnavailable(Exception):
    """The server could not be reached, refused us, or went away during the poll.
    `summary` holds what was done before."""

    def __init__(self, message: str, summary: "PollSummary | None" = None):
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class MailboxAddress:
    scheme: str
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str

    @property
    def tls(self) -> bool:
        return self.scheme == "imaps"

    def __str__(self) -> str:  # never the password (logs, /readyz)
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_url(url: str) -> MailboxAddress:
    """`imap[s]://user:password@host[:port][/folder]`: user and password percent-decoded,
    the port 143 (imap) or 993 (imaps) by default, the folder INBOX by default (a nested
    one as written on the server, e.g. `/Bounces.Newsletter`)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise MailboxURLError(f"not a URL ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise MailboxURLError(f"the scheme must be imap:// or imaps://, not {scheme or 'none'}")
    if not parts.hostname:
        raise MailboxURLError("the URL names no host")
    if not parts.username or parts.password is None:
        raise MailboxURLError("the URL needs a user and a password (imaps://user:pass@host/)")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxAddress(
        scheme=scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORTS[scheme],
        user=unquote(parts.username),
        password=unquote(parts.password),
        folder=folder,
    )


@dataclass
class PollSummary:
    """What one poll did: messages per kind (as `messages.handle` named them), how many
    were kept aside, and how many were left for the next poll."""

    kinds: Counter = field(default_factory=Counter)
    read: int = 0
    applied: int = 0
    too_large: int = 0
    failed: int = 0
    remaining: int = 0

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "kinds": dict(sorted(self.kinds.items())),
            "applied": self.applied,
            "too_large": self.too_large,
            "failed": self.failed,
            "remaining": self.remaining,
        }


def quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response, what: str):
    status, data = response
    if status != "OK":
        detail = data[0].decode(errors="replace") if data and data[0] else ""
        raise imaplib.IMAP4.error(f"{what}: {status} {detail}".strip())
    return data


LIST_DELIMITER = re.compile(rb'\([^)]*\) (NIL|"((?:[^"\\]|\\.)*)")')


class Session:
    """One logged-in connection with the folder selected."""

    def __init__(self, address: MailboxAddress):
        self.address = address
        if address.tls:
            self.imap = imaplib.IMAP4_SSL(
                address.host,
                address.port,
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT_SECONDS,
            )
        else:
            self.imap = imaplib.IMAP4(address.host, address.port, timeout=TIMEOUT_SECONDS)
        try:
            _check(self.imap.login(address.user, address.password), "LOGIN")
            # Servers announce more after the login (MOVE, UIDPLUS) than in their greeting.
            data = _check(self.imap.capability(), "CAPABILITY")
            self.capabilities = set(data[0].decode().upper().split())
            _check(self.imap.select(quote(address.folder)), f"SELECT {address.folder}")
            self.delimiter = self._delimiter()
        except BaseException:
            self.close()
            raise

    def _delimiter(self) -> str:
        data = _check(self.imap.list('""', '""'), "LIST")
        match = LIST_DELIMITER.match(data[0] or b"")
        if not match or match.group(1) == b"NIL":
            return "/"
        return match.group(2).decode()

    def ensure_folder(self, folder: str) -> None:
        _, data = self.imap.list('""', quote(folder))
        if not any(data or []):
            _check(self.imap.create(quote(folder)), f"CREATE {folder}")

    def uids(self) -> list[bytes]:
        # Messages flagged \Deleted are on their way out (a COPY that was not expunged yet).
        data = _check(self.imap.uid("SEARCH", None, "UNDELETED"), "SEARCH")
        return sorted(data[0].split(), key=int) if data and data[0] else []

    def sizes(self, uids: list[bytes]) -> dict[bytes, int]:
        data = _check(self.imap.uid("FETCH", b",".join(uids), "(RFC822.SIZE)"), "FETCH SIZE")
        found = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            uid = re.search(rb"UID (\d+)", line or b"")
            size = re.search(rb"RFC822\.SIZE (\d+)", line or b"")
            if uid and size:
                found[uid.group(1)] = int(size.group(1))
        return found

    def fetch(self, uid: bytes, limit: int | None = None) -> bytes:
        """The raw message (the first `limit` bytes of it), without marking it seen."""
        part = f"BODY.PEEK[]<0.{limit}>" if limit is not None else "BODY.PEEK[]"
        data = _check(self.imap.uid("FETCH", uid, f"({part})"), "FETCH")
        for item in data:
            if isinstance(item, tuple):
                return item[1]
        raise imaplib.IMAP4.error(f"FETCH {uid.decode()}: no message in the answer")

    def move(self, uid: bytes, folder: str) -> None:
        """UID MOVE where the server has it (RFC 6851); else COPY, flag \\Deleted, expunge
        (only this message where UIDPLUS allows, RFC 4315)."""
        if "MOVE" in self.capabilities:
            _check(self.imap.uid("MOVE", uid, quote(folder)), f"MOVE to {folder}")
            return
        _check(self.imap.uid("COPY", uid, quote(folder)), f"COPY to {folder}")
        _check(self.imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if "UIDPLUS" in self.capabilities:
            _check(self.imap.uid("EXPUNGE", uid), "UID EXPUNGE")
        else:
            _check(self.imap.expunge(), "EXPUNGE")

    def close(self) -> None:
        try:
            self.imap.logout()
        except Exception:  # closing a connection that is gone already
            logger.debug("IMAP logout failed", exc_info=True)


# Everything that means "the server is not there for us right now".
CONNECTION_ERRORS = (OSError, socket.timeout, ssl.SSLError, imaplib.IMAP4.error, EOFError)


def poll(url: str | None = None, *, dry_run: bool = False) -> PollSummary:
    """Read the mailbox once (see the module docstring). `dry_run` applies, keeps and
    moves nothing: it says what the messages are."""
    address = parse_url(settings.NEWSLETTER_BOUNCE_MAILBOX_URL if url is None else url)
    summary = PollSummary()
    try:
        session = Session(address)
    except CONNECTION_ERRORS as error:
        raise MailboxUnavailable(f"{address}: {describe(error)}", summary) from error
    try:
        _read(session, summary, dry_run=dry_run)
    except CONNECTION_ERRORS as error:
        raise MailboxUnavailable(f"{address}: {describe(error)}", summary) from error
    finally:
        session.close()
    return summary


def _read(session: Session, summary: PollSummary, *, dry_run: bool) -> None:
    processed = settings.NEWSLETTER_BOUNCE_PROCESSED_FOLDER
    unprocessable = f"{processed}{session.delimiter}{UNPROCESSABLE}"
    if not dry_run:
        session.ensure_folder(processed)
        session.ensure_folder(unprocessable)
    uids = session.uids()
    summary.remaining = max(len(uids) - MESSAGES_PER_POLL, 0)
    uids = uids[:MESSAGES_PER_POLL]
    limit = settings.NEWSLETTER_UNRECOGNISED_MAX_BYTES
    for start in range(0, len(uids), SIZE_BATCH):
        batch = uids[start : start + SIZE_BATCH]
        sizes = session.sizes(batch)
        for uid in batch:
            if uid not in sizes:  # expunged by someone else since the SEARCH
                continue
            summary.read += 1
            if sizes[uid] > limit:
                _keep_too_large(session, uid, sizes[uid], limit, dry_run=dry_run)
                summary.too_large += 1
                summary.kinds["unknown"] += 1
                if not dry_run:
                    session.move(uid, unprocessable)
                continue
            raw = session.fetch(uid)
            if _handle(raw, uid, summary, dry_run=dry_run):
                target = processed
            else:
                summary.failed += 1
                summary.kinds["unknown"] += 1
                target = unprocessable
            if not dry_run:
                session.move(uid, target)


def _keep_too_large(session: Session, uid: bytes, size: int, limit: int, *, dry_run: bool):
    logger.warning("Bounce mailbox: message UID %s is %d bytes, over %d", uid.decode(), size, limit)
    if not dry_run:
        head = session.fetch(uid, limit)
        reason = f"{size} bytes, over NEWSLETTER_UNRECOGNISED_MAX_BYTES ({limit}): cut"
        keep_unrecognised(head, reason, SOURCE)


def _handle(raw: bytes, uid: bytes, summary: PollSummary, *, dry_run: bool) -> bool:
    """Hand one message to `messages.handle`; False when that raised (the message is then
    kept as unrecognised mail, with the reason)."""
    try:
        handled = messages.handle(raw, source=SOURCE, dry_run=dry_run)
    except Exception as error:
        logger.exception("Bounce mailbox: handling message UID %s failed", uid.decode())
        if not dry_run:
            keep_unrecognised(raw, f"handling failed: {describe(error)}", SOURCE)
        return False
    for item in handled:
        summary.kinds[item.kind] += 1
        summary.applied += bool(item.applied)
    return True


def describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]
