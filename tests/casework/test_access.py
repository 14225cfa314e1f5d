"""Rule 7 at the queryset level: who sees which enrolment, service log and consent.
(The page-, export- and API-level matrix is in tests/security.)"""

from datetime import timedelta

from casework import access
from casework.models import Consent, Enrolment, Participant, ServiceLog
from casework.services import consents


def visible_logs(member, today=None):
    return set(ServiceLog.objects.visible_to(member.user, today=today))


def test_the_owner_sees_all_its_records_and_nobody_elses(casebook):
    c = casebook.cast
    assert set(Enrolment.objects.visible_to(c.staff_a.user)) >= {casebook.pat_a}
    assert casebook.quinn_c not in Enrolment.objects.visible_to(c.staff_a.user)
    assert {casebook.log_housing, casebook.log_employment} <= visible_logs(c.staff_a)
    assert casebook.xavier_x not in Enrolment.objects.visible_to(c.staff_a.user)


def test_a_recipient_sees_only_the_kinds_and_key_areas_consented(casebook):
    c = casebook.cast
    seen = visible_logs(c.staff_b)
    assert casebook.log_housing in seen
    assert casebook.log_employment not in seen  # Employment is not in the consent
    grants = access.grants_for(c.staff_b.user, casebook.pat)
    grant = grants[casebook.pat_a.pk]
    assert grant.why == "consent"
    assert grant.shows("service_logs", casebook.housing.pk)
    assert not grant.shows("service_logs", casebook.employment.pk)
    assert not grant.shows("identity")


def test_revoked_and_expired_consents_show_nothing(casebook):
    c = casebook.cast
    # Org C: named by a revoked consent, and in sector S2 named by an expired one.
    assert not {casebook.log_housing, casebook.log_employment} & visible_logs(c.staff_c)
    assert casebook.pat_a not in Enrolment.objects.visible_to(c.staff_c.user)
    assert casebook.pat not in Participant.objects.visible_to(c.staff_c.user)
    # The expired consent was in force the day before it ended.
    yesterday = casebook.expired_to_s2.ends_on
    assert casebook.log_housing in visible_logs(c.staff_c, today=yesterday)


def test_revocation_acts_on_the_next_query(casebook):
    c = casebook.cast
    assert casebook.log_housing in visible_logs(c.staff_b)
    consents.consent_revoke(user=casebook.pat_member.user, consent=casebook.to_b)
    assert casebook.log_housing not in visible_logs(c.staff_b)
    assert casebook.pat not in Participant.objects.visible_to(c.staff_b.user)
    # The owner's own records stay, and so does the consent, revoked.
    assert casebook.log_housing in visible_logs(c.staff_a)
    assert Consent.objects.get(pk=casebook.to_b.pk).revoked_at is not None


def test_part2_records_need_a_consent_that_names_them(casebook):
    c = casebook.cast
    assert casebook.rae_log not in visible_logs(c.staff_a)  # consent without Part 2
    assert casebook.rae_b not in Enrolment.objects.visible_to(c.staff_a.user)
    assert casebook.rae_log in visible_logs(c.staff_c)  # consent naming Part 2


def test_the_person_sees_everything_held_about_them(casebook):
    user = casebook.pat_member.user
    assert {casebook.log_housing, casebook.log_employment} <= set(
        ServiceLog.objects.visible_to(user)
    )
    assert casebook.pat in Participant.objects.visible_to(user)
    assert set(Consent.objects.visible_to(user)) >= {
        casebook.to_b,
        casebook.revoked_to_c,
        casebook.expired_to_s2,
    }


def test_people_without_a_caseworker_role_see_nothing(casebook, client):
    c = casebook.cast
    for member in (c.backbone, c.community, c.observer, c.outsider):
        assert not visible_logs(member)
        assert not Enrolment.objects.visible_to(member.user).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not ServiceLog.objects.visible_to(AnonymousUser()).exists()


def test_a_consent_not_yet_started_shows_nothing(casebook):
    c = casebook.cast
    tomorrow = casebook.collab.today() + timedelta(days=1)
    from tests.casework.conftest import give_consent

    give_consent(
        c.staff_c,
        casebook.quinn_c,
        days=(1, 30),
        recipient_organizations=[c.org_a],
        key_areas=[casebook.housing],
        shares_service_logs=True,
    )
    assert casebook.quinn_c not in Enrolment.objects.visible_to(c.staff_a.user)
    assert casebook.quinn_c in Enrolment.objects.visible_to(c.staff_a.user, today=tomorrow)
