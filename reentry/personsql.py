"""SQL that depends on nobody but the person, compiled once and reused with each id.

Row security's scope (``reentry.rowsecurity``) and the subqueries of ``visible_to``
(``reentry.sharing.models``) are querysets whose SQL is the same for everyone except the
person's id: they filter by ``user_id`` and let the database read the memberships.
Building and compiling those nested querysets through the ORM cost more than running
them (bench/README.md), so each is compiled once per process and database for a stand-in
that has nothing but an id, and every call puts its person's id where the stand-in's was.

A builder that reads more of the person than the id fails on the stand-in (or leaves
the id out of its values) and is then compiled for each person, as before: never a
wrong answer, only a slower one.
"""

from collections.abc import Callable, Hashable
from contextlib import suppress
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

# An id no account has: the stand-in person the SQL is compiled for.
STAND_IN_ID = -7_319_204_551


class _StandIn:
    pk = STAND_IN_ID
    is_authenticated = True
    is_active = True


# (key, database) -> (SQL, values) with the stand-in's id among the values, or None when
# the builder needs the real person.
_compiled: dict[tuple[Hashable, str], tuple[str, tuple] | None] = {}


def _is_stand_in(value: object) -> bool:
    return type(value) is int and value == STAND_IN_ID


def _compile(queryset: QuerySet, using: str) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=using).as_sql()
    return sql, tuple(params)


def person_sql(
    key: Hashable,
    build: Callable[[Any], QuerySet],
    user,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, tuple]:
    """``build(user)`` as SQL and values, compiled once per ``key`` and database."""
    slot = (key, using)
    if slot not in _compiled:
        entry = None
        with suppress(AttributeError, TypeError):
            sql, params = _compile(build(_StandIn), using)
            if any(_is_stand_in(p) for p in params):
                entry = (sql, params)
        _compiled[slot] = entry
    entry = _compiled[slot]
    if entry is None:
        return _compile(build(user), using)
    sql, params = entry
    return sql, tuple(user.pk if _is_stand_in(p) else p for p in params)


def forget() -> None:
    """Drop every compiled entry (tests that change a builder's settings)."""
    _compiled.clear()
