"""HSDS import and export pages for backbone staff.

Import is two steps. The upload is checked (a zip with datapackage.json, at most 20 MB),
stored under a random name, and imported as a dry run: the preview shows what would be
created or updated, or the row-by-row error report. "Import now" carries a signed token
naming the stored file (never a path the browser chose) and runs the real, all-or-nothing
import. The stored file is deleted once it is imported, refused, or cancelled.
"""

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reentry.sharing.levels import SharingLevel
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.directory.hsds import ImportReport, hsds_export, hsds_import
from stakeholders.directory.hsds.forms import HsdsConfirmForm, HsdsUploadForm, sign_upload
from stakeholders.directory.hsds.uploads import UPLOAD_FOLDER
from stakeholders.models import Member

BACKBONE = (Member.Role.BACKBONE,)
MAX_ERRORS_SHOWN = 500
TABLE_LABELS = {
    "organizations": gettext_lazy("Organizations"),
    "services": gettext_lazy("Services"),
    "locations": gettext_lazy("Locations"),
    "services_at_location": gettext_lazy("Services at locations"),
    "contacts": gettext_lazy("Contact people"),
    "phones": gettext_lazy("Phone numbers"),
    "regular_schedules": gettext_lazy("Opening hours"),
    "languages": gettext_lazy("Languages"),
}


@contextmanager
def _local_copy(name: str) -> Iterator[Path]:
    """The stored upload as a local file for the importer, whatever the storage backend."""
    with tempfile.TemporaryDirectory(prefix="hsds-import-") as folder:
        path = Path(folder) / "package.zip"
        with default_storage.open(name, "rb") as stored, path.open("wb") as local:
            shutil.copyfileobj(stored, local)
        yield path


def _run(
    request: CollaborativeRequest, name: str, source: str, *, sector, public: bool, dry_run: bool
) -> ImportReport:
    with _local_copy(name) as path:
        report = hsds_import(
            actor=request.member,
            collaborative=request.collaborative,
            source=path,
            dry_run=dry_run,
            default_sector=sector,
            profile_sharing=SharingLevel.PUBLIC if public else SharingLevel.COLLABORATIVE,
        )
    report.source = source
    return report


def _page(request: CollaborativeRequest, *, status: int = 200, **context) -> HttpResponse:
    report: ImportReport | None = context.get("report")
    if report is not None:
        context["counts"] = [
            (TABLE_LABELS.get(table, table), c) for table, c in report.counts.items()
        ]
        errors = sorted(report.errors, key=lambda i: (i.file, i.row or 0))
        context["errors_shown"] = errors[:MAX_ERRORS_SHOWN]
        context["errors_hidden"] = max(0, len(report.errors) - MAX_ERRORS_SHOWN)
    return render(
        request,
        "stakeholders/directory/hsds_import.html",
        {"collaborative": request.collaborative, "member": request.member, **context},
        status=status,
    )


@collaborative_view(roles=BACKBONE)
def hsds_import_page(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """GET: the upload form. POST: store the upload and show the dry-run preview."""
    form = HsdsUploadForm(
        request.POST or None, request.FILES or None, collaborative=request.collaborative
    )
    if request.method != "POST" or not form.is_valid():
        return _page(request, form=form, status=400 if request.method == "POST" else 200)
    upload = form.cleaned_data["package"]
    sector = form.cleaned_data["sector"]
    public = form.cleaned_data["public"]
    source = Path(upload.name).name
    name = default_storage.save(f"{UPLOAD_FOLDER}{secrets.token_urlsafe(24)}.zip", upload)
    try:
        report = _run(request, name, source, sector=sector, public=public, dry_run=True)
    except BaseException:
        default_storage.delete(name)
        raise
    if not report.ok:
        default_storage.delete(name)
        return _page(request, form=form, report=report)
    token = sign_upload(
        name=name,
        source=source,
        collaborative=request.collaborative,
        user_id=request.user.pk,
        sector_id=sector.pk if sector else None,
        public=public,
    )
    confirm = HsdsConfirmForm(
        initial={"token": token}, collaborative=request.collaborative, user_id=request.user.pk
    )
    return _page(
        request, report=report, confirm=confirm, sector=sector, public=public, source=source
    )


@require_POST
@collaborative_view(roles=BACKBONE)
def hsds_import_confirm(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Run the import the preview showed, all or nothing; or cancel it."""
    confirm = HsdsConfirmForm(
        request.POST, collaborative=request.collaborative, user_id=request.user.pk
    )
    fresh = HsdsUploadForm(collaborative=request.collaborative)
    if not confirm.is_valid():
        if confirm.expired_name and confirm.expired_name.startswith(UPLOAD_FOLDER):
            default_storage.delete(confirm.expired_name)
        return _page(request, form=fresh, refused=confirm.errors["token"], status=400)
    payload = confirm.cleaned_data["token"]
    name = payload["name"]
    if not default_storage.exists(name):
        return _page(
            request,
            form=fresh,
            refused=[_("This upload was already imported or cancelled. Upload the file again.")],
            status=400,
        )
    try:
        if request.POST.get("action") == "cancel":
            return _page(request, form=fresh, cancelled=True)
        sector = None
        if payload["sector"] is not None:
            sector = request.collaborative.sectors.filter(pk=payload["sector"]).first()
            if sector is None:
                return _page(
                    request,
                    form=fresh,
                    refused=[_("The chosen sector no longer exists. Upload the file again.")],
                    status=400,
                )
        report = _run(
            request,
            name,
            payload["source"],
            sector=sector,
            public=payload["public"],
            dry_run=False,
        )
    finally:
        default_storage.delete(name)
    return _page(request, report=report, form=fresh if not report.committed else None)


@collaborative_view(roles=BACKBONE)
def hsds_export_zip(request: CollaborativeRequest, slug: str) -> FileResponse:
    """The public directory as an HSDS datapackage zip, streamed from a temporary file."""
    with tempfile.TemporaryDirectory(prefix="hsds-export-") as folder:
        destination = Path(folder) / "directory.zip"
        hsds_export(
            collaborative=request.collaborative, destination=destination, actor=request.member
        )
        # Open before the folder goes: the open file outlives its name and is streamed.
        handle = destination.open("rb")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{request.collaborative.slug}-directory-hsds.zip",
        content_type="application/zip",
    )
