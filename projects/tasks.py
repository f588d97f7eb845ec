"""Background work of the projects app (run by `manage.py db_worker`): polling releases.
Queued tasks name these functions by their path, so they stay here."""

import logging
from datetime import datetime

from django.tasks import task

from projects.imports import polling

logger = logging.getLogger(__name__)


@task
def poll_releases(at: str) -> dict:
    """Poll every project's release sources that are due (projects.imports.polling)."""
    return polling.run(at, enqueue_poll)


def enqueue_poll(at: datetime) -> None:
    poll_releases.using(run_after=at).enqueue(at.isoformat())


def start_release_polling(**kwargs) -> None:
    """core.signals.worker_started: one poll chain alive."""
    if at := polling.arm(enqueue_poll):
        logger.info("Release polling: next at %s", at)
