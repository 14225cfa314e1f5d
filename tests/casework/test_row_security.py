"""PostgreSQL's second lock (reentry/rowsecurity.py, casework/migrations/0003): with the
person's scope set, a raw ``Model.objects.all()`` returns only rows the policies admit,
and they admit at least everything ``visible_to`` (casework/access.py) admits.

The tests run as a role that is neither a superuser nor BYPASSRLS: the app's
(``TEST_DATABASE_APP_ROLE``, as ``.ci/run`` sets it), or, when the suite connects as a
superuser, a plain role made for the test inside its transaction (``SET LOCAL ROLE``).
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from casework.models import (
    Consent,
    Enrolment,
    Identity,
    Participant,
    Referral,
    ReferralEvent,
    ServiceLog,
)
from reentry import rowsecurity
from reentry.middleware import RowSecurityMiddleware

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row-level security is PostgreSQL's; on SQLite only the code's lock (access.py) holds.",
)

PERSON_LEVEL = [Participant, Enrolment, Identity, ServiceLog, Referral, ReferralEvent, Consent]


@contextmanager
def policed() -> Iterator[None]:
    """Run the block as a role the policies hold for."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        privileged = cursor.fetchone()[0]
        if privileged:
            role = f"rls_probe_{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}"
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
            cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if privileged:
                cursor.execute("RESET ROLE")
        rowsecurity.reset()


def rows(model) -> set[int]:
    return set(model.objects.values_list("pk", flat=True))


def test_the_app_connects_as_a_role_the_policies_hold_for_in_ci(db):
    """CI (``.ci/run``) sets TEST_DATABASE_APP_ROLE: the suite itself then runs as a role
    that is neither a superuser nor the tables' owner."""
    if not os.environ.get("TEST_DATABASE_APP_ROLE"):
        pytest.skip("TEST_DATABASE_APP_ROLE is not set (.ci/run sets it)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolbypassrls, c.relowner = r.oid FROM pg_roles r, pg_class c "
            "WHERE r.rolname = current_user AND c.relname = 'casework_participant'"
        )
        assert cursor.fetchone() == (False, False, False)


def test_another_organizations_request_sees_none_of_its_participants(casebook, rf: RequestFactory):
    """A raw ``Participant.objects.all()``, no ``visible_to``, inside a request of a
    caseworker of Org C: none of Org A's participants but those a consent in force
    lets Org C see (Rae's, whose consent to Org C names Part 2 records)."""
    c = casebook.cast
    request = rf.get("/")
    request.user = c.staff_c.user

    def view(request):
        return HttpResponse(",".join(Participant.objects.values_list("code", flat=True)))

    with policed():
        response = RowSecurityMiddleware(view)(request)
    seen = set(response.content.decode().split(",")) - {""}
    assert casebook.pat.code not in seen  # Org A's; its consent to Org C is revoked
    assert casebook.quinn_c.participant.code in seen  # Org C's own
    assert casebook.rae_b.participant.code in seen  # Org B's, under a consent to Org C
    assert casebook.xavier_x.participant.code not in seen  # another collaborative
    assert seen < set(Participant.objects.values_list("code", flat=True))


def test_the_policies_admit_what_access_admits_and_hide_the_rest(casebook):
    """For each person of the cast: under their scope, every person-level table holds
    exactly a superset of ``visible_to`` and none of the rows no rule could show them."""
    c = casebook.cast
    everything = {model: rows(model) for model in PERSON_LEVEL}
    for member in (
        c.staff_a,
        c.admin_a,
        c.staff_b,
        c.staff_c,
        c.backbone,
        c.community,
        c.outsider,
        casebook.staff_x,
        casebook.pat_member,
    ):
        visible = {
            model: set(model.objects.visible_to(member.user).values_list("pk", flat=True))
            for model in (Participant, Enrolment, ServiceLog, Referral, Consent)
        }
        with policed():
            rowsecurity.narrow_to(member.user)
            policed_rows = {model: rows(model) for model in PERSON_LEVEL}
        for model, ids in visible.items():
            assert ids <= policed_rows[model], (member, model)
        for model in PERSON_LEVEL:
            assert policed_rows[model] <= everything[model]
    # Nobody without an organization or a record of their own sees anything.
    for member in (c.backbone, c.community, c.outsider):
        with policed():
            rowsecurity.narrow_to(member.user)
            assert all(not rows(model) for model in PERSON_LEVEL), member


def test_org_b_sees_org_as_participant_only_under_the_consent(casebook):
    c = casebook.cast
    with policed():
        rowsecurity.narrow_to(c.staff_b.user)
        assert casebook.pat.pk in rows(Participant)
        assert casebook.pat_a.pk in rows(Enrolment)
        rowsecurity.narrow_to(c.staff_c.user)
        assert casebook.pat.pk not in rows(Participant)
        assert casebook.pat_a.pk not in rows(Enrolment)
        assert not Identity.objects.filter(enrolment=casebook.pat_a).exists()
        assert not ServiceLog.objects.filter(enrolment=casebook.pat_a).exists()


def test_nobody_and_system(casebook):
    with policed():
        rowsecurity.narrow_to(None)
        assert all(not rows(model) for model in PERSON_LEVEL)
        with rowsecurity.system():
            assert rows(Participant) == set(Participant.objects.values_list("pk", flat=True))
            assert rows(Participant)
        assert not rows(Participant)  # the person's scope (nobody) is back after it


def test_a_web_process_starts_as_nobody(casebook):
    rowsecurity.set_process_default(rowsecurity.NOBODY)
    try:
        with policed():
            rowsecurity.reset()
            assert not rows(Participant)
    finally:
        rowsecurity.set_process_default(rowsecurity.SYSTEM)
        rowsecurity.reset()
    assert rows(Participant)
