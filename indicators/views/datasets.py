"""Uploads (file → columns → check → save, with a live progress bar) and datasets (list,
page with versions, submit, accept, send back, restore)."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from indicators.access import (
    access_dataset,
    access_import,
    can_accept_dataset,
    can_change_dataset,
    can_submit_dataset,
    can_upload_for,
)
from indicators.charts import format_number
from indicators.dashboards import format_value
from indicators.forms import (
    DatasetSharingForm,
    MappingForm,
    ReasonForm,
    UploadForm,
    VersionChoiceForm,
)
from indicators.importing import (
    ERROR_KINDS,
    FIELDS,
    FileProblem,
    max_upload_bytes,
    progress_key,
    too_large_message,
)
from indicators.importing.jobs import retention_days
from indicators.models import Dataset, DatasetVersion, Dimension, ImportJob, Observation
from indicators.periods import period_label
from indicators.seeds import indicator_settings_for
from indicators.services.datasets import (
    dataset_share,
    dataset_version_accept,
    dataset_version_restore,
    dataset_version_return,
    dataset_version_submit,
)
from indicators.services.uploads import import_job_commit, import_job_create, import_job_map
from indicators.views.records import derived_indicators, profile_columns
from reentry.forms import apply_errors
from reentry.i18n import localized
from reentry.sharing.forms import describe_audience, target_names
from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import share_targets
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25
ROWS_PAGE_SIZE = 50


def _context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


# --- uploads -------------------------------------------------------------------------


class _SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the size limit (a safety net when the
    request has no Content-Length)."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt
def upload_new(request: HttpRequest, slug: str) -> HttpResponseBase:
    """The size limit is checked before Django reads the body (so before the CSRF check,
    which would read it); the form itself is CSRF-protected in ``_upload_new``."""
    limit = max_upload_bytes()
    too_large = False
    handler = None
    if request.method == "POST":
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > limit + 1024 * 1024:
            too_large = True
        else:
            handler = _SizeLimitHandler(request, limit)
            request.upload_handlers.insert(0, handler)
    return _upload_new(request, slug, too_large=too_large, handler=handler)


@csrf_protect
@collaborative_view()
def _upload_new(
    request: CollaborativeRequest,
    slug: str,
    *,
    too_large: bool = False,
    handler: _SizeLimitHandler | None = None,
) -> HttpResponse:
    member = request.member
    if not can_upload_for(member, member.organization_id):
        raise PermissionDenied
    # A casework dataset takes no upload: its figures are worked out from casework records.
    datasets = (
        Dataset.objects.filter(owner_id=member.organization_id)
        .exclude(kind=Dataset.Kind.CASEWORK)
        .order_by("-period_end")
    )
    initial = {}
    if request.method == "GET" and request.GET.get("dataset"):
        initial["dataset"] = request.GET["dataset"]
    if handler is not None:
        request.FILES  # noqa: B018 - parse the body now, through the size-limit handler
    if too_large or (handler is not None and handler.too_large):
        # The body is left unread (or was cut off): the form cannot be bound, so the
        # message stands alone above it.
        form = UploadForm(datasets=datasets, initial=initial)
        context = _upload_context(request, form)
        context["file_error"] = too_large_message()
        return render(request, "indicators/upload_new.html", context, status=413)
    form = UploadForm(
        request.POST or None, request.FILES or None, datasets=datasets, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=member,
                upload=form.cleaned_data["file"],
                dataset=form.cleaned_data["dataset"],
                dataset_fields=form.dataset_fields(),
                reason=form.cleaned_data["reason"],
                kind=form.upload_kind(),
            )
        except FileProblem as exc:
            form.add_error("file", exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if job.kind == Dataset.Kind.RECORDS:  # every column is kept: no columns to choose
                return redirect(_job_url(slug, job))
            return redirect(_job_url(slug, job, "indicators:upload_map"))
    return render(request, "indicators/upload_new.html", _upload_context(request, form))


def _upload_context(request: CollaborativeRequest, form: UploadForm) -> dict[str, Any]:
    recent = (
        ImportJob.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("dataset")
        .order_by("-created_at")[:10]
    )
    return _context(
        request,
        form=form,
        recent=recent,
        limit=max_upload_bytes(),
    )


def _job_url(slug: str, job: ImportJob, name: str = "indicators:upload") -> str:
    return reverse(name, kwargs={"slug": slug, "public_id": job.public_id})


@collaborative_view()
def upload_map(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Say which column is which; the choice is remembered for the organization."""
    job = access_import(request, public_id)
    if (
        job.kind == Dataset.Kind.RECORDS
        or job.status in ImportJob.ACTIVE
        or job.status == ImportJob.Status.DONE
        or job.file_removed_at is not None
    ):
        return redirect(_job_url(slug, job))
    dimensions = Dimension.objects.filter(collaborative=request.collaborative)
    form = MappingForm(
        request.POST or None, headers=job.headers, mapping=job.mapping, dimensions=dimensions
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_job_map(actor=request.member, job=job, mapping=form.mapping())
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return redirect(_job_url(slug, job))
    return render(
        request,
        "indicators/upload_map.html",
        _context(request, job=job, form=form, fields=FIELDS),
    )


@collaborative_view()
def upload_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Where an upload stands: checking or saving (with a progress bar), the report of
    errors, a preview of the rows, or done."""
    job = access_import(request, public_id)
    percent = _percent(job)
    report = job.report or {}
    errors = report.get("errors", [])
    page = Paginator(errors, ROWS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/upload_detail.html",
        _context(
            request,
            job=job,
            report=report,
            page=page,
            active=job.status in ImportJob.ACTIVE,
            percent=percent,
            progress_label=_progress_label(job, percent),
            error_kinds=[
                (str(ERROR_KINDS.get(code, code)), n)
                for code, n in report.get("by_code", {}).items()
            ],
            more_errors=max(0, job.error_count - len(errors)),
            progress_url=_job_url(slug, job, "indicators:upload_progress"),
            file_removed=job.file_removed_at is not None and job.status != ImportJob.Status.DONE,
            retention_days=retention_days(),
            is_records=job.kind == Dataset.Kind.RECORDS,
            profile=profile_columns(report.get("profile"))
            if job.kind == Dataset.Kind.RECORDS and job.status != ImportJob.Status.DONE
            else None,
        ),
    )


def _progress_label(job: ImportJob, percent: int) -> str:
    if job.status == ImportJob.Status.RUNNING and job.rows_total:
        return _("About %(done)s of %(total)s rows saved") % {
            "done": intcomma(job.rows_total * percent // 100),
            "total": intcomma(job.rows_total),
        }
    if job.status == ImportJob.Status.CHECKING:
        return _("Reading and checking the file: %(percent)s%% done") % {"percent": percent}
    if job.status == ImportJob.Status.QUEUED:
        return _("Waiting to start saving")
    return str(job.get_status_display())


def _percent(job: ImportJob) -> int:
    from django.core.cache import cache

    if job.status in ImportJob.ACTIVE:
        found = cache.get(progress_key(job.public_id))
        return int(found["percent"]) if found else job.percent_done
    return 100 if job.status in (ImportJob.Status.DONE, ImportJob.Status.VALID) else 0


@collaborative_view()
def upload_progress(request: CollaborativeRequest, slug: str, public_id: UUID) -> JsonResponse:
    """The progress bar's JSON: polled by indicators/static/indicators/progress.js."""
    job = access_import(request, public_id)
    percent = _percent(job)
    return JsonResponse(
        {
            "status": job.status,
            "label": _progress_label(job, percent),
            "percent": percent,
            "active": job.status in ImportJob.ACTIVE,
            "url": _job_url(slug, job),
        },
        headers={"Cache-Control": "no-store"},
    )


@require_POST
@collaborative_view()
def upload_commit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    job = access_import(request, public_id)
    try:
        import_job_commit(actor=request.member, job=job, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_job_url(slug, job))


# --- datasets ------------------------------------------------------------------------


@collaborative_view()
def dataset_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Datasets this person may see; backbone staff see what waits for acceptance."""
    member = request.member
    show = request.GET.get("show", "")
    datasets = (
        Dataset.objects.visible_or_reviewable(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("owner", "collaborative", "current_version", "accepted_version")
        .annotate(version_count=Count("versions"))
        .order_by("-period_end", "title", "pk")
    )
    if show == "mine" and member.organization_id:
        datasets = datasets.filter(owner_id=member.organization_id)
    elif show == "review":
        datasets = datasets.filter(current_version__status=DatasetVersion.Status.SUBMITTED)
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "indicators/dataset_list.html",
        _context(
            request,
            page=page,
            show=show,
            can_upload=can_upload_for(member, member.organization_id),
        ),
    )


@collaborative_view()
def dataset_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """A dataset: description, versions and their status, the actions this person may
    take, and — for the owner's own people only — the rows of a version (exact values
    never leave the owner here; shared views suppress small numbers)."""
    dataset = access_dataset(request, public_id, action="review")
    member = request.member
    is_owner = can_change_dataset(member, dataset)
    versions = list(
        dataset.versions.select_related("created_by", "restored_from").order_by("-number")
    )
    shown = dataset.current_version
    chosen = request.GET.get("version")
    if chosen:
        shown = next((v for v in versions if str(v.number) == chosen), shown)
    rows_page = None
    shown_rows: list[dict[str, Any]] = []
    if is_owner and shown is not None and not dataset.is_records:
        rows = (
            Observation.objects.filter(dataset=dataset, version=shown)
            .select_related("indicator")
            .order_by("indicator__code", "period_start", "breakdown_key", "pk")
        )
        rows_page = Paginator(rows, ROWS_PAGE_SIZE).get_page(request.GET.get("page"))
        fiscal = indicator_settings_for(request.collaborative).fiscal_year_start_month
        breakdown_text = _breakdown_labeller(request.collaborative)
        shown_rows = [
            {
                "row": row,
                "period": period_label(
                    row.period_kind, row.period_start, row.period_end, fiscal_start_month=fiscal
                ),
                "breakdown": breakdown_text(row.breakdown),
                "value": _exact(row.indicator, row.value),
                "numerator": _exact(None, row.numerator),
                "denominator": _exact(None, row.denominator),
            }
            for row in rows_page
        ]
    current = dataset.current_version
    can_share = dataset.is_editable_by(request.user)
    return render(
        request,
        "indicators/dataset_detail.html",
        _context(
            request,
            dataset=dataset,
            versions=versions,
            shown=shown,
            rows_page=rows_page,
            shown_rows=shown_rows,
            is_owner=is_owner,
            can_submit=current is not None
            and current.status == DatasetVersion.Status.DRAFT
            and can_submit_dataset(member, dataset),
            can_accept=current is not None
            and current.status == DatasetVersion.Status.SUBMITTED
            and can_accept_dataset(member, dataset),
            can_restore=is_owner,
            can_share=can_share,
            audience=describe_audience(dataset, public=_public_words()),
            # The named partners: for the owner's own people and whoever may change them.
            audience_targets=target_names(share_targets(dataset))
            if can_share or member.organization_id == dataset.owner_id
            else [],
            reason_form=ReasonForm(),
            restore_form=VersionChoiceForm(dataset=dataset),
            derived=derived_indicators(dataset) if dataset.is_records else [],
        ),
    )


def _breakdown_labeller(collaborative) -> Callable[[dict[str, str]], str]:
    """Turns a row's breakdown ({"race_ethnicity": "black"}) into words people read
    ("Race and ethnicity: Black"), with the collaborative's names (two queries)."""
    dimensions = Dimension.objects.filter(collaborative=collaborative).prefetch_related("values")
    names = {
        d.code: (localized(d, "name"), {v.code: localized(v, "label") for v in d.values.all()})
        for d in dimensions
    }

    def text(breakdown: dict[str, str]) -> str:
        parts = []
        for code, value in (breakdown or {}).items():
            name, labels = names.get(code, (code, {}))
            parts.append(
                _("%(dimension)s: %(value)s")
                % {"dimension": name, "value": labels.get(value, value)}
            )
        return ", ".join(parts)

    return text


