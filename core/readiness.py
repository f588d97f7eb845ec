"""Parts of the site that can fail without making it unready, reported under /readyz's
first line: the bounce mailbox poller, say, whose mailbox may be unreachable while pages
and sending go on. Each app registers a report from its own ready(); core knows none.
"""

from collections.abc import Callable

# A report: one line about the part ("ok, last poll 09:12"), or None when it is off.
Report = Callable[[], str | None]

_REPORTS: dict[str, Report] = {}


def register(name: str, report: Report) -> None:
    _REPORTS[name] = report


def details() -> list[str]:
    """`name: line` for each registered part that reports; a report that fails says so
    instead of failing /readyz."""
    lines = []
    for name, report in sorted(_REPORTS.items()):
        try:
            line = report()
        except Exception as error:  # the detail must never break the probe
            line = f"unknown ({type(error).__name__})"
        if line:
            lines.append(f"{name}: {line}")
    return lines
