from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models

from reentry.audit.models import AuditEvent
from reentry.ratelimit import counters


def client_ip(request) -> str | None:
    """The client's address. Behind a proxy, set the proxy to overwrite REMOTE_ADDR."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _event(
    action: str,
    *,
    actor=None,
    request=None,
    collaborative=None,
    obj: models.Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any],
) -> AuditEvent:
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
    return event


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
    """Append one event to the audit log. The only way anything writes to it (with
    ``record_each``, its twin for one event per object)."""
    event = _event(
        action,
        actor=actor,
        request=request,
        collaborative=collaborative,
        obj=obj,
        outcome=outcome,
        details=details,
    )
    event.save()
    return event


def record_each(
    action: str,
    objects: Iterable[tuple[models.Model, dict[str, Any]]],
    *,
    actor=None,
    request=None,
    collaborative=None,
) -> list[AuditEvent]:
    """One event per ``(object, details)`` in a single INSERT: a list page that shows
    many people's records writes who saw each of them without a query per row."""
    events = [
        _event(
            action,
            actor=actor,
            request=request,
            collaborative=collaborative,
            obj=obj,
            details=dict(details),
        )
        for obj, details in objects
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


def _milestone(seen: int, limit: int) -> bool:
    """2, 4, 8… times the limit: when a throttled run of refusals is logged again."""
    multiple, rest = divmod(seen, limit)
    return rest == 0 and multiple >= 2 and multiple & (multiple - 1) == 0


def record_denied(
    action: str, *, request=None, obj: models.Model, collaborative=None, **details: Any
) -> AuditEvent | None:
    """``record`` for a refusal that anyone with an account can cause at will (a denied
    lookup): the audit log stays append-only and readable however hard someone probes.

    Per person (the account, or the address when signed out), action and object type,
    in each window of ``AUDIT_DENIED_WINDOW`` seconds: the first
    ``AUDIT_DENIED_PER_WINDOW`` refusals are logged one by one; the next one is logged
    as ``<action>.throttled`` (the rest of the window is counted, not logged one by
    one); then one ``<action>.repeats`` row each time the count reaches 2, 4, 8… times
    the limit, saying how many so far. No row is ever changed: the count of a run is
    known from the log to within a factor of two, and that a run happened, when and by
    whom, always. Returns the event written, if any."""
    limit = max(1, settings.AUDIT_DENIED_PER_WINDOW)
    window = settings.AUDIT_DENIED_WINDOW
    actor = getattr(request, "user", None) if request is not None else None
    if actor is not None and getattr(actor, "is_authenticated", False):
        who = f"user:{actor.pk}"
    else:
        who = f"ip:{client_ip(request) or 'unknown'}"
    object_type = obj._meta.label
    seen = counters.hit(f"audit:{action}:{who}:{object_type}", window=window)
    if seen <= limit:
        return record(
            action,
            request=request,
            collaborative=collaborative,
            obj=obj,
            **details,
            outcome=AuditEvent.Outcome.DENIED,
        )
    if seen != limit + 1 and not _milestone(seen, limit):
        return None
    start = counters.window_start(window)
    return record(
        f"{action}.throttled" if seen == limit + 1 else f"{action}.repeats",
        request=request,
        collaborative=collaborative,
        outcome=AuditEvent.Outcome.DENIED,
        object_type=object_type,
        seen_so_far=seen,
        logged_one_by_one=limit,
        window_start=start.isoformat(),
        window_end=(start + timedelta(seconds=window)).isoformat(),
        **details,
    )
