"""Row security narrows a request to its person just before the request's first query
(``rowsecurity.narrow_lazily_to``, issue 18): a request that runs none pays no statement,
one that runs any sees exactly its person's rows, and every request still ends at the
process's default, also across transactions, rollbacks and new connections."""

from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from reentry import pagecache, rowsecurity
from stakeholders.models import Organization

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row security is PostgreSQL's"),
]


@pytest.fixture
def web_process():
    """This process starts its connections as nobody, as a web process does."""
    before = rowsecurity._default["scope"]
    rowsecurity.set_process_default(rowsecurity.NOBODY)
    rowsecurity.reset()
    yield
    rowsecurity.set_process_default(before)
    rowsecurity.reset()


def statements():
    return mock.patch("reentry.rowsecurity._execute", wraps=rowsecurity._execute)


def test_a_query_runs_as_the_person_the_request_was_narrowed_to(cast, web_process):
    rowsecurity.narrow_lazily_to(cast.staff_a.user)
    with statements() as execute:
        assert Organization.objects.filter(collaborative=cast.collab).count() == 3
        scope, org_ids, user_id = rowsecurity.current()
        assert (scope, user_id) == (rowsecurity.PERSON, str(cast.staff_a.user.pk))
        assert str(cast.org_a.pk) in org_ids.split(",")
        Organization.objects.count()  # narrowed once only
        assert execute.call_count == 1
    rowsecurity.reset()
    assert rowsecurity.current() == (rowsecurity.NOBODY, "", "")


def test_reading_the_scope_runs_the_pending_narrowing(cast, web_process):
    """``system()`` saves the scope to put back: it must be the person's, not nobody."""
    rowsecurity.narrow_lazily_to(cast.staff_b.user)
    with rowsecurity.system():
        assert rowsecurity.current()[0] == rowsecurity.SYSTEM
    assert rowsecurity.current()[2] == str(cast.staff_b.user.pk)
    rowsecurity.reset()


def test_a_request_that_runs_no_query_pays_no_statement(cast, web_process, monkeypatch):
    """A kept page served again: the person's account is read before the middleware
    narrows, the page's position on the driver's cursor, and nothing else."""
    monkeypatch.setattr(pagecache, "database_position", lambda: "0/1")
    client = Client()
    client.force_login(cast.staff_a.user)
    address = reverse("stakeholders:organizations", kwargs={"slug": cast.collab.slug})
    assert client.get(address).status_code == 200
    with statements() as execute:
        assert client.get(address).status_code == 200
    # Inside the tests' transaction the scope is never known, so the reset at the end
    # runs; nothing else did.
    assert [c.args[1][0] for c in execute.call_args_list] == [rowsecurity.NOBODY]
    assert getattr(connection, "rowsecurity_pending", None) is None


@pytest.mark.django_db(transaction=True)
def test_a_statement_that_opens_the_connection_is_still_reset(cast, web_process):
    connection.close()
    rowsecurity.narrow_to(cast.staff_a.user)
    rowsecurity.reset()
    assert rowsecurity.current() == (rowsecurity.NOBODY, "", "")


def test_a_pending_narrowing_never_outlives_its_request(cast, web_process):
    rowsecurity.narrow_lazily_to(cast.staff_a.user)
    rowsecurity.reset()  # the request ended before any query
    Organization.objects.count()
    assert rowsecurity.current() == (rowsecurity.NOBODY, "", "")
    # Nor a request whose end never came: the next request starts without it.
    rowsecurity.narrow_lazily_to(cast.staff_a.user)
    rowsecurity._request_started(sender=None)  # (not the signal: Django's would close
    # the test's connection)
    Organization.objects.count()
    assert rowsecurity.current() == (rowsecurity.NOBODY, "", "")


@pytest.mark.django_db(transaction=True)
def test_a_narrowing_undone_by_a_rollback_runs_again(cast, web_process):
    rowsecurity.narrow_lazily_to(cast.staff_a.user)
    with transaction.atomic():
        Organization.objects.count()  # narrows inside the transaction
        assert rowsecurity.current()[0] == rowsecurity.PERSON
        transaction.set_rollback(True)
    # The rollback put the process's default back; the next query narrows again.
    Organization.objects.count()
    assert rowsecurity.current()[2] == str(cast.staff_a.user.pk)
    rowsecurity.reset()
    assert rowsecurity.current() == (rowsecurity.NOBODY, "", "")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_reset_is_skipped_only_when_nothing_moved(cast, web_process):
    rowsecurity.reset()
    with statements() as execute:
        rowsecurity.narrow_lazily_to(cast.staff_a.user)
        rowsecurity.reset()  # never ran: nothing to put back
        assert execute.call_count == 0
        rowsecurity.narrow_lazily_to(cast.staff_a.user)
        Organization.objects.count()
        rowsecurity.reset()
        assert execute.call_count == 2
    assert rowsecurity.current() == (rowsecurity.NOBODY, "", "")
