"""The newsletter tests' own fixtures (the SMTP server and the worker come from
tests/mail_server.py, through tests/conftest.py)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()
