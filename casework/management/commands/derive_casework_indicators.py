"""``manage.py derive_casework_indicators <collaborative> <organization> [--standard]``

Derives again every casework indicator the organization defined (``casework.indicators``)
from its own records, into its casework dataset; ``--standard`` first defines the three
standard ones (housed within 30 days of release, an employment service within 90 days,
referrals closed with a service delivered). Prints each indicator's code, the people or
referrals counted and the figures written. Nothing is saved on any problem."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.services.indicators import casework_indicators_derive, casework_indicators_setup
from stakeholders.models import Organization


class Command(BaseCommand):
    help = "Work out an organization's casework indicators from its own casework records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collaborative", help="The collaborative's web address name (slug).")
        parser.add_argument("organization", help="The organization's web address name (slug).")
        parser.add_argument(
            "--standard",
            action="store_true",
            help="First define the three standard casework indicators.",
        )

    def handle(self, *args, **options) -> None:
        organization = (
            Organization.objects.select_related("collaborative")
            .filter(collaborative__slug=options["collaborative"], slug=options["organization"])
            .first()
        )
        if organization is None:
            raise CommandError("No such organization in that collaborative.")
        try:
            if options["standard"]:
                casework_indicators_setup(actor=None, organization=organization)
            result = casework_indicators_derive(actor=None, organization=organization)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        if result is None:
            self.stdout.write("The organization defined no casework indicators (try --standard).")
            return
        for code, derivation in sorted(result.results.items()):
            self.stdout.write(
                f"{code}: {derivation.rows_counted} counted, {derivation.observations} figures"
            )
        version = result.dataset.current_version
        self.stdout.write(
            f"version {version.number if version else '-'}"
            + ("" if result.changed else " (unchanged)")
        )
