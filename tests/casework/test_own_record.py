"""The person's own view: what each organization holds about them, who has looked at it,
their consents with a way to revoke each, and nothing of anybody else."""

from datetime import timedelta

import pytest
from django.urls import reverse

from casework.models import Participant, Referral
from casework.services import consents as consent_services
from casework.services import logs, participants
from reentry.audit.log import record
from stakeholders.models import Member
from tests.casework.conftest import give_consent
from tests.factories import MemberFactory


def my_record_url(casebook) -> str:
    return reverse("casework:my_record", args=[casebook.collab.slug])


def test_a_member_without_a_linked_record_is_told_how_to_link_it(client, casebook):
    client.force_login(casebook.cast.community.user)
    response = client.get(my_record_url(casebook))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account is not linked to a record yet." in page
    assert "ask your caseworker for a link code" in page
    assert "Pat" not in page


def test_anonymous_is_sent_to_sign_in_and_other_collaboratives_get_404(client, casebook):
    response = client.get(my_record_url(casebook))
    assert response.status_code == 302
    client.force_login(casebook.cast.outsider.user)
    assert client.get(my_record_url(casebook)).status_code == 404


def test_the_collaborative_home_links_to_my_record(client, casebook):
    client.force_login(casebook.pat_member.user)
    page = client.get(reverse("stakeholders:home", args=[casebook.collab.slug])).content.decode()
    assert my_record_url(casebook) in page


def test_the_person_sees_what_each_organization_holds(client, casebook):
    client.force_login(casebook.pat_member.user)
    page = client.get(my_record_url(casebook)).content.decode()
    assert casebook.pat.code in page
    assert "Org A" in page
    assert "Pat Doe" in page  # the identity Org A holds
    assert "Anamosa State Penitentiary" in page
    assert (
        "Signed the lease together" in page and "Wrote a resume together" in page
    )  # both services, every key area
    assert "Employment" in page


def test_the_person_sees_only_their_own_record(client, casebook):
    client.force_login(casebook.pat_member.user)
    page = client.get(my_record_url(casebook)).content.decode()
    for other in (casebook.quinn_c, casebook.rae_b):
        assert other.participant.code not in page
    assert "Quinn" not in page and "Rae" not in page
    assert "Attendance in treatment" not in page


def test_who_has_looked_lists_reads_with_who_where_and_why(client, casebook):
    c = casebook.cast
    client.force_login(c.staff_b.user)
    client.get(reverse("casework:consent", args=[casebook.collab.slug, casebook.to_b.public_id]))
    client.force_login(casebook.pat_member.user)
    response = client.get(my_record_url(casebook))
    rows = response.context["events"]
    newest = rows[0]
    assert newest["who"] == c.staff_b.user.name
    assert newest["organization"] == "Org B"
    assert newest["action"] == "Looked at your record"
    assert newest["what"] == "a consent"
    assert newest["why"] == ["you agreed to share (a consent)"]
    page = response.content.decode()
    assert c.staff_b.user.name in page
    # The person's own visits are written down, not listed back to them.
    assert all(row["event"].actor_id != casebook.pat_member.user.pk for row in rows)
    # Staff of Org A who recorded the consents show with their organization.
    assert any(row["organization"] == "Org A" for row in rows)


def test_who_has_looked_is_newest_first_and_paginated(client, casebook):
    c = casebook.cast
    for n in range(25):
        record(
            "casework.record_viewed",
            actor=c.staff_a.user,
            collaborative=casebook.collab,
            obj=casebook.pat,
            what=f"visit {n}",
            why=["owner"],
        )
    client.force_login(casebook.pat_member.user)
    first = client.get(my_record_url(casebook)).context
    assert first["events"][0]["what"] == "visit 24"
    assert first["page"].has_next()
    second = client.get(my_record_url(casebook), {"page": 2}).context
    assert second["events"][0]["event"].at <= first["events"][-1]["event"].at


def test_consents_show_their_status_and_a_revoke_button_when_revocable(client, casebook):
    client.force_login(casebook.pat_member.user)
    response = client.get(my_record_url(casebook))
    consents = {c.public_id: c for c in response.context["consents"]}
    assert consents[casebook.to_b.public_id].status == "in_force"
    assert consents[casebook.revoked_to_c.public_id].status == "revoked"
    assert consents[casebook.expired_to_s2.public_id].status == "expired"
    page = response.content.decode()
    revoke = reverse(
        "casework:consent_revoke", args=[casebook.collab.slug, casebook.to_b.public_id]
    )
    assert revoke in page
    revoked = reverse(
        "casework:consent_revoke", args=[casebook.collab.slug, casebook.revoked_to_c.public_id]
    )
    assert revoked not in page
    assert "by Org A" in page  # who revoked it


