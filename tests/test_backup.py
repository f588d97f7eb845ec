"""Backup → restore into a fresh database and media folder → the same pages, same content."""

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from backup_roundtrip import roundtrip


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres")
    and not __import__("shutil").which("pg_dump"),
    reason="pg_dump is not installed",
)
def test_backup_and_restore_give_identical_pages():
    """Runs on the database type the suite runs on (PostgreSQL in CI, SQLite locally)."""
    result = roundtrip(use_postgres=os.environ.get("DATABASE_URL", "").startswith("postgres"))
    assert len(result["before"]) >= 9
    assert all(status == 200 for status, _ in result["before"].values())
    assert result["after"] == result["before"]


def test_restore_refuses_a_database_that_is_not_empty(db, tmp_path):
    from django.core.management import CommandError, call_command
    from django.db import connection

    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "manifest.json").write_text(
        json.dumps({"database": {"vendor": connection.vendor, "file": "database.dump"}})
    )
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(backup))
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(tmp_path))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(backup))
