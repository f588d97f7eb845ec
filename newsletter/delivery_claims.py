"""A worker's hold on Delivery rows: claiming a batch under a lease, and the guarded
updates that record what became of each row (only the worker holding it may write).

A worker takes a batch in a short transaction: `SELECT … FOR UPDATE SKIP LOCKED` on
PostgreSQL (concurrent workers skip each other's rows instead of waiting), then marks the
rows `sending` with its id and the time: a *lease*. SQLite has no row locks, but the
project opens its transactions with `BEGIN IMMEDIATE`, so claims are serialized there.
Rows whose lease has expired (`NEWSLETTER_LEASE_SECONDS`) count as free again: that is how
a killed worker's batch is picked up by the next run.
"""

import logging
import os
import secrets
import socket
import time
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
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


def claimed_rows(ids: list[int], worker: str) -> list[Delivery]:
    """The rows of a batch still leased to `worker`, with their subscribers, in order."""
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=worker, status=Delivery.Status.SENDING)
        .select_related("subscriber")
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


def _write_sent(delivery_id: int, worker: str) -> int:
    """The one write per message on the hot path, in plain SQL: building the ORM query
    cost more than running it.

    On PostgreSQL the commit does not wait for the WAL to reach the disk
    (synchronous_commit off, for this transaction only), which otherwise costs a disk
    flush per message. A worker that dies loses nothing by it: the commit is in the
    server's hands. Only a crash of the database server itself could forget the last
    fraction of a second of "sent" marks, and those rows would be sent again, never lost."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "
            "last_error = '' WHERE id = %s AND claimed_by = %s AND status = %s",
            [
                Delivery.Status.SENT,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                delivery_id,
                worker,
                Delivery.Status.SENDING,
            ],
        )
        return cursor.rowcount


def release(ids: list[int], worker: str, delay: timedelta = timedelta(0)) -> None:
    """Hand rows back unsent (not an attempt: nothing was tried)."""
    if ids:
        Delivery.objects.filter(
            pk__in=ids, claimed_by=worker, status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.QUEUED, next_attempt_at=timezone.now() + delay)
