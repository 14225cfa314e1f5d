"""Counting a poll from its stored ballots, and the results as pages show them.

``compute_result`` is the one function that turns stored ballots into a result; the
result stored at close is its output, and ``poll_result_verify`` runs it again over the
same ballots and compares. The split between people with lived experience and everyone
else (and so the double-majority rule) is computed only when each side has at least the
collaborative's small-number threshold of voters, so no one's vote can be inferred; the
threshold used is stored with the result, so a recount uses the same one. A ballot is on
the lived-experience side only when its voter shared that answer with the whole
collaborative (``polls.services._disclosed_lived_experience``): the split and the
outcome are shown to every member, so they rest only on answers every member may see.

What pages and the API show of it goes through the one suppression rule
(reentry/suppression.py, DESIGN.md rule 8) with the collaborative's threshold: turnout
per role and for people with lived experience, each option's split between the two
sides, and the double-majority figures. The poll's outcome (ballots counted, the
electorate, each option's total) is what the electorate decided and is shown; it is
given to the rule as known to the viewer, so that no breakdown, subtracted from it,
gives a small number back.

A secret poll shows nothing of its count (not even the outcome) while fewer ballots were
cast than that threshold (``secret_results_held``).
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from reentry.suppression import Cell, CellKey, Reason, Relation, suppress
from stakeholders.models import Member
from workgroups.inclusion import disclosed
from workgroups.polls import voting
from workgroups.polls.models import Ballot, BallotContent, Poll, PollOption, PollResult

SIDES = ("lived_experience", "others")


def _count(poll: Poll, keys: list[str], ballots: list[Any]) -> dict[str, Any]:
    """One count of ``ballots`` as plain JSON data."""
    if poll.method == Poll.Method.IRV:
        irv = voting.count_irv(keys, ballots, seats=min(poll.seats, len(keys)))
        return {
            "ballots": irv.ballots,
            "winners": list(irv.winners),
            "counts": [
                {
                    "place": c.place,
                    "excluded": list(c.excluded),
                    "winner": c.winner,
                    "rounds": [
                        {
                            "number": r.number,
                            "tallies": dict(r.tallies),
                            "exhausted": r.exhausted,
                            "continuing": r.continuing,
                            "eliminated": list(r.eliminated),
                            "tied_for_last": list(r.tied_for_last),
                            "winner": r.winner,
                        }
                        for r in c.rounds
                    ],
                }
                for c in irv.counts
            ],
            "tie_break_rule": irv.tie_break_rule,
        }
    if poll.method == Poll.Method.DOTS:
        result = voting.count_dots(
            keys,
            ballots,
            dots_per_voter=poll.dots_per_voter or 1,
            max_per_option=poll.max_dots_per_option or 1,
        )
    else:
        result = voting.count_approval(keys, ballots)
    return {
        "ballots": result.ballots,
        "totals": dict(result.totals),
        "supporters": dict(result.supporters),
        "ranking": [list(group) for group in result.ranking],
        "winners": list(result.winners),
    }


def _as_result(poll: Poll, keys: list[str], ballots: list[Any]):
    if poll.method == Poll.Method.IRV:
        return voting.count_irv(keys, ballots, seats=1)
    if poll.method == Poll.Method.DOTS:
        return voting.count_dots(
            keys,
            ballots,
            dots_per_voter=poll.dots_per_voter or 1,
            max_per_option=poll.max_dots_per_option or 1,
        )
    return voting.count_approval(keys, ballots)


def _choices(raw: Any) -> Any:
    return dict(raw) if isinstance(raw, dict) else list(raw)


def compute_result(poll: Poll, *, threshold: int) -> dict[str, Any]:
    """The result of ``poll`` from its stored ballots, as JSON-ready data."""
    keys = [o.key for o in poll.options.all()]
    stored = list(
        BallotContent.objects.filter(poll=poll).values_list("choices", "lived_experience")
    )
    everyone = [_choices(c) for c, _lived in stored]
    data: dict[str, Any] = {
        "method": poll.method,
        "options": keys,
        "seats": poll.seats,
        "quorum": poll.quorum,
        "small_cell_threshold": threshold,
        **_count(poll, keys, everyone),
    }
    data["quorum_met"] = data["ballots"] >= poll.quorum
    sides = {
        "lived_experience": [_choices(c) for c, lived in stored if lived],
        "others": [_choices(c) for c, lived in stored if not lived],
    }
    shown = all(len(sides[s]) >= threshold for s in SIDES)
    data["split_shown"] = shown
    data["split"] = {s: _count(poll, keys, sides[s]) for s in SIDES} if shown else None
    data["double_majority"] = None
    if poll.double_majority and shown:
        le = _as_result(poll, keys, sides["lived_experience"])
        others = _as_result(poll, keys, sides["others"])
        checks = {k: voting.double_majority(le, others, k) for k in keys}
        data["double_majority"] = {
            k: {
                "lived_experience_support": d.lived_experience_support,
                "lived_experience_base": d.lived_experience_base,
                "others_support": d.others_support,
                "others_base": d.others_base,
                "passes": d.passes,
            }
            for k, d in checks.items()
        }
    return json.loads(json.dumps(data))


def poll_result_verify(poll: Poll) -> bool:
    """Recount the stored ballots of a closed poll and compare with the stored result."""
    stored = PollResult.objects.get(poll=poll)
    again = compute_result(poll, threshold=stored.data["small_cell_threshold"])
    return again == stored.data


# --- for pages -----------------------------------------------------------------------------


@dataclass
class OptionRow:
    option: PollOption
    total: int | None = None
    supporters: int | None = None
    is_winner: bool = False
    place: int | None = None
    split: dict[str, int | None] = field(default_factory=dict)
    #: Why a side's figure is hidden (sides shown are not in it).
    split_reasons: dict[str, Reason] = field(default_factory=dict)
    double_majority: dict[str, Any] | None = None
    #: Why a side's double-majority figures are hidden.
    double_majority_reasons: dict[str, Reason] = field(default_factory=dict)


@dataclass
class RoundRow:
    number: int
    cells: list[int | None]  # per option in column order; None once eliminated
    exhausted: int
    continuing: int
    eliminated: list[PollOption]
    tied_for_last: list[PollOption]
    winner: PollOption | None


@dataclass
class IrvCountView:
    place: int
    winner: PollOption | None
    excluded: list[PollOption]
    rounds: list[RoundRow]
    columns: list[PollOption] = field(default_factory=list)

    @property
    def option_rows(self) -> list[tuple[PollOption, list[int | None]]]:
        """The rounds turned sideways: one row per option still in this count, one
        cell per round (None once it is out), for a table that reads well on a phone."""
        rows = []
        for index, option in enumerate(self.columns):
            if option in self.excluded:
                continue
            rows.append((option, [r.cells[index] for r in self.rounds]))
        return rows


@dataclass
class TurnoutRow:
    label: str
    voted: int | None
    eligible: int | None
    #: Why the row is hidden (None when it is shown).
    reason: Reason | None = None

    @property
    def percent(self) -> int | None:
        if not self.eligible or self.voted is None:
            return None
        return round(100 * self.voted / self.eligible)


@dataclass
class PollResults:
    poll: Poll
    is_final: bool
    ballots: int
    quorum_met: bool
    rows: list[OptionRow]
    winners: list[PollOption]
    irv_counts: list[IrvCountView]
    split_shown: bool
    double_majority_shown: bool
    threshold: int
    columns: list[PollOption] = field(default_factory=list)

    @property
    def tied(self) -> bool:
        return self.poll.method != Poll.Method.IRV and len(self.winners) > self.poll.seats


def present(poll: Poll, data: dict[str, Any], *, is_final: bool) -> PollResults:
    """Turn result data into rows for the results page."""
    options = {o.key: o for o in poll.options.all()}
    keys = [k for k in data["options"] if k in options]
    winners = [options[k] for k in data["winners"] if k in options]
    split = data.get("split") or {}
    dm = data.get("double_majority") or {}

    def opts(ks: list[str]) -> list[PollOption]:
        return [options[k] for k in ks if k in options]

    rows: list[OptionRow]
    irv_counts: list[IrvCountView] = []
    if data["method"] == Poll.Method.IRV:
        places = {w: n for n, w in enumerate(data["winners"], start=1)}
        first = data["counts"][0]["rounds"][0]["tallies"] if data["counts"] else {}
        rows = [
            OptionRow(
                option=options[key],
                total=first.get(key, 0),
                is_winner=key in places,
                place=places.get(key),
                split={
                    side: _first_prefs(split[side]).get(key, 0) if split else None for side in SIDES
                },
                double_majority=dm.get(key),
            )
            for key in keys
        ]
        rows.sort(key=lambda r: (r.place or 10_000, -(r.total or 0)))
        irv_counts = [
            IrvCountView(
                place=count["place"],
                winner=options.get(count["winner"] or ""),
                excluded=opts(count["excluded"]),
                rounds=[
                    RoundRow(
                        number=r["number"],
                        cells=[r["tallies"].get(k) for k in keys],
                        exhausted=r["exhausted"],
                        continuing=r["continuing"],
                        eliminated=opts(r["eliminated"]),
                        tied_for_last=opts(r["tied_for_last"]),
                        winner=options.get(r["winner"] or ""),
                    )
                    for r in count["rounds"]
                ],
                columns=[options[k] for k in keys],
            )
            for count in data["counts"]
        ]
    else:
        order = [k for group in data["ranking"] for k in group if k in options]
        rows = [
            OptionRow(
                option=options[key],
                total=data["totals"].get(key, 0),
                supporters=data["supporters"].get(key, 0),
                is_winner=key in data["winners"],
                split={
                    side: split[side]["totals"].get(key, 0) if split else None for side in SIDES
                },
                double_majority=dm.get(key),
            )
            for key in order
        ]
    _suppress_split(poll, data, keys, rows)
    return PollResults(
        poll=poll,
        is_final=is_final,
        ballots=data["ballots"],
        quorum_met=data.get("quorum_met", True),
        rows=rows,
        winners=winners,
        irv_counts=irv_counts,
        split_shown=bool(data.get("split_shown")),
        double_majority_shown=bool(dm),
        threshold=data.get("small_cell_threshold", 0),
        columns=[options[k] for k in keys],
    )


ALL = "all"


def _suppress_split(
    poll: Poll, data: dict[str, Any], keys: list[str], rows: list[OptionRow]
) -> None:
    """Hide the split and double-majority figures of ``rows`` that the small-number rule
    hides. One table: for each option, its total (known: it is the result) and the two
    sides'; for each side, its ballots. Approval and dots: a side's figure stands for its
    supporters out of its ballots. Ranked choice: the first choices, which add up to the
    side's ballots; the double-majority figures are the side's final round, whose
    tallies add up to the ballots still continuing."""
    split = data.get("split")
    if not split:
        return
    dm = data.get("double_majority") or {}
    irv = data["method"] == Poll.Method.IRV
    sides = {ALL: data, **{s: split[s] for s in SIDES}}
    cells: list[Cell] = []
    relations: list[Relation] = []
    for side, counted in sides.items():
        cells.append(Cell(("ballots", side), counted["ballots"], is_count=True))
        if irv:
            first = _first_prefs(counted)
            cells += [Cell((side, k), first.get(k, 0), is_count=True) for k in keys]
            relations.append(Relation(("ballots", side), tuple((side, k) for k in keys)))
        else:
            cells += [
                Cell(
                    (side, k),
                    counted["totals"].get(k, 0),
                    numerator=counted["supporters"].get(k, 0),
                    denominator=counted["ballots"],
                )
                for k in keys
            ]
    relations.append(Relation(("ballots", ALL), tuple(("ballots", s) for s in SIDES)))
    relations += [Relation((ALL, k), tuple((s, k) for s in SIDES)) for k in keys]
    if irv and dm:
        for side in SIDES:
            base = max((dm[k][f"{side}_base"] for k in keys if k in dm), default=0)
            cells.append(Cell(("final", side), base, is_count=True))
            cells += [
                Cell(("final", side, k), dm[k][f"{side}_support"] if k in dm else 0, is_count=True)
                for k in keys
            ]
            relations.append(Relation(("final", side), tuple(("final", side, k) for k in keys)))
    known: list[CellKey] = [("ballots", ALL), *((ALL, k) for k in keys)]
    published = suppress(
        cells, relations, threshold=poll.collaborative.small_cell_threshold, known=known
    )
    for row in rows:
        key = row.option.key
        for side in SIDES:
            cell = published[(side, key)]
            if cell.hidden and cell.reason is not None:
                row.split[side] = None
                row.split_reasons[side] = cell.reason
        if row.double_majority is None:
            continue
        row.double_majority = dict(row.double_majority)
        for side in SIDES:
            support, base = (
                (published[("final", side, key)], published[("final", side)])
                if irv
                else (published[(side, key)], published[("ballots", side)])
            )
            hidden = next((c.reason for c in (support, base) if c.hidden), None)
            if hidden is not None:
                row.double_majority[f"{side}_support"] = None
                if base.hidden:
                    row.double_majority[f"{side}_base"] = None
                row.double_majority_reasons[side] = hidden


def _first_prefs(side: dict[str, Any]) -> dict[str, int]:
    counts = side.get("counts") or []
    if not counts or not counts[0]["rounds"]:
        return {}
    return counts[0]["rounds"][0]["tallies"]


def results_visible(poll: Poll) -> bool:
    """Closed polls show their result; open ones only when results are not hidden (never
    for a secret ballot)."""
    if poll.status == Poll.Status.CLOSED:
        return True
    return (
        poll.status == Poll.Status.OPEN
        and not poll.results_hidden_until_close
        and not poll.is_secret
    )


def secret_results_held(poll: Poll) -> int | None:
    """A secret poll's totals (results, tallies, turnout) are held while fewer ballots were
    cast than the collaborative's small-number threshold: with one or two voters, totals
    beside who voted would say who chose what. The threshold while they are held, else
    None."""
    if not poll.is_secret:
        return None
    threshold = poll.collaborative.small_cell_threshold
    counted = PollResult.objects.filter(poll=poll).values_list("ballots_counted", flat=True).first()
    if counted is None:
        counted = Ballot.objects.filter(poll=poll).count()
    return threshold if counted < threshold else None


def results_for(poll: Poll, viewer: Member | None) -> PollResults | None:
    """The results ``viewer`` may see now, or None while they are hidden (see also
    ``secret_results_held``). The caller has already checked that ``viewer`` sees the
    poll."""
    if not results_visible(poll) or secret_results_held(poll) is not None:
        return None
    if poll.status == Poll.Status.CLOSED:
        stored = PollResult.objects.filter(poll=poll).first()
        if stored is None:
            return None
        return present(poll, stored.data, is_final=True)
    data = compute_result(poll, threshold=poll.collaborative.small_cell_threshold)
    return present(poll, data, is_final=False)


def turnout(poll: Poll, eligible_people, viewer: Member | None) -> list[TurnoutRow]:
    """Ballots and eligible voters, for everyone, by constituency (role) and for people
    with lived experience (from the answers shared with ``viewer``), as the small-number
    rule lets them be shown. Two aggregate queries.

    One table of rates (voted out of eligible): everyone (known: the ballots counted and
    the electorate are the poll's outcome), each role present, and people with lived
    experience beside everyone else (that last row is not shown, but "everyone" minus
    the lived-experience row would give it, so it is in the table)."""
    threshold = poll.collaborative.small_cell_threshold
    eligible = eligible_people.aggregate(
        total=Count("pk"),
        lived=Count("pk", filter=disclosed(viewer)),
        **{role: Count("pk", filter=Q(role=role)) for role in Member.Role.values},
    )
    voters = Ballot.objects.filter(poll=poll)
    voted = voters.aggregate(
        total=Count("pk"),
        lived=Count("pk", filter=disclosed(viewer, "voter__")),
        **{role: Count("pk", filter=Q(voter__role=role)) for role in Member.Role.values},
    )
    roles = [(r, label) for r, label in Member.Role.choices if eligible[r] or voted[r]]
    cells = [
        Cell("everyone", voted["total"], numerator=voted["total"], denominator=eligible["total"]),
        *(Cell(r, voted[r], numerator=voted[r], denominator=eligible[r]) for r, _l in roles),
        Cell("lived", voted["lived"], numerator=voted["lived"], denominator=eligible["lived"]),
        Cell(
            "others",
            voted["total"] - voted["lived"],
            numerator=voted["total"] - voted["lived"],
            denominator=eligible["total"] - eligible["lived"],
        ),
    ]
    relations = [Relation("everyone", ("lived", "others"))]
    if roles:
        relations.append(Relation("everyone", tuple(r for r, _l in roles)))
    published = suppress(cells, relations, threshold=threshold, known=("everyone",))

    def row(key: str, label: str) -> TurnoutRow:
        cell = published[key]
        if cell.hidden:
            return TurnoutRow(label, None, None, cell.reason)
        return TurnoutRow(label, cell.numerator, cell.denominator)

    return [
        row("everyone", _("Everyone")),
        *(row(r, str(label)) for r, label in roles),
        row("lived", _("People with lived experience")),
    ]
