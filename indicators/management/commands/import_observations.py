"""``manage.py import_observations <collaborative> <organization> <file>``: the upload
pipeline for scripts. Same checks and report as the upload pages; every row is saved,
or none; exits non-zero when anything is wrong.

Columns are matched as on the upload page: the organization's remembered mapping for
these column names, or a guess by name. To say it yourself, give ``--mapping FILE`` (a
JSON object, ``{"Measure": "indicator", "Qtr": "period", "Count": "value",
"Race": "dim:race_ethnicity"}``) and/or ``--map COLUMN=FIELD`` (repeatable; it wins over
the file). Then only the columns named are read; each must be a column of the file and a
field the mapping screen offers. ``--save-mapping`` remembers it for the organization,
as the mapping screen does."""

import json
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.access import can_upload_for
from indicators.importing import (
    Context,
    FileProblem,
    Report,
    check_size,
    explicit_mapping,
    file_format,
    guess_mapping,
    mapping_problems,
    read_headers,
    remember_mapping,
    run_pass,
)
from indicators.importing.jobs import NEW_DATASET_LEVELS, import_file
from indicators.models import Dataset, Dimension
from stakeholders.models import Collaborative, Member, Organization


class Command(BaseCommand):
    help = (
        "Check and import an aggregate CSV or XLSX file of observations for one organization, "
        "as a new dataset or a new version of one. Nothing is saved if any row has a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("collaborative", help="The collaborative's web address name (slug).")
        parser.add_argument("organization", help="The organization's web address name (slug).")
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--title", default="", help="Title of a new dataset.")
        parser.add_argument("--source", default="", help="Source of a new dataset.")
        parser.add_argument("--methodology", default="", help="Methodology notes.")
        parser.add_argument(
            "--sharing",
            default="private",
            choices=[str(level) for level in NEW_DATASET_LEVELS],
            help="Who can see a new dataset (needs --as for anything but private).",
        )
        parser.add_argument("--dataset", help="A dataset's id (UUID): import a new version.")
        parser.add_argument("--reason", default="", help="Why the new version (with --dataset).")
        parser.add_argument(
            "--as", dest="actor", help="Email of the organization's admin or staff doing this."
        )
        parser.add_argument("--check", action="store_true", help="Check only; save nothing.")
        parser.add_argument(
            "--mapping",
            metavar="FILE",
            help='A JSON file saying which column is which field: {"Measure": "indicator", '
            '"Qtr": "period", "Count": "value", "Race": "dim:race_ethnicity"}. Fields: '
            "indicator, period, period_start, period_end, value, numerator, denominator, or "
            "a breakdown's code. Columns not named are left out.",
        )
        parser.add_argument(
            "--map",
            dest="map_pairs",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="One column and its field (repeat it; wins over --mapping). "
            "COLUMN= leaves the column out.",
        )
        parser.add_argument(
            "--save-mapping",
            action="store_true",
            help="Remember the --mapping/--map columns for this organization's next uploads "
            "of a file with the same column names (as the mapping screen does).",
        )

    def handle(self, *args, **options) -> None:
        collaborative = Collaborative.objects.filter(slug=options["collaborative"]).first()
        if collaborative is None:
            raise CommandError(f"No collaborative {options['collaborative']!r}.")
        organization = Organization.objects.filter(
            collaborative=collaborative, slug=options["organization"]
        ).first()
        if organization is None:
            raise CommandError(f"No organization {options['organization']!r} in {collaborative}.")
        actor = self._actor(options.get("actor"), collaborative, organization)
        if options["sharing"] != "private" and actor is None:
            raise CommandError("Sharing beyond the organization needs --as <email>.")
        dataset = None
        if options.get("dataset"):
            dataset = Dataset.objects.filter(
                public_id=options["dataset"], owner=organization
            ).first()
            if dataset is None:
                raise CommandError("No such dataset of this organization.")
            if not options["reason"].strip():
                raise CommandError("A new version needs --reason.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            check_size(os.stat(path).st_size)  # before reading any of it
            fmt = file_format(path.name)
            headers = read_headers(path, fmt)
        except FileProblem as exc:
            raise CommandError(exc.message) from exc
        dimensions = list(Dimension.objects.filter(collaborative=collaborative))
        given = self._given_mapping(options.get("mapping"), options["map_pairs"])
        if given is None:
            if options["save_mapping"]:
                raise CommandError("--save-mapping needs --mapping FILE or --map COLUMN=FIELD.")
            mapping = guess_mapping(headers, dimensions, organization)
            problems = mapping_problems(mapping)
            if problems:
                raise CommandError(
                    "The columns could not be matched: "
                    + " ".join(problems)
                    + " Name them indicator, period (or period_start and period_end), value "
                    "or numerator and denominator, and one per breakdown (e.g. "
                    "race_ethnicity, sex), or say which is which with --mapping or --map."
                )
        else:
            mapping, problems = explicit_mapping(given, headers, dimensions)
            if problems:
                raise CommandError("The column mapping does not work: " + " ".join(problems))
            if options["save_mapping"]:
                remember_mapping(
                    organization=organization,
                    headers=headers,
                    mapping=mapping,
                    user=actor.user if actor is not None else None,
                )
                self.stdout.write("Column mapping remembered for this organization.")
        started = time.monotonic()
        if options["check"]:
            report = run_pass(
                path=path,
                fmt=fmt,
                headers=headers,
                mapping=mapping,
                context=Context.load(collaborative),
            )
            self._finish(report, started, saved=None)
            return
        report, saved, version = import_file(
            collaborative=collaborative,
            organization=organization,
            path=path,
            fmt=fmt,
            headers=headers,
            mapping=mapping,
            created_by=actor.user if actor is not None else None,
            dataset=dataset,
            dataset_fields={
                "title": options["title"] or path.stem[:200],
                "source": options["source"],
                "methodology": options["methodology"],
                "sharing_level": options["sharing"],
            },
            reason=options["reason"],
            filename=path.name,
        )
        self._finish(report, started, saved=(saved, version) if version is not None else None)

    def _given_mapping(self, path: str | None, pairs: list[str]) -> dict[str, str] | None:
        """The mapping from --mapping and --map (which wins), or None if neither is given."""
        if not path and not pairs:
            return None
        given: dict[str, str] = {}
        if path:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
            except OSError as exc:
                raise CommandError(f"Cannot read the mapping file {path}: {exc.strerror}.") from exc
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise CommandError(
                    f"The mapping file {path} is not JSON ({exc}). Write it as "
                    '{"column name": "field", ...}.'
                ) from exc
            if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, str | None) for k, v in data.items()
            ):
                raise CommandError(
                    f"The mapping file {path} must be one JSON object of column names and "
                    'fields, e.g. {"Measure": "indicator", "Qtr": "period"}.'
                )
            given.update({k: v or "" for k, v in data.items()})
        for pair in pairs:
            column, equals, field = pair.rpartition("=")
            if not equals or not column.strip():
                raise CommandError(f"--map {pair!r}: write it as COLUMN=FIELD, e.g. Qtr=period.")
            given[column.strip()] = field.strip()
        return given

    def _actor(self, email, collaborative, organization) -> Member | None:
        if not email:
            return None
        member = (
            Member.objects.select_related("user", "organization")
            .filter(collaborative=collaborative, user__email__iexact=email, is_active=True)
            .first()
        )
        if member is None or not can_upload_for(member, organization.pk):
            raise CommandError(f"{email} is not an admin or staff member of {organization}.")
        return member

    def _finish(self, report: Report, started: float, saved) -> None:
        seconds = time.monotonic() - started
        for problem in report.problems:
            if problem.code == "file":  # the message names the row itself
                self.stderr.write(problem.message)
                continue
            where = f"row {problem.row}" if problem.row else "file"
            column = f", {problem.column}" if problem.column else ""
            self.stderr.write(f"{where}{column}: {problem.message}")
        if report.problem_count > len(report.problems):
            self.stderr.write(f"… and {report.problem_count - len(report.problems)} more.")
        if not report.ok:
            raise CommandError(
                f"{report.problem_count} problem(s) in {report.rows} row(s); nothing was saved."
            )
        rate = report.rows / seconds if seconds else 0
        if saved is None:
            self.stdout.write(f"{report.rows} rows checked: no problems ({rate:,.0f} rows/s).")
            return
        dataset, version = saved
        self.stdout.write(
            f"{report.rows} rows saved as version {version.number} of “{dataset.title}” "
            f"({dataset.public_id}), a draft, in {seconds:.1f} s ({rate:,.0f} rows/s)."
        )
