"""The audit log for backbone staff: one collaborative's events, filtered, and as CSV."""

import csv
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


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text for a CSV cell; a leading formula character is quoted so a spreadsheet
    shows it instead of running it (names and typed emails come from users)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_rows(events) -> Iterator[list[str]]:
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
            _cell(timezone.localtime(event.at).isoformat()),
            _cell(event.actor_label),
            _cell(action_label(event.action)),
            _cell(event.action),
            _cell(event.object_type),
            _cell(event.object_id),
            _cell(event.object_label),
            _cell(event.get_outcome_display()),
            _cell(event.ip_address),
            _cell(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
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
    writer = csv.writer(_Echo())
    zone, language = timezone.get_current_timezone(), translation.get_language()

    def stream() -> Iterator[str]:
        # Streaming runs after the view returns: keep its time zone and language.
        with timezone.override(zone), translation.override(language):
            for row in _csv_rows(events.exclude(pk=exported.pk)):
                yield writer.writerow(row)

    filename = f"audit-{request.collaborative.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
