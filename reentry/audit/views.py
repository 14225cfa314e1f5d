"""The audit log for backbone staff: one collaborative's events, filtered, and as CSV."""

import json
from collections.abc import Iterator

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reentry.audit.actions import action_label
from reentry.audit.forms import AuditFilterForm
from reentry.audit.log import record
from reentry.audit.models import AuditEvent
from reentry.downloads import Cell, attachment, csv_lines
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

PAGE_SIZE = 25
BACKBONE_ONLY = (Member.Role.BACKBONE,)
OUTCOME_BADGES: dict[str, str] = {
    AuditEvent.Outcome.SUCCESS: "ok",
    AuditEvent.Outcome.FAILURE: "warn",
    AuditEvent.Outcome.DENIED: "danger",
}


def _object_type_label(label: str) -> str:
    """``stakeholders.Invitation`` → "invitation" (the model's own name), from the registry."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _filtered(request: CollaborativeRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(collaborative=request.collaborative).order_by("-at", "-id")
    return form, (form.filter(events) if form.is_bound else events)


@collaborative_view(roles=BACKBONE_ONLY)
def event_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "what": action_label(event.action),
            "object_type": _object_type_label(event.object_type),
            "badge": OUTCOME_BADGES.get(event.outcome, "plain"),
        }
        for event in page
    ]
    return render(
        request,
        "audit/event_list.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": form.is_bound and any(form.data.get(f) for f in form.fields),
            "export_query": request.GET.urlencode(),
        },
    )


def _csv_rows(events) -> Iterator[list[Cell]]:
    yield [
        _("When"),
        _("Who"),
        _("What"),
        _("Action code"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Outcome"),
        _("From"),
        _("Details"),
    ]
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).isoformat(),
            event.actor_label,
            action_label(event.action),
            event.action,
            event.object_type,
            event.object_id,
            event.object_label,
            event.get_outcome_display(),
            event.ip_address,
            json.dumps(event.details, ensure_ascii=False, sort_keys=True),
        ]


@collaborative_view(roles=BACKBONE_ONLY)
def event_export(request: CollaborativeRequest, slug: str) -> StreamingHttpResponse:
    form, events = _filtered(request)
    exported = record(
        "audit.exported",
        request=request,
        collaborative=request.collaborative,
        filters={k: v for k, v in request.GET.items() if k != "page"},
    )
    zone, language = timezone.get_current_timezone(), translation.get_language()

    def stream() -> Iterator[str]:
        # Streaming runs after the view returns: keep its time zone and language.
        with timezone.override(zone), translation.override(language):
            yield from csv_lines(_csv_rows(events.exclude(pk=exported.pk)))

    filename = f"audit-{request.collaborative.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    attachment(response, filename)
    return response
