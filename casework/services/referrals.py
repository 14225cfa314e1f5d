"""Referrals, closed loop: send, answer (accept, decline, ask for more), deliver, close,
withdraw; self-referrals from the public directory; reminders to receivers that have not
answered.

Every step locks the referral, checks who may take it and from which status, writes a
``ReferralEvent`` that both organizations see and a line in the audit log. Emails carry
the participant code and a link, never what the person needs or who they are.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import access
from casework.models import (
    Consent,
    Enrolment,
    Part2Program,
    Participant,
    Referral,
    ReferralEvent,
    ServiceLog,
)
from casework.services import consents, logs, participants
from reentry.audit.log import record
from reentry.mail import send_templated_email
from stakeholders.models import Collaborative, KeyArea, Member, Organization, Service

S = Referral.Status

#: A self-referral's consent lasts this long unless the person revokes it first.
SELF_REFERRAL_CONSENT_DAYS = 365


def _receiver(to_service: Service | None, to_organization: Organization | None) -> Organization:
    if to_service is not None:
        if to_organization is not None and to_organization.pk != to_service.organization_id:
            raise ValidationError(_("The service belongs to another organization."))
        if not to_service.accepts_referrals:
            raise ValidationError(_("This service does not take referrals."))
        return to_service.organization
    if to_organization is None:
        raise ValidationError(_("Choose the organization or service to refer to."))
    return to_organization


def _check_key_area(key_area: KeyArea, collaborative_id: int, to_service: Service | None) -> None:
    if key_area.collaborative_id != collaborative_id:
        raise PermissionDenied
    if to_service is not None:
        areas = {area.pk for area in to_service.key_areas.all()}
        if areas and key_area.pk not in areas:
            raise ValidationError({"key_area": _("This service does not work in that key area.")})


@transaction.atomic
def referral_send(
    *,
    actor: Member,
    enrolment: Enrolment,
    key_area: KeyArea,
    reason: str,
    to_service: Service | None = None,
    to_organization: Organization | None = None,
    consent: Consent | None = None,
    new_consent: dict[str, Any] | None = None,
    request=None,
) -> Referral:
    """Refer a participant the actor's organization serves to another organization of the
    collaborative, under a consent in force that covers the receiver, the key area and
    referrals (``access.consent_covering_referral``). When none does, ``new_consent``
    (the fields ``services.consents.consent_record`` takes) records the person's consent
    in the same transaction: staff take it on the same screen."""
    if not actor.works_for(enrolment.organization_id):
        raise PermissionDenied
    receiver = _receiver(to_service, to_organization)
    collaborative = enrolment.collaborative
    if receiver.collaborative_id != collaborative.pk:
        raise PermissionDenied
    if receiver.pk == enrolment.organization_id:
        raise ValidationError(_("Refer to another organization, not your own."))
    _check_key_area(key_area, collaborative.pk, to_service)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the person needs.")})
    today = collaborative.today()
    if (
        consent is None
        and new_consent is not None
        and access.consent_covering_referral(enrolment, receiver, key_area, today) is None
    ):
        consent = consents.consent_record(
            actor=actor, enrolment=enrolment, request=request, **new_consent
        )
    if consent is not None:
        covering = access.consents_covering_referral(enrolment, receiver, key_area, today)
        if not covering.filter(pk=consent.pk).exists():
            consent = None
    else:
        consent = access.consent_covering_referral(enrolment, receiver, key_area, today)
    if consent is None:
        raise ValidationError(
            _(
                "No consent in force lets %(org)s see this referral about %(area)s. "
                "Record the person's consent first."
            )
            % {"org": receiver.name, "area": key_area.name},
            code="no_consent",
        )
    referral = Referral(
        collaborative=collaborative,
        participant=enrolment.participant,
        from_organization_id=enrolment.organization_id,
        from_enrolment=enrolment,
        to_organization=receiver,
        to_service=to_service,
        key_area=key_area,
        consent=consent,
        reason=reason,
        sent_by=actor.user,
    )
    referral.full_clean()
    referral.save()
    _event(referral, S.SENT, actor=actor, organization_id=enrolment.organization_id)
    _audit("casework.referral_sent", referral, actor=actor.user, request=request)
    _notify_receiver(referral, "referral-new")
    return referral


@transaction.atomic
def referral_self(
    *,
    actor: Member,
    service: Service,
    key_area: KeyArea,
    reason: str,
    signed_name: str,
    request=None,
) -> Referral:
    """A member of the collaborative asks for a service for themselves: their own consent,
    given on screen, lets the organization see what they wrote; a participant record for
    their account is made if they have none."""
    collaborative = actor.collaborative
    if service.organization.collaborative_id != collaborative.pk:
        raise PermissionDenied
    if not service.accepts_referrals:
        raise ValidationError(_("This service does not take referrals."))
    _check_key_area(key_area, collaborative.pk, service)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what you need.")})
    if not signed_name.strip():
        raise ValidationError({"signed_name": _("Type your name to give your consent.")})
    participant = _own_participant(actor)
    today = collaborative.today()
    consent = Consent(
        collaborative=collaborative,
        participant=participant,
        enrolment=None,
        organization=None,
        shares_referrals=True,
        purpose=_("To ask %(org)s for %(service)s")
        % {"org": service.organization.name, "service": service.name},
        starts_on=today,
        ends_on=today + timedelta(days=SELF_REFERRAL_CONSENT_DAYS),
        method=Consent.Method.ON_SCREEN,
        signed_name=signed_name.strip(),
        signed_on=today,
        told_right_to_revoke=True,
        taken_by=actor.user,
    )
    consent.full_clean(exclude=["participant", "enrolment", "organization", "collaborative"])
    consent.save()
    consent.recipient_organizations.set([service.organization])
    consent.key_areas.set([key_area])
    record(
        "casework.consent_recorded",
        actor=actor.user,
        request=request,
        collaborative=collaborative,
        obj=participant,
        consent=str(consent.public_id),
        kinds=consent.kinds(),
        recipients=[service.organization.name],
        ends_on=consent.ends_on.isoformat(),
        by="person",
    )
    referral = Referral(
        collaborative=collaborative,
        participant=participant,
        from_organization=None,
        to_organization=service.organization,
        to_service=service,
        key_area=key_area,
        consent=consent,
        is_self_referral=True,
        reason=reason,
        sent_by=actor.user,
    )
    referral.full_clean()
    referral.save()
    _event(referral, S.SENT, actor=actor, organization_id=None)
    _audit("casework.referral_sent", referral, actor=actor.user, request=request, self=True)
    _notify_receiver(referral, "referral-new")
    return referral


def _own_participant(actor: Member) -> Participant:
    """The participant record of the actor's own account, made if there is none."""
    existing = Participant.objects.filter(
        collaborative_id=actor.collaborative_id, user_id=actor.user_id, merged_into__isnull=True
    ).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Participant.objects.create(
                    collaborative_id=actor.collaborative_id, user_id=actor.user_id
                )
        except IntegrityError:
            continue
    raise RuntimeError("Could not draw a unique participant code.")


