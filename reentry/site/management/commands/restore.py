"""``manage.py restore DIR``: a backup made by ``manage.py backup`` into an empty
database (createdb it first), and its files into MEDIA_ROOT; then the row counts are
checked against the backup's. Afterwards run ``manage.py grant_app_role ROLE`` (the
restore leaves out privileges) and ``manage.py migrate`` if the code is newer."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reentry.site import backups


class Command(BaseCommand):
    help = "Restore a backup into an empty database, and its uploaded files."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory written by manage.py backup")
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory: str, database: str, **options):
        try:
            manifest = backups.restore(Path(directory), alias=database)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = backups.row_counts(database)
        wrong = {
            table: (expected, counts.get(table))
            for table, expected in manifest["row_counts"].items()
            if counts.get(table) != expected
        }
        if wrong:
            raise CommandError(f"Restored, but these tables differ from the backup: {wrong}")
        self.stdout.write(
            f"Restored {sum(counts.values())} rows in {len(counts)} tables from {directory} "
            f"(taken {manifest['taken_at']})."
        )
