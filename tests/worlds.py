"""Worlds: the fixed cast and the common fixtures on top of it, built once and shared.

A world is a named set of rows and the Python objects pointing at them: ``cast``
(tests/conftest.py), ``wg`` (tests/workgroups/conftest.py), ``mworld``
(tests/mentorship/conftest.py). Building one through factories and services costs more
than most of the tests that use it, so each pytest process (each xdist worker) builds
it once for a run of tests that use the same worlds:

- Before each test, ``prepare`` looks at the worlds the test uses, with the worlds they
  need. If the open world is that same set it stays; otherwise the open one is rolled
  back and the new set is built inside a transaction that is never committed. Tests are
  sorted so that those using the same set run one after another (tests/conftest.py),
  so this happens a few times per run.
- Each test then runs in its own savepoint inside that transaction (pytest-django's
  usual per-test rollback), so what a test writes is gone before the next one.
- The world fixture gives each test a deep copy of the objects as built, one copy per
  test shared by all its world fixtures (``wg.housing`` still points at the same
  ``cast.backbone`` object the test gets). A test may change its objects freely.
- A test that commits (``transaction=True``, ``live_server``) runs with no world open
  and builds its worlds for itself, as does the first test of a process.

A world is declared with ``@world(needs=(...))`` on its builder ``build_<name>(**needs)``
and a fixture that returns ``worlds.get(request, "<name>", **needs)``. World names are
unique across the suite.
"""

import copy
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import factory.random
import pytest
from django.db import transaction


@dataclass(frozen=True)
class Spec:
    build: Callable[..., Any]
    needs: tuple[str, ...]


SPECS: dict[str, Spec] = {}


def world(*, needs: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``build_<name>`` as the builder of the world ``<name>``."""

    def register(build: Callable[..., Any]) -> Callable[..., Any]:
        SPECS[build.__name__.removeprefix("build_")] = Spec(build, needs)
        return build

    return register


@dataclass
class _Open:
    key: tuple[str, ...]
    atomic: transaction.Atomic
    built: dict[str, Any]


_open: _Open | None = None
_served: str | None = None  # the node id of the test the open world serves
_memo: dict[int, Any] = {}
_blocker: Any = None
_conditions: Callable[[], AbstractContextManager[None]] | None = None

# Requested by a test, these make pytest-django run it in a TransactionTestCase.
_COMMITTING_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def attach(blocker: Any, conditions: Callable[[], AbstractContextManager[None]]) -> None:
    """Called once the test database exists: from now on worlds can be shared."""
    global _blocker, _conditions
    _blocker, _conditions = blocker, conditions


def detach() -> None:
    global _blocker
    close()
    _blocker = None


def _names(item: pytest.Item) -> Iterator[str]:
    names = getattr(item, "fixturenames", ())
    pending = [name for name in names if name in SPECS]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(SPECS[name].needs)
    return iter(seen)


def _ordered(names: set[str]) -> list[str]:
    """Each world after the worlds it needs."""
    done: list[str] = []

    def visit(name: str) -> None:
        if name not in done:
            for need in SPECS[name].needs:
                visit(need)
            done.append(name)

    for name in sorted(names):
        visit(name)
    return done


def commits(item: pytest.Item) -> bool:
    """Whether pytest-django runs this test outside a per-test transaction."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction")
        or marker.kwargs.get("reset_sequences")
        or (marker.args and marker.args[0])
    ):
        return True
    return bool(_COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ())))


def key(item: pytest.Item) -> tuple[str, ...]:
    """The worlds a test shares with others: none for a test that commits."""
    if commits(item):
        return ()
    return tuple(_ordered(set(_names(item))))


def prepare(item: pytest.Item) -> None:
    """Before a test: open the worlds it uses (if it can share them), or close any."""
    global _served, _memo
    _served, _memo = None, {}
    wanted = key(item)
    if _blocker is None or not wanted:
        close()
        return
    if _open is not None and not transaction.get_connection().in_atomic_block:
        close()  # the connection was closed under the world: build it again
    if _open is None or _open.key != wanted:
        close()
        _build(wanted)
    _served = item.nodeid


def _build(wanted: tuple[str, ...]) -> None:
    global _open
    assert _conditions is not None
    # The same names and choices whichever test happens to open the world.
    factory.random.reseed_random("world:" + ",".join(wanted))
    with _blocker.unblock(), _conditions():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built: dict[str, Any] = {}
            for name in wanted:
                spec = SPECS[name]
                built[name] = spec.build(**{need: built[need] for need in spec.needs})
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    _open = _Open(wanted, atomic, built)


def close() -> None:
    """Roll the open world back (before a test that does not use it, and at the end)."""
    global _open
    if _open is None:
        return
    opened, _open = _open, None
    with _blocker.unblock():
        if not transaction.get_connection().in_atomic_block:
            # A test closed the connection (changing TIME_ZONE does): the server rolled
            # the world back with it, and there is nothing left to exit.
            return
        transaction.set_rollback(True)
        opened.atomic.__exit__(None, None, None)


def get(request: pytest.FixtureRequest, name: str, **needs: Any) -> Any:
    """A world fixture's value: a copy of the shared world, or one built for this test."""
    if _open is not None and _served == request.node.nodeid and name in _open.built:
        return copy.deepcopy(_open.built[name], _memo)
    return SPECS[name].build(**needs)
