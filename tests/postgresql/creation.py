# mypy: disable-error-code="attr-defined,misc"
# (django-stubs do not declare the private creation API this extends.)
"""Test databases cloned from a migrated template, kept between runs.

Migrating an empty database takes about 20 s per xdist worker. The first run builds the
test database as Django always does (``migrate``, so the audit log's trigger and the
data migrations are there) and then copies it to a template database named after a
hash of every migration file of every installed app (and Django's version). Later runs
create each worker's database with ``CREATE DATABASE ... TEMPLATE`` from it and still
run ``migrate``: on a copy that is up to date it only checks, and should the template
lack a migration it applies it. Changing, adding or removing any migration file
changes the hash, so a new template is built and the old ones are dropped.

``--reuse-db`` (keepdb) keeps Django's own behaviour.

With ``TEST["APP_ROLE"]`` (``TEST_DATABASE_APP_ROLE``, set by ``.ci/run``) the database is
created and migrated as the owner (the login of DATABASE_URL), then the role is created
if missing (a login that is neither a superuser nor BYPASSRLS), granted what the app
needs (``manage.py grant_app_role``) and the tests connect as it: the row-level
security policies hold for them as they do in production. The owner's login is kept
in ``TEST["OWNER_USER"]`` for the tests that need it (backup and restore) and for
dropping the database at the end.
"""

import hashlib
from importlib import import_module
from pathlib import Path

import django
from django.apps import apps
from django.db.backends.postgresql import creation
from django.db.migrations.loader import MigrationLoader
from psycopg import errors

from reentry import rowsecurity

TEMPLATE_INFIX = "_template_"


def migrations_hash() -> str:
    """A hash of Django's version and every installed app's migration files."""
    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        module_name, _explicit = MigrationLoader.migrations_module(config.label)
        if module_name is None:
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:  # an app without migrations
            continue
        folder = Path(next(iter(module.__path__)))
        digest.update(f"\0{config.label}\0{module_name}".encode())
        for path in sorted(folder.glob("*.py")):
            digest.update(f"\0{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class DatabaseCreation(creation.DatabaseCreation):
    _cloned = False
    _template = ""

    def _template_name(self) -> str:
        """Named from the test database's name before create_test_db renames the
        connection's (one template for all xdist workers)."""
        if not self._template:
            base = self._get_test_db_name().rsplit("_gw", 1)[0]
            self._template = f"{base}{TEMPLATE_INFIX}{migrations_hash()}"
        return self._template

    def _create_test_db(self, verbosity, autoclobber, keepdb=False):
        test_name = self._get_test_db_name()
        if keepdb:
            return super()._create_test_db(verbosity, autoclobber, keepdb)
        template = self._template_name()
        with self._nodb_cursor() as cursor:
            if self._database_exists(cursor, template):
                if self._database_exists(cursor, test_name):
                    cursor.execute(f"DROP DATABASE {self._quote_name(test_name)}")
                cursor.execute(
                    f"CREATE DATABASE {self._quote_name(test_name)} "
                    + self._get_database_create_suffix(template=template)
                )
                self._cloned = True
                if verbosity >= 1:
                    self.log(f"Cloned {test_name} from {template}")
                return test_name
        return super()._create_test_db(verbosity, autoclobber, keepdb)

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=None, keepdb=False):
        name = super().create_test_db(verbosity, autoclobber, serialize, keepdb)
        if not keepdb and not self._cloned:
            self._save_template(name)
        self._become_app_role()
        return name

    def _become_app_role(self) -> None:
        test = self.connection.settings_dict.setdefault("TEST", {})
        role = test.get("APP_ROLE")
        if not role:
            return
        quoted = self._quote_name(role)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "DO $$ BEGIN "
                f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
            for statement in rowsecurity.grant_statements(role, truncate=True):
                cursor.execute(statement)
        self.connection.close()
        test["OWNER_USER"] = self.connection.settings_dict["USER"]
        test["OWNER_PASSWORD"] = self.connection.settings_dict["PASSWORD"]
        self.connection.settings_dict["USER"] = role
        self.connection.settings_dict["PASSWORD"] = test.get("APP_PASSWORD", "")

    def destroy_test_db(self, old_database_name=None, verbosity=1, keepdb=False, suffix=None):
        test = self.connection.settings_dict.get("TEST", {})
        if "OWNER_USER" in test:
            self.connection.close()
            self.connection.settings_dict["USER"] = test.pop("OWNER_USER")
            self.connection.settings_dict["PASSWORD"] = test.pop("OWNER_PASSWORD")
        return super().destroy_test_db(old_database_name, verbosity, keepdb, suffix)

    def _save_template(self, test_name: str) -> None:
        """Copy the freshly migrated test database to this hash's template; drop older ones."""
        template = self._template_name()
        prefix = template.rsplit(TEMPLATE_INFIX, 1)[0] + TEMPLATE_INFIX
        self.connection.close()
        with self._nodb_cursor() as cursor:
            try:
                cursor.execute(
                    f"CREATE DATABASE {self._quote_name(template)} "
                    + self._get_database_create_suffix(template=test_name)
                )
            except Exception as exc:  # another worker saved it first (or is saving it), or busy
                # Two workers saving at once: the loser gets a unique violation on
                # pg_database's name index rather than DuplicateDatabase.
                already = errors.DuplicateDatabase | errors.UniqueViolation | errors.ObjectInUse
                if not isinstance(exc.__cause__, already):
                    raise
            cursor.execute(
                "SELECT datname FROM pg_catalog.pg_database "
                "WHERE datname LIKE %s AND datname <> %s",
                [prefix.replace("_", r"\_") + "%", template],
            )
            for (old,) in cursor.fetchall():
                try:
                    # IF EXISTS: the other worker, saving its template at the same moment,
                    # may have dropped it already.
                    cursor.execute(f"DROP DATABASE IF EXISTS {self._quote_name(old)}")
                except Exception as exc:  # a run of older code is cloning it right now
                    if not isinstance(
                        exc.__cause__, errors.ObjectInUse | errors.InvalidCatalogName
                    ):
                        raise
        self.connection.ensure_connection()
