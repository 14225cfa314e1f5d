"""Small numbers (DESIGN.md rule 8): which cells of an aggregate table may be shown.

Pure functions over plain data, with no database access, so that every path that
publishes numbers beyond their owner (pages, charts, CSV, XLSX, the API, embeds)
asks the same question and gets the same answer.

The model
---------
A *table* is a set of cells and a set of additive *relations* between them. A cell is
one published figure: a count, a rate or percent with its numerator and denominator,
or another measure (days, dollars) with the number of people it is about. A relation
says that one cell (the total) is the sum of others (the parts): the total of an
indicator and its breakdown by race, a row of a cross-tabulation and its cells.

Each cell stands for one or more counts of people, its *quantities*:

* a count: the count itself;
* a rate or percent with numerator and denominator: the numerator, the denominator,
  and the denominator minus the numerator (the people without the outcome, which
  "100 % minus the rate" would reveal);
* a measure with only a denominator: the denominator;
* a cell with none of these (a median without its number of people) cannot be
  judged and is shown as it is.

Counts add up, and so do numerators and denominators (rates do not, but the counts
behind them do), so a relation holds for every quantity its cells share.

Primary suppression
-------------------
A cell is hidden when any of its quantities is under the threshold. Zero is under
the threshold, so zero cells are hidden too: the rule says "cells under the
threshold", and a shown zero tells everyone that nobody in that group had the
outcome, which is itself a disclosure about the people in it. Rates are hidden when
their denominator is under the threshold ("small denominator") or when their
numerator, or its complement, is (a shown rate with its denominator gives the
numerator back).

Complementary suppression
-------------------------
Then, until none of these recovers a hidden cell, more cells are hidden:

1. subtraction: a relation in which exactly one cell is hidden;
2. zero sum: a relation whose total is shown and whose shown parts add up to it, so
   the hidden parts add up to zero and, since counts are never negative, each one is
   zero;
3. any other combination of relations that pins one hidden cell down (Gaussian
   elimination over the hidden cells, exact, in whole numbers).

Each time, the smallest shown part of the relation concerned is hidden as well
(parts before totals, so the headline figure stays whenever it can; ties go to the
cell listed first). Only the pattern of hidden cells matters for (1) and (3), so the
answer is the same for every quantity; (2) looks at the values.

The owner sees its own exact values: with ``reveal=True`` every value comes back,
and each cell still says whether (and why) it is hidden from everyone else.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

type Number = Decimal | int | float
type CellKey = Hashable
#: A cell of a breakdown: its (dimension, value) pairs, sorted; () is the total.
type Disaggregation = tuple[tuple[str, str], ...]

COUNT = "count"
NUMERATOR = "numerator"
DENOMINATOR = "denominator"
COMPLEMENT = "complement"


class Reason(StrEnum):
    """Why a cell is hidden from people beyond its owner."""

    SMALL_COUNT = "small-count"
    SMALL_DENOMINATOR = "small-denominator"
    COMPLEMENTARY = "complementary"

    @property
    def label(self) -> str:
        """Why, without the number (where the threshold is not at hand)."""
        return str(REASON_LABELS[self])

    def text(self, threshold: int) -> str:
        """Why, in plain words with the collaborative's threshold: "fewer than 11
        people"."""
        return str(REASON_TEXTS[self] % {"threshold": threshold})


REASON_LABELS = {
    Reason.SMALL_COUNT: _("fewer people than the small-number threshold"),
    Reason.SMALL_DENOMINATOR: _("based on fewer people than the small-number threshold"),
    Reason.COMPLEMENTARY: _("hidden so that a small group cannot be worked out by subtraction"),
}

#: The same, with the threshold (``%(threshold)s``; singular and plural by it).
REASON_TEXTS = {
    Reason.SMALL_COUNT: ngettext_lazy(
        "fewer than %(threshold)s person", "fewer than %(threshold)s people", "threshold"
    ),
    Reason.SMALL_DENOMINATOR: ngettext_lazy(
        "based on fewer than %(threshold)s person",
        "based on fewer than %(threshold)s people",
        "threshold",
    ),
    Reason.COMPLEMENTARY: REASON_LABELS[Reason.COMPLEMENTARY],
}