def _exact(indicator, value) -> str:
    """A stored figure for its owner: whole numbers as they are, others to two places,
    with the indicator's unit when given."""
    if value is None:
        return ""
    places = 0 if value == value.to_integral_value() else 2
    if indicator is None:
        return format_number(value, places)
    return format_value(indicator, value, places)


def _public_words() -> str:
    return _(
        "Anyone, including people who are not signed in. Its accepted figures appear on the "
        "public dashboard; small numbers stay hidden."
    )


@collaborative_view()
def dataset_sharing(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Who can see this dataset: for those who may change it (``editable_by``) only.
    Anyone else gets a 404, even if they can see the dataset (DESIGN.md rule 6)."""
    dataset = access_dataset(request, public_id, action="share")
    data = request.POST if request.method == "POST" else None
    form = DatasetSharingForm(data, obj=dataset, public=_public_words())
    if request.method == "POST" and form.is_valid():
        licence = form.new_licence()
        if not form.has_sharing_changed() and licence in (None, dataset.licence):
            messages.info(request, _("Nothing changed: the same people can see it."))
            return redirect(dataset.get_absolute_url())
        try:
            dataset = dataset_share(
                actor=request.member,
                dataset=dataset,
                level=form.cleaned_data["level"],
                share_with=form.share_with(),
                licence=licence,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _sharing_saved_message(dataset, form.share_with()))
            return redirect(dataset.get_absolute_url())
    return render(
        request,
        "indicators/dataset_sharing.html",
        _context(
            request,
            dataset=dataset,
            form=form,
            audience=form.explanations.get(dataset.sharing_level, ""),
            targets=target_names(form.current_targets),
        ),
        status=400 if form.errors else 200,
    )


def _sharing_saved_message(dataset: Dataset, targets: list) -> str:
    level = dataset.sharing_level
    if level == SharingLevel.PUBLIC:
        return _(
            "Saved. “%(title)s” is now public: anyone can see it, signed in or not, and its "
            "accepted figures will appear on the public dashboard. Small numbers stay hidden."
        ) % {"title": dataset.title}
    if level == SharingLevel.PRIVATE:
        return _("Saved. Only the people of %(owner)s can see “%(title)s” now.") % {
            "owner": dataset.owner,
            "title": dataset.title,
        }
    if level == SharingLevel.SHARED:
        return _("Saved. Besides %(owner)s, only these can see “%(title)s” now: %(targets)s.") % {
            "owner": dataset.owner,
            "title": dataset.title,
            "targets": ", ".join(target_names(targets)),
        }
    return _("Saved. Who can see “%(title)s” now: %(audience)s") % {
        "title": dataset.title,
        "audience": describe_audience(dataset, public=_public_words()),
    }


def _current_version(dataset: Dataset) -> DatasetVersion:
    if dataset.current_version is None:
        raise ValidationError(_("This dataset has no rows yet."))
    return dataset.current_version


def _approval_step(
    request: CollaborativeRequest,
    dataset: Dataset,
    move: Callable[[DatasetVersion], object],
    *,
    done: str,
) -> HttpResponse:
    """Move the current version along (submit, accept, send back), say how it went and
    go back to the dataset's page."""
    try:
        move(_current_version(dataset))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(dataset.get_absolute_url())


@require_POST
@collaborative_view()
def dataset_submit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    dataset = access_dataset(request, public_id, action="submit")
    return _approval_step(
        request,
        dataset,
        lambda version: dataset_version_submit(
            actor=request.member, version=version, request=request
        ),
        done=_("Submitted. Backbone staff will review it."),
    )


@require_POST
@collaborative_view()
def dataset_accept(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    dataset = access_dataset(request, public_id, action="accept")
    return _approval_step(
        request,
        dataset,
        lambda version: dataset_version_accept(
            actor=request.member, version=version, request=request
        ),
        done=_("Accepted. This version is now locked."),
    )


@require_POST
@collaborative_view()
def dataset_return(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    dataset = access_dataset(request, public_id, action="accept")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what needs to change."))
        return redirect(dataset.get_absolute_url())
    return _approval_step(
        request,
        dataset,
        lambda version: dataset_version_return(
            actor=request.member,
            version=version,
            note=form.cleaned_data["reason"],
            request=request,
        ),
        done=_("Sent back to the organization as a draft."),
    )


@require_POST
@collaborative_view()
def dataset_restore(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    dataset = access_dataset(request, public_id, action="change")
    form = VersionChoiceForm(request.POST, dataset=dataset)
    reason = ReasonForm(request.POST)
    if not form.is_valid() or not reason.is_valid():
        messages.error(request, _("Choose a version and say why it is being restored."))
        return redirect(dataset.get_absolute_url())
    try:
        new = dataset_version_restore(
            actor=request.member,
            dataset=dataset,
            version=form.cleaned_data["version"],
            reason=reason.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Version %(old)s is current again, as version %(new)s (a draft).")
            % {"old": form.cleaned_data["version"].number, "new": new.number},
        )
    return redirect(dataset.get_absolute_url())
