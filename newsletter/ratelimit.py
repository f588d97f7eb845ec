"""A small fixed-window rate limit, counted in the database (newsletter.RateLimitWindow).

Written here rather than taken from a library because it is one statement: an
`INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count` upsert, atomic on
PostgreSQL (the row lock orders concurrent attempts) and on SQLite (writers are serialized),
so at most `limit` attempts get through however many arrive at once. The cache would not
do: the file-based cache (production without Redis) has no atomic increment, and page
entries filling a capped cache would evict the counters. A fixed window lets a client
through at most twice the limit around a window boundary, which is fine for keeping signup
bots at bay.
"""

import datetime
import hashlib
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.http import client_ip
from newsletter.models import RateLimitWindow


def _count(key: str, expires_at: datetime.datetime) -> int:
    """Add one to the window's counter and return the new count."""
    table = connection.ops.quote_name(RateLimitWindow._meta.db_table)
    count, key_column = (connection.ops.quote_name(name) for name in ("count", "key"))
    sql = (
        f"INSERT INTO {table} ({key_column}, {count}, expires_at) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key_column}) DO UPDATE SET {count} = {table}.{count} + 1 "
        f"RETURNING {count}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(expires_at)])
        return cursor.fetchone()[0]


def hit(scope: str, identity: str, *, limit: int, window: int) -> tuple[bool, int]:
    """Count one attempt by `identity`. Returns (allowed, seconds until the window ends)."""
    now = time.time()
    bucket = int(now // window)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]  # no raw IPs stored
    ends = (bucket + 1) * window
    expires_at = datetime.datetime.fromtimestamp(ends, tz=datetime.UTC)
    count = _count(f"{scope}:{digest}:{bucket}", expires_at)
    if count == 1:
        # A new window: the finished ones of every client go (one indexed DELETE).
        RateLimitWindow.objects.filter(expires_at__lt=timezone.now()).delete()
    retry_after = max(1, int(ends - now))
    return count <= limit, retry_after


def signup_allowed(request) -> tuple[bool, int]:
    return hit(
        "signup",
        client_ip(request),
        limit=settings.NEWSLETTER_SIGNUP_RATE_LIMIT,
        window=settings.NEWSLETTER_SIGNUP_RATE_WINDOW,
    )
