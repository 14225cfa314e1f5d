"""Backups: the database and the uploaded files, into one directory, and back.

A backup directory holds ``database.dump`` (``pg_dump --format=custom``: one consistent
snapshot, whatever runs meanwhile), ``media.tar.gz`` (every file under MEDIA_ROOT,
taken after the snapshot, so every file a row names is there) and ``manifest.json``
(when, which database, how many rows in each table). On SQLite (the embedded default)
the database is copied with SQLite's own online backup into ``database.sqlite3``.

Restoring goes into an empty database (``createdb`` it first, owned by the role that
runs the restore), then the files into MEDIA_ROOT. The row-level security policies
(reentry/rowsecurity.py) come back with the dump; both tools run with
``reentry.scope=system`` so the policies let them read and write every row even as a
role that is not a superuser.
"""

import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, with argument lists, no shell)
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

DUMP = "database.dump"
SQLITE = "database.sqlite3"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's environment for the alias's database, and the system scope."""
    db = connections[alias].settings_dict
    env = {**os.environ, "PGOPTIONS": "-c reentry.scope=system"}
    for key, name in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(name):
            env[key] = str(db[name])
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def row_counts(alias: str = "default") -> dict[str, int]:
    """Rows in each of the app's tables (in system scope: every row)."""
    connection = connections[alias]
    tables = sorted(connection.introspection.table_names(include_views=False))
    counts = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('reentry.scope', 'system', false)")
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _media_root() -> Path | None:
    """MEDIA_ROOT when uploads are files on this machine; None on object storage (whose
    own versioning or replication keeps them)."""
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def backup(target: Path, *, alias: str = "default") -> dict:
    """Write a backup into the directory ``target`` (made; it must not hold a backup)."""
    target.mkdir(parents=True, exist_ok=True)
    if (target / MANIFEST).exists():
        raise BackupError(f"{target} already holds a backup.")
    connection = connections[alias]
    if connection.vendor == "postgresql":
        _run(
            ["pg_dump", "--format=custom", "--enable-row-security", "--file", str(target / DUMP)],
            _pg_env(alias),
        )
        database = DUMP
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target / SQLITE)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
        database = SQLITE
    else:
        raise BackupError(f"No backup for {connection.vendor} databases.")
    media = _media_root()
    if media is not None:
        with tarfile.open(target / MEDIA, "w:gz") as tar:
            if media.is_dir():
                tar.add(media, arcname=".")
    manifest = {
        "taken_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "database": database,
        "media": MEDIA if media is not None else None,
        "row_counts": row_counts(alias),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def restore(source: Path, *, alias: str = "default", media_root: Path | None = None) -> dict:
    """Restore the backup in ``source`` into the alias's database, which must be empty,
    and its files into MEDIA_ROOT (or ``media_root``). Returns the manifest."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{source} holds no backup (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    connection = connections[alias]
    if connection.vendor != manifest["vendor"]:
        raise BackupError(f"A {manifest['vendor']} backup cannot go into {connection.vendor}.")
    if connection.introspection.table_names():
        raise BackupError(
            "The database is not empty. Restore into a new, empty database (createdb)."
        )
    if connection.vendor == "postgresql":
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                connection.settings_dict["NAME"],
                str(source / DUMP),
            ],
            _pg_env(alias),
        )
    else:
        connection.close()
        shutil.copyfile(source / SQLITE, connection.settings_dict["NAME"])
    if manifest.get("media"):
        media = media_root or _media_root()
        if media is not None:
            media.mkdir(parents=True, exist_ok=True)
            with tarfile.open(source / MEDIA, "r:gz") as tar:
                tar.extractall(media, filter="data")
    return manifest
