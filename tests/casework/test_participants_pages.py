"""The participants list, the "shared with us" tab, and the participant page: who gets
what (rule 7), why it is shown, and the audit row every view writes."""

import pytest
from django.urls import reverse

from casework.models import Enrolment
from casework.services import consents, logs, participants
from reentry.audit.models import AuditEvent
from tests.casework.conftest import give_consent


def list_url(collab, **params):
    url = reverse("casework:participants", args=[collab.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def page_url(participant, collab=None):
    slug = (collab or participant.collaborative).slug
    return reverse("casework:participant", args=[slug, participant.public_id])


# --- The list --------------------------------------------------------------------------------


def test_our_participants_show_code_name_status_and_last_service(casebook, login):
    c = casebook.cast
    page = login(c.staff_a).get(list_url(c.collab)).content.decode()
    assert casebook.pat.code in page
    assert "Pat Doe" in page
    assert "Being served" in page
    assert casebook.quinn_c.participant.code not in page  # Org C's
    assert casebook.rae_b.participant.code not in page  # Org B's, not shared with A's Part 2 rules


def test_the_org_admin_sees_the_same_list(casebook, login):
    page = login(casebook.cast.admin_a).get(list_url(casebook.collab)).content.decode()
    assert casebook.pat.code in page


@pytest.mark.parametrize("who", ["backbone", "community", "observer"])
def test_people_who_keep_no_casework_get_404(casebook, login, who):
    member = getattr(casebook.cast, who)
    assert login(member).get(list_url(casebook.collab)).status_code == 404


def test_another_collaborative_gets_404(casebook, login):
    assert login(casebook.staff_x).get(list_url(casebook.collab)).status_code == 404


def test_anonymous_is_sent_to_sign_in(casebook, client):
    response = client.get(list_url(casebook.collab))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_search_finds_our_people_by_code_or_name_only(casebook, login):
    c = casebook.cast
    client = login(c.staff_a)
    assert casebook.pat.code in client.get(list_url(c.collab, q="doe")).content.decode()
    assert casebook.pat.code in client.get(list_url(c.collab, q=casebook.pat.code)).content.decode()
    # Quinn is Org C's: searching the name never reaches another organization's record.
    page = client.get(list_url(c.collab, q="quinn")).content.decode()
    assert casebook.quinn_c.participant.code not in page
    assert "Nobody matches" in page


def test_filter_active_and_closed(casebook, login):
    c = casebook.cast
    client = login(c.staff_a)
    participants.enrolment_close(actor=c.staff_a, enrolment=casebook.pat_a)
    assert casebook.pat.code not in client.get(list_url(c.collab, status="active")).content.decode()
    assert casebook.pat.code in client.get(list_url(c.collab, status="closed")).content.decode()


def test_an_organization_with_nobody_sees_the_empty_state(casebook, login):
    from stakeholders.models import Member
    from tests.factories import MemberFactory, OrganizationFactory

    org = OrganizationFactory(collaborative=casebook.collab, sector=casebook.cast.sector1)
    member = MemberFactory(
        collaborative=casebook.collab, role=Member.Role.PROVIDER_STAFF, organization=org
    )
    client = login(member)
    assert "no participants yet" in client.get(list_url(casebook.collab)).content.decode()
    shared = client.get(list_url(casebook.collab, tab="shared")).content.decode()
    assert "No other organization shares" in shared


def _more_of_ours(casebook, count):
    c = casebook.cast
    for n in range(count):
        enrolment = participants.enrol(
            actor=c.staff_a,
            identity={"given_name": f"Person{n}", "family_name": "Test"},
            needs=[casebook.housing],
        )
        logs.service_log(
            actor=c.staff_a,
            enrolment=enrolment,
            key_area=casebook.housing,
            delivered_on=casebook.collab.today(),
        )
        give_consent(
            c.staff_a,
            enrolment,
            recipient_organizations=[c.org_b],
            key_areas=[casebook.housing],
            shares_identity=True,
        )


def test_the_list_runs_the_same_queries_for_1_and_25_rows(casebook, login, count_queries):
    c = casebook.cast
    client = login(c.staff_a)
    url = list_url(c.collab)
    one = count_queries(client, url)
    _more_of_ours(casebook, 24)
    many = count_queries(client, url)
    assert one == many
    assert count_queries.page.count("Person") == 24
    assert "Page 1 of" not in count_queries.page  # 25 rows: one page


def test_shared_with_us_runs_the_same_queries_for_1_and_25_rows(casebook, login, count_queries):
    c = casebook.cast
    client = login(c.staff_b)
    url = list_url(c.collab, tab="shared")
    one = count_queries(client, url)
    assert casebook.pat.code in count_queries.page
    _more_of_ours(casebook, 24)
    many = count_queries(client, url)
    assert one == many
    # Identity shared by these consents: names show; Pat's consent shares no identity.
    assert count_queries.page.count("Person") == 24
    assert "Pat Doe" not in count_queries.page


def test_shared_with_us_lists_only_consents_in_force(casebook, login):
    c = casebook.cast
    # Org C: a revoked consent and an expired one name it.
    page = login(c.staff_c).get(list_url(c.collab, tab="shared")).content.decode()
    assert casebook.pat.code not in page
    # Org B: in force.
    page = login(c.staff_b).get(list_url(c.collab, tab="shared")).content.decode()
    assert casebook.pat.code in page
    assert "Org A" in page


def test_the_casework_entry_is_in_the_navigation_for_caseworkers_only(casebook, login):
    c = casebook.cast
    home = c.collab.get_absolute_url()
    link = f'href="{list_url(c.collab)}"'
    assert link in login(c.staff_a).get(home).content.decode()
    assert link not in login(c.backbone).get(home).content.decode()
    assert link not in login(c.community).get(home).content.decode()


# --- The participant page -------------------------------------------------------------------


def test_the_owner_sees_everything_and_why(casebook, login):
    c = casebook.cast
    page = login(c.staff_a).get(page_url(casebook.pat)).content.decode()
    assert "Pat Doe" in page
    assert "Anamosa State Penitentiary" in page
    assert "Signed the lease together" in page and "Wrote a resume together" in page
    assert "Your organization&#x27;s record" in page or "Your organization's record" in page
    assert "What the person agreed to share" in page
    assert "Give the person a link code" not in page  # Pat linked their account already


def test_org_b_sees_the_housing_log_not_employment_not_the_name(casebook, login):
    c = casebook.cast
    page = login(c.staff_b).get(page_url(casebook.pat)).content.decode()
    assert "Signed the lease together" in page  # the housing log
    assert "Wrote a resume together" not in page  # the employment log
    assert "Pat Doe" not in page and "Doe" not in page
    assert "Anamosa State Penitentiary" in page  # enrolment facts are shared
    ends = casebook.to_b.ends_on.isoformat()
    assert f"Shared by Org A under a consent until {ends}" in page
    assert "What the person agreed to share" not in page  # consents: owner only
    assert "Change our record" not in page
    # Needs filtered to the consent's key areas: Housing, not Employment.
    needs = page.split("Needs help with")[1].split("</p>")[0]
    assert "Housing" in needs and "Employment" not in needs


def test_org_c_sees_nothing_after_revocation(casebook, login):
    c = casebook.cast
    assert login(c.staff_c).get(page_url(casebook.pat)).status_code == 404


def test_revoking_acts_on_the_next_page_load(casebook, login):
    c = casebook.cast
    client = login(c.staff_b)
    assert client.get(page_url(casebook.pat)).status_code == 200
    consents.consent_revoke(user=casebook.pat_member.user, consent=casebook.to_b)
    assert client.get(page_url(casebook.pat)).status_code == 404


@pytest.mark.parametrize("who", ["backbone", "community", "observer", "outsider"])
def test_others_get_404(casebook, login, who):
    member = getattr(casebook.cast, who)
    assert login(member).get(page_url(casebook.pat)).status_code == 404


def test_another_collaborative_gets_404_on_the_page(casebook, login):
    c = casebook.cast
    # Org X's staff, and Org A's staff asking for Org X's participant.
    assert login(casebook.staff_x).get(page_url(casebook.pat)).status_code == 404
    other = casebook.xavier_x.participant
    url = reverse("casework:participant", args=[c.collab.slug, other.public_id])
    assert login(c.staff_a).get(url).status_code == 404


def test_anonymous_is_sent_to_sign_in_from_the_page(casebook, client):
    response = client.get(page_url(casebook.pat))
    assert response.status_code == 302


def test_the_person_sees_their_own_record(casebook, login):
    page = login(casebook.pat_member).get(page_url(casebook.pat)).content.decode()
    assert "Pat Doe" in page and "Wrote a resume together" in page
    assert "Shown because this is your own record." in page


def test_part2_records_need_a_consent_naming_them_and_carry_the_notice(casebook, login):
    c = casebook.cast
    rae = casebook.rae_b.participant
    assert login(c.staff_a).get(page_url(rae)).status_code == 404  # no Part 2 in its consent
    page = login(c.staff_c).get(page_url(rae)).content.decode()
    assert "42 CFR part 2" in page
    owner_page = login(c.staff_b).get(page_url(rae)).content.decode()
    assert "Notice: 42 CFR part 2 records" not in owner_page


def test_every_view_is_audited_with_why(casebook, login):
    c = casebook.cast
    login(c.staff_b).get(page_url(casebook.pat))
    event = AuditEvent.objects.filter(action="casework.record_viewed").latest("pk")
    assert event.actor == c.staff_b.user
    assert event.object_id == str(casebook.pat.public_id)
    assert event.details["why"] == ["consent"]
    assert event.details["consents"] == [str(casebook.to_b.public_id)]
    assert event.details["what"] == "participant page"
    login(c.staff_a).get(page_url(casebook.pat))
    event = AuditEvent.objects.filter(action="casework.record_viewed").latest("pk")
    assert event.details["why"] == ["owner"]


def test_a_refused_view_writes_no_read_row(casebook, login):
    before = AuditEvent.objects.filter(action="casework.record_viewed").count()
    login(casebook.cast.staff_c).get(page_url(casebook.pat))
    assert AuditEvent.objects.filter(action="casework.record_viewed").count() == before


# --- The owner's changes ----------------------------------------------------------------------


def edit_url(participant):
    return reverse(
        "casework:participant_edit", args=[participant.collaborative.slug, participant.public_id]
    )


def test_the_owner_changes_facts_and_identity_audited(casebook, login):
    c = casebook.cast
    client = login(c.staff_a)
    assert client.get(edit_url(casebook.pat)).status_code == 200
    response = client.post(
        edit_url(casebook.pat),
        {
            "enrolled_on": casebook.pat_a.enrolled_on.isoformat(),
            "facility": "Mount Pleasant",
            "supervision": "parole",
            "needs": [casebook.housing.pk],
            "given_name": "Pat",
            "family_name": "Doe-Smith",
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(pk=casebook.pat_a.pk)
    assert enrolment.facility == "Mount Pleasant"
    assert enrolment.identity.family_name == "Doe-Smith"
    event = AuditEvent.objects.filter(action="casework.enrolment_updated").latest("pk")
    assert set(event.details["fields"]) >= {"facility", "supervision", "needs"}
    assert "identity.family_name" in event.details["fields"]
    assert "Doe-Smith" not in str(event.details)


def test_the_edit_form_keeps_what_was_typed(casebook, login):
    client = login(casebook.cast.staff_a)
    response = client.post(
        edit_url(casebook.pat), {"enrolled_on": "", "facility": "Typed facility"}
    )
    assert response.status_code == 200
    assert "Typed facility" in response.content.decode()


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community"])
def test_only_the_owner_edits(casebook, login, who):
    member = getattr(casebook.cast, who)
    assert login(member).get(edit_url(casebook.pat)).status_code == 404
    status = reverse(
        "casework:participant_status", args=[casebook.collab.slug, casebook.pat.public_id]
    )
    assert login(member).post(status, {"action": "close"}).status_code == 404


def test_close_and_reopen(casebook, login):
    c = casebook.cast
    client = login(c.admin_a)
    url = reverse("casework:participant_status", args=[c.collab.slug, casebook.pat.public_id])
    client.post(url, {"action": "close"})
    enrolment = Enrolment.objects.get(pk=casebook.pat_a.pk)
    assert enrolment.status == "closed" and enrolment.closed_on == c.collab.today()
    client.post(url, {"action": "reopen"})
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.closed_on is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="casework.enrolment_").values_list(
            "action", flat=True
        )
    )
    assert "casework.enrolment_closed" in actions and "casework.enrolment_reopened" in actions