@pytest.fixture
def busy_person(casebook):
    """A second person with an account, enrolled at Org C with one of everything."""
    c = casebook.cast
    member = MemberFactory(collaborative=casebook.collab, role=Member.Role.COMMUNITY)
    enrolment = participants.enrol(actor=c.staff_c, identity={"given_name": "Sky"})
    participant = enrolment.participant
    participant.user = member.user
    participant.save(update_fields=["user"])
    return member, enrolment


def grow(casebook, enrolment, n: int) -> None:
    """n more of each: organizations serving the person, services, consents, reads."""
    c = casebook.cast
    today = casebook.collab.today()
    servers = [c.staff_a, c.staff_b, c.admin_a]
    for i in range(n):
        logs.service_log(
            actor=c.staff_c,
            enrolment=enrolment,
            key_area=casebook.housing if i % 2 else casebook.employment,
            delivered_on=today - timedelta(days=i),
            notes=f"Session {i}",
        )
        consent = give_consent(
            c.staff_c,
            enrolment,
            recipient_organizations=[c.org_a, c.org_b],
            recipient_sectors=[c.sector1],
            key_areas=[casebook.housing, casebook.employment],
            shares_service_logs=True,
        )
        Referral.objects.create(
            collaborative=casebook.collab,
            participant=enrolment.participant,
            from_organization=c.org_c,
            from_enrolment=enrolment,
            to_organization=c.org_a,
            key_area=casebook.housing,
            consent=consent,
            reason=f"Needs a flat {i}",
            sent_by=c.staff_c.user,
        )
        if i % 4 == 0:
            consent_services.consent_revoke(user=c.staff_c.user, consent=consent)
        record(
            "casework.record_viewed",
            actor=servers[i % len(servers)].user,
            collaborative=casebook.collab,
            obj=enrolment.participant,
            what="visit",
            why=["consent"],
        )
    participant = enrolment.participant
    for staff in servers[: min(n, 2)]:
        other = Participant.objects.get(pk=participant.pk)
        if not other.enrolments.filter(organization=staff.organization).exists():
            participants.enrol(actor=staff, participant=other)


def test_my_record_runs_the_same_queries_for_1_and_25_rows(
    client, casebook, busy_person, count_queries
):
    member, enrolment = busy_person
    client.force_login(member.user)
    grow(casebook, enrolment, 1)
    one = count_queries(client, my_record_url(casebook))
    assert count_queries.page.count('class="card cw-consent"') == 1
    grow(casebook, enrolment, 24)
    many = count_queries(client, my_record_url(casebook))
    assert one == many
    page = count_queries.page
    assert page.count('class="card cw-consent"') == 25
    assert page.count('class="card cw-held"') == 3  # Org C, Org A, Org B
    assert "Session 24" not in page and "And 15 earlier services." in page
    assert page.count("cw-event-who") == 20  # a page of who has looked
    assert page.count("Sent to Org A") == 25 and page.count("Received from Org C") == 25


def test_revoking_from_my_record_then_org_b_sees_nothing(client, casebook):
    from casework.models import ServiceLog

    client.force_login(casebook.pat_member.user)
    page = client.get(my_record_url(casebook)).content.decode()
    revoke = reverse(
        "casework:consent_revoke", args=[casebook.collab.slug, casebook.to_b.public_id]
    )
    assert revoke in page
    response = client.post(revoke, {"reason": ""}, follow=True)
    assert "The consent is revoked." in response.content.decode()
    statuses = {c.public_id: c.status for c in response.context["consents"]}
    assert statuses[casebook.to_b.public_id] == "revoked"
    assert (
        not ServiceLog.objects.visible_to(casebook.cast.staff_b.user)
        .filter(participant=casebook.pat)
        .exists()
    )


def test_the_services_the_person_asked_for_themselves_are_listed_and_open(client, casebook):
    """A self-referral belongs to no organization's record: it has its own section, and
    its page opens for the person."""
    from casework.services import referrals as referral_services
    from tests.casework.referrals_world import service_of

    service = service_of(casebook.cast.org_c, casebook.housing, name="Court navigation")
    referral = referral_services.referral_self(
        actor=casebook.pat_member,
        service=service,
        key_area=casebook.housing,
        reason="Help with my court date",
        signed_name="Pat Doe",
    )
    client.force_login(casebook.pat_member.user)
    page = client.get(my_record_url(casebook)).content.decode()
    assert "Services you asked for yourself" in page
    assert "Court navigation" in page
    detail = reverse("casework:referral", args=[casebook.collab.slug, referral.public_id])
    assert detail in page
    assert client.get(detail).status_code == 200
    # Nobody else's "my record" lists it.
    other = MemberFactory(collaborative=casebook.collab, role=Member.Role.COMMUNITY)
    client.force_login(other.user)
    assert "Court navigation" not in client.get(my_record_url(casebook)).content.decode()
