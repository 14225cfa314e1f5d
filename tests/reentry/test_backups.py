"""Backups we have restored: ``manage.py backup`` of a seeded database and its uploaded
files, ``manage.py restore`` into a new, empty database, and the data is all there and
answers the ORM (reentry/site/backups.py)."""

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend

from casework.models import Enrolment, Participant
from reentry.site import backups
from stakeholders.models import Collaborative
from tests.casework.conftest import casebook  # noqa: F401 (the casework world, as seed)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The backup test restores into a second PostgreSQL database (pg_dump, pg_restore).",
)


@pytest.fixture
def empty_database():
    """A new, empty database beside the test database, as the alias ``restored``,
    connected as the owner (the test database's login, before the tests' app role)."""
    db = connection.settings_dict
    owner = db.get("TEST", {}).get("OWNER_USER") or db["USER"]
    password = db.get("TEST", {}).get("OWNER_PASSWORD", db["PASSWORD"])
    name = f"{db['NAME']}_restored"
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": owner}
    if password:
        params["password"] = password

    def admin(sql: str) -> None:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    # A connection made here, not in settings.DATABASES: Django's test case lets it be.
    restored = load_backend(db["ENGINE"]).DatabaseWrapper(
        {**db, "NAME": name, "USER": owner, "PASSWORD": password}, "restored"
    )
    connections["restored"] = restored
    try:
        yield "restored"
    finally:
        restored.close()
        del connections["restored"]
        admin(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database(
    casebook,  # noqa: F811
    empty_database,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    scan = settings.MEDIA_ROOT / "consents" / "scan.pdf"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(b"%PDF-1.4 a signed consent")
    target = tmp_path / "backup"

    call_command("backup", str(target))
    assert {p.name for p in target.iterdir()} == {
        backups.DUMP,
        backups.MEDIA,
        backups.MANIFEST,
    }

    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(target), database=empty_database)

    # Every table holds the same rows (the command checks it too), the files are back,
    # and the restored database answers the ORM, policies and all.
    assert backups.row_counts(empty_database) == backups.row_counts("default")
    assert backups.row_counts(empty_database)["casework_participant"] >= 4
    restored_scan = settings.MEDIA_ROOT / "consents" / "scan.pdf"
    assert restored_scan.read_bytes() == scan.read_bytes()
    pat = Participant.objects.using(empty_database).get(code=casebook.pat.code)
    assert (
        Enrolment.objects.using(empty_database)
        .filter(participant=pat, organization__name=casebook.cast.org_a.name)
        .exists()
    )
    assert Collaborative.objects.using(empty_database).get(slug=casebook.cast.collab.slug)
    with connections[empty_database].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_policies WHERE policyname = 'reentry_person_scope'")
        assert cursor.fetchone()[0] == 7


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    target = tmp_path / "backup"
    call_command("backup", str(target))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target))
