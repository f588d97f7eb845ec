"""`manage.py db_worker`: django-tasks-db's worker, made to outlive its database.

The library's worker (0.13) exits with a traceback on any database error but a locked
SQLite file (django-tasks-db issue #49), so a PostgreSQL restart stops email until
something restarts the worker. This command keeps its name, options and loop and adds:

- **Losing the database outside a task** (polling, claiming): one warning, the broken
  connections are closed, and the worker tries again after 0.5 s, doubling up to 30 s,
  until the database answers; then one info line, and the loop goes on.
- **Losing it during a task**: when the task had finished but its result could not be
  recorded, the result is recorded once the database is back (the task is not run
  again); when the task itself lost the database, it goes back to the queue and runs
  again. The project's tasks are safe to run twice: deliveries are claimed row by row and
  a sent message is marked even across a restart (newsletter.delivery_claims.mark_sent), and a
  confirmation looks at the subscriber's state first.

The command must win over the library's of the same name: `core` comes before
`django_tasks_db` in INSTALLED_APPS (the first app that has a command provides it).
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core.signals import worker_started

# The library's logger, so the worker's lines share its verbosity and destination.
logger = logging.getLogger("django_tasks_db")

DATABASE_ERRORS = (OperationalError, InterfaceError)
FIRST_DELAY = 0.5
MAX_DELAY = 30.0


def database_lost(error: BaseException) -> bool:
    """Whether `error` came from a connection that is gone, rather than from one query
    that failed on a working connection (a timeout, a deadlock: the task's own failure)."""
    if not isinstance(error, DATABASE_ERRORS):
        return False
    connection = connections[DBTaskResult.objects.db]
    return connection.connection is None or not connection.is_usable()


def _summary(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


class _Outcome:
    """What the library tried to record for a task when the database went away."""

    def __init__(self):
        self.finished = False
        self.value = None
        self.error: BaseException | None = None


def warm_up() -> None:
    """Load what the first task would otherwise wait for: the URLconf (every email's links
    need reverse(), and loading it imports every app's views and admin: 0.6 s here) and
    the template engines (0.15 s). Without it, the first email after a worker starts (a
    confirmation, an issue's first message) waited most of a second."""
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (the property loads and indexes the URLconf)
    engines.all()


class Worker(db_worker.Worker):
    interrupted: tuple[DBTaskResult, _Outcome] | None = None

    def run(self) -> None:
        warm_up()
        while True:
            try:
                self._settle_interrupted_task()
                worker_started.send(sender=type(self))
                return super().run()
            except DATABASE_ERRORS as error:
                if not self.running:  # shutting down anyway
                    raise
                self.startup_delay = False
                self._wait_for_database(error)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        outcome = _Outcome()
        record_success = db_task_result.set_successful
        record_failure = db_task_result.set_failed

        def set_successful(return_value):
            outcome.finished, outcome.value = True, return_value
            record_success(return_value)

        def set_failed(error: BaseException):
            if database_lost(error):
                raise error  # not the task's fault: settled once the database is back
            outcome.error = error
            record_failure(error)

        db_task_result.set_successful = set_successful
        db_task_result.set_failed = set_failed
        try:
            super().run_task(db_task_result)
        except DATABASE_ERRORS:
            self.interrupted = (db_task_result, outcome)
            raise

    def _wait_for_database(self, error: BaseException) -> None:
        logger.warning(
            "Lost the database (%s); worker_id=%s retries with back-off",
            _summary(error),
            self.worker_id,
        )
        lost_at, delay = time.monotonic(), FIRST_DELAY
        connection = connections[DBTaskResult.objects.db]
        while True:
            connections.close_all()  # a broken connection is never reused
            time.sleep(delay)
            try:
                connection.ensure_connection()
                if connection.is_usable():
                    break
            except DATABASE_ERRORS:
                pass
            delay = min(delay * 2, MAX_DELAY)
        logger.info(
            "Database is back after %.1f s; worker_id=%s goes on",
            time.monotonic() - lost_at,
            self.worker_id,
        )

    def _settle_interrupted_task(self) -> None:
        """Record what the task that lost the database came to (see the module docstring)."""
        if self.interrupted is None:
            return
        db_task_result, outcome = self.interrupted
        if outcome.finished:
            db_task_result.set_successful(outcome.value)
        elif outcome.error is not None:
            db_task_result.set_failed(outcome.error)
        else:
            DBTaskResult.objects.filter(
                pk=db_task_result.pk, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, started_at=None)
            logger.info(
                "Task id=%s lost the database while running; queued to run again",
                db_task_result.pk,
            )
        self.interrupted = None


class Command(db_worker.Command):
    help = db_worker.Command.help + ", riding out database restarts"

    def handle(self, *args, **options):
        # The library's handle() builds `Worker` from its own module: point it at ours
        # for the length of the call.
        original, db_worker.Worker = db_worker.Worker, Worker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