# --- The receiver's answers and the sender's --------------------------------------------------


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("participant", "collaborative", "consent", "to_organization")
        .get(pk=referral.pk)
    )


def _as_receiver(actor: Member, referral: Referral, allowed: tuple[str, ...]) -> Referral:
    if not access.is_referral_receiver(actor, referral):
        raise PermissionDenied
    locked = _locked(referral)
    # The receiver acts only while the consent it was sent under is in force.
    if not locked.consent.in_force_on(locked.collaborative.today()):
        raise PermissionDenied(_("The person's consent for this referral is no longer in force."))
    if locked.status not in allowed:
        raise ValidationError(_("This referral has moved on: reload the page."))
    return locked


def _as_sender(actor: Member, referral: Referral, allowed: tuple[str, ...]) -> Referral:
    if not access.is_referral_sender(actor, referral):
        raise PermissionDenied
    locked = _locked(referral)
    if locked.status not in allowed:
        raise ValidationError(_("This referral has moved on: reload the page."))
    return locked


def _move(
    referral: Referral,
    status: str,
    *,
    actor: Member,
    organization_id: int | None,
    note: str = "",
    request=None,
    action: str,
    **details: Any,
) -> Referral:
    referral.status = status
    referral.save(update_fields=["status", "updated_at", *details.pop("fields", ())])
    _event(referral, status, actor=actor, organization_id=organization_id, note=note)
    _audit(action, referral, actor=actor.user, request=request, **details)
    return referral


@transaction.atomic
def referral_accept(*, actor: Member, referral: Referral, request=None) -> Referral:
    """The receiver takes the person on: its own enrolment of the participant (made now,
    or the one it already has) is linked to the referral."""
    referral = _as_receiver(actor, referral, (S.SENT, S.INFO_REQUESTED))
    enrolment = Enrolment.objects.filter(
        participant_id=referral.participant_id, organization_id=referral.to_organization_id
    ).first()
    if enrolment is None:
        enrolment = participants.enrol(
            actor=actor,
            participant=referral.participant,
            needs=[referral.key_area],
            request=request,
        )
    referral.to_enrolment = enrolment
    return _move(
        referral,
        S.ACCEPTED,
        actor=actor,
        organization_id=referral.to_organization_id,
        request=request,
        action="casework.referral_accepted",
        fields=("to_enrolment",),
    )


