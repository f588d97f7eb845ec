"""A worker's hold on Delivery rows: claiming a batch under a lease, and the guarded
updates that record what became of each row (only the worker holding it may write).

A worker takes a batch in a short transaction: `SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL (concurrent workers skip each other's rows instead of waiting), then marks the
rows `sending` with its id and the time: a *lease*. SQLite has no row locks, but the
project opens its transactions with `BEGIN IMMEDIATE`, so claims are serialized there.
Rows whose lease has expired (`NEWSLETTER_LEASE_SECONDS`) count as free again: that is how
a killed worker's batch is picked up by the next run.
"""

import functools
import logging
import os
import secrets
import select
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Q
from django.utils import timezone

from newsletter.models import Delivery
from newsletter.retry_policy import lease

logger = logging.getLogger(__name__)

PENDING = [Delivery.Status.QUEUED, Delivery.Status.SENDING]
DATABASE_ERRORS = (OperationalError, InterfaceError)  # the connection, not the query


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def claim_batch(issue_id: int, worker: str, size: int) -> list[int]:
    """Take up to `size` rows that are due, or whose lease expired, and lease them."""
    now = timezone.now()
    due = Q(status=Delivery.Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease()
    )
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(issue_id=issue_id)
            .filter(due)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.SENDING, claimed_by=worker, claimed_at=now
            )
    return ids


# What the send loop reads of a row and its subscriber (the address, whether it may still
# be written to, and the unsubscribe token's key): building whole rows was a sixth of its
# CPU time. Anything else read costs a query per row, which the tests count.
SENDING_FIELDS = (
    "attempts",
    "subscriber__email",
    "subscriber__status",
    "subscriber__suppressed_at",
    "subscriber__unsubscribe_key",
)


def claimed_rows(ids: list[int], worker: str) -> list[Delivery]:
    """The rows of a batch still leased to `worker`, with their subscribers, in order."""
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker, status=Delivery.Status.SENDING)
        .select_related("subscriber")
        .only(*SENDING_FIELDS)
        .order_by("pk")
    )


def mark(delivery_id: int, worker: str, **values) -> int:
    """Update a row this worker still holds; 0 when its lease was taken over."""
    return Delivery.objects.filter(
        pk=delivery_id, claimed_by=worker, status=Delivery.Status.SENDING
    ).update(**values)


def mark_sent(delivery_id: int, worker: str) -> int:
    """Mark a delivery sent once the server accepted its message.

    The message is out by then, so losing the database at this moment (a restart) must
    not leave the row `sending`: when its lease ended it would be sent again. The mark is
    retried, 0.5 s doubling up to 5 s, until the database is back, for at most a quarter
    of the lease (a batch starts no message after half of it, and one SMTP exchange takes
    at most a quarter), so the row is still ours when the mark lands."""
    deadline = time.monotonic() + settings.NEWSLETTER_LEASE_SECONDS / 4
    delay, lost_at = 0.5, None
    while True:
        try:
            marked = _write_sent(delivery_id, worker)
        except DATABASE_ERRORS as error:
            if connection.in_atomic_block or time.monotonic() + delay > deadline:
                raise
            if lost_at is None:
                lost_at = time.monotonic()
                logger.warning(
                    "Lost the database marking delivery %s sent (%s); retrying until it is back",
                    delivery_id,
                    str(error).strip().splitlines()[0] if str(error).strip() else type(error),
                )
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 5)
            continue
        if lost_at is None:
            return marked
        logger.info(
            "Database back after %.1f s; delivery %s marked sent",
            time.monotonic() - lost_at,
            delivery_id,
        )
        # A lost commit may have landed after all: then the row is already ours and sent.
        return marked or int(
            Delivery.objects.filter(
                pk=delivery_id, claimed_by=worker, status=Delivery.Status.SENT
            ).exists()
        )


# The "sent" mark, in plain SQL (building the ORM query cost more than running it). On
# PostgreSQL, `set_config(..., true)` turns synchronous_commit off for the statement's own
# transaction: the commit does not wait for the WAL to reach the disk, which otherwise
# costs a disk flush per message. A worker that dies loses nothing by it: the commit is
# in the server's hands. Only a crash of the database server itself could forget the
# last fraction of a second of marks, and those rows would be sent again, never lost.
_MARK_SENT = (
    "UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, last_error = '' "
    "WHERE {asynchronous}id = %s AND claimed_by = %s AND status = %s"
)
_ASYNCHRONOUS_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) = 'off' AND "


