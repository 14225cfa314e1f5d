"""Import an Open Referral HSDS datapackage into a collaborative's directory."""

from django.core.management.base import BaseCommand, CommandError

from reentry.sharing.levels import SharingLevel
from stakeholders.directory.hsds import hsds_import
from stakeholders.models import Collaborative, Sector


class Command(BaseCommand):
    help = (
        "Import an HSDS datapackage (a folder or .zip with datapackage.json) into a "
        "collaborative. Everything is checked first; on any error nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("collaborative", help="The collaborative's short name (slug).")
        parser.add_argument("source", help="A datapackage folder or .zip file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but save nothing."
        )
        parser.add_argument(
            "--sector",
            help="Short name (slug) of the sector new organizations go into "
            "(default: a sector named “Imported”).",
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help="Make new organizations' profiles public (default: members only).",
        )

    def handle(self, *args, collaborative, source, dry_run, sector, public, **options):
        collab = Collaborative.objects.filter(slug=collaborative).first()
        if collab is None:
            raise CommandError(f"There is no collaborative “{collaborative}”.")
        default_sector = None
        if sector:
            default_sector = Sector.objects.filter(collaborative=collab, slug=sector).first()
            if default_sector is None:
                raise CommandError(f"{collab} has no sector “{sector}”.")
        report = hsds_import(
            actor=None,
            collaborative=collab,
            source=source,
            dry_run=dry_run,
            default_sector=default_sector,
            profile_sharing=SharingLevel.PUBLIC if public else SharingLevel.COLLABORATIVE,
        )
        self.stdout.write(report.as_text())
        if not report.ok:
            raise CommandError(f"{len(report.errors)} error(s): nothing was imported.")
