"""Adding a participant: find someone who agreed to be found (code only), then enrol
them or someone new."""

from datetime import date

import pytest
from django.urls import reverse

from casework import access
from casework.models import Enrolment, Participant
from casework.services import participants
from reentry.audit.models import AuditEvent
from tests.casework.conftest import give_consent


def find_url(collab):
    return reverse("casework:participant_find", args=[collab.slug])


def add_url(collab, participant=None):
    url = reverse("casework:participant_add", args=[collab.slug])
    return f"{url}?participant={participant.public_id}" if participant else url


@pytest.fixture
def findable_quinn(casebook):
    """Quinn (Org C) agreed to be found, with a birth date on Org C's record; the consent
    names no recipient: being findable is collaborative-wide."""
    c = casebook.cast
    identity = casebook.quinn_c.identity
    identity.family_name = "Lee"
    identity.date_of_birth = date(1990, 4, 2)
    identity.save()
    give_consent(c.staff_c, casebook.quinn_c, findable=True)
    return casebook.quinn_c.participant


def test_find_by_code_shows_only_the_code(casebook, findable_quinn, login):
    c = casebook.cast
    response = login(c.staff_a).post(find_url(c.collab), {"code": findable_quinn.code.lower()})
    page = response.content.decode()
    assert findable_quinn.code in page
    assert "Quinn" not in page and "Lee" not in page
    assert add_url(c.collab, findable_quinn).replace("&", "&amp;") in page


def test_find_by_name_and_birth_date_any_case(casebook, findable_quinn, login):
    c = casebook.cast
    data = {"given_name": "QUINN", "family_name": "lee", "date_of_birth": "1990-04-02"}
    page = login(c.staff_b).post(find_url(c.collab), data).content.decode()
    assert findable_quinn.code in page
    wrong = {**data, "date_of_birth": "1990-04-03"}
    page = login(c.staff_b).post(find_url(c.collab), wrong).content.decode()
    assert findable_quinn.code not in page
    assert "Nobody found" in page


def test_nobody_is_found_without_a_findable_consent_in_force(casebook, login):
    c = casebook.cast
    # Quinn gave no consent; Pat's consents are not findable.
    for code in (casebook.quinn_c.participant.code, casebook.pat.code):
        page = login(c.staff_b).post(find_url(c.collab), {"code": code}).content.decode()
        assert "Nobody found" in page


def test_a_revoked_findable_consent_finds_nobody(casebook, login):
    c = casebook.cast
    consent = give_consent(c.staff_c, casebook.quinn_c, findable=True)
    from casework.services import consents

    consents.consent_revoke(user=c.staff_c.user, consent=consent)
    code = casebook.quinn_c.participant.code
    page = login(c.staff_a).post(find_url(c.collab), {"code": code}).content.decode()
    assert "Nobody found" in page


def test_findable_is_collaborative_wide_not_beyond(casebook, findable_quinn):
    c = casebook.cast
    assert findable_quinn in access.findable_participants(c.staff_a.user)
    assert findable_quinn in access.findable_participants(c.staff_b.user)
    for member in (c.backbone, c.community, casebook.staff_x, c.outsider):
        assert findable_quinn not in access.findable_participants(member.user)


def test_finding_our_own_participant_says_so(casebook, login):
    c = casebook.cast
    page = login(c.staff_a).post(find_url(c.collab), {"code": casebook.pat.code}).content.decode()
    assert "Your organization already serves" in page


def test_the_find_form_needs_a_code_or_all_three(casebook, login):
    c = casebook.cast
    response = login(c.staff_a).post(find_url(c.collab), {"given_name": "Quinn"})
    page = response.content.decode()
    assert "Enter a code, or a first name, last name and date of birth." in page
    assert 'value="Quinn"' in page


def test_searches_are_audited_without_the_names(casebook, findable_quinn, login):
    c = casebook.cast
    data = {"given_name": "Quinn", "family_name": "Lee", "date_of_birth": "1990-04-02"}
    login(c.staff_a).post(find_url(c.collab), data)
    event = AuditEvent.objects.filter(action="casework.participant_searched").latest("pk")
    assert event.details["found"] == [findable_quinn.code]
    assert "Lee" not in str(event.details)


