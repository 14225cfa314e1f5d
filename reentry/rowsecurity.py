"""Row-level security: PostgreSQL's second lock on person-level rows.

The first lock is the code: every read goes through a ``visible_to`` queryset method
(DESIGN.md rules 4 and 7). The second is PostgreSQL's: the casework tables carry
``FORCE ROW LEVEL SECURITY`` policies (casework/migrations/0003_row_level_security.py)
that read the acting person's scope from three settings of the database session:

- ``reentry.scope``: ``system`` (every row) or ``person`` (what follows);
- ``reentry.org_ids``: the organizations whose person-level records the person reads
  as staff (``ROW_SECURITY_ORG_IDS``: casework's ``reader_org_ids``), comma-separated;
- ``reentry.user_id``: the person's account (their own record).

No setting at all is nobody: no row. A web process starts its connections as nobody
(``wsgi.py``, ``asgi.py``); ``RowSecurityMiddleware`` narrows to the signed-in person at
the start of each request (the API's token authentication does it again for the
token's creator), and every request ends back at the process's default. Management
commands, migrations, the Celery worker and the tests start as ``system``; a Celery
task runs as ``system`` (it takes ids and checks what it needs); code that legitimately
reads beyond the person (a link code typed by the person, a merge of two records, a
fresh participant code) says so with ``with system():``.

The policies hold only when the app connects as a role that is neither a superuser nor
has BYPASSRLS (superusers skip every policy); ``manage.py grant_app_role`` gives such a
role what the app needs. The settings are not secrets: SQL injection could set them, so
this lock guards against a forgotten filter, not against injected SQL (which the ORM's
parameters already keep out). On SQLite nothing here does anything.
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, connection
from django.db.backends.signals import connection_created
from django.utils.module_loading import import_string

from reentry.personsql import person_sql

SYSTEM = "system"
PERSON = "person"
NOBODY = "nobody"

# What a new connection of this process starts as: SYSTEM, or NOBODY in web processes.
_default = {"scope": SYSTEM}


def set_process_default(scope: str) -> None:
    """Called once by wsgi.py / asgi.py: web processes start their connections as nobody."""
    _default["scope"] = scope


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _execute(sql: str, params: list) -> None:
    """Run on the driver's cursor, not Django's: the scope is the connection's plumbing,
    not one of the page's queries, so the exact query counts of the tests stay the
    page's own."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(sql, params)


def _known(scope: str | None) -> None:
    """Note the plain scope (no organizations, no person) the connection is now known to
    be at, or that it is not known: after a narrowing, inside a transaction (a rollback
    puts back whatever was before it), around ``system()``'s and tasks' own statements.
    ``reset()`` runs no statement when the connection is known to be at the process's
    default already, so a request that never narrowed (a public page answered by the
    front door, reentry/pagecache.py) costs none, and every request still ends there."""
    connection.rowsecurity_at = None if connection.in_atomic_block else scope  # type: ignore[attr-defined]


def _set(scope: str, org_ids_sql: str = "SELECT NULL::bigint", params=(), user_id=None) -> None:
    # ``org_ids_sql`` is SQL the ORM compiled, its values in ``params``.
    _known(None)  # first: should the statement fail, the scope is not known
    org_ids = f"SELECT string_agg(x::text, ',') FROM ({org_ids_sql}) AS orgs(x)"  # noqa: S608
    sql = (
        "SELECT set_config('reentry.scope', %s, false), "
        f"set_config('reentry.org_ids', coalesce(({org_ids}), ''), false), "
        "set_config('reentry.user_id', %s, false)"
    )
    _execute(sql, [scope, *params, "" if user_id is None else str(user_id)])
    if not params and user_id is None:
        _known(scope)