@dataclass(frozen=True)
class Cell:
    """One figure of a table, as its owner holds it.

    ``value`` is what is published (a count, a percent, a rate, days…);
    ``is_count`` says that the value is itself a count of people. A rate or percent
    carries its ``numerator`` and ``denominator``; another measure may carry only
    its ``denominator`` (the number of people it is about).
    """

    key: CellKey
    value: Number | None
    numerator: int | None = None
    denominator: int | None = None
    is_count: bool = False

    def quantities(self) -> dict[str, int]:
        """The counts of people this cell stands for, by kind."""
        found: dict[str, int] = {}
        if self.is_count and self.value is not None:
            count = Decimal(str(self.value)) if isinstance(self.value, float) else self.value
            if count != int(count) or count < 0:
                raise ValueError(f"Cell {self.key!r}: a count must be a whole number ≥ 0.")
            found[COUNT] = int(count)
        for kind, number in ((NUMERATOR, self.numerator), (DENOMINATOR, self.denominator)):
            if number is not None:
                if number < 0:
                    raise ValueError(f"Cell {self.key!r}: the {kind} cannot be negative.")
                found[kind] = number
        if (
            self.numerator is not None
            and self.denominator is not None
            and self.numerator <= self.denominator
        ):
            found[COMPLEMENT] = self.denominator - self.numerator
        return found


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (for every quantity they all have)."""

    total: CellKey
    parts: tuple[CellKey, ...]

    @property
    def keys(self) -> tuple[CellKey, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class PublishedCell:
    """A cell as one viewer may receive it.

    ``hidden`` means withheld from this viewer: value, numerator and denominator are
    then None, so nothing downstream can leak them. ``reason`` says why the cell is
    hidden from people beyond the owner; the owner (``reveal=True``) gets the values
    and the reason, to see what others will not.
    """

    key: CellKey
    value: Number | None
    numerator: int | None
    denominator: int | None
    hidden: bool
    reason: Reason | None
    #: The threshold the table was suppressed with, so the cell can say why it is hidden.
    threshold: int | None = None

    @property
    def protected(self) -> bool:
        """Hidden from people beyond the owner (whether or not from this viewer)."""
        return self.reason is not None

    @property
    def why(self) -> str:
        """Why the cell is hidden (from this viewer, or from others), in plain words with
        the number: "fewer than 11 people"; "" when it is not."""
        if self.reason is None:
            return ""
        return self.reason.text(self.threshold) if self.threshold else self.reason.label


@dataclass(frozen=True)
class Suppression:
    """The result for one table and one viewer."""

    threshold: int
    revealed: bool
    cells: Mapping[CellKey, PublishedCell]
    #: Hidden cells that the data themselves pin down whatever else is hidden (only
    #: with inconsistent or degenerate relations, e.g. a total equal to one part and
    #: to the sum of two); empty for any consistent table.
    unresolved: tuple[CellKey, ...] = ()

    def __getitem__(self, key: CellKey) -> PublishedCell:
        return self.cells[key]

    def __iter__(self) -> Iterator[PublishedCell]:
        return iter(self.cells.values())

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def protected_keys(self) -> tuple[CellKey, ...]:
        return tuple(k for k, c in self.cells.items() if c.protected)

    @property
    def any_protected(self) -> bool:
        return any(c.protected for c in self.cells.values())


def suppress(
    cells: Sequence[Cell],
    relations: Iterable[Relation] = (),
    *,
    threshold: int,
    reveal: bool = False,
    known: Collection[CellKey] = (),
    withheld_elsewhere: Collection[CellKey] = (),
) -> Suppression:
    """Apply primary and complementary suppression to a table.

    ``threshold`` is the collaborative's small-number threshold (≥ 1): quantities
    under it are hidden. ``reveal`` is True only for the owner of all the data, who
    gets every exact value back (each still marked with why others do not).

    ``known`` names the cells this viewer owns in a table that mixes owners (one
    organization's figures beside the collaborative's combined ones): they come back
    exact, and since the viewer can subtract them, further cells of others are hidden
    from this viewer where that is needed to keep others' small numbers safe.
    """
    if threshold < 1:
        raise ValueError("The small-number threshold must be at least 1.")
    order: dict[CellKey, int] = {}
    for position, cell in enumerate(cells):
        if cell.key in order:
            raise ValueError(f"Cell {cell.key!r} appears twice in the table.")
        order[cell.key] = position
    quantities = {cell.key: cell.quantities() for cell in cells}
    rels = _checked_relations(relations, order, quantities)

    reasons: dict[CellKey, Reason] = {}
    for cell in cells:
        reason = _primary_reason(quantities[cell.key], threshold)
        if reason is not None:
            reasons[cell.key] = reason
    for key in withheld_elsewhere:
        if key in order and not reveal:
            reasons.setdefault(key, Reason.COMPLEMENTARY)

    unresolved = _complete(rels, order, quantities, reasons)

    # What this viewer does not get: everything hidden from others, unless the viewer
    # owns it; then whatever else their own exact figures would give away.
    withheld: dict[CellKey, Reason] = {}
    if not reveal:
        fixed = frozenset(k for k in known if k in order)
        withheld = {k: r for k, r in reasons.items() if k not in fixed}
        if fixed:
            unresolved |= _complete(rels, order, quantities, withheld, fixed=fixed)

    published: dict[CellKey, PublishedCell] = {}
    for cell in cells:
        hidden = cell.key in withheld
        published[cell.key] = PublishedCell(
            key=cell.key,
            value=None if hidden else cell.value,
            numerator=None if hidden else cell.numerator,
            denominator=None if hidden else cell.denominator,
            hidden=hidden,
            reason=withheld.get(cell.key) or reasons.get(cell.key),
            threshold=threshold,
        )
    return Suppression(
        threshold=threshold,
        revealed=reveal,
        cells=MappingProxyType(published),
        unresolved=tuple(sorted(unresolved, key=order.__getitem__)),
    )


TOTAL = "total"


def suppress_parts(
    total: int,
    parts: Mapping[CellKey, int],
    *,
    threshold: int,
    reveal: bool = False,
    known: Collection[CellKey] = (),
) -> Suppression:
    """A count of people and the counts it splits into, as one table: the members of a
    group and, among them, those with lived experience and everyone else. The total is
    keyed ``TOTAL``; the parts by their own keys, and must add up to the total (a part
    left out would be recoverable by subtraction, so give every part)."""
    if sum(parts.values()) != total:
        raise ValueError(f"The parts add up to {sum(parts.values())}, not to the total {total}.")
    cells = [
        Cell(TOTAL, total, is_count=True),
        *(Cell(key, count, is_count=True) for key, count in parts.items()),
    ]
    return suppress(
        cells,
        [Relation(TOTAL, tuple(parts))],
        threshold=threshold,
        reveal=reveal,
        known=known,
    )


def disaggregation_relations(keys: Iterable[Disaggregation]) -> list[Relation]:
    """The relations of a table whose cells are keyed by their disaggregation.

    For every cell K present and every dimension d that K does not fix, the cells
    that fix the same values as K plus one value of d are a breakdown of K: K is
    their sum. () is the overall total; (("race", "Black"),) a breakdown cell;
    (("race", "Black"), ("sex", "F")) a cross-tabulation cell. Keys must be sorted
    by dimension (``disaggregation_key`` makes them).

    A breakdown that does not in fact sum to its total (an unreported group,
    overlapping categories) is still treated as a relation: that only makes the
    suppression more cautious, never less.
    """
    present = list(dict.fromkeys(keys))
    children: dict[tuple[Disaggregation, str], list[Disaggregation]] = {}
    known = set(present)
    for key in present:
        for index, (dimension, _value) in enumerate(key):
            parent = key[:index] + key[index + 1 :]
            if parent in known:
                children.setdefault((parent, dimension), []).append(key)
    return [Relation(total=parent, parts=tuple(parts)) for (parent, _d), parts in children.items()]


def disaggregation_key(values: Mapping[str, str]) -> Disaggregation:
    """The key of a cell from its disaggregation values ({} is the total)."""
    return tuple(sorted((str(k), str(v)) for k, v in values.items()))


# --- internals -------------------------------------------------------------------------


def _primary_reason(quantities: Mapping[str, int], threshold: int) -> Reason | None:
    if quantities.get(DENOMINATOR, threshold) < threshold:
        return Reason.SMALL_DENOMINATOR
    if any(number < threshold for number in quantities.values()):
        return Reason.SMALL_COUNT
    return None


def _checked_relations(
    relations: Iterable[Relation],
    order: Mapping[CellKey, int],
    quantities: Mapping[CellKey, Mapping[str, int]],
) -> list[tuple[Relation, frozenset[str]]]:
    """Each relation with the quantities all its cells share (those it holds for);
    relations over cells with nothing in common are not additive and are dropped."""
    checked = []
    for relation in relations:
        if not relation.parts:
            raise ValueError(f"The relation for {relation.total!r} has no parts.")
        keys = relation.keys
        for key in keys:
            if key not in order:
                raise ValueError(f"The relation names {key!r}, which is not in the table.")
        if len(set(keys)) != len(keys):
            raise ValueError(f"The relation for {relation.total!r} names a cell twice.")
        kinds = frozenset.intersection(*(frozenset(quantities[k]) for k in keys))
        if kinds:
            checked.append((relation, kinds))
    return checked


def _size(quantities: Mapping[str, int]) -> int:
    for kind in (COUNT, DENOMINATOR, NUMERATOR):
        if kind in quantities:
            return quantities[kind]
    return 0


def _complete(
    rels: Sequence[tuple[Relation, frozenset[str]]],
    order: Mapping[CellKey, int],
    quantities: Mapping[CellKey, Mapping[str, int]],
    reasons: dict[CellKey, Reason],
    fixed: frozenset[CellKey] = frozenset(),
) -> set[CellKey]:
    """Add complementary suppressions to ``reasons`` until no attack recovers a hidden
    cell; return the hidden cells no further suppression could protect. Cells in
    ``fixed`` are known to the viewer and are never chosen."""
    unresolved: set[CellKey] = set()

    def pick(candidates: Iterable[CellKey], relation: Relation) -> CellKey | None:
        shown = [k for k in candidates if k not in reasons and k not in fixed]
        if not shown:
            return None
        return min(shown, key=lambda k: (k == relation.total, _size(quantities[k]), order[k]))

    def hide(key: CellKey) -> None:
        reasons[key] = Reason.COMPLEMENTARY

    while True:
        # 1. Subtraction: one hidden cell in a relation.
        progress = False
        for relation, _kinds in rels:
            hidden = [k for k in relation.keys if k in reasons]
            if len(hidden) == 1 and hidden[0] not in unresolved:
                target = pick(relation.keys, relation)
                if target is None:
                    unresolved.add(hidden[0])
                else:
                    hide(target)
                    progress = True
        if progress:
            continue

        # 2. Zero sum: the total shown, the hidden parts must add up to zero.
        for relation, kinds in rels:
            if relation.total in reasons:
                continue
            hidden_parts = [k for k in relation.parts if k in reasons]
            if not hidden_parts:
                continue
            shown_parts = [k for k in relation.parts if k not in reasons]
            for kind in sorted(kinds):
                rest = quantities[relation.total][kind] - sum(
                    quantities[k][kind] for k in shown_parts
                )
                if rest == 0:
                    nonzero = [k for k in shown_parts if quantities[k][kind] > 0]
                    # A shown part with people in it; failing that (they are all the
                    # viewer's own), the total itself.
                    target = pick(nonzero, relation)
                    if target is None:
                        target = pick([relation.total], relation)
                    if target is None:
                        unresolved.update(hidden_parts)
                    else:
                        hide(target)
                        progress = True
                    break
            if progress:
                break
        if progress:
            continue

        # 3. Any combination of relations that isolates one hidden cell.
        for kind in _kinds_in(rels):
            active = [r for r, kinds in rels if kind in kinds]
            for key in _pinned(active, reasons, order):
                if key in unresolved:
                    continue
                touching = [r for r in active if key in r.keys]
                options = [(t, r) for r in touching if (t := pick(r.keys, r)) is not None]
                if not options:
                    unresolved.add(key)
                    continue
                target, _relation = min(
                    options,
                    key=lambda o: (o[0] == o[1].total, _size(quantities[o[0]]), order[o[0]]),
                )
                hide(target)
                progress = True
                break
            if progress:
                break
        if not progress:
            return unresolved


def _kinds_in(rels: Sequence[tuple[Relation, frozenset[str]]]) -> list[str]:
    return sorted(set().union(*(kinds for _r, kinds in rels))) if rels else []


def _pinned(
    relations: Sequence[Relation], hidden: Mapping[CellKey, Reason], order: Mapping[CellKey, int]
) -> list[CellKey]:
    """The hidden cells whose value the relations determine, given the shown cells:
    those whose unit vector lies in the row space of the relations restricted to the
    hidden cells (a row of the reduced row echelon form with a single non-zero)."""
    unknowns = sorted({k for r in relations for k in r.keys if k in hidden}, key=order.__getitem__)
    if not unknowns:
        return []
    column = {k: i for i, k in enumerate(unknowns)}
    rows: list[list[int]] = []
    for relation in relations:
        row = [0] * len(unknowns)
        if relation.total in column:
            row[column[relation.total]] += 1
        for part in relation.parts:
            if part in column:
                row[column[part]] -= 1
        if any(row):
            rows.append(row)
    # Gauss-Jordan elimination in whole numbers (exact, and much faster than
    # fractions): each row is scaled instead of divided, then reduced by its gcd.
    pivot_row = 0
    for col in range(len(unknowns)):
        found = next((i for i in range(pivot_row, len(rows)) if rows[i][col] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row]
        lead = pivot[col]
        for i, row in enumerate(rows):
            if i != pivot_row and row[col] != 0:
                factor = row[col]
                reduced = [a * lead - factor * b for a, b in zip(row, pivot, strict=True)]
                divisor = math.gcd(*reduced)
                rows[i] = [x // divisor for x in reduced] if divisor > 1 else reduced
        pivot_row += 1
        if pivot_row == len(rows):
            break
    pinned = []
    for row in rows[:pivot_row]:
        nonzero = [i for i, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            pinned.append(unknowns[nonzero[0]])
    return pinned
