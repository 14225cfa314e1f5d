"""Counting a poll from its stored ballots, and the results as pages show them.

``compute_result`` is the one function that turns stored ballots into a result; the
result stored at close is its output, and ``poll_result_verify`` runs it again over the
same ballots and compares. The split between people with lived experience and everyone
else (and so the double-majority rule) is computed only when each side has at least the
collaborative's small-number threshold of voters, so no one's vote can be inferred; the
threshold used is stored with the result, so a recount uses the same one.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

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
    double_majority: dict[str, Any] | None = None


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


def results_for(poll: Poll, viewer: Member | None) -> PollResults | None:
    """The results ``viewer`` may see now, or None while they are hidden. The caller has
    already checked that ``viewer`` sees the poll."""
    if not results_visible(poll):
        return None
    if poll.status == Poll.Status.CLOSED:
        stored = PollResult.objects.filter(poll=poll).first()
        if stored is None:
            return None
        return present(poll, stored.data, is_final=True)
    data = compute_result(poll, threshold=poll.collaborative.small_cell_threshold)
    return present(poll, data, is_final=False)


def turnout(poll: Poll, eligible_people) -> list[TurnoutRow]:
    """Ballots and eligible voters by constituency (role), plus people with lived
    experience (from what they chose to share) when both counts reach the threshold.
    Two aggregate queries."""
    threshold = poll.collaborative.small_cell_threshold
    eligible = eligible_people.aggregate(
        total=Count("pk"),
        lived=Count("pk", filter=disclosed()),
        **{role: Count("pk", filter=Q(role=role)) for role in Member.Role.values},
    )
    voters = Ballot.objects.filter(poll=poll)
    voted = voters.aggregate(
        total=Count("pk"),
        lived=Count("pk", filter=disclosed("voter__")),
        **{role: Count("pk", filter=Q(voter__role=role)) for role in Member.Role.values},
    )
    rows = [TurnoutRow(_("Everyone"), voted["total"], eligible["total"])]
    by_role = Counter({r: eligible[r] for r in Member.Role.values})
    for role, label in Member.Role.choices:
        if by_role[role] or voted[role]:
            rows.append(TurnoutRow(str(label), voted[role], eligible[role]))
    if eligible["lived"] >= threshold and voted["lived"] >= threshold:
        rows.append(
            TurnoutRow(_("People with lived experience"), voted["lived"], eligible["lived"])
        )
    else:
        rows.append(TurnoutRow(_("People with lived experience"), None, None))
    return rows
