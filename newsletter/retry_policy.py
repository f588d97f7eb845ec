"""When work that did not get through is tried again: the lease a worker holds on the
deliveries it claimed, the back-off between attempts, and whether the task backend can
run anything later at all. Issue deliveries and confirmation emails share it."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task_backends


def lease() -> timedelta:
    """How long claimed deliveries stay a worker's before another may take them over."""
    return timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: 1, 2, 4, … times the base,
    at most an hour."""
    seconds = settings.NEWSLETTER_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def can_defer() -> bool:
    """Whether the task backend runs tasks later (run_after). The immediate backend
    cannot; everything then happens inline and there is nothing to wake up."""
    return task_backends["default"].supports_defer
