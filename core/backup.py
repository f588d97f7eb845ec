"""Backups: a consistent database dump, an archive of the media files and a manifest.

A backup folder holds:

- `database.dump` (PostgreSQL, `pg_dump --format=custom`: one consistent snapshot) or
  `database.sqlite3` (SQLite's online backup API: consistent while the site runs);
- `media.tar.gz`, every file of the media storage (local folder or object storage);
- `manifest.json`: when, from what, the applied migrations, row counts of the content
  tables and every media file's size and SHA-256, so a restore can prove it is complete.

`restore` only writes into an empty database and an empty media storage, then checks the
row counts and checksums against the manifest.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import django
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
COUNTED_MODELS = [
    "core.SiteSettings",
    "blog.Category",
    "blog.Post",
    "projects.Project",
    "projects.Release",
    "newsletter.Issue",
    "newsletter.Subscriber",
    "auth.User",
    "redirects.Redirect",
]


class BackupError(Exception):
    pass


def _pg_env_and_args() -> tuple[dict, list[str]]:
    params = connection.settings_dict
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    args = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        args += ["--host", params["HOST"]]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    return env, args


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        )
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _counts() -> dict[str, int]:
    counts = {}
    for label in COUNTED_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        counts[label] = model._default_manager.count()
    return counts


def _migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        latest = {}
        for app, name in cursor.fetchall():
            latest[app] = name
    return latest


def _media_files(storage, folder: str = "") -> list[str]:
    """Every file in the storage, recursively, as storage names."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for directory in directories:
        names += _media_files(storage, f"{folder}/{directory}" if folder else directory)
    return sorted(names)


def backup(target: Path, storage=default_storage) -> dict:
    """Write a backup into `target` (a new or empty folder) and return its manifest."""
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty: give a new folder for each backup.")

    vendor = connection.vendor
    if vendor == "postgresql":
        env, args = _pg_env_and_args()
        dump = target / "database.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(dump), *args], env)  # fmt: skip
    elif vendor == "sqlite":
        dump = target / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(dump)
        with destination:
            connection.connection.backup(destination)
        destination.close()
    else:
        raise BackupError(f"Backups of {vendor} databases are not supported.")

    files = []
    with tarfile.open(target / MEDIA_ARCHIVE, "w:gz") as archive:
        for name in _media_files(storage):
            with storage.open(name, "rb") as handle:
                data = handle.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            files.append(
                {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            )

    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": {"vendor": vendor, "file": dump.name},
        "django": django.get_version(),
        "migrations": _migrations(),
        "counts": _counts(),
        "media": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(source: Path, storage=default_storage) -> dict:
    """Restore the backup in `source` into the (empty) database and media storage."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{source} has no {MANIFEST}: not a backup folder.")
    manifest = json.loads(manifest_path.read_text())
    vendor = connection.vendor
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['database']['vendor']} database; "
            f"the configured database is {vendor}."
        )
    if not _database_is_empty():
        raise BackupError(
            "The database is not empty. Restore into a new, empty database "
            "(create it, point DATABASE_URL at it, and do not run migrate first)."
        )
    if _media_files(storage):
        raise BackupError("The media storage is not empty: restore into an empty folder/bucket.")

    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        env, args = _pg_env_and_args()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", *args, str(dump)], env)  # fmt: skip
    else:
        connection.ensure_connection()
        source_db = sqlite3.connect(dump)
        with source_db:
            source_db.backup(connection.connection)
        source_db.close()

    expected = {item["name"]: item for item in manifest["media"]}
    with tarfile.open(source / MEDIA_ARCHIVE, "r:gz") as archive:
        for member in archive:
            if not member.isfile() or member.name not in expected:
                raise BackupError(f"Unexpected entry in the media archive: {member.name!r}")
            data = archive.extractfile(member).read()
            if hashlib.sha256(data).hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(f"{member.name} does not match its checksum.")
            saved = storage.save(member.name, ContentFile(data))
            if saved != member.name:
                raise BackupError(f"{member.name} was stored as {saved}.")
            expected.pop(member.name)
    if expected:
        raise BackupError(f"Files missing from the media archive: {sorted(expected)[:5]}")

    # Pages cached before the restore (Redis outlives processes) must not be served again.
    from core import versioning

    versioning.invalidate()
    counts = _counts()
    if counts != manifest["counts"]:
        raise BackupError(f"Row counts differ after restore: {counts} != {manifest['counts']}")
    return manifest
