"""HSDS import: validate the whole package into a row-by-row report, then commit all or nothing.

Phase 1 (``validate.Validator``) reads every row, checks required values, types, enums,
field lengths, duplicate ids and foreign keys, and turns each row into clean Python
values. It writes nothing. Phase 2 (``commit.Committer``) runs only when phase 1 found
no error, inside one transaction: rows are matched to what the collaborative already has
by HSDS id (or by our own public id, for a package this app exported), so a re-import
updates instead of duplicating, and a row whose values did not change is not saved at all.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reentry.audit.log import record
from reentry.pagecache import DIRECTORY, page_changed
from reentry.sharing.levels import SharingLevel
from stakeholders.directory.hsds.commit import Committer
from stakeholders.directory.hsds.package import read_package
from stakeholders.directory.hsds.report import Columns, ImportReport, Rollback
from stakeholders.directory.hsds.validate import Validator
from stakeholders.models import (
    Collaborative,
    Member,
    Organization,
    Sector,
)


def hsds_import(
    *,
    actor: Member | None,
    collaborative: Collaborative,
    source: Path | str,
    dry_run: bool = False,
    default_sector: Sector | None = None,
    profile_sharing: str = SharingLevel.COLLABORATIVE,
) -> ImportReport:
    """Import an HSDS datapackage (folder or .zip) into a collaborative's directory.

    ``actor`` is the person importing (backbone staff of the collaborative), or None for
    the command line. New organizations go into ``default_sector`` — HSDS has no sectors,
    and the person importing knows best where a 211 list belongs — or, when none is given,
    into a sector named "Imported" (created if missing) that backbone staff can sort out
    later. The ``reentry_organization`` extension, when present, names the sector instead.
    New organizations get ``profile_sharing`` (members only, unless the caller says public);
    existing organizations keep their sector and sharing.
    """
    if actor is not None and not (
        actor.is_active and actor.is_backbone and actor.collaborative_id == collaborative.pk
    ):
        raise PermissionDenied(_("Only backbone staff can import a directory."))
    if default_sector is not None and default_sector.collaborative_id != collaborative.pk:
        raise ValidationError(_("Choose a sector of this collaborative."))
    if profile_sharing not in Organization.ProfileSharing.values:
        raise ValidationError(_("Choose who can see the imported organizations."))

    report = ImportReport(source=Path(source).name, dry_run=dry_run)
    package = read_package(source)
    report.errors.extend(package.issues)
    report.ignored = package.ignored
    for table in package.tables.values():
        kept = {f.name for f in table.resource.fields if f.kept}
        report.columns[table.path] = Columns(
            kept=[c for c in table.header if c in kept],
            dropped=[c for c in table.header if c not in kept],
        )
    if report.errors:
        return report
    data = Validator(package, collaborative, report).run()
    if report.errors:
        return report
    try:
        with transaction.atomic():
            Committer(data, collaborative, report, default_sector, profile_sharing).run()
            if dry_run or report.errors:
                raise Rollback
            record(
                "directory.imported",
                actor=actor.user if actor is not None else None,
                obj=collaborative,
                source=report.source,
                counts={t: vars(c) for t, c in report.counts.items()},
            )
            page_changed(DIRECTORY, collaborative)  # the cached public directory, on commit
    except Rollback:
        return report
    report.committed = True
    return report
