"""Log formatting: one JSON object per line in production, readable text in development."""

import logging

from pythonjsonlogger.json import JsonFormatter


class JsonLineFormatter(JsonFormatter):
    """JSON with the fields an operator filters on: time, level, logger, message, and for
    requests the request id, method, path, status and duration."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault(
            "rename_fields", {"levelname": "level", "name": "logger", "message": "message"}
        )
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)


class OneLineWarning(logging.Filter):
    """Turns a logger's records into warnings without a traceback.

    Django logs a request with a Host header outside ALLOWED_HOSTS as an ERROR with the
    whole traceback (and mails it to DJANGO_ADMINS): scanners send such requests all day
    and nothing is wrong with the site, so one warning line (it names the host) is enough."""

    def filter(self, record):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = record.stack_info = None
        return True
