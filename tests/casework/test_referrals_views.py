"""Referral pages: the inbox, a referral and its answers, the referral form, the directory's
buttons, self-referral. Who may see and do what; 404 for everyone else."""

from datetime import timedelta

import pytest
from django.urls import reverse

from casework.models import Consent, Referral
from casework.services import consents
from casework.services import referrals as services
from reentry.audit.models import AuditEvent
from reentry.sharing.levels import SharingLevel
from tests.casework.conftest import give_consent
from tests.casework.referrals_world import rw, send, url  # noqa: F401 - fixture

S = Referral.Status
OUTSIDERS = ["staff_c", "backbone", "community", "observer", "outsider"]


def get(login, member, path):
    return login(member).get(path)


# --- The referral page ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff_a", "admin_a", "staff_b"])
def test_sender_and_receiver_see_the_referral(rw, login, who):  # noqa: F811
    referral = send(rw)
    response = get(login, getattr(rw.c, who), url("referral", rw, referral.public_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert rw.cb.pat.code in page
    assert "Needs a room before Friday" in page
    assert "Pat" not in page.replace(rw.cb.pat.code, "")  # the code, never the name
    event = AuditEvent.objects.filter(action="casework.record_viewed").latest("pk")
    assert event.details["what"] == "referral"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_get_404(rw, login, who):  # noqa: F811
    referral = send(rw)
    response = get(login, getattr(rw.c, who), url("referral", rw, referral.public_id))
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(rw, client):  # noqa: F811
    referral = send(rw)
    response = client.get(url("referral", rw, referral.public_id))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_collaborative_gets_404(rw, login):  # noqa: F811
    referral = send(rw)
    path = reverse("casework:referral", args=[rw.c.other_collab.slug, referral.public_id])
    assert get(login, rw.cb.staff_x, path).status_code == 404


def test_revocation_hides_the_referral_at_the_next_request(rw, login):  # noqa: F811
    referral = send(rw)
    client = login(rw.c.staff_b)
    assert client.get(url("referral", rw, referral.public_id)).status_code == 200
    assert referral.participant.code in client.get(url("referrals", rw)).content.decode()
    consents.consent_revoke(user=rw.cb.pat_member.user, consent=rw.cb.to_b)
    assert client.get(url("referral", rw, referral.public_id)).status_code == 404
    assert referral.participant.code not in client.get(url("referrals", rw)).content.decode()
    assert client.post(url("referral_act", rw, referral.public_id, "accept")).status_code == 404
    # The sender keeps its own record of it.
    sender = login(rw.c.staff_a)
    assert sender.get(url("referral", rw, referral.public_id)).status_code == 200


def test_expiry_hides_the_referral(rw, login):  # noqa: F811
    referral = send(rw)
    Consent.objects.filter(pk=rw.cb.to_b.pk).update(ends_on=rw.c.collab.today() - timedelta(days=1))
    assert get(login, rw.c.staff_b, url("referral", rw, referral.public_id)).status_code == 404


@pytest.fixture
def part2_referral(rw):  # noqa: F811
    """Org B (a Part 2 program) refers Rae to Org A under a consent naming Part 2."""
    c, cb = rw.c, rw.cb
    service_a = rw.service_b.__class__.objects.create(
        organization=c.org_a, name="Org A housing", accepts_referrals=True
    )
    give_consent(
        c.staff_b,
        cb.rae_b,
        recipient_organizations=[c.org_a],
        key_areas=[cb.housing],
        shares_referrals=True,
        shares_part2=True,
        signed_on=c.collab.today(),
        amount_and_kind="That Rae is in treatment",
    )
    return send(rw, actor=c.staff_b, enrolment=cb.rae_b, to_service=service_a)


def test_part2_notice_goes_with_the_receivers_page(rw, login, part2_referral):  # noqa: F811
    page = get(login, rw.c.staff_a, url("referral", rw, part2_referral.public_id))
    assert "42 CFR part 2" in page.content.decode()
    inbox = get(login, rw.c.staff_a, url("referrals", rw))
    assert "42 CFR part 2" in inbox.content.decode()
    own = get(login, rw.c.staff_b, url("referral", rw, part2_referral.public_id))
    assert "42 CFR part 2" not in own.content.decode()


def test_no_part2_notice_for_an_ordinary_referral(rw, login):  # noqa: F811
    referral = send(rw)
    page = get(login, rw.c.staff_b, url("referral", rw, referral.public_id))
    assert "42 CFR part 2" not in page.content.decode()


# --- Answers through the page -----------------------------------------------------------------


def test_the_receiver_walks_the_loop(rw, login):  # noqa: F811
    referral = send(rw)
    client = login(rw.c.staff_b)
    page = client.get(url("referral", rw, referral.public_id)).content.decode()
    assert "Accept" in page and "Decline" in page
    response = client.post(url("referral_act", rw, referral.public_id, "accept"))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    response = client.post(
        url("referral_act", rw, referral.public_id, "deliver"),
        {"delivered_on": rw.c.collab.today().isoformat(), "outcome": "completed", "notes": "Ok"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.DELIVERED and referral.service_log.notes == "Ok"
    response = client.post(url("referral_act", rw, referral.public_id, "close"), {"close-note": ""})
    referral.refresh_from_db()
    assert referral.status == S.CLOSED
    # The sender sees every step.
    page = login(rw.c.staff_a).get(url("referral", rw, referral.public_id)).content.decode()
    for label in ("Sent", "Accepted", "Service delivered", "Closed"):
        assert label in page


def test_decline_without_a_reason_shows_the_error_next_to_it(rw, login):  # noqa: F811
    referral = send(rw)
    client = login(rw.c.staff_b)
    response = client.post(url("referral_act", rw, referral.public_id, "decline"), {})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.SENT
    client.post(url("referral_act", rw, referral.public_id, "decline"), {"decline-note": "Full"})
    referral.refresh_from_db()
    assert referral.status == S.DECLINED


def test_the_sender_answers_a_question(rw, login):  # noqa: F811
    referral = services.referral_ask(actor=rw.c.staff_b, referral=send(rw), note="Pets?")
    client = login(rw.c.staff_a)
    assert "Pets?" in client.get(url("referral", rw, referral.public_id)).content.decode()
    client.post(url("referral_act", rw, referral.public_id, "answer"), {"answer-note": "A cat"})
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_the_sender_may_not_accept(rw, login):  # noqa: F811
    referral = send(rw)
    response = login(rw.c.staff_a).post(url("referral_act", rw, referral.public_id, "accept"))
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == S.SENT


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_cannot_act(rw, login, who):  # noqa: F811
    referral = send(rw)
    response = login(getattr(rw.c, who)).post(
        url("referral_act", rw, referral.public_id, "withdraw")
    )
    assert response.status_code == 404


def test_an_unknown_action_is_404(rw, login):  # noqa: F811
    referral = send(rw)
    response = login(rw.c.staff_b).post(url("referral_act", rw, referral.public_id, "delete"))
    assert response.status_code == 404


# --- The inbox --------------------------------------------------------------------------------


def test_inbox_tabs(rw, login):  # noqa: F811
    waiting = send(rw)
    declined = services.referral_decline(
        actor=rw.c.staff_b, referral=send(rw, reason="Second"), reason="Full"
    )
    client = login(rw.c.staff_b)
    page = client.get(url("referrals", rw)).content.decode()
    assert str(waiting.public_id) in page and str(declined.public_id) not in page
    page = client.get(url("referrals", rw, tab="received")).content.decode()
    assert str(waiting.public_id) in page and str(declined.public_id) in page
    page = client.get(url("referrals", rw, tab="sent")).content.decode()
    assert str(waiting.public_id) not in page
    sent = login(rw.c.staff_a).get(url("referrals", rw, tab="sent")).content.decode()
    assert str(waiting.public_id) in sent and str(declined.public_id) in sent


def test_inbox_of_another_organization_lists_nothing_of_ours(rw, login):  # noqa: F811
    referral = send(rw)
    for tab in ("waiting", "received", "sent"):
        page = login(rw.c.staff_c).get(url("referrals", rw, tab=tab)).content.decode()
        assert str(referral.public_id) not in page


@pytest.mark.parametrize("who", ["backbone", "community", "observer", "outsider"])
def test_inbox_is_for_caseworkers(rw, login, who):  # noqa: F811
    assert get(login, getattr(rw.c, who), url("referrals", rw)).status_code == 404


def test_inbox_anonymous_is_sent_to_sign_in(rw, client):  # noqa: F811
    assert client.get(url("referrals", rw)).status_code == 302


def _bulk(rw, n):  # noqa: F811
    first = send(rw)
    Referral.objects.bulk_create(
        Referral(
            collaborative=rw.c.collab,
            participant=rw.cb.pat,
            from_organization=rw.c.org_a,
            from_enrolment=rw.cb.pat_a,
            to_organization=rw.c.org_b,
            to_service=rw.service_b,
            key_area=rw.cb.housing,
            consent=first.consent,
            reason=f"Need {i}",
            sent_by=rw.c.staff_a.user,
        )
        for i in range(n - 1)
    )


@pytest.mark.parametrize("tab", ["waiting", "received", "sent"])
def test_inbox_queries_do_not_grow_with_rows(rw, login, count_queries, tab):  # noqa: F811
    member = rw.c.staff_a if tab == "sent" else rw.c.staff_b
    client = login(member)
    _bulk(rw, 1)
    one = count_queries(client, url("referrals", rw), tab=tab)
    assert count_queries.page.count('data-label="Status"') == 1
    _bulk(rw, 24)
    many = count_queries(client, url("referrals", rw), tab=tab)
    assert count_queries.page.count('data-label="Status"') == 25
    assert one == many


# --- The referral form ------------------------------------------------------------------------


def test_the_form_finds_our_participants_in_one_field(rw, login):  # noqa: F811
    client = login(rw.c.staff_a)
    path = url("referral_new", rw, service=rw.service_b.public_id)
    page = client.get(path).content.decode()
    assert "Who is it for?" in page
    page = client.get(path + "&q=pat").content.decode()
    assert rw.cb.pat.code in page and str(rw.cb.pat_a.public_id) in page
    # Not another organization's people.
    page = client.get(path + f"&q={rw.cb.quinn_c.participant.code}").content.decode()
    assert str(rw.cb.quinn_c.public_id) not in page


def test_send_from_the_form(rw, login):  # noqa: F811
    client = login(rw.c.staff_a)
    response = client.post(
        url("referral_new", rw),
        {
            "service": rw.service_b.public_id,
            "enrolment": rw.cb.pat_a.public_id,
            "key_area": rw.cb.housing.pk,
            "reason": "A room",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("referral", rw, referral.public_id)
    assert (referral.to_service, referral.consent) == (rw.service_b, rw.cb.to_b)


def test_the_form_asks_for_consent_when_none_covers_it(rw, login):  # noqa: F811
    consents.consent_revoke(user=rw.c.staff_a.user, consent=rw.cb.to_b)
    client = login(rw.c.staff_a)
    form = {
        "service": rw.service_b.public_id,
        "enrolment": rw.cb.pat_a.public_id,
        "key_area": rw.cb.housing.pk,
        "reason": "A room",
    }
    page = client.get(
        url("referral_new", rw, service=rw.service_b.public_id, enrolment=rw.cb.pat_a.public_id)
    ).content.decode()
    assert "No consent in force lets Org B see this referral yet" in page
    response = client.post(url("referral_new", rw), form)
    assert response.status_code == 200
    assert "No consent in force lets Org B" in response.content.decode()
    assert not Referral.objects.exists()
    response = client.post(
        url("referral_new", rw),
        {
            **form,
            "record_consent": "on",
            "method": "on_screen",
            "signed_name": "Pat Doe",
            "ends_on": (rw.c.collab.today() + timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent.signed_name == "Pat Doe"


def test_the_form_to_an_organization(rw, login):  # noqa: F811
    client = login(rw.c.staff_a)
    page = client.get(url("referral_new", rw, enrolment=rw.cb.pat_a.public_id)).content.decode()
    assert "Org B" in page and "Org X" not in page
    client.post(
        url("referral_new", rw),
        {
            "enrolment": rw.cb.pat_a.public_id,
            "to_organization": rw.c.org_b.pk,
            "key_area": rw.cb.housing.pk,
            "reason": "A room",
        },
    )
    assert Referral.objects.get().to_organization == rw.c.org_b


def test_the_form_refuses_others_participants_and_own_services(rw, login):  # noqa: F811
    client = login(rw.c.staff_a)
    other = url("referral_new", rw, enrolment=rw.cb.quinn_c.public_id)
    assert client.get(other).status_code == 404
    own = rw.service_b.__class__.objects.create(
        organization=rw.c.org_a, name="Own", accepts_referrals=True
    )
    assert client.get(url("referral_new", rw, service=own.public_id)).status_code == 404
    assert client.get(url("referral_new", rw, service=rw.service_x.public_id)).status_code == 404


@pytest.mark.parametrize("who", ["backbone", "community", "observer", "outsider"])
def test_the_form_is_for_caseworkers(rw, login, who):  # noqa: F811
    path = url("referral_new", rw, service=rw.service_b.public_id)
    assert get(login, getattr(rw.c, who), path).status_code == 404


# --- The directory's buttons and self-referral ------------------------------------------------


def _service_page(rw, public=False):  # noqa: F811
    name = "directory:service" if public else "stakeholders:service"
    return reverse(name, args=[rw.c.collab.slug, rw.service_b.public_id])


def test_other_organizations_caseworkers_see_refer_a_participant(rw, login):  # noqa: F811
    page = get(login, rw.c.staff_a, _service_page(rw)).content.decode()
    assert "Refer a participant" in page
    assert url("referral_new", rw) + f"?service={rw.service_b.public_id}" in page
    own = get(login, rw.c.staff_b, _service_page(rw)).content.decode()
    assert "Refer a participant" not in own
    community = get(login, rw.c.community, _service_page(rw)).content.decode()
    assert "Refer a participant" not in community
    assert "Ask for this service yourself" in community


def test_no_button_when_the_service_takes_no_referrals(rw, login):  # noqa: F811
    rw.service_b.accepts_referrals = False
    rw.service_b.save()
    page = get(login, rw.c.staff_a, _service_page(rw)).content.decode()
    assert "Refer a participant" not in page and "Ask for this service" not in page


def test_public_directory_offers_self_referral_after_sign_in(rw, client, login):  # noqa: F811
    rw.c.org_b.sharing_level = SharingLevel.PUBLIC
    rw.c.org_b.save()
    page = client.get(_service_page(rw, public=True))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Refer a participant" not in text
    self_url = url("referral_self", rw, rw.service_b.public_id)
    assert self_url in text
    response = client.get(self_url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    person = login(rw.c.community)
    assert person.get(self_url).status_code == 200
    response = person.post(
        self_url,
        {
            "key_area": rw.cb.housing.pk,
            "reason": "A place to stay",
            "agree": "on",
            "signed_name": "Casey",
        },
    )
    referral = Referral.objects.get()
    assert response["Location"] == url("referral", rw, referral.public_id)
    assert referral.is_self_referral
    # The person follows it; the receiver handles it; others get 404.
    assert person.get(url("referral", rw, referral.public_id)).status_code == 200
    assert get(login, rw.c.staff_b, url("referral", rw, referral.public_id)).status_code == 200
    assert get(login, rw.c.staff_a, url("referral", rw, referral.public_id)).status_code == 404


def test_self_referral_needs_the_consent_ticked(rw, login):  # noqa: F811
    response = login(rw.c.community).post(
        url("referral_self", rw, rw.service_b.public_id),
        {"key_area": rw.cb.housing.pk, "reason": "A place", "signed_name": "Casey"},
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_self_referral_of_another_collaboratives_member_is_404(rw, login):  # noqa: F811
    path = url("referral_self", rw, rw.service_b.public_id)
    assert get(login, rw.c.outsider, path).status_code == 404
    other = reverse("casework:referral_self", args=[rw.c.other_collab.slug, rw.service_b.public_id])
    assert get(login, rw.c.outsider, other).status_code == 404
