"""Background work of core (run by `manage.py db_worker`): warming the page cache after a
change (core.warming). Queued tasks name these functions by their path."""

from datetime import datetime

from django.tasks import task

from core import warming


@task
def warm_pages(paths: list[str] | None = None) -> int:
    return len(warming.run(paths))


def enqueue_warm(at: datetime, paths: list[str]) -> None:
    # A backend that runs tasks at once (or never) cannot wait for a burst to end: no warming.
    if warm_pages.get_backend().supports_defer:
        warm_pages.using(run_after=at).enqueue(paths)
