"""Logging services delivered."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from casework.models import Enrolment, ServiceLog
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
    log.full_clean(exclude=["collaborative", "organization", "enrolment", "participant"])
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
