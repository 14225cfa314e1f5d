"""Send the tasks kept in the outbox while the broker was down."""

from django.core.management.base import BaseCommand

from reentry.outbox.models import OutboxMessage
from reentry.outbox.services import outbox_flush


class Command(BaseCommand):
    help = "Publish tasks kept in the database outbox while the Celery broker was down."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help="Send at most this many (default 500)."
        )

    def handle(self, *args, limit: int = 500, **options):
        sent = outbox_flush(limit=limit)
        waiting = OutboxMessage.objects.count()
        self.stdout.write(f"Sent {sent} task(s); {waiting} still waiting.")
