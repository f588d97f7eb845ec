from tests.release_registry import registry  # noqa: F401
