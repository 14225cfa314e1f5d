"""Reads for the consent pages and the person's own view, already scoped to the person
(every query goes through a ``visible_to``; ``casework.access`` decides who sees what)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from casework.models import Consent, Enrolment, Identity, Participant, Referral, ServiceLog
from reentry.audit.models import AuditEvent
from stakeholders.models import Collaborative, Member

IN_FORCE = "in_force"
NOT_STARTED = "not_started"
EXPIRED = "expired"
REVOKED = "revoked"

STATUS_LABELS = {
    IN_FORCE: _("In force"),
    NOT_STARTED: _("Not started yet"),
    EXPIRED: _("Ended"),
    REVOKED: _("Revoked"),
}
# The badge class each status wears (reentry/static/reentry/app.css).
STATUS_BADGES = {IN_FORCE: "ok", NOT_STARTED: "plain", EXPIRED: "plain", REVOKED: "warn"}

# Services received shown per organization on the person's own page; the rest are counted.
LOGS_PER_ORGANIZATION = 10


def consent_status(consent: Consent, today: date) -> str:
    if consent.revoked_at is not None:
        return REVOKED
    if today < consent.starts_on:
        return NOT_STARTED
    if today > consent.ends_on:
        return EXPIRED
    return IN_FORCE


def with_status(consents, today: date) -> list[Consent]:
    """The consents with ``status``, ``status_label``, ``status_badge`` and ``revocable``
    (not revoked and not ended: a button to revoke it makes sense) set on each."""
    rows = list(consents)
    for consent in rows:
        consent.status = consent_status(consent, today)
        consent.status_label = STATUS_LABELS[consent.status]
        consent.status_badge = STATUS_BADGES[consent.status]
        consent.revocable = consent.status in (IN_FORCE, NOT_STARTED)
    return rows


def consent_details(consents: QuerySet) -> QuerySet:
    """Everything a consent page or list shows, in a fixed number of queries."""
    return consents.select_related(
        "organization",
        "organization__part2_program",
        "participant",
        "enrolment",
        "taken_by",
        "revoked_by",
    ).prefetch_related(
        Prefetch("recipient_organizations", to_attr="recipient_orgs"),
        Prefetch("recipient_sectors", to_attr="recipient_sector_list"),
        Prefetch("key_areas", to_attr="key_area_list"),
    )


def own_participant(user, collaborative: Collaborative, *, today: date) -> Participant | None:
    """The participant record the person's account is linked to in this collaborative."""
    return (
        Participant.objects.visible_to(user, today=today)
        .filter(collaborative=collaborative, user_id=user.pk, merged_into__isnull=True)
        .first()
    )


@dataclass
class HeldRecord:
    """What one organization holds about the person."""

    enrolment: Enrolment
    identity: Identity | None
    logs: list[ServiceLog] = field(default_factory=list)
    more_logs: int = 0
    referrals: list[Referral] = field(default_factory=list)


def held_records(user, participant: Participant, *, today: date) -> list[HeldRecord]:
    """Each organization's record of the person, with the services it logged (the newest
    ``LOGS_PER_ORGANIZATION``) and the referrals it sent or received. Five queries
    whatever the number of organizations, logs and referrals."""
    enrolments = (
        Enrolment.objects.visible_to(user, today=today)
        .filter(participant=participant)
        .select_related("organization", "organization__part2_program", "identity")
        .prefetch_related("needs")
        .order_by("enrolled_on", "pk")
    )
    records: dict[int, HeldRecord] = {}
    for enrolment in enrolments:
        try:
            identity = enrolment.identity
        except Identity.DoesNotExist:
            identity = None
        records[enrolment.pk] = HeldRecord(enrolment=enrolment, identity=identity)
    if not records:
        return []
    logs = ServiceLog.objects.visible_to(user, today=today).filter(
        participant=participant, enrolment_id__in=records
    )
    newest = (
        logs.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("enrolment_id")],
                order_by=[F("delivered_on").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=LOGS_PER_ORGANIZATION)
        .select_related("service", "key_area")
        .order_by("enrolment_id", "-delivered_on", "-id")
    )
    for log in newest:
        records[log.enrolment_id].logs.append(log)
    counts = logs.order_by().values("enrolment_id").annotate(n=Count("pk"))
    for row in counts:
        records[row["enrolment_id"]].more_logs = max(0, row["n"] - LOGS_PER_ORGANIZATION)
    by_organization: dict[int, list[HeldRecord]] = {}
    for held in records.values():
        by_organization.setdefault(held.enrolment.organization_id, []).append(held)
    referrals = (
        Referral.objects.visible_to(user, today=today)
        .filter(participant=participant)
        .select_related("from_organization", "to_organization", "to_service", "key_area")
        .order_by("-sent_at", "-id")
    )
    for referral in referrals:
        for organization_id in {referral.from_organization_id, referral.to_organization_id}:
            for held in by_organization.get(organization_id, ()):
                held.referrals.append(referral)
    return list(records.values())


def own_referrals(user, participant: Participant, *, today: date) -> list[Referral]:
    """The referrals the person made themselves, newest first: they belong to no
    organization's record, so "What each organization holds" does not list them."""
    return list(
        Referral.objects.visible_to(user, today=today)
        .filter(participant=participant, is_self_referral=True)
        .select_related("to_organization", "to_service", "key_area")
        .order_by("-sent_at", "-id")
    )


def own_consents(user, participant: Participant, *, today: date) -> list[Consent]:
    consents = Consent.objects.visible_to(user, today=today).filter(participant=participant)
    return with_status(consent_details(consents).order_by("-created_at", "-id"), today)


def record_events(user, participant: Participant) -> QuerySet:
    """The audit log of the person's record, newest first: who read it or changed it,
    and who tried to open it without being allowed. The person's own visits are left out
    (they know them)."""
    return (
        AuditEvent.objects.filter(
            object_type=Participant._meta.label, object_id=str(participant.public_id)
        )
        .exclude(actor_id=user.pk)
        .select_related("actor")
        .order_by("-at", "-id")
    )


def actor_organizations(collaborative: Collaborative, events) -> dict[int, str]:
    """For the people in ``events``: the name of their organization in the collaborative
    (one query for the page)."""
    user_ids = {event.actor_id for event in events if event.actor_id is not None}
    if not user_ids:
        return {}
    members = (
        Member.objects.filter(
            collaborative=collaborative, user_id__in=user_ids, organization__isnull=False
        )
        .select_related("organization")
        .order_by("pk")
    )
    return {m.user_id: m.organization.name for m in members if m.organization is not None}