@transaction.atomic
def referral_decline(*, actor: Member, referral: Referral, reason: str, request=None) -> Referral:
    if not reason.strip():
        raise ValidationError({"note": _("Say why, so the sender can find another place.")})
    referral = _as_receiver(actor, referral, (S.SENT, S.INFO_REQUESTED))
    referral = _move(
        referral,
        S.DECLINED,
        actor=actor,
        organization_id=referral.to_organization_id,
        note=reason.strip(),
        request=request,
        action="casework.referral_declined",
    )
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_ask(*, actor: Member, referral: Referral, note: str, request=None) -> Referral:
    """The receiver asks the sender for more information before answering."""
    if not note.strip():
        raise ValidationError({"note": _("Say what you need to know.")})
    referral = _as_receiver(actor, referral, (S.SENT,))
    referral = _move(
        referral,
        S.INFO_REQUESTED,
        actor=actor,
        organization_id=referral.to_organization_id,
        note=note.strip(),
        request=request,
        action="casework.referral_info_requested",
    )
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_answer(*, actor: Member, referral: Referral, note: str, request=None) -> Referral:
    """The sender answers the receiver's question: the referral waits for an answer again."""
    if not note.strip():
        raise ValidationError({"note": _("Write your answer.")})
    referral = _as_sender(actor, referral, (S.INFO_REQUESTED,))
    referral = _move(
        referral,
        S.SENT,
        actor=actor,
        organization_id=referral.from_organization_id,
        note=note.strip(),
        request=request,
        action="casework.referral_answered",
    )
    _notify_receiver(referral, "referral-update")
    return referral


@transaction.atomic
def referral_deliver(
    *,
    actor: Member,
    referral: Referral,
    service_log: ServiceLog | None = None,
    log_fields: dict[str, Any] | None = None,
    note: str = "",
    request=None,
) -> Referral:
    """The receiver delivered the service: linked to one of its service logs of this
    participant, or to one logged now (``log_fields``, as ``services.logs.service_log``)."""
    referral = _as_receiver(actor, referral, (S.ACCEPTED,))
    if service_log is None:
        if not log_fields:
            raise ValidationError(_("Choose the service you logged, or log it now."))
        if referral.to_enrolment is None:
            raise ValidationError(_("Accept the referral first."))
        service_log = logs.service_log(
            actor=actor, enrolment=referral.to_enrolment, request=request, **log_fields
        )
    elif (
        service_log.organization_id != referral.to_organization_id
        or service_log.participant_id != referral.participant_id
    ):
        raise PermissionDenied
    referral.service_log = service_log
    return _move(
        referral,
        S.DELIVERED,
        actor=actor,
        organization_id=referral.to_organization_id,
        note=note.strip(),
        request=request,
        action="casework.referral_delivered",
        fields=("service_log",),
        service_log=str(service_log.public_id),
    )


@transaction.atomic
def referral_close(*, actor: Member, referral: Referral, note: str = "", request=None) -> Referral:
    """The receiver closes the loop (after delivering, or when it could not)."""
    referral = _as_receiver(actor, referral, (S.ACCEPTED, S.DELIVERED))
    referral = _move(
        referral,
        S.CLOSED,
        actor=actor,
        organization_id=referral.to_organization_id,
        note=note.strip(),
        request=request,
        action="casework.referral_closed",
    )
    _notify_sender(referral)
    return referral


@transaction.atomic
def referral_withdraw(
    *, actor: Member, referral: Referral, note: str = "", request=None
) -> Referral:
    """The sender takes the referral back while it is still open."""
    referral = _as_sender(actor, referral, (S.SENT, S.INFO_REQUESTED, S.ACCEPTED))
    referral = _move(
        referral,
        S.WITHDRAWN,
        actor=actor,
        organization_id=referral.from_organization_id,
        note=note.strip(),
        request=request,
        action="casework.referral_withdrawn",
    )
    _notify_receiver(referral, "referral-update")
    return referral


# --- Events, audit, email ---------------------------------------------------------------------


def _event(
    referral: Referral, status: str, *, actor: Member, organization_id: int | None, note: str = ""
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        status=status,
        note=note,
        by=actor.user,
        by_organization_id=organization_id,
    )


def _audit(action: str, referral: Referral, *, actor, request=None, **details: Any) -> None:
    record(
        action,
        actor=actor,
        request=request,
        collaborative=referral.collaborative,
        obj=referral.participant,
        referral=str(referral.public_id),
        to=referral.to_organization.name,
        **({"from": referral.from_organization.name} if referral.from_organization else {}),
        **details,
    )


def _referral_url(referral: Referral) -> str:
    path = reverse(
        "casework:referral",
        kwargs={"slug": referral.collaborative.slug, "public_id": referral.public_id},
    )
    return f"{settings.SITE_URL}{path}"


