"""The import report: every problem by file, row and column, and counts per table."""

from dataclasses import dataclass, field

from stakeholders.directory.hsds.package import Issue

TABLES = (
    "organizations",
    "services",
    "locations",
    "services_at_location",
    "contacts",
    "phones",
    "regular_schedules",
    "languages",
    "taxonomy_terms",
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Columns:
    """The columns of one file: those the import keeps, and those it does not."""

    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in TABLES})
    ignored: list[str] = field(default_factory=list)
    columns: dict[str, Columns] = field(default_factory=dict)  # by file
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, file: str, row: int | None, column: str, message: str) -> None:
        self.errors.append(Issue(file, row, column, message))

    def warn(self, file: str, row: int | None, column: str, message: str) -> None:
        self.warnings.append(Issue(file, row, column, message))

    def as_text(self) -> str:
        lines = [f"HSDS import of {self.source}" + (" (dry run)" if self.dry_run else "")]
        if self.errors:
            lines.append(f"{len(self.errors)} error(s); nothing was changed:")
            lines += [f"  {issue}" for issue in self.errors]
        else:
            lines.append(f"{'table':<22}{'created':>9}{'updated':>9}{'unchanged':>11}")
            for table, c in self.counts.items():
                lines.append(f"{table:<22}{c.created:>9}{c.updated:>9}{c.unchanged:>11}")
            if self.dry_run:
                lines.append("Dry run: nothing was saved.")
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s):")
            lines += [f"  {issue}" for issue in self.warnings]
        if self.ignored:
            lines.append("Not imported (this app does not keep them): " + ", ".join(self.ignored))
        if self.columns:
            lines.append("Columns kept, and not kept (an export will not have them):")
            for file, columns in self.columns.items():
                lines.append(f"  {file}: kept {', '.join(columns.kept) or '-'}")
                if columns.dropped:
                    lines.append(f"  {file}: NOT kept {', '.join(columns.dropped)}")
        return "\n".join(lines)


class Rollback(Exception):
    """Raised inside the import transaction to undo it (dry run, or a late error)."""
