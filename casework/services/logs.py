"""Logging services delivered: one, the same for several participants, a checked file
of them; and forgetting the API's idempotency keys after a day."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from casework.models import Enrolment, IdempotencyKey, ServiceLog
from reentry.audit.log import record
from stakeholders.models import Member

SERVICE_LOG_FIELDS = ("service", "key_area", "delivered_on", "duration_minutes", "outcome", "notes")


def _check(actor: Member, enrolment: Enrolment, fields: dict[str, Any]) -> None:
    if not actor.works_for(enrolment.organization_id):
        raise PermissionDenied
    unknown = set(fields) - set(SERVICE_LOG_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service log fields: {sorted(unknown)}")
    service = fields.get("service")
    if service is not None and service.organization_id != enrolment.organization_id:
        raise PermissionDenied
    key_area = fields.get("key_area")
    if key_area is not None and key_area.collaborative_id != enrolment.collaborative_id:
        raise PermissionDenied


def _build(actor: Member, enrolment: Enrolment, fields: dict[str, Any]) -> ServiceLog:
    _check(actor, enrolment, fields)
    log = ServiceLog(
        collaborative_id=enrolment.collaborative_id,
        organization_id=enrolment.organization_id,
        enrolment=enrolment,
        participant_id=enrolment.participant_id,
        created_by=actor.user,
        **fields,
    )
    # No uniqueness to check (the public id is fresh): one query less per row of a
    # bulk upload; the database's constraints still hold.
    log.full_clean(
        exclude=["collaborative", "organization", "enrolment", "participant"],
        validate_unique=False,
    )
    return log


@transaction.atomic
def service_log(*, actor: Member, enrolment: Enrolment, request=None, **fields: Any) -> ServiceLog:
    """Log one service delivered to a participant the actor's organization serves."""
    log = _build(actor, enrolment, fields)
    log.save()
    record(
        "casework.service_logged",
        actor=actor.user,
        request=request,
        collaborative=enrolment.collaborative,
        obj=enrolment.participant,
        service_log=str(log.public_id),
    )
    return log


@transaction.atomic
def service_log_many(
    *, actor: Member, enrolments: list[Enrolment], request=None, **fields: Any
) -> list[ServiceLog]:
    """The same service for several participants (after a group session): all or none."""
    logs = [_build(actor, enrolment, dict(fields)) for enrolment in enrolments]
    ServiceLog.objects.bulk_create(logs)
    record(
        "casework.service_logged_many",
        actor=actor.user,
        request=request,
        collaborative=actor.collaborative,
        count=len(logs),
        participants=[e.participant.code for e in enrolments],
    )
    return logs


@transaction.atomic
def service_logs_import(
    *, actor: Member, rows: list[tuple[Enrolment, dict[str, Any]]], filename: str = "", request=None
) -> list[ServiceLog]:
    """A checked upload (``casework.services.log_imports``): every row saved, or none
    (any refusal raises and rolls the whole file back)."""
    logs = [_build(actor, enrolment, dict(fields)) for enrolment, fields in rows]
    ServiceLog.objects.bulk_create(logs, batch_size=500)
    record(
        "casework.logs_imported",
        actor=actor.user,
        request=request,
        collaborative=actor.collaborative,
        count=len(logs),
        file=filename[:200],
        participants=sorted({enrolment.participant.code for enrolment, _fields in rows})[:500],
    )
    return logs


# How long a client's Idempotency-Key is remembered: a retry within a day gets the first
# answer; after that the key may be used again.
IDEMPOTENCY_TTL = timedelta(hours=24)


def idempotency_keys_expire(*, now=None) -> int:
    """Forget the API's idempotency keys older than ``IDEMPOTENCY_TTL`` (a periodic job;
    idempotent). The API already ignores older keys, so this only keeps the table small."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_TTL
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