def _caseworkers(organization_id: int) -> list[Member]:
    return list(
        Member.objects.active()
        .filter(organization_id=organization_id, role__in=Member.EDITOR_ROLES)
        .select_related("user")
        .order_by("pk")
    )


def _send(name: str, referral: Referral, people: list[Member], **extra: Any) -> None:
    context = {
        "referral": referral,
        "code": referral.participant.code,
        "collaborative": referral.collaborative,
        "to_name": referral.to_organization.name,
        "from_name": _from_name(referral),
        "service_name": referral.to_service.name if referral.to_service else "",
        "key_area": referral.key_area.name,
        "status": referral.get_status_display(),
        "url": _referral_url(referral),
        **extra,
    }
    for member in people:
        if not member.contact_by_email or not member.user.email:
            continue
        send_templated_email(
            name,
            to=member.user.email,
            language=member.user.preferred_language,
            context={**context, "member": member},
        )


def _from_name(referral: Referral) -> str:
    """Who sent it, as an email may say: not a Part 2 program's name, since that alone
    would tell that the person is in substance-use treatment (the page carries the §2.32
    notice; an email cannot be recalled)."""
    sender = referral.from_organization
    if sender is None:
        return _("the person themselves")
    if Part2Program.objects.filter(organization=sender).exists():
        return _("a partner organization")
    return sender.name


def _notify_receiver(referral: Referral, name: str) -> None:
    _send(name, referral, _caseworkers(referral.to_organization_id))


def _notify_sender(referral: Referral) -> None:
    """The person who sent it, if still with the sending organization (or the person
    themselves for a self-referral)."""
    sender = (
        Member.objects.active()
        .filter(collaborative_id=referral.collaborative_id, user_id=referral.sent_by_id)
        .select_related("user")
        .first()
    )
    if sender is None:
        return
    if not referral.is_self_referral and not sender.works_for(referral.from_organization_id):
        return
    _send("referral-update", referral, [sender])


# --- Reminders ----------------------------------------------------------------------------------


def referral_reminders_send(*, now: datetime | None = None) -> int:
    """Email each receiving organization's admins and staff the referrals that have waited
    for its answer longer than the collaborative's ``referral_reminder_days`` since their
    last step, at most once per such period (``last_reminded_at``, claimed before the
    email is queued, in the same transaction). Safe to run twice. Returns emails queued."""
    now = now or timezone.now()
    sent = 0
    for collaborative in Collaborative.objects.filter(
        pk__in=Referral.objects.filter(status=S.SENT).values("collaborative_id")
    ):
        cutoff = now - timedelta(days=collaborative.referral_reminder_days)
        due = (
            Referral.objects.filter(collaborative=collaborative, status=S.SENT)
            .annotate(last_step=Max("events__at"))
            .filter(last_step__lt=cutoff)
            .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=cutoff))
        )
        by_receiver: dict[int, list[int]] = defaultdict(list)
        for pk, organization_id in due.values_list("pk", "to_organization_id"):
            by_receiver[organization_id].append(pk)
        for organization_id, ids in by_receiver.items():
            sent += _remind(collaborative, organization_id, ids, cutoff, now)
    return sent


@transaction.atomic
def _remind(collaborative, organization_id: int, ids: list[int], cutoff, now) -> int:
    people = _caseworkers(organization_id)
    if not people:
        return 0  # unclaimed: reminded as soon as the organization has staff
    claim = list(
        Referral.objects.filter(pk__in=ids, status=S.SENT)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=cutoff))
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    if not claim:
        return 0
    Referral.objects.filter(pk__in=claim).update(last_reminded_at=now)
    waiting = list(
        Referral.objects.filter(pk__in=claim, last_reminded_at=now)
        .select_related("participant", "to_service", "key_area", "collaborative")
        .order_by("sent_at")
    )
    if not waiting:
        return 0
    organization = Organization.objects.get(pk=organization_id)
    today = collaborative.today()
    rows = [
        {
            "code": r.participant.code,
            "service": r.to_service.name if r.to_service else "",
            "key_area": r.key_area.name,
            "days": (today - collaborative.local_date(r.sent_at)).days,
            "url": _referral_url(r),
        }
        for r in waiting
    ]
    inbox = settings.SITE_URL + reverse("casework:referrals", kwargs={"slug": collaborative.slug})
    emailed = 0
    for member in people:
        if not member.contact_by_email or not member.user.email:
            continue
        send_templated_email(
            "referral-reminder",
            to=member.user.email,
            language=member.user.preferred_language,
            context={
                "member": member,
                "organization": organization,
                "collaborative": collaborative,
                "referrals": rows,
                "inbox_url": inbox,
                "days": collaborative.referral_reminder_days,
            },
        )
        emailed += 1
    record(
        "casework.referrals_reminded",
        collaborative=collaborative,
        obj=organization,
        referrals=len(rows),
        recipients=emailed,
    )
    return emailed
