"""Service logs: the caseworker's one-screen phone form, the same log for several
participants, the organization's list (and what other organizations' consents share with
it), its export, and the bulk upload. For the admins and staff of an organization
(``access.is_caseworker``); anyone else gets a 404, like a record they may not see.
Access → service → render."""

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework import access, notices
from casework.forms.logs import LogFilterForm, LogUploadForm, ServiceLogForm, ServiceLogManyForm
from casework.models import Enrolment, ServiceLog
from casework.selectors import logs as selectors
from casework.services import log_imports
from casework.services import logs as services
from reentry.audit.log import record, record_each
from reentry.downloads import Cell, csv_response, xlsx_response
from reentry.forms import apply_errors
from reentry.tabular import FileProblem
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import KeyArea, Member, Organization

XLSX_MAX_ROWS = 50_000
MANY_OFFERED = 60


def _caseworker(request: CollaborativeRequest) -> Member:
    member = request.member
    if not access.is_caseworker(member):
        raise Http404
    return member


def _context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


# --- one service, one participant ----------------------------------------------------------


@collaborative_view()
def log_new(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Log a service in a few taps: the participant by code or name, the rest from the
    caseworker's last log, today, done."""
    member = _caseworker(request)
    form = ServiceLogForm(request.POST or None, member=member, collaborative=request.collaborative)
    if request.method == "POST" and form.is_valid() and form.chosen is not None:
        try:
            log = services.service_log(
                actor=member, enrolment=form.chosen, request=request, **form.log_fields()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Choose one of your organization’s participants and services."))
        else:
            url = reverse("casework:log_new", kwargs={"slug": slug})
            return redirect(f"{url}?logged={log.public_id}")
    logged = None
    if request.method == "GET":
        form.start_from(selectors.last_log(member))
        preselected = form.choose(_uuid(request.GET.get("enrolment")))
        if preselected is not None:
            form.chosen = preselected
            form.matches = [preselected]
            form.initial["who"] = preselected.participant.code
        if logged_id := _uuid(request.GET.get("logged")):
            logged = (
                selectors.own_logs(member)
                .filter(public_id=logged_id)
                .select_related("participant", "key_area")
                .first()
            )
    return render(
        request,
        "casework/logs/new.html",
        _context(request, form=form, logged=logged, has_services=_has_services(form)),
    )


@collaborative_view()
def log_find(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """The matches for what was typed so far (the form's progressive enhancement)."""
    member = _caseworker(request)
    who = request.GET.get("who", "")[:120]
    found = selectors.find_enrolments(member, who)
    return render(
        request,
        "casework/logs/new.html#matches",
        _context(
            request,
            matches=found[: selectors.FIND_LIMIT],
            more=len(found) > selectors.FIND_LIMIT,
            chosen=found[0] if len(found) == 1 else None,
            who=who,
        ),
    )


def _uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def _has_services(form) -> bool:
    return bool(form.fields["service"].queryset.exists())


# --- the same for several participants -----------------------------------------------------


@collaborative_view()
def log_many(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """After a group session: tick the people, fill the log once, all saved or none."""
    member = _caseworker(request)
    data = request.POST if request.method == "POST" else None
    query = (data or request.GET).get("q", "")[:120].strip()
    ticked_ids = [i for i in (_uuid(v) for v in (data.getlist("enrolments") if data else [])) if i]
    ticked = list(
        selectors.with_names(selectors.own_enrolments(member)).filter(public_id__in=ticked_ids)
    )
    if query:
        found = selectors.find_enrolments(member, query, limit=MANY_OFFERED)[:MANY_OFFERED]
    else:
        found = list(
            selectors.with_names(selectors.own_enrolments(member))
            .filter(status=Enrolment.Status.ACTIVE)
            .order_by("identity__search_name", "participant__code")[:MANY_OFFERED]
        )
    seen = {e.pk for e in ticked}
    offered = ticked + [e for e in found if e.pk not in seen]
    form = ServiceLogManyForm(
        data, member=member, collaborative=request.collaborative, offered=offered
    )
    searching = data is not None and "search" in data
    if data is not None and not searching and form.is_valid():
        chosen = form.chosen()
        try:
            saved = services.service_log_many(
                actor=member, enrolments=chosen, request=request, **form.log_fields()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(None, _("Choose your organization’s participants and services only."))
        else:
            messages.success(
                request,
                ngettext(
                    "Logged for %(n)s participant.", "Logged for %(n)s participants.", len(saved)
                )
                % {"n": len(saved)},
            )
            return redirect("casework:logs", slug=slug)
    if data is None:
        source = _from_log(member, request.GET.get("from"))
        if source is not None:
            form.initial.update(
                {
                    "service": source.service_id,
                    "key_area": source.key_area_id,
                    "delivered_on": source.delivered_on,
                    "outcome": source.outcome,
                    "notes": source.notes,
                }
            )
            form.start_from(source)
        else:
            form.start_from(selectors.last_log(member))
    if searching:
        form.errors.clear()
    return render(
        request,
        "casework/logs/many.html",
        _context(
            request,
            form=form,
            query=query,
            offered=offered,
            ticked={str(e.public_id) for e in ticked},
            more=len(found) >= MANY_OFFERED,
            source=request.GET.get("from", ""),
        ),
    )


def _from_log(member: Member, public_id: str | None) -> ServiceLog | None:
    wanted = _uuid(public_id)
    if wanted is None:
        return None
    return selectors.own_logs(member).filter(public_id=wanted).first()


# --- lists -------------------------------------------------------------------------------------


def _page(request: CollaborativeRequest, logs):
    return selectors.keyset_page(
        logs,
        older_than=_uuid(request.GET.get("older")),
        newer_than=_uuid(request.GET.get("newer")),
    )


def _query_without_cursor(request: CollaborativeRequest) -> str:
    params = request.GET.copy()
    for key in ("older", "newer"):
        params.pop(key, None)
    return params.urlencode()


@collaborative_view()
def log_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """The organization's own logs, newest first, 25 a page."""
    member = _caseworker(request)
    form = LogFilterForm(request.GET or None, member=member, collaborative=request.collaborative)
    logs = selectors.filter_logs(selectors.own_logs(member), form.filters())
    page = _page(request, selectors.for_list(logs))
    record_each(
        "casework.record_viewed",
        _reads(page.rows, what="service logs", why=["owner"]),
        actor=request.user,
        request=request,
        collaborative=request.collaborative,
    )
    names = selectors.names_of(page.rows)
    rows = [{"log": log, "name": names.get(log.enrolment_id, "")} for log in page.rows]
    return render(
        request,
        "casework/logs/list.html",
        _context(
            request,
            form=form,
            page=page,
            rows=rows,
            filtered=_filtered(form),
            query=_query_without_cursor(request),
            export_query=_export_query(request),
        ),
    )


@collaborative_view()
def log_shared(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Other organizations' logs that consents in force share with us: codes only."""
    member = _caseworker(request)
    today = request.collaborative.today()
    form = LogFilterForm(
        request.GET or None, member=member, collaborative=request.collaborative, services=False
    )
    logs = selectors.filter_logs(selectors.shared_logs(member, today=today), form.filters())
    page = _page(request, selectors.for_list(logs, shared=True))
    consents = selectors.covering_consents(member, page.rows, today=today)
    by_participant: dict[int, tuple[Any, set[str]]] = {}
    for log in page.rows:
        _participant, ids = by_participant.setdefault(log.participant_id, (log.participant, set()))
        ids.update(consents.get(log.pk, []))
    record_each(
        "casework.record_viewed",
        [
            (participant, {"what": "service logs", "why": ["consent"], "consents": sorted(ids)})
            for participant, ids in by_participant.values()
        ],
        actor=request.user,
        request=request,
        collaborative=request.collaborative,
    )
    part2 = notices.part2_disclosed(page.rows, {member.organization_id})
    return render(
        request,
        "casework/logs/shared.html",
        _context(
            request,
            form=form,
            page=page,
            rows=page.rows,
            filtered=_filtered(form),
            query=_query_without_cursor(request),
            part2_notice=notices.PART2_NOTICE if part2 else None,
        ),
    )


def _reads(logs, *, what: str, why: list[str]):
    seen: dict[int, Any] = {}
    for log in logs:
        seen.setdefault(log.participant_id, log.participant)
    return [(participant, {"what": what, "why": why}) for participant in seen.values()]


def _filtered(form: LogFilterForm) -> bool:
    return form.is_bound and any(form.data.get(name) for name in form.fields)


def _export_query(request: CollaborativeRequest) -> str:
    params = request.GET.copy()
    for key in ("older", "newer"):
        params.pop(key, None)
    return params.urlencode()


# --- export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "participant_code",
    "date",
    "key_area",
    "service",
    "minutes",
    "outcome",
    "notes",
    "recorded_at",
)


def _export_rows(logs) -> Iterator[list[Cell]]:
    yield list(EXPORT_COLUMNS)
    for log in logs.iterator(chunk_size=2000):
        yield [
            log.participant.code,
            log.delivered_on,
            log.key_area.name,
            log.service.name if log.service is not None else "",
            log.duration_minutes,
            log.get_outcome_display(),
            log.notes,
            timezone.localtime(log.created_at).replace(tzinfo=None),
        ]


@collaborative_view()
def log_export(request: CollaborativeRequest, slug: str, fmt: str) -> HttpResponseBase:
    """The organization's own logs (never another's), filtered as on the list; codes only."""
    member = _caseworker(request)
    form = LogFilterForm(request.GET or None, member=member, collaborative=request.collaborative)
    logs = (
        selectors.filter_logs(selectors.own_logs(member), form.filters())
        .select_related("participant", "key_area", "service")
        .order_by("-delivered_on", "-pk")
    )
    if fmt == "xlsx" and logs[: XLSX_MAX_ROWS + 1].count() > XLSX_MAX_ROWS:
        messages.error(
            request,
            _(
                "That is more than %(n)s service logs for one Excel file. Choose a shorter date "
                "range, or download them as CSV."
            )
            % {"n": f"{XLSX_MAX_ROWS:,}"},
        )
        return redirect(
            f"{reverse('casework:logs', kwargs={'slug': slug})}?{request.GET.urlencode()}"
        )
    count = logs.count()
    record(
        "casework.logs_exported",
        request=request,
        collaborative=request.collaborative,
        count=count,
        format=fmt,
        filters={k: v for k, v in request.GET.items() if k not in ("older", "newer")},
    )
    organization = Organization.objects.get(pk=selectors.organization_id(member))
    filename = f"service-logs-{organization.slug}-{request.collaborative.today():%Y-%m-%d}"
    if fmt == "xlsx":
        return xlsx_response(_export_rows(logs), f"{filename}.xlsx", title=_("Service logs"))
    zone, language = timezone.get_current_timezone(), translation.get_language()

    def stream() -> Iterator[list[Cell]]:
        # Streaming runs after the view returns: keep its time zone and language.
        with timezone.override(zone), translation.override(language):
            yield from _export_rows(logs)

    return csv_response(stream(), f"{filename}.csv")


# --- bulk upload ------------------------------------------------------------------------------


@collaborative_view()
def log_upload(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """A CSV or XLSX file of logs: every row checked, all saved or none."""
    member = _caseworker(request)
    form = LogUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = log_imports.read_log_file(upload, member=member)
        except FileProblem as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok:
                try:
                    saved = services.service_logs_import(
                        actor=member,
                        rows=[(row.enrolment, row.fields) for row in report.rows],
                        filename=upload.name or "",
                        request=request,
                    )
                except (ValidationError, PermissionDenied) as exc:
                    form.add_error(None, _("Nothing was saved: %(why)s") % {"why": _reason(exc)})
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Saved %(n)s service log from %(file)s.",
                            "Saved %(n)s service logs from %(file)s.",
                            len(saved),
                        )
                        % {"n": len(saved), "file": upload.name},
                    )
                    return redirect("casework:logs", slug=slug)
    return render(
        request,
        "casework/logs/upload.html",
        _context(
            request,
            form=form,
            report=report,
            columns=log_imports.COLUMNS,
            max_rows=log_imports.max_rows(),
            max_bytes=log_imports.max_bytes(),
            key_areas=KeyArea.objects.filter(collaborative=request.collaborative)
            .order_by("order", "name")
            .values_list("name", flat=True),
        ),
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("a row names something your organization may not log.")


@collaborative_view()
def upload_template(request: CollaborativeRequest, slug: str) -> HttpResponseBase:
    """An empty file with the columns, and one example row."""
    _caseworker(request)
    today: date = request.collaborative.today()
    example: list[Cell] = ["P-7KM3-Q9XA", today, "housing", "", 45, "completed", ""]
    return csv_response(
        [list(log_imports.COLUMNS), example], "service-logs-template.csv", stream=False
    )


urlpatterns = [
    path("logs/", log_list, name="logs"),
    path("logs/shared/", log_shared, name="logs_shared"),
    path("logs/export.csv", log_export, {"fmt": "csv"}, name="logs_export_csv"),
    path("logs/export.xlsx", log_export, {"fmt": "xlsx"}, name="logs_export_xlsx"),
    path("logs/new/", log_new, name="log_new"),
    path("logs/new/find/", log_find, name="log_find"),
    path("logs/many/", log_many, name="log_many"),
    path("logs/upload/", log_upload, name="logs_upload"),
    path("logs/upload/template.csv", upload_template, name="logs_upload_template"),
]
