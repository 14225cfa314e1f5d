"""Vote counting for polls: approval, dot voting and ranked choice (instant-runoff).

Pure functions over plain data, with no database access, so that results can be
recomputed from the stored ballots at any time and must come out the same.
Options are identified by strings (the poll's option keys); the order of
``options`` is the poll's fixed option order (voters may see them shuffled, but
the count always uses this order), and it is the last resort of the IRV
tie-break.

Ballots:

* approval — a list or set of the options the voter approves of;
* dots — a mapping option -> dots placed on it;
* ranked choice — a list of options, most preferred first (need not rank all).

Every function validates every ballot and raises ``ValueError`` with a plain
message naming the ballot (1-based) that is wrong. Counting never depends on the
order of the ballots.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

APPROVAL = "approval"
DOTS = "dots"
IRV = "irv"

#: Stable id of the IRV elimination tie-break, stored with every result.
TIE_BREAK_RULE = "first-preferences-then-earlier-rounds-then-option-order"

#: The same rule in words, to show people next to the rounds.
TIE_BREAK_RULE_TEXT = gettext_lazy(
    "When several options are tied for the fewest votes in a round, the one "
    "eliminated is the one that was ranked first by fewer people at the start of "
    "this count. If that is also tied, we look back through the earlier rounds, "
    "the most recent first, and eliminate the one with fewer votes there. If the "
    "options were tied in every round, the one listed later on the poll is "
    "eliminated. Options with no votes at all are eliminated together."
)


@dataclass(frozen=True)
class Result:
    """Result of an approval or dot vote.

    ``totals`` holds approvals (approval) or dots (dots) per option; ``supporters``
    the number of ballots that gave the option any support. ``ranking`` groups
    options with equal totals, best first; inside a group, in option order.
    ``winners`` is every option tied for the top total, so a tie is reported as
    a tie, and is empty when nobody supported anything.
    """

    method: str
    options: tuple[str, ...]
    ballots: int
    totals: Mapping[str, int]
    supporters: Mapping[str, int]
    ranking: tuple[tuple[str, ...], ...]
    winners: tuple[str, ...]

    @property
    def tied(self) -> bool:
        return len(self.winners) > 1


@dataclass(frozen=True)
class IrvRound:
    """One round of an instant-runoff count.

    ``tallies`` holds the votes of each option still in the race; ``exhausted`` the
    ballots that rank none of them; ``continuing`` the ballots that do (a winner
    needs more than half of these). ``tied_for_last`` lists the options that were
    tied for the fewest votes when the tie-break decided who went out, else ().
    """

    number: int
    tallies: Mapping[str, int]
    exhausted: int
    continuing: int
    eliminated: tuple[str, ...]
    tied_for_last: tuple[str, ...]
    winner: str | None


@dataclass(frozen=True)
class IrvCount:
    """One instant-runoff count, filling one place; ``excluded`` are earlier winners."""

    place: int
    excluded: tuple[str, ...]
    rounds: tuple[IrvRound, ...]
    winner: str | None


@dataclass(frozen=True)
class IrvResult:
    """Result of a ranked-choice vote: one count per place filled.

    ``winners`` is the ordering, best first. It can be shorter than ``seats``
    when, with the earlier winners removed, no ballot ranks any remaining option.
    """

    options: tuple[str, ...]
    ballots: int
    seats: int
    counts: tuple[IrvCount, ...]
    tie_break_rule: str = TIE_BREAK_RULE
    method: str = IRV

    @property
    def winners(self) -> tuple[str, ...]:
        return tuple(c.winner for c in self.counts if c.winner is not None)

    @property
    def winner(self) -> str | None:
        return self.counts[0].winner if self.counts else None

    @property
    def rounds(self) -> tuple[IrvRound, ...]:
        """The rounds of the first count (the single-winner result)."""
        return self.counts[0].rounds if self.counts else ()


@dataclass(frozen=True)
class DoubleMajority:
    """Whether ``option`` has a majority among people with lived experience and
    among everyone else. ``*_support`` out of ``*_base`` voters, for each group."""

    option: str
    lived_experience_support: int
    lived_experience_base: int
    others_support: int
    others_base: int

    @property
    def lived_experience_majority(self) -> bool:
        return 2 * self.lived_experience_support > self.lived_experience_base

    @property
    def others_majority(self) -> bool:
        return 2 * self.others_support > self.others_base

    @property
    def passes(self) -> bool:
        return self.lived_experience_majority and self.others_majority


# --- validation ---------------------------------------------------------------


def _check_options(options: Sequence[str]) -> tuple[str, ...]:
    if isinstance(options, str):
        raise ValueError(_("The options must be a list, not a single text."))
    opts = tuple(options)
    if not opts:
        raise ValueError(_("A poll needs at least one option."))
    seen: set[str] = set()
    for option in opts:
        if option in seen:
            raise ValueError(_("The option “%(option)s” is listed twice.") % {"option": option})
        seen.add(option)
    return opts


def _check_choices(number: int, choices: Iterable[str], known: Collection[str]) -> None:
    """Each choice on ballot ``number`` is a known option, named at most once."""
    seen: set[str] = set()
    for option in choices:
        if option not in known:
            raise ValueError(
                _("Ballot %(number)d names “%(option)s”, which is not an option in this poll.")
                % {"number": number, "option": option}
            )
        if option in seen:
            raise ValueError(
                _("Ballot %(number)d names “%(option)s” more than once.")
                % {"number": number, "option": option}
            )
        seen.add(option)


def _check_not_text(number: int, ballot: object) -> None:
    if isinstance(ballot, str):
        raise ValueError(
            _("Ballot %(number)d is a single text, not a list of options.") % {"number": number}
        )


# --- approval and dots ----------------------------------------------------------


def _result(
    method: str,
    options: tuple[str, ...],
    ballots: int,
    totals: dict[str, int],
    supporters: dict[str, int],
) -> Result:
    levels = sorted({totals[o] for o in options}, reverse=True)
    ranking = tuple(tuple(o for o in options if totals[o] == level) for level in levels)
    winners = ranking[0] if levels[0] > 0 else ()
    return Result(
        method=method,
        options=options,
        ballots=ballots,
        totals=MappingProxyType(totals),
        supporters=MappingProxyType(supporters),
        ranking=ranking,
        winners=winners,
    )


def count_approval(options: Sequence[str], ballots: Iterable[Collection[str]]) -> Result:
    """Count an approval vote: each option gets one vote per ballot that approves it.

    An empty ballot is counted as a ballot (it approves nothing).
    """
    opts = _check_options(options)
    totals = dict.fromkeys(opts, 0)
    n = 0
    for n, ballot in enumerate(ballots, start=1):
        _check_not_text(n, ballot)
        _check_choices(n, ballot, totals)
        for option in ballot:
            totals[option] += 1
    return _result(APPROVAL, opts, n, totals, dict(totals))


def count_dots(
    options: Sequence[str],
    ballots: Iterable[Mapping[str, int]],
    *,
    dots_per_voter: int,
    max_per_option: int,
) -> Result:
    """Count a dot vote: each voter places up to ``dots_per_voter`` dots, at most
    ``max_per_option`` on any one option. Options are ranked by total dots."""
    opts = _check_options(options)
    if dots_per_voter < 1:
        raise ValueError(_("Each voter needs at least one dot."))
    if max_per_option < 1:
        raise ValueError(_("Voters must be allowed at least one dot per option."))
    totals = dict.fromkeys(opts, 0)
    supporters = dict.fromkeys(opts, 0)
    n = 0
    for n, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, Mapping):
            raise ValueError(
                _("Ballot %(number)d must say how many dots go on each option.") % {"number": n}
            )
        _check_choices(n, ballot.keys(), totals)
        for option, dots in ballot.items():
            if isinstance(dots, bool) or not isinstance(dots, int):
                raise ValueError(
                    _("Ballot %(number)d: the dots on “%(option)s” must be a whole number.")
                    % {"number": n, "option": option}
                )
            if dots < 0:
                raise ValueError(
                    _("Ballot %(number)d puts fewer than zero dots on “%(option)s”.")
                    % {"number": n, "option": option}
                )
            if dots > max_per_option:
                raise ValueError(
                    _(
                        "Ballot %(number)d puts %(dots)d dots on “%(option)s”; "
                        "the most allowed on one option is %(max)d."
                    )
                    % {"number": n, "dots": dots, "option": option, "max": max_per_option}
                )
        used = sum(ballot.values())
        if used > dots_per_voter:
            raise ValueError(
                _("Ballot %(number)d uses %(used)d dots; each voter has %(max)d.")
                % {"number": n, "used": used, "max": dots_per_voter}
            )
        for option, dots in ballot.items():
            totals[option] += dots
            if dots:
                supporters[option] += 1
    return _result(DOTS, opts, n, totals, supporters)


# --- ranked choice ----------------------------------------------------------------


def _break_tie(tied: list[str], current: list[dict[str, int]], options: tuple[str, ...]) -> str:
    """Pick which of ``tied`` goes out: see TIE_BREAK_RULE_TEXT."""
    earlier = current[:-1]
    for tallies in [*earlier[:1], *reversed(earlier[1:])]:
        fewest = min(tallies[o] for o in tied)
        tied = [o for o in tied if tallies[o] == fewest]
        if len(tied) == 1:
            return tied[0]
    return max(tied, key=options.index)


def _irv_count(
    options: tuple[str, ...], ballots: tuple[tuple[str, ...], ...], excluded: tuple[str, ...]
) -> tuple[tuple[IrvRound, ...], str | None]:
    continuing = [o for o in options if o not in excluded]
    rounds: list[IrvRound] = []
    history: list[dict[str, int]] = []
    while True:
        tallies = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot in ballots:
            top = next((o for o in ballot if o in tallies), None)
            if top is None:
                exhausted += 1
            else:
                tallies[top] += 1
        history.append(tallies)
        active = len(ballots) - exhausted
        number = len(rounds) + 1
        leader = max(continuing, key=lambda o: tallies[o])
        if active == 0 or 2 * tallies[leader] > active:
            winner = leader if active else None
            rounds.append(
                IrvRound(number, MappingProxyType(tallies), exhausted, active, (), (), winner)
            )
            return tuple(rounds), winner
        zero = tuple(o for o in continuing if tallies[o] == 0)
        tied_for_last: tuple[str, ...] = ()
        if zero:
            eliminated = zero
        else:
            fewest = min(tallies.values())
            tied = [o for o in continuing if tallies[o] == fewest]
            if len(tied) > 1:
                tied_for_last = tuple(tied)
            eliminated = (_break_tie(tied, history, options),)
        rounds.append(
            IrvRound(
                number,
                MappingProxyType(tallies),
                exhausted,
                active,
                eliminated,
                tied_for_last,
                None,
            )
        )
        continuing = [o for o in continuing if o not in eliminated]


def count_irv(
    options: Sequence[str], ballots: Iterable[Sequence[str]], *, seats: int = 1
) -> IrvResult:
    """Count a ranked-choice vote by instant-runoff, showing every round.

    Each round, every ballot counts for its highest-ranked option still in the
    race; a ballot ranking none of them is exhausted. An option with more than
    half of the continuing (not exhausted) ballots wins. Otherwise options with no
    votes go out together, or else the option with the fewest votes goes out,
    ties decided by the rule in TIE_BREAK_RULE_TEXT, and the ballots are counted
    again. If no ballot ranks any option left, the count ends with no winner.

    With ``seats`` > 1 the result is a full ordering by repeated IRV: after each
    count its winner is removed from every ballot and a fresh count (with its
    own rounds) decides the next place, up to ``seats`` places or until an
    option-less count ends without a winner.
    """
    opts = _check_options(options)
    if not 1 <= seats <= len(opts):
        raise ValueError(
            _("The number of places must be between 1 and %(count)d.") % {"count": len(opts)}
        )
    checked: list[tuple[str, ...]] = []
    for n, ballot in enumerate(ballots, start=1):
        _check_not_text(n, ballot)
        _check_choices(n, ballot, opts)
        checked.append(tuple(ballot))
    frozen_ballots = tuple(checked)
    counts: list[IrvCount] = []
    winners: list[str] = []
    for place in range(1, seats + 1):
        excluded = tuple(winners)
        rounds, winner = _irv_count(opts, frozen_ballots, excluded)
        counts.append(IrvCount(place, excluded, rounds, winner))
        if winner is None:
            break
        winners.append(winner)
    return IrvResult(options=opts, ballots=len(frozen_ballots), seats=seats, counts=tuple(counts))


# --- double majority ----------------------------------------------------------------


def _support(result: Result | IrvResult, option: str) -> tuple[int, int]:
    """(supporters of ``option``, voters counted) within one group's result."""
    if option not in result.options:
        raise ValueError(_("“%(option)s” is not an option in this poll.") % {"option": option})
    if isinstance(result, IrvResult):
        if not result.rounds:
            return 0, 0
        final = result.rounds[-1]
        return final.tallies.get(option, 0), final.continuing
    return result.supporters[option], result.ballots


def double_majority(
    result_for_lived_experience: Result | IrvResult,
    result_for_others: Result | IrvResult,
    option: str,
) -> DoubleMajority:
    """Check the "double majority" rule for ``option``, given the same poll counted
    separately for people with lived experience and for everyone else.

    The option passes only if more than half of each group supports it. For
    approval, support means approving it; for dots, putting at least one dot on
    it; for ranked choice, holding more than half of the group's continuing
    ballots in its final round (that is, winning the group's own count).
    A group with no voters gives no majority.
    """
    if result_for_lived_experience.method != result_for_others.method:
        raise ValueError(_("Both results must come from the same kind of vote."))
    if result_for_lived_experience.options != result_for_others.options:
        raise ValueError(_("Both results must come from the same poll options."))
    le_support, le_base = _support(result_for_lived_experience, option)
    other_support, other_base = _support(result_for_others, option)
    return DoubleMajority(option, le_support, le_base, other_support, other_base)
