"""Export a collaborative's public directory as an Open Referral HSDS datapackage."""

from django.core.management.base import BaseCommand, CommandError

from stakeholders.directory.hsds import hsds_export
from stakeholders.models import Collaborative


class Command(BaseCommand):
    help = (
        "Write the collaborative's public directory (public organizations, their services "
        "and locations) as an HSDS 1.1 datapackage into a folder, or a .zip file."
    )

    def add_arguments(self, parser):
        parser.add_argument("collaborative", help="The collaborative's short name (slug).")
        parser.add_argument("destination", help="A folder (created if missing) or a .zip file.")

    def handle(self, *args, collaborative, destination, **options):
        collab = Collaborative.objects.filter(slug=collaborative).first()
        if collab is None:
            raise CommandError(f"There is no collaborative “{collaborative}”.")
        summary = hsds_export(collaborative=collab, destination=destination)
        for name, count in summary.rows.items():
            self.stdout.write(f"{name:<32}{count:>7}")
        self.stdout.write(self.style.SUCCESS(f"Wrote {summary.destination}"))
