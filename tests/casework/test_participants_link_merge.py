"""Linking the person's account with a one-time code, and merging duplicates with the
person's consent."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from casework.models import Consent, Enrolment, Participant, ServiceLog
from casework.services import logs, participants
from reentry.audit.models import AuditEvent
from stakeholders.models import Member
from tests.casework.conftest import give_consent
from tests.factories import MemberFactory


@pytest.fixture
def quinn_person(casebook):
    """Quinn has an account (a community member), not yet linked."""
    return MemberFactory(collaborative=casebook.collab, role=Member.Role.COMMUNITY)


def link_url(collab):
    return reverse("casework:link", args=[collab.slug])


def code_for(casebook):
    return participants.link_code_make(
        actor=casebook.cast.staff_c, participant=casebook.quinn_c.participant
    )


def test_the_owner_shows_a_code_once_on_the_page(casebook, login):
    c = casebook.cast
    quinn = casebook.quinn_c.participant
    client = login(c.staff_c)
    url = reverse("casework:participant_link_code", args=[c.collab.slug, quinn.public_id])
    response = client.post(url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"{quinn.code}-" in page and "Link code for the person" in page
    again = client.get(response["Location"]).content.decode()
    assert "Link code for the person" not in again
    assert AuditEvent.objects.filter(action="casework.link_code_made").exists()


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "backbone", "community"])
def test_only_the_owner_makes_a_code(casebook, login, who):
    c = casebook.cast
    quinn = casebook.quinn_c.participant
    url = reverse("casework:participant_link_code", args=[c.collab.slug, quinn.public_id])
    assert login(getattr(c, who)).post(url).status_code == 404


def test_the_person_links_their_account(casebook, quinn_person, login):
    code = code_for(casebook)
    client = login(quinn_person)
    response = client.post(link_url(casebook.collab), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    quinn = Participant.objects.get(pk=casebook.quinn_c.participant.pk)
    assert quinn.user == quinn_person.user
    assert AuditEvent.objects.filter(
        action="casework.account_linked", actor=quinn_person.user
    ).exists()
    # Now they see their own record.
    assert client.get(response["Location"]).status_code == 200


def test_a_code_is_spent_once_used(casebook, quinn_person, login):
    code = code_for(casebook)
    login(quinn_person).post(link_url(casebook.collab), {"code": code})
    someone = MemberFactory(collaborative=casebook.collab, role=Member.Role.COMMUNITY)
    response = login(someone).post(link_url(casebook.collab), {"code": code})
    assert "already linked to another account" in response.content.decode()
    quinn = Participant.objects.get(pk=casebook.quinn_c.participant.pk)
    assert quinn.user == quinn_person.user


def test_a_forged_or_expired_code_is_refused(casebook, quinn_person, login):
    code = code_for(casebook)
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    client = login(quinn_person)
    page = client.post(link_url(casebook.collab), {"code": forged}).content.decode()
    assert "That code does not work" in page
    later = participants._now_hour() + participants.LINK_MAX_AGE_HOURS + 1
    with mock.patch.object(participants, "_now_hour", return_value=later):
        page = client.post(link_url(casebook.collab), {"code": code}).content.decode()
    assert "That code does not work" in page
    assert Participant.objects.get(pk=casebook.quinn_c.participant.pk).user is None


def test_a_code_works_only_in_its_collaborative(casebook, login):
    code = code_for(casebook)
    member = MemberFactory(collaborative=casebook.cast.other_collab, role=Member.Role.COMMUNITY)
    client = login(member)
    assert client.post(link_url(casebook.collab), {"code": code}).status_code == 404
    page = client.post(link_url(casebook.cast.other_collab), {"code": code}).content.decode()
    assert "That code does not work" in page


def test_an_account_with_a_record_here_is_not_linked_twice(casebook, login):
    code = code_for(casebook)
    page = login(casebook.pat_member).post(link_url(casebook.collab), {"code": code})
    assert f"already linked to the record {casebook.pat.code}" in page.content.decode()


def test_too_many_tries_are_refused(casebook, quinn_person, login):
    client = login(quinn_person)
    for _ in range(participants.LINK_ATTEMPTS_PER_HOUR):
        client.post(link_url(casebook.collab), {"code": "P-2222-2222-22222-2222-2222"})
    page = client.post(link_url(casebook.collab), {"code": code_for(casebook)}).content.decode()
    assert "Too many tries" in page


def test_anonymous_is_sent_to_sign_in_from_the_link_page(casebook, client):
    assert client.get(link_url(casebook.collab)).status_code == 302


# --- Merging --------------------------------------------------------------------------------


@pytest.fixture
def duplicate(casebook):
    """Org B enrolled Pat anew as a second code, with a log; Org B's consent lets Pat be
    found (and shares B's record with nobody)."""
    c = casebook.cast
    b = participants.enrol(actor=c.staff_b, identity={"given_name": "Pat"})
    drop = b.participant
    log = logs.service_log(
        actor=c.staff_b, enrolment=b, key_area=casebook.housing, delivered_on=c.collab.today()
    )
    consent = give_consent(c.staff_b, b, findable=True, shares_part2=False)
    return drop, b, log, consent


def test_merge_moves_the_records_and_keeps_each_organizations_own(casebook, duplicate):
    c = casebook.cast
    drop, b, log, consent = duplicate
    keep = participants.participants_merge(
        actor=c.staff_a, keep=casebook.pat, drop=drop, consent=consent
    )
    assert Enrolment.objects.get(pk=b.pk).participant == keep
    assert ServiceLog.objects.get(pk=log.pk).participant == keep
    assert Consent.objects.get(pk=consent.pk).participant == keep
    drop.refresh_from_db()
    assert drop.merged_into == keep
    # Nothing becomes more visible: Org A still does not see Org B's record.
    assert b.pk not in Enrolment.objects.visible_to(c.staff_a.user).values_list("pk", flat=True)
    events = AuditEvent.objects.filter(action="casework.participants_merged")
    assert {e.object_id for e in events} == {str(keep.public_id), str(drop.public_id)}
    assert {e.details["consent"] for e in events} == {str(consent.public_id)}


def test_merge_needs_a_findable_consent_in_force(casebook, duplicate):
    c = casebook.cast
    drop, b, log, consent = duplicate
    from casework.services import consents

    consents.consent_revoke(user=c.staff_b.user, consent=consent)
    with pytest.raises(PermissionDenied):  # no longer findable, nor visible to Org A
        participants.participants_merge(
            actor=c.staff_a, keep=casebook.pat, drop=drop, consent=consent
        )
    # A consent that does not let the person be found does not do either.
    with pytest.raises(ValidationError, match="agreed to be found"):
        participants.participants_merge(
            actor=c.staff_b, keep=drop, drop=casebook.rae_b.participant, consent=casebook.to_b
        )


def test_merge_refuses_two_records_of_one_organization(casebook, duplicate):
    c = casebook.cast
    drop, b, log, consent = duplicate
    with pytest.raises(ValidationError, match="One organization serves both"):
        participants.participants_merge(
            actor=c.staff_b, keep=drop, drop=casebook.rae_b.participant, consent=consent
        )


def test_merge_needs_both_visible_to_the_actor(casebook, duplicate):
    c = casebook.cast
    drop, b, log, consent = duplicate
    # Org C serves Quinn, but may neither see Pat (its consents were revoked or ended)
    # nor find Pat (no findable consent about Pat).
    with pytest.raises(PermissionDenied):
        participants.participants_merge(
            actor=c.staff_c, keep=casebook.quinn_c.participant, drop=casebook.pat, consent=consent
        )
    # Nor may anyone of another collaborative.
    with pytest.raises(PermissionDenied):
        participants.participants_merge(
            actor=casebook.staff_x, keep=casebook.xavier_x.participant, drop=drop, consent=consent
        )


def test_the_merge_page(casebook, duplicate, login):
    c = casebook.cast
    drop, b, log, consent = duplicate
    client = login(c.staff_a)
    url = reverse("casework:participant_merge", args=[c.collab.slug, casebook.pat.public_id])
    assert client.get(url).status_code == 200
    page = client.get(url, {"code": casebook.quinn_c.participant.code}).content.decode()
    assert "No record with that code" in page
    page = client.get(url, {"code": drop.code}).content.decode()
    assert "Recorded by Org B" in page
    refused = client.post(f"{url}?code={drop.code}", {"consent": consent.pk})
    assert refused.status_code == 200  # the confirmation box is required
    response = client.post(f"{url}?code={drop.code}", {"consent": consent.pk, "confirm": "on"})
    assert response.status_code == 302
    assert Participant.objects.get(pk=drop.pk).merged_into_id == casebook.pat.pk


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community"])
def test_only_the_owner_opens_the_merge_page(casebook, login, who):
    c = casebook.cast
    url = reverse("casework:participant_merge", args=[c.collab.slug, casebook.pat.public_id])
    assert login(getattr(c, who)).get(url).status_code == 404
