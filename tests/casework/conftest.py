"""A casework world on top of the fixed cast (tests/conftest.py), built once per run of
tests that use it (tests/worlds.py).

In collaborative A (sectors S1 = Housing with Org A and Org B, S2 = Courts with Org C),
key areas Housing (the cast's) and Employment:
- ``pat``: enrolled at Org A (owner; identity "Pat Doe"), with a service log in Housing
  and one in Employment; a consent in force from Org A to Org B for Housing, sharing
  enrolment facts, needs, service logs and referrals (not identity); a revoked consent to
  Org C; an expired consent to sector S2. Pat has an account (``pat_member``, community).
- ``quinn``: enrolled at Org C only, no consent.
- ``rae``: enrolled at Org B, which is a Part 2 program; a consent to Org A that does not
  name Part 2 records, and one to Org C that does.
In collaborative B: ``xavier`` enrolled at Org X.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from casework.models import Consent, Part2Program
from casework.services import consents, logs, participants
from stakeholders.models import Member
from tests import worlds
from tests.factories import KeyAreaFactory, MemberFactory

CONSENT_DEFAULTS = {
    "purpose": "To find housing after release",
    "method": Consent.Method.ON_SCREEN,
    "signed_name": "Signed Name",
    "told_right_to_revoke": True,
}


def give_consent(actor, enrolment, *, days=(-30, 300), **fields):
    today = enrolment.collaborative.today()
    values = {**CONSENT_DEFAULTS, **fields}
    values.setdefault("starts_on", today + timedelta(days=days[0]))
    values.setdefault("ends_on", today + timedelta(days=days[1]))
    return consents.consent_record(actor=actor, enrolment=enrolment, **values)


@worlds.world(needs=("cast",))
def build_casebook(cast):
    collab = cast.collab
    housing = cast.key_area
    employment = KeyAreaFactory(collaborative=collab, name="Employment", slug="employment")
    today = collab.today()
    pat_member = MemberFactory(collaborative=collab, role=Member.Role.COMMUNITY)
    pat_a = participants.enrol(
        actor=cast.staff_a,
        needs=[housing, employment],
        identity={"given_name": "Pat", "family_name": "Doe"},
        release_date=today - timedelta(days=40),
        facility="Anamosa State Penitentiary",
    )
    pat = pat_a.participant
    pat.user = pat_member.user
    pat.save(update_fields=["user"])
    log_housing = logs.service_log(
        actor=cast.staff_a,
        enrolment=pat_a,
        key_area=housing,
        delivered_on=today,
        notes="Signed the lease together",
    )
    log_employment = logs.service_log(
        actor=cast.staff_a,
        enrolment=pat_a,
        key_area=employment,
        delivered_on=today,
        notes="Wrote a resume together",
    )
    to_b = give_consent(
        cast.staff_a,
        pat_a,
        recipient_organizations=[cast.org_b],
        key_areas=[housing],
        shares_enrolment=True,
        shares_needs=True,
        shares_service_logs=True,
        shares_referrals=True,
    )
    revoked_to_c = give_consent(
        cast.staff_a,
        pat_a,
        recipient_organizations=[cast.org_c],
        key_areas=[housing, employment],
        shares_identity=True,
        shares_service_logs=True,
    )
    consents.consent_revoke(user=cast.staff_a.user, consent=revoked_to_c)
    expired_to_s2 = give_consent(
        cast.staff_a,
        pat_a,
        days=(-400, -1),
        recipient_sectors=[cast.sector2],
        key_areas=[housing, employment],
        shares_identity=True,
        shares_service_logs=True,
    )
    quinn_c = participants.enrol(actor=cast.staff_c, identity={"given_name": "Quinn"})
    logs.service_log(actor=cast.staff_c, enrolment=quinn_c, key_area=housing, delivered_on=today)
    Part2Program.objects.create(organization=cast.org_b, program_name="Org B Recovery")
    rae_b = participants.enrol(actor=cast.staff_b, identity={"given_name": "Rae"})
    rae_log = logs.service_log(
        actor=cast.staff_b, enrolment=rae_b, key_area=housing, delivered_on=today
    )
    rae_to_a_no_part2 = give_consent(
        cast.staff_b,
        rae_b,
        recipient_organizations=[cast.org_a],
        key_areas=[housing],
        shares_service_logs=True,
    )
    rae_to_c_part2 = give_consent(
        cast.staff_b,
        rae_b,
        recipient_organizations=[cast.org_c],
        key_areas=[housing],
        shares_service_logs=True,
        shares_part2=True,
        signed_on=today,
        amount_and_kind="Attendance in treatment",
    )
    staff_x = MemberFactory(
        collaborative=cast.other_collab, role=Member.Role.PROVIDER_STAFF, organization=cast.org_x
    )
    xavier_x = participants.enrol(actor=staff_x)
    return SimpleNamespace(
        cast=cast,
        collab=collab,
        housing=housing,
        employment=employment,
        pat=pat,
        pat_member=pat_member,
        pat_a=pat_a,
        log_housing=log_housing,
        log_employment=log_employment,
        to_b=to_b,
        revoked_to_c=revoked_to_c,
        expired_to_s2=expired_to_s2,
        quinn_c=quinn_c,
        rae_b=rae_b,
        rae_log=rae_log,
        rae_to_a_no_part2=rae_to_a_no_part2,
        rae_to_c_part2=rae_to_c_part2,
        staff_x=staff_x,
        xavier_x=xavier_x,
    )


@pytest.fixture
def casebook(request, cast):
    return worlds.get(request, "casebook", cast=cast)
