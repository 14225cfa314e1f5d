"""Rule 7 at the queryset level: who sees which enrolment, service log and consent.
(The page-, export- and API-level matrix is in tests/security.)"""

from datetime import timedelta

from casework import access
from casework.models import Consent, Enrolment, Participant, Referral, ServiceLog
from casework.services import consents
from stakeholders.models import Member
from tests.casework.conftest import give_consent
from tests.factories import MemberFactory


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


# --- Found by the rule-7 oracle (tests/security/test_casework_hypothesis.py) ---------------


def test_two_consents_never_add_up_to_more_than_either(casebook):
    """One consent shares services received in Housing, another identity in Employment:
    neither shares services received in Employment, so the grant must not either."""
    c = casebook.cast
    give_consent(
        c.staff_a,
        casebook.pat_a,
        recipient_organizations=[c.org_b],
        key_areas=[casebook.employment],
        shares_identity=True,
    )
    grant = access.grants_for(c.staff_b.user, casebook.pat)[casebook.pat_a.pk]
    assert grant.shows("identity")
    assert grant.shows("service_logs", casebook.housing.pk)
    assert not grant.shows("service_logs", casebook.employment.pk)
    assert not grant.shows("needs", casebook.employment.pk)
    assert casebook.log_employment not in visible_logs(c.staff_b)


def test_a_deactivated_account_reads_nothing(casebook):
    c = casebook.cast
    for member in (c.staff_a, casebook.pat_member):
        member.user.is_active = False
        member.user.save(update_fields=["is_active"])
        assert not visible_logs(member)
        assert not Enrolment.objects.visible_to(member.user).exists()
        assert not Participant.objects.visible_to(member.user).exists()
        assert not Consent.objects.visible_to(member.user).exists()
        assert access.grants_for(member.user, casebook.pat) == {}


def test_the_person_reads_nothing_of_a_collaborative_they_have_left(casebook):
    user = casebook.pat_member.user
    assert access.grants_for(user, casebook.pat)[casebook.pat_a.pk].self
    casebook.pat_member.is_active = False
    casebook.pat_member.save(update_fields=["is_active"])
    assert casebook.pat not in Participant.objects.visible_to(user)
    assert not ServiceLog.objects.visible_to(user).exists()
    assert not Consent.objects.visible_to(user).exists()
    assert access.grants_for(user, casebook.pat) == {}


def _referral(casebook, *, to, key_area, consent):
    return Referral.objects.create(
        collaborative=casebook.collab,
        participant=casebook.pat,
        from_organization=casebook.cast.org_a,
        from_enrolment=casebook.pat_a,
        to_organization=to,
        key_area=key_area,
        consent=consent,
        reason="Needs a home",
    )


def test_a_receiver_sees_a_referral_only_under_a_consent_that_covers_it(casebook):
    """The consent ``to_b`` names Org B, referrals and Housing only."""
    c = casebook.cast
    covered = _referral(casebook, to=c.org_b, key_area=casebook.housing, consent=casebook.to_b)
    other_area = _referral(
        casebook, to=c.org_b, key_area=casebook.employment, consent=casebook.to_b
    )
    not_named = _referral(casebook, to=c.org_c, key_area=casebook.housing, consent=casebook.to_b)
    assert set(Referral.objects.visible_to(c.staff_b.user)) == {covered}
    assert not Referral.objects.visible_to(c.staff_c.user).exists()
    assert {covered, other_area, not_named} <= set(Referral.objects.visible_to(c.staff_a.user))
    # A consent in force that does not share referrals shows none.
    Consent.objects.filter(pk=casebook.to_b.pk).update(shares_referrals=False)
    assert not Referral.objects.visible_to(c.staff_b.user).exists()


def test_an_organization_of_another_collaborative_slipped_into_a_consent_reads_nothing(
    casebook,
):
    """Org A's staff member is also a community member of collaborative B; a consent of B
    that names Org A (the services refuse it; the row says so anyway) shows them nothing."""
    c = casebook.cast
    MemberFactory(user=c.staff_a.user, collaborative=c.other_collab, role=Member.Role.COMMUNITY)
    consent = give_consent(casebook.staff_x, casebook.xavier_x, findable=True, shares_identity=True)
    consent.recipient_organizations.add(c.org_a)
    consent.recipient_sectors.add(c.sector1)
    assert casebook.xavier_x not in Enrolment.objects.visible_to(c.staff_a.user)
    assert consent not in Consent.objects.visible_to(c.staff_a.user)
    assert access.grants_for(c.staff_a.user, casebook.xavier_x.participant) == {}


def test_the_recipient_of_a_self_referral_consent_sees_the_participant(casebook):
    """A consent the person gave themselves (no enrolment) that names Org C: Org C sees
    the consent, so it sees whose it is (the code)."""
    c = casebook.cast
    today = casebook.collab.today()
    consent = Consent.objects.create(
        collaborative=casebook.collab,
        participant=casebook.pat,
        purpose="Self-referral",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        method=Consent.Method.ON_SCREEN,
        shares_referrals=True,
    )
    consent.recipient_organizations.add(c.org_c)
    consent.key_areas.add(casebook.housing)
    assert consent in Consent.objects.visible_to(c.staff_c.user)
    assert casebook.pat in Participant.objects.visible_to(c.staff_c.user)
