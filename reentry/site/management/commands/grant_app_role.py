"""Give the app's own database role what it needs, as the tables' owner.

The app connects to PostgreSQL as a role that is neither a superuser, nor BYPASSRLS,
nor the tables' owner, so the row-level security policies on person-level tables hold
for it (reentry/rowsecurity.py). Run after ``migrate``, with DATABASE_URL set to the
owner: ``python manage.py grant_app_role reentry_app``. Tables that later migrations
add are granted too (default privileges). With ``--create-with-password-from VAR`` a
missing role is created first, as a plain login with the password in that environment
variable (docker-compose.yml's ``migrate`` service does this).
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reentry import rowsecurity


class Command(BaseCommand):
    help = "Grant the app's database role (not a superuser) what the app needs."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the app connects as")
        parser.add_argument(
            "--create-with-password-from",
            metavar="VAR",
            help="create the role if it is missing, with the password in this variable",
        )

    def handle(self, *args, role: str, create_with_password_from: str | None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Only PostgreSQL has roles and row-level security.")
        with connection.cursor() as cursor:
            if create_with_password_from:
                password = os.environ.get(create_with_password_from, "")
                if not password:
                    raise CommandError(f"{create_with_password_from} is empty.")
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone() is None:
                    # CREATE ROLE takes no parameters: the password goes in as a literal
                    # (standard_conforming_strings: doubling the quotes is all it needs).
                    cursor.execute(
                        f"CREATE ROLE {connection.ops.quote_name(role)} LOGIN PASSWORD "
                        + _quote_literal(password)
                    )
                    self.stdout.write(f"Created the role {role}.")
            cursor.execute(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role]
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError(
                    f"There is no role {role!r}: CREATE ROLE {role} LOGIN PASSWORD '...' first."
                )
            if row[0]:
                raise CommandError(
                    f"{role!r} is a superuser or has BYPASSRLS: row-level security would not "
                    "hold for it. Use a plain role."
                )
            for statement in rowsecurity.grant_statements(role):
                cursor.execute(statement)
        self.stdout.write(f"Granted {role} what the app needs.")


def _quote_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"
