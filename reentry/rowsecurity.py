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
from django.core.signals import request_finished, request_started
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
    # After connecting: a new connection notes itself at the default (``_connection_created``),
    # which this statement is about to change.
    _known(None)
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


def _statement(
    scope: str, org_ids_sql: str = "SELECT NULL::bigint", params=(), user_id=None
) -> tuple[str, list]:
    # ``org_ids_sql`` is SQL the ORM compiled, its values in ``params``.
    org_ids = f"SELECT string_agg(x::text, ',') FROM ({org_ids_sql}) AS orgs(x)"  # noqa: S608
    sql = (
        "SELECT set_config('reentry.scope', %s, false), "
        f"set_config('reentry.org_ids', coalesce(({org_ids}), ''), false), "
        "set_config('reentry.user_id', %s, false)"
    )
    return sql, [scope, *params, "" if user_id is None else str(user_id)]


def _set(scope: str, org_ids_sql: str = "SELECT NULL::bigint", params=(), user_id=None) -> None:
    _pending(None)  # an explicit scope replaces a narrowing not yet run
    _execute(*_statement(scope, org_ids_sql, params, user_id))
    if not params and user_id is None:
        _known(scope)


def _person_statement(user) -> tuple[str, list]:
    if user is None or not user.is_authenticated or not user.is_active:
        return _statement(PERSON)
    sql, params = _org_ids_sql(user)
    return _statement(PERSON, sql, params, user.pk)


def narrow_to(user) -> None:
    """From now on this connection sees what ``user`` may see (nothing for an anonymous
    visitor or a deactivated account). One statement."""
    if not enabled():
        return
    _pending(None)
    _execute(*_person_statement(user))


# --- Narrowing at the request's first query ----------------------------------------------
#
# A request often runs no query of its own once its person is known: a kept page
# (reentry/pagecache.py), a redirect, a page answered from the session. Narrowing and then
# resetting cost it two statements for nothing. So the middleware only notes the
# narrowing (``narrow_lazily_to``) and ``_run_pending_first``, an execute wrapper, runs it
# just before the first query that goes through Django's cursors. Until then the
# connection is at the process's default, which for a web process is nobody: a query
# that slipped past the wrapper (the driver's own cursor) would see no person-level row,
# never another person's. Code that reads or saves the scope (``current()``, and through
# it ``system()`` and tasks) runs the pending narrowing first.
#
# Inside a transaction the narrowing is part of it, and a rollback would undo it: run
# there, it stays pending and runs again at the first query after the transaction. (Should
# a savepoint that ran it roll back while the outer transaction goes on, the rest of that
# transaction sees the process's default, nobody: fewer rows, never more.)


class _Narrowing:
    __slots__ = ("statement", "ran_in_transaction")

    def __init__(self, statement: tuple[str, list]) -> None:
        self.statement = statement
        self.ran_in_transaction = False


def _pending(narrowing: "_Narrowing | None") -> None:
    connection.rowsecurity_pending = narrowing  # type: ignore[attr-defined]


def narrow_lazily_to(user) -> None:
    """``narrow_to(user)`` just before this request's first query, if it runs one."""
    if not enabled():
        return
    _pending(_Narrowing(_person_statement(user)))
    wrappers = connection.execute_wrappers
    if _run_pending_first not in wrappers:
        # At the bottom of the stack: ``execute_wrapper()`` blocks push and pop at the top.
        wrappers.insert(0, _run_pending_first)


def _run_pending(db) -> None:
    """Run the pending narrowing of ``db`` (the default connection: the only one the
    wrapper is put on, and the one ``_execute`` runs on)."""
    narrowing = getattr(db, "rowsecurity_pending", None)
    if narrowing is None:
        return
    if db.in_atomic_block:
        if narrowing.ran_in_transaction:
            return
        narrowing.ran_in_transaction = True
    else:
        db.rowsecurity_pending = None
    _execute(*narrowing.statement)


def _run_pending_first(execute, sql, params, many, context):
    _run_pending(context["connection"])
    return execute(sql, params, many, context)


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
    if not enabled():
        return
    _pending(None)  # never run now: the request is over
    if connection.connection is None:
        return
    if getattr(connection, "rowsecurity_at", None) == _default["scope"]:
        return
    _set(_default["scope"])


def current() -> tuple[str, str, str]:
    _run_pending(connection)
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
    _execute("SELECT set_config('reentry.scope', %s, false)", [SYSTEM])


def task_postrun(sender=None, task=None, **kwargs) -> None:
    before = getattr(task.request, "rowsecurity_before", None) if task is not None else None
    if not enabled() or before is None:
        return
    _restore(before)


connection_created.connect(_connection_created, dispatch_uid="reentry.rowsecurity")


def _request_started(sender, **kwargs) -> None:
    # A narrowing left pending by a request that never finished (its response never
    # closed) must not run for the next one's first queries.
    _pending(None)


request_started.connect(_request_started, dispatch_uid="reentry.rowsecurity.started")
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