@functools.cache
def _mark_sent_sql(vendor: str, placeholder: str = "%s") -> str:
    """The statement for this database, with DB-API (`%s`) or libpq (`$1`) placeholders."""
    sql = _MARK_SENT.format(
        table=connection.ops.quote_name(Delivery._meta.db_table),
        asynchronous=_ASYNCHRONOUS_COMMIT if vendor == "postgresql" else "",
    )
    for number in range(1, 6):
        sql = sql.replace("%s", placeholder.format(number), 1)
    return sql


def _write_sent(delivery_id: int, worker: str) -> int:
    """The mark as one statement in autocommit: one round trip (BEGIN, SET, UPDATE and
    COMMIT were four)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _mark_sent_sql(connection.vendor),
            [
                Delivery.Status.SENT,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                delivery_id,
                worker,
                Delivery.Status.SENDING,
            ],
        )
        return cursor.rowcount


class SentMarks:
    """A batch's "sent" marks, each sent to the database as soon as the SMTP server accepted
    the message, its result read after the next message's SMTP exchange: the two round
    trips overlap instead of adding up (PostgreSQL; elsewhere each mark is written and
    waited for at once, by mark_sent).

    Nothing changes for a killed worker: a mark leaves for the server before the next
    message starts, and the server commits a statement it has received whether or not the
    client is still there to read the answer. So a kill still costs at most the one
    message in flight. A database lost while a mark was out falls back to mark_sent,
    which retries until it is back.

    No other query may use the connection while a mark is out: the send loop calls
    `settle()` before any (a skipped row, a failure, a release, the end of the batch)."""

    def __init__(self, worker: str):
        self.worker = worker
        self.pending: int | None = None
        # The default database's wrapper itself: `django.db.connection` is a proxy that
        # looks the wrapper up on every attribute, four times a message.
        self.database = connections[DEFAULT_DB_ALIAS]

    def add(self, delivery_id: int) -> None:
        self.settle()
        database = self.database
        if database.vendor != "postgresql":
            self._settled(delivery_id, mark_sent(delivery_id, self.worker))
            return
        import psycopg  # only on PostgreSQL

        try:
            database.ensure_connection()
            pgconn = database.connection.pgconn
            pgconn.send_query_params(
                _mark_sent_sql(database.vendor, "${}").encode(),
                [Delivery.Status.SENT.encode(), timezone.now().isoformat().encode(),
                 str(delivery_id).encode(), self.worker.encode(),
                 Delivery.Status.SENDING.encode()],
            )  # fmt: skip
            while pgconn.flush():  # a few hundred bytes: at once, unless the socket is full
                select.select([], [pgconn.socket], [], 1)
        except (psycopg.Error, *DATABASE_ERRORS):
            self._settled(delivery_id, mark_sent(delivery_id, self.worker))
            return
        self.pending = delivery_id

    def settle(self) -> None:
        """Read the answer to the mark that is out, if any."""
        if self.pending is None:
            return
        import psycopg

        delivery_id, self.pending = self.pending, None
        try:
            pgconn = self.database.connection.pgconn
            result, marked = pgconn.get_result(), None
            if result is not None and result.status == psycopg.pq.ExecStatus.COMMAND_OK:
                marked = int(result.command_tuples or 0)
            while pgconn.get_result() is not None:
                pass
            if marked is None:
                message = result.error_message if result is not None else b"no result"
                raise psycopg.OperationalError(message.decode("utf-8", "replace"))
        except psycopg.Error as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            logger.warning("Marking delivery %s sent failed (%s); again", delivery_id, reason)
            marked = mark_sent(delivery_id, self.worker)
        self._settled(delivery_id, marked)

    def _settled(self, delivery_id: int, marked: int) -> None:
        if not marked:  # only if our lease was taken over: should never happen
            logger.warning("Delivery %s was sent but its lease had been lost", delivery_id)


def release(ids: list[int], worker: str, delay: timedelta = timedelta(0)) -> None:
    """Hand rows back unsent (not an attempt: nothing was tried)."""
    if ids:
        Delivery.objects.filter(
            pk__in=ids, claimed_by=worker, status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.QUEUED, next_attempt_at=timezone.now() + delay)