def narrow_to(user) -> None:
    """From now on this connection sees what ``user`` may see (nothing for an anonymous
    visitor or a deactivated account). One statement."""
    if not enabled():
        return
    if user is None or not user.is_authenticated or not user.is_active:
        _set(PERSON)
        return
    sql, params = _org_ids_sql(user)
    _set(PERSON, sql, params, user.pk)


def _org_ids_sql(user) -> tuple[str, tuple]:
    """``ROW_SECURITY_ORG_IDS`` for this person, as SQL and its values: compiled once per
    process and given each person's id (``reentry.personsql``), about half a millisecond
    of Python saved on every signed-in request."""
    path = settings.ROW_SECURITY_ORG_IDS
    return person_sql(("row_security", path), import_string(path), user)


def widen() -> None:
    """From now on this connection sees every row (the rest of a request of the site's
    operators: Django superusers, and staff on the Django admin's pages, which keep
    their own model permissions and casework/admin.py's rules)."""
    if enabled():
        _set(SYSTEM)


def reset() -> None:
    """Back to the process's default (system, or nobody in a web process): no statement
    when the connection is known to be there already."""
    if not enabled() or connection.connection is None:
        return
    if getattr(connection, "rowsecurity_at", None) == _default["scope"]:
        return
    _set(_default["scope"])


def current() -> tuple[str, str, str]:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting('reentry.scope', true), ''), "
            "coalesce(current_setting('reentry.org_ids', true), ''), "
            "coalesce(current_setting('reentry.user_id', true), '')"
        )
        row = cursor.fetchone()
    return (row[0], row[1], row[2])


@contextmanager
def system() -> Iterator[None]:
    """Every row, for the block: work that legitimately reaches beyond the person (after
    the code has checked what they may do). The person's scope comes back after it; should
    the block fail inside a transaction, its rollback restores the scope as well."""
    if not enabled():
        yield
        return
    before = current()
    _known(None)
    _execute("SELECT set_config('reentry.scope', %s, false)", [SYSTEM])
    try:
        yield
    finally:
        _restore(before)


def _restore(before: tuple[str, str, str]) -> None:
    try:
        _execute(
            "SELECT set_config('reentry.scope', %s, false), "
            "set_config('reentry.org_ids', %s, false), "
            "set_config('reentry.user_id', %s, false)",
            list(before),
        )
    except DatabaseError:
        # An aborted transaction: its rollback puts the settings back as they were.
        if not connection.in_atomic_block:
            raise


def _connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql" and connection.alias == "default":
        with connection.connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('reentry.scope', %s, false)",
                [_default["scope"]],
            )
        connection.rowsecurity_at = _default["scope"]


def _request_finished(sender, **kwargs) -> None:
    # A broken connection is closed by Django's own request_finished handler.
    with suppress(DatabaseError):
        reset()


def task_prerun(sender=None, task=None, **kwargs) -> None:
    """A Celery task runs as ``system`` (as it does in the worker), also when it runs
    eagerly inside a request; the request's scope comes back after it."""
    if not enabled() or task is None:
        return
    task.request.rowsecurity_before = current()
    _known(None)
    _execute("SELECT set_config('reentry.scope', %s, false)", [SYSTEM])


def task_postrun(sender=None, task=None, **kwargs) -> None:
    before = getattr(task.request, "rowsecurity_before", None) if task is not None else None
    if not enabled() or before is None:
        return
    _restore(before)


connection_created.connect(_connection_created, dispatch_uid="reentry.rowsecurity")
request_finished.connect(_request_finished, dispatch_uid="reentry.rowsecurity")


# --- The app's database role --------------------------------------------------------------


def grant_statements(role: str, *, truncate: bool = False) -> list[str]:
    """What a non-owner role needs to run the app: read and write every table of the
    schema, use its sequences, and the same on tables migrations add later. Never
    TRUNCATE in production (it skips the policies); the tests' flush needs it."""
    quoted = connection.ops.quote_name(role)
    privileges = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if truncate else "")
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT {privileges} ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {privileges} ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ]
