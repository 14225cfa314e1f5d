"""``manage.py backup DIR``: the database and the uploaded files into one directory
(reentry/site/backups.py). Nightly, and before every upgrade; copy DIR off the machine."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reentry.site import backups


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a directory."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            help="where to write it (default: backups/<date-time> in the current directory)",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory: str | None, database: str, **options):
        target = Path(directory or Path("backups") / timezone.now().strftime("%Y%m%d-%H%M%S"))
        try:
            manifest = backups.backup(target, alias=database)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            f"Backed up {rows} rows in {len(manifest['row_counts'])} tables to {target}"
        )
