"""Log formatting: one JSON object per line in production, readable text in development."""

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