@pytest.mark.parametrize("who", ["backbone", "community", "observer"])
def test_people_who_keep_no_casework_cannot_find_or_add(casebook, login, who):
    member = getattr(casebook.cast, who)
    client = login(member)
    assert client.get(find_url(casebook.collab)).status_code == 404
    assert client.get(add_url(casebook.collab)).status_code == 404


def test_another_collaborative_cannot_find_or_add(casebook, login):
    client = login(casebook.staff_x)
    assert client.get(find_url(casebook.collab)).status_code == 404
    assert client.post(add_url(casebook.collab), {"enrolled_on": "2025-01-01"}).status_code == 404


def enrol_data(casebook, **extra):
    return {
        "enrolled_on": casebook.collab.today().isoformat(),
        "release_date": "2025-01-15",
        "facility": "Newton Correctional",
        "supervision": "parole",
        "needs": [casebook.housing.pk],
        "preferred_language": "es",
        **extra,
    }


def test_enrol_someone_new(casebook, login):
    c = casebook.cast
    response = login(c.staff_b).post(
        add_url(c.collab), enrol_data(casebook, given_name="Sam", family_name="Ortiz")
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.filter(organization=c.org_b).latest("pk")
    assert enrolment.facility == "Newton Correctional"
    assert enrolment.preferred_language == "es"
    assert list(enrolment.needs.all()) == [casebook.housing]
    assert enrolment.identity.full_name == "Sam Ortiz"
    assert response["Location"].endswith(f"/participants/{enrolment.participant.public_id}/")
    assert AuditEvent.objects.filter(
        action="casework.enrolled", object_id=str(enrolment.participant.public_id)
    ).exists()


def test_enrol_the_participant_found_under_the_same_code(casebook, findable_quinn, login):
    c = casebook.cast
    client = login(c.staff_a)
    assert client.get(add_url(c.collab, findable_quinn)).status_code == 200
    data = enrol_data(casebook, participant=str(findable_quinn.public_id))
    assert client.post(add_url(c.collab), data).status_code == 302
    assert Enrolment.objects.filter(participant=findable_quinn, organization=c.org_a).exists()
    # Org A's own record; Org C's stays Org C's: Quinn's name is still not Org A's to see.
    page = client.get(
        reverse("casework:participant", args=[c.collab.slug, findable_quinn.public_id])
    )
    assert "Lee" not in page.content.decode()


def test_a_participant_not_found_cannot_be_enrolled_by_id(casebook, login):
    c = casebook.cast
    quinn = casebook.quinn_c.participant  # no findable consent
    client = login(c.staff_a)
    assert client.get(add_url(c.collab, quinn)).status_code == 404
    data = enrol_data(casebook, participant=str(quinn.public_id))
    assert client.post(add_url(c.collab), data).status_code == 404
    assert not Enrolment.objects.filter(participant=quinn, organization=c.org_a).exists()
    assert client.get(add_url(c.collab) + "?participant=not-a-uuid").status_code == 404


def test_enrolling_someone_already_enrolled_says_so_clearly(casebook, login):
    c = casebook.cast
    data = enrol_data(casebook, participant=str(casebook.pat.public_id), facility="Kept")
    response = login(c.staff_a).post(add_url(c.collab), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your organization already serves this participant." in page
    assert 'value="Kept"' in page


def test_the_add_form_keeps_what_was_typed(casebook, login):
    c = casebook.cast
    before = Participant.objects.filter(collaborative=c.collab).count()
    data = enrol_data(casebook, enrolled_on="", given_name="Typed", phone="555-0100")
    response = login(c.staff_a).post(add_url(c.collab), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Typed"' in page and 'value="555-0100"' in page
    assert 'value="Newton Correctional"' in page
    assert Participant.objects.filter(collaborative=c.collab).count() == before


def test_the_form_offers_only_this_collaboratives_key_areas(casebook, login):
    from tests.factories import KeyAreaFactory

    KeyAreaFactory(collaborative=casebook.cast.other_collab, name="Elsewhere Area")
    page = login(casebook.cast.staff_a).get(add_url(casebook.collab)).content.decode()
    assert "Employment" in page and "Elsewhere Area" not in page


def test_enrol_service_refuses_a_merged_participant(casebook):
    c = casebook.cast
    keep = casebook.quinn_c.participant
    drop = participants.enrol(actor=c.staff_b).participant
    drop.merged_into = keep
    drop.save()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        participants.enrol(actor=c.staff_a, participant=drop)
