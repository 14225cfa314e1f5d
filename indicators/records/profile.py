"""Column profiling: what each column of a record-level file holds, before anyone
defines an indicator on it.

Built while the rows stream past (``Profiler.add``), in memory bounded by
``MAX_VALUES`` per column: each column's type, its blanks, and its distinct values with
counts, plus flags for values that look like variants of one another ("Discharged –
End of Sentence" with an en dash beside "… - …" with a hyphen), values cut short
("White -") and values that mean "not recorded" ("N/A -"). Stored on the version
(``DatasetVersion.profile``) as plain JSON; the builder and the spec checks read it.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Distinct values kept per column; beyond this a column is not offered as a breakdown.
MAX_VALUES = 1000

YEAR = "year"
NUMBER = "number"
DATE = "date"
TEXT = "text"
EMPTY = "empty"

TYPE_LABELS = {
    YEAR: _("Year"),
    NUMBER: _("Number"),
    DATE: _("Date"),
    TEXT: _("Text"),
    EMPTY: _("Empty"),
}

_YEAR = re.compile(r"^\d{4}$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")
_UNKNOWN = re.compile(r"^(?:n/?a|none|null|unknown|not recorded|not known|-+|\?)\b", re.I)


def us_date_to_iso(text: str) -> str | None:
    """ "1/31/2026" as "2026-01-31", or None when it is not a real date."""
    match = _US_DATE.match(text)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _is_iso_date(text: str) -> bool:
    match = _ISO_DATE.match(text)
    if not match:
        return False
    try:
        date(*(int(g) for g in match.groups()))
    except ValueError:
        return False
    return True


def variant_key(text: str) -> str:
    """What two spellings of one value share: dashes unified, spaces collapsed, case
    folded, trailing dashes and spaces dropped."""
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text).strip().casefold()
    return text.rstrip(" -")


@dataclass
class _Column:
    name: str
    blanks: int = 0
    filled: int = 0
    counts: Counter = field(default_factory=Counter)
    overflow: bool = False
    could_be: set[str] = field(default_factory=lambda: {YEAR, NUMBER, DATE})
    us_dates: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def add(self, text: str) -> None:
        if not text:
            self.blanks += 1
            return
        self.filled += 1
        if text in self.counts or len(self.counts) < MAX_VALUES:
            self.counts[text] += 1
        else:
            self.overflow = True
        if self.could_be:
            self._type(text)

    def _type(self, text: str) -> None:
        could = self.could_be
        if NUMBER in could:
            if _NUMBER.match(text):
                number = float(text)
                if self.minimum is None or number < self.minimum:
                    self.minimum = number
                if self.maximum is None or number > self.maximum:
                    self.maximum = number
                if YEAR in could and not (_YEAR.match(text) and 1800 <= int(text) <= 2200):
                    could.discard(YEAR)
            else:
                could.discard(NUMBER)
                could.discard(YEAR)
        if DATE in could:
            if _is_iso_date(text):
                pass
            elif us_date_to_iso(text) is not None:
                self.us_dates = True
            else:
                could.discard(DATE)

    def kind(self) -> str:
        if not self.filled:
            return EMPTY
        for kind in (YEAR, NUMBER, DATE):
            if kind in self.could_be:
                return kind
        return TEXT

    def as_dict(self, index: int) -> dict[str, Any]:
        kind = self.kind()
        values = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        variants: dict[str, list[str]] = {}
        for value, _count in values:
            variants.setdefault(variant_key(value), []).append(value)
        twins = [group for group in variants.values() if len(group) > 1]
        cut_short = [v for v, _c in values if re.search(r"\s[-\u2010-\u2015]$", v)]
        unknown = [v for v, _c in values if _UNKNOWN.match(v)]
        found: dict[str, Any] = {
            "name": self.name,
            "index": index,
            "type": kind,
            "blanks": self.blanks,
            "filled": self.filled,
            "distinct": len(self.counts),
            "more_values": self.overflow,
            "values": [[v, c] for v, c in values],
            "twins": twins,
            "cut_short": cut_short,
            "means_unknown": unknown,
        }
        if kind in (YEAR, NUMBER):
            found["min"] = self.minimum
            found["max"] = self.maximum
        if kind == DATE:
            found["us_dates"] = self.us_dates
            iso = sorted(us_date_to_iso(v) or v for v in self.counts)
            if iso:
                found["min"], found["max"] = iso[0], iso[-1]
        return found


class Profiler:
    """Feed it every row's cells (trimmed text); ``result()`` is the profile."""

    def __init__(self, columns: list[str]):
        self.columns = [_Column(name) for name in columns]
        self.rows = 0

    def add(self, cells: list[str]) -> None:
        self.rows += 1
        for column, text in zip(self.columns, cells, strict=False):
            column.add(text)
        for column in self.columns[len(cells) :]:
            column.add("")

    def result(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "columns": [column.as_dict(i) for i, column in enumerate(self.columns)],
        }


def column(profile: dict[str, Any], name: str) -> dict[str, Any] | None:
    """A column of a profile by its exact name, else by its name trimmed and case-folded
    (a header written "Age At Release " is found as "Age at release")."""
    columns = profile.get("columns", [])
    for found in columns:
        if found["name"] == name:
            return found
    wanted = name.strip().casefold()
    matches = [c for c in columns if c["name"].strip().casefold() == wanted]
    return matches[0] if len(matches) == 1 else None


def value_counts(found: dict[str, Any]) -> dict[str, int]:
    """A profiled column's values with their counts, blanks under ""."""
    counts = {value: count for value, count in found.get("values", [])}
    if found.get("blanks"):
        counts[""] = found["blanks"]
    return counts
