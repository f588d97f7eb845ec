"""Content written in bulk (seed_demo, the WordPress and Markdown imports) is not news: what
would tell readers about a new item as it is saved (a post by email, a release alert) stays
quiet inside `importing()`. Receivers ask `in_progress()`."""

import threading
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def importing():
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth


def in_progress() -> bool:
    return getattr(_state, "depth", 0) > 0
