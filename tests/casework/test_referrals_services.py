"""Referral services: the consent check on sending, each step and who may take it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from casework import access
from casework.models import Consent, Enrolment, Referral, ServiceLog
from casework.services import consents, participants
from casework.services import referrals as services
from reentry.audit.models import AuditEvent
from tests.casework.conftest import give_consent
from tests.casework.referrals_world import rw, send  # noqa: F401 - fixture

S = Referral.Status


def no_consent(excinfo) -> bool:
    return excinfo.value.code == "no_consent" or "No consent in force" in str(excinfo.value)


# --- Sending: the consent check ----------------------------------------------------------------


def test_send_under_the_consent_in_force(rw, django_capture_on_commit_callbacks):  # noqa: F811
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(rw)
    assert referral.status == S.SENT
    assert referral.consent == rw.cb.to_b
    assert (referral.from_organization, referral.to_organization) == (rw.c.org_a, rw.c.org_b)
    assert [e.status for e in referral.events.all()] == [S.SENT]
    assert AuditEvent.objects.filter(action="casework.referral_sent").exists()
    # Org B's staff hear of it; the email carries the code, never the reason.
    assert [m.to for m in mail.outbox] == [[rw.c.staff_b.user.email]]
    assert rw.cb.pat.code in mail.outbox[0].body
    assert "Friday" not in mail.outbox[0].body


def test_consent_covering_referral_is_the_rule(rw):  # noqa: F811
    today = rw.c.collab.today()
    cb = rw.cb
    assert access.consent_covering_referral(cb.pat_a, rw.c.org_b, cb.housing, today) == cb.to_b
    assert access.consent_covering_referral(cb.pat_a, rw.c.org_b, cb.employment, today) is None
    assert access.consent_covering_referral(cb.pat_a, rw.c.org_c, cb.housing, today) is None


def test_no_consent_refuses(rw):  # noqa: F811
    quinn = rw.cb.quinn_c
    with pytest.raises(ValidationError) as excinfo:
        send(rw, actor=rw.c.staff_c, enrolment=quinn, to_service=rw.service_b)
    assert no_consent(excinfo)
    assert not Referral.objects.exists()


def test_wrong_key_area_refuses(rw):  # noqa: F811
    service = rw.service_b
    service.key_areas.add(rw.cb.employment)
    with pytest.raises(ValidationError) as excinfo:
        send(rw, key_area=rw.cb.employment)
    assert no_consent(excinfo)


def test_wrong_organization_refuses(rw):  # noqa: F811
    # The consent to Org C was revoked; none names Org C now.
    with pytest.raises(ValidationError) as excinfo:
        send(rw, to_service=rw.service_c)
    assert no_consent(excinfo)


def test_a_consent_to_the_sector_covers_its_organizations(rw):  # noqa: F811
    give_consent(
        rw.c.staff_a,
        rw.cb.pat_a,
        recipient_sectors=[rw.c.sector2],
        key_areas=[rw.cb.housing],
        shares_referrals=True,
    )
    assert send(rw, to_service=rw.service_c).to_organization == rw.c.org_c


def test_expired_consent_refuses(rw):  # noqa: F811
    Consent.objects.filter(pk=rw.cb.to_b.pk).update(ends_on=rw.c.collab.today() - timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        send(rw)
    assert no_consent(excinfo)


def test_revoked_consent_refuses(rw):  # noqa: F811
    consents.consent_revoke(user=rw.cb.pat_member.user, consent=rw.cb.to_b)
    with pytest.raises(ValidationError) as excinfo:
        send(rw)
    assert no_consent(excinfo)


def test_consent_without_referrals_refuses(rw):  # noqa: F811
    Consent.objects.filter(pk=rw.cb.to_b.pk).update(shares_referrals=False)
    with pytest.raises(ValidationError):
        send(rw)


def test_part2_needs_explicit_consent(rw, django_capture_on_commit_callbacks):  # noqa: F811
    """Org B is a Part 2 program: its referral of Rae to Org A needs shares_part2."""
    cb, c = rw.cb, rw.c
    service_a = rw.service_c.__class__.objects.create(
        organization=c.org_a, name="Org A housing", accepts_referrals=True
    )
    give_consent(
        c.staff_b,
        cb.rae_b,
        recipient_organizations=[c.org_a],
        key_areas=[cb.housing],
        shares_referrals=True,
    )
    with pytest.raises(ValidationError) as excinfo:
        send(rw, actor=c.staff_b, enrolment=cb.rae_b, to_service=service_a)
    assert no_consent(excinfo)
    explicit = give_consent(
        c.staff_b,
        cb.rae_b,
        recipient_organizations=[c.org_a],
        key_areas=[cb.housing],
        shares_referrals=True,
        shares_part2=True,
        signed_on=c.collab.today(),
        amount_and_kind="That Rae is in treatment",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(rw, actor=c.staff_b, enrolment=cb.rae_b, to_service=service_a)
    assert referral.consent == explicit
    # The email does not name the Part 2 program: that alone would disclose treatment.
    assert mail.outbox and all("Org B" not in m.body + m.subject for m in mail.outbox)


def test_staff_record_the_consent_on_the_same_screen(rw):  # noqa: F811
    consents.consent_revoke(user=rw.c.staff_a.user, consent=rw.cb.to_b)
    today = rw.c.collab.today()
    referral = send(
        rw,
        new_consent={
            "recipient_organizations": [rw.c.org_b],
            "key_areas": [rw.cb.housing],
            "shares_referrals": True,
            "purpose": "A referral to Org B",
            "starts_on": today,
            "ends_on": today + timedelta(days=90),
            "method": Consent.Method.VERBAL,
            "witness_name": "Sam Witness",
            "signed_name": "Pat Doe",
            "told_right_to_revoke": True,
        },
    )
    consent = referral.consent
    assert consent != rw.cb.to_b
    assert consent.in_force_on(today)
    assert list(consent.recipient_organizations.all()) == [rw.c.org_b]


def test_a_verbal_consent_without_witness_sends_nothing(rw):  # noqa: F811
    consents.consent_revoke(user=rw.c.staff_a.user, consent=rw.cb.to_b)
    today = rw.c.collab.today()
    with pytest.raises(ValidationError) as excinfo:
        send(
            rw,
            new_consent={
                "recipient_organizations": [rw.c.org_b],
                "key_areas": [rw.cb.housing],
                "shares_referrals": True,
                "purpose": "A referral",
                "starts_on": today,
                "ends_on": today + timedelta(days=90),
                "method": Consent.Method.VERBAL,
                "signed_name": "Pat Doe",
            },
        )
    assert "witness_name" in excinfo.value.error_dict
    assert not Referral.objects.exists()


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community"])
def test_only_the_owner_sends(rw, who):  # noqa: F811
    with pytest.raises(PermissionDenied):
        send(rw, actor=getattr(rw.c, who))


def test_receiver_must_be_another_organization_of_the_collaborative(rw):  # noqa: F811
    with pytest.raises(PermissionDenied):
        send(rw, to_service=rw.service_x)
    own = rw.service_b.__class__.objects.create(
        organization=rw.c.org_a, name="Own", accepts_referrals=True
    )
    with pytest.raises(ValidationError):
        send(rw, to_service=own)


def test_a_service_that_takes_no_referrals_refuses(rw):  # noqa: F811
    rw.service_b.accepts_referrals = False
    rw.service_b.save()
    with pytest.raises(ValidationError):
        send(rw)


# --- The loop ---------------------------------------------------------------------------------


def test_accept_deliver_close(rw, django_capture_on_commit_callbacks):  # noqa: F811
    c = rw.c
    referral = send(rw)
    mail.outbox.clear()
    referral = services.referral_accept(actor=c.staff_b, referral=referral)
    assert referral.status == S.ACCEPTED
    enrolment = referral.to_enrolment
    assert (enrolment.organization, enrolment.participant) == (c.org_b, rw.cb.pat)
    assert list(enrolment.needs.all()) == [rw.cb.housing]
    referral = services.referral_deliver(
        actor=c.staff_b,
        referral=referral,
        log_fields={
            "key_area": rw.cb.housing,
            "delivered_on": c.collab.today(),
            "notes": "Room found",
        },
    )
    assert referral.status == S.DELIVERED
    assert referral.service_log.organization == c.org_b
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_close(actor=c.staff_b, referral=referral, note="All done")
    assert referral.status == S.CLOSED
    assert [e.status for e in referral.events.all()] == [S.SENT, S.ACCEPTED, S.DELIVERED, S.CLOSED]
    # The sender heard of the close.
    assert [m.to for m in mail.outbox] == [[c.staff_a.user.email]]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "casework.referral_accepted",
        "casework.referral_delivered",
        "casework.referral_closed",
    } <= actions


def test_accept_links_an_existing_enrolment(rw):  # noqa: F811
    existing = participants.enrol(actor=rw.c.staff_b, participant=rw.cb.pat)
    referral = services.referral_accept(actor=rw.c.staff_b, referral=send(rw))
    assert referral.to_enrolment == existing
    assert Enrolment.objects.filter(participant=rw.cb.pat, organization=rw.c.org_b).count() == 1


def test_deliver_links_a_log_of_the_receiver_only(rw):  # noqa: F811
    c = rw.c
    referral = services.referral_accept(actor=c.staff_b, referral=send(rw))
    with pytest.raises(PermissionDenied):  # Org A's log, not the receiver's
        services.referral_deliver(actor=c.staff_b, referral=referral, service_log=rw.cb.log_housing)
    own = ServiceLog.objects.create(
        collaborative=c.collab,
        organization=c.org_b,
        enrolment=referral.to_enrolment,
        participant=rw.cb.pat,
        key_area=rw.cb.housing,
        delivered_on=c.collab.today(),
    )
    referral = services.referral_deliver(actor=c.staff_b, referral=referral, service_log=own)
    assert referral.service_log == own


def test_decline_needs_a_reason(rw):  # noqa: F811
    referral = send(rw)
    with pytest.raises(ValidationError):
        services.referral_decline(actor=rw.c.staff_b, referral=referral, reason="  ")
    referral = services.referral_decline(actor=rw.c.staff_b, referral=referral, reason="Full")
    assert referral.status == S.DECLINED
    assert referral.events.last().note == "Full"


def test_ask_and_answer(rw):  # noqa: F811
    referral = send(rw)
    referral = services.referral_ask(actor=rw.c.staff_b, referral=referral, note="Pets?")
    assert referral.status == S.INFO_REQUESTED
    with pytest.raises(PermissionDenied):  # only the sender answers
        services.referral_answer(actor=rw.c.staff_b, referral=referral, note="x")
    referral = services.referral_answer(actor=rw.c.admin_a, referral=referral, note="A cat")
    assert referral.status == S.SENT
    assert [e.note for e in referral.events.all()] == ["", "Pets?", "A cat"]


def test_withdraw_while_open_only(rw):  # noqa: F811
    referral = send(rw)
    referral = services.referral_withdraw(actor=rw.c.staff_a, referral=referral)
    assert referral.status == S.WITHDRAWN
    with pytest.raises(ValidationError):
        services.referral_withdraw(actor=rw.c.staff_a, referral=referral)
    with pytest.raises(ValidationError):
        services.referral_accept(actor=rw.c.staff_b, referral=referral)


@pytest.mark.parametrize("who", ["staff_a", "staff_c", "backbone", "community"])
def test_only_the_receiver_answers(rw, who):  # noqa: F811
    referral = send(rw)
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=getattr(rw.c, who), referral=referral)
    with pytest.raises(PermissionDenied):
        services.referral_decline(actor=getattr(rw.c, who), referral=referral, reason="No")


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone"])
def test_only_the_sender_withdraws(rw, who):  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.referral_withdraw(actor=getattr(rw.c, who), referral=send(rw))


def test_the_receiver_cannot_act_once_the_consent_is_revoked(rw):  # noqa: F811
    referral = send(rw)
    consents.consent_revoke(user=rw.cb.pat_member.user, consent=rw.cb.to_b)
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=rw.c.staff_b, referral=referral)


def test_steps_out_of_order_refuse(rw):  # noqa: F811
    referral = send(rw)
    with pytest.raises(ValidationError):
        services.referral_close(actor=rw.c.staff_b, referral=referral)
    with pytest.raises(ValidationError):
        services.referral_deliver(
            actor=rw.c.staff_b, referral=referral, service_log=rw.cb.log_housing
        )


# --- Self-referral ----------------------------------------------------------------------------


def test_self_referral_makes_a_participant_and_an_on_screen_consent(rw):  # noqa: F811
    c = rw.c
    person = c.community
    referral = services.referral_self(
        actor=person,
        service=rw.service_b,
        key_area=rw.cb.housing,
        reason="I need a place to stay",
        signed_name="Casey Community",
    )
    assert referral.is_self_referral and referral.from_organization is None
    assert referral.participant.user == person.user
    consent = referral.consent
    assert consent.method == Consent.Method.ON_SCREEN
    assert (consent.enrolment, consent.organization) == (None, None)
    assert list(consent.recipient_organizations.all()) == [c.org_b]
    assert consent.shares_referrals and consent.signed_name == "Casey Community"
    # The receiver sees it; another organization does not; the person does.
    assert referral in Referral.objects.visible_to(c.staff_b.user)
    assert referral not in Referral.objects.visible_to(c.staff_c.user)
    assert referral in Referral.objects.visible_to(person.user)
    # A second request reuses the person's participant record.
    again = services.referral_self(
        actor=person,
        service=rw.service_c,
        key_area=rw.cb.housing,
        reason="And court help",
        signed_name="Casey Community",
    )
    assert again.participant == referral.participant


def test_self_referral_uses_the_persons_existing_record(rw):  # noqa: F811
    referral = services.referral_self(
        actor=rw.cb.pat_member,
        service=rw.service_b,
        key_area=rw.cb.housing,
        reason="Room",
        signed_name="Pat Doe",
    )
    assert referral.participant == rw.cb.pat


def test_self_referral_is_handled_like_any_referral(rw):  # noqa: F811
    person = rw.c.community
    referral = services.referral_self(
        actor=person,
        service=rw.service_b,
        key_area=rw.cb.housing,
        reason="Room",
        signed_name="Casey",
    )
    referral = services.referral_ask(actor=rw.c.staff_b, referral=referral, note="When free?")
    referral = services.referral_answer(actor=person, referral=referral, note="Mornings")
    referral = services.referral_accept(actor=rw.c.staff_b, referral=referral)
    assert referral.status == S.ACCEPTED
    assert referral.to_enrolment.participant == referral.participant


def test_self_referral_needs_a_signed_name(rw):  # noqa: F811
    with pytest.raises(ValidationError):
        services.referral_self(
            actor=rw.c.community,
            service=rw.service_b,
            key_area=rw.cb.housing,
            reason="Room",
            signed_name=" ",
        )
