"""``manage.py import_records <collaborative> <organization> <file> --spec <spec.json>
[--share private|sector|collaborative|public]``

Loads a person-level file (CSV or XLSX) as a new version of the organization's
record-level dataset (the one with the spec's title; a new one otherwise) and derives
every indicator the spec defines, adding catalog entries for new codes. Prints each
indicator's code and id. Nothing is saved on any problem, and the exit status is not
zero. The spec format: docs/derived-indicators.md."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.access import can_upload_for
from indicators.importing import FileProblem, check_size, file_format
from indicators.records.spec import SHARE_LEVELS, SpecError, parse_file
from indicators.services.records import records_import
from stakeholders.models import Collaborative, Member, Organization


class Command(BaseCommand):
    help = (
        "Load a record-level file (one row per person) and derive the indicators a spec "
        "file defines. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collaborative", help="The collaborative's web address name (slug).")
        parser.add_argument("organization", help="The organization's web address name (slug).")
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file, one row per person.")
        parser.add_argument(
            "--spec", required=True, help="The JSON definition (docs/derived-indicators.md)."
        )
        parser.add_argument(
            "--share",
            choices=SHARE_LEVELS,
            help="Who sees the derived figures of a new dataset (default: the spec's "
            "dataset.share, else private). The records themselves are never shared.",
        )
        parser.add_argument(
            "--as", dest="actor", help="Email of the organization's admin or staff doing this."
        )
        parser.add_argument("--reason", default="", help="Why this new version (for the history).")

    def handle(self, *args, **options) -> None:
        try:
            collaborative = Collaborative.objects.get(slug=options["collaborative"])
        except Collaborative.DoesNotExist as exc:
            raise CommandError(f"No collaborative “{options['collaborative']}”.") from exc
        try:
            organization = Organization.objects.get(
                collaborative=collaborative, slug=options["organization"]
            )
        except Organization.DoesNotExist as exc:
            raise CommandError(
                f"No organization “{options['organization']}” in {collaborative.slug}."
            ) from exc
        actor = None
        if options["actor"]:
            member = (
                Member.objects.filter(
                    collaborative=collaborative,
                    user__email__iexact=options["actor"],
                    is_active=True,
                )
                .select_related("user")
                .first()
            )
            if member is None or not can_upload_for(member, organization.pk):
                raise CommandError(
                    f"{options['actor']} is not an admin or staff member of {organization.name}."
                )
            actor = member.user
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            fmt = file_format(path.name)
            check_size(path.stat().st_size)
        except FileProblem as exc:
            raise CommandError(exc.message) from exc
        try:
            spec_data = json.loads(Path(options["spec"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"The spec file cannot be read as JSON: {exc}") from exc
        try:
            spec_file = parse_file(spec_data)
        except SpecError as exc:
            raise CommandError("The spec has problems:\n- " + "\n- ".join(exc.problems)) from exc

        report, dataset, definitions, warnings = records_import(
            collaborative=collaborative,
            organization=organization,
            path=path,
            fmt=fmt,
            spec_file=spec_file,
            share=options["share"],
            actor=actor,
            reason=options["reason"],
        )
        for warning in warnings:
            self.stderr.write(f"Note: {warning}")
        if dataset is None:
            lines = [f"row {p.row}: {p.message}" if p.row else p.message for p in report.problems]
            more = report.problem_count - len(report.problems)
            if more > 0:
                lines.append(f"…and {more} more.")
            raise CommandError(
                "Nothing was saved. Problems:\n- " + "\n- ".join(lines or [report.file_problem])
            )
        version = dataset.current_version
        self.stdout.write(
            f"Saved {report.rows} records as version {version.number if version else '?'} "
            f"of “{dataset.title}” ({dataset.public_id})."
        )
        for definition in definitions:
            counted = definition.report.get("rows_counted", 0)
            left_out = definition.report.get("rows_without_period", 0)
            self.stdout.write(
                f"{definition.indicator.code}\t{definition.indicator.public_id}\t"
                f"{definition.report.get('observations', 0)} figures from {counted} rows"
                + (f" ({left_out} rows with no period left out)" if left_out else "")
            )
