from typing import Any

from django.db import models

from reentry.audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address. Behind a proxy, set the proxy to overwrite REMOTE_ADDR."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor=None,
    request=None,
    collaborative=None,
    obj: models.Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    **details: Any,
) -> AuditEvent:
    """Append one event to the audit log. The only way anything writes to it."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if collaborative is None and obj is not None:
        is_tenant = obj._meta.label == "stakeholders.Collaborative"
        collaborative = obj if is_tenant else getattr(obj, "collaborative", None)
    event = AuditEvent(
        actor=actor,
        actor_label=(actor.email if actor is not None else details.pop("actor_label", "")),
        collaborative=collaborative if getattr(collaborative, "pk", None) else None,
        action=action,
        outcome=outcome,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:255] if request is not None else ""),
        details={
            k: (v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v))
            for k, v in details.items()
        },
    )
    if obj is not None:
        event.object_type = obj._meta.label
        event.object_id = str(getattr(obj, "public_id", obj.pk))
        event.object_label = str(obj)[:255]
    event.save()
    return event
