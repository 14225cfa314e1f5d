"""Vote counting (workgroups/voting.py): hand-worked examples for each method, the
validation messages, and properties checked with hypothesis."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workgroups.polls.voting import (
    TIE_BREAK_RULE,
    IrvRound,
    count_approval,
    count_dots,
    count_irv,
    double_majority,
)

PROPERTY = settings(max_examples=100, deadline=None)


def rnd(number, tallies, exhausted, continuing, eliminated=(), tied=(), winner=None):
    return IrvRound(number, tallies, exhausted, continuing, eliminated, tied, winner)


# --- approval -------------------------------------------------------------------


def test_approval_totals_ranking_and_single_winner():
    result = count_approval(["A", "B", "C"], [["A", "B"], {"B"}, ["B", "C"], ["A"]])

    assert result.ballots == 4
    assert dict(result.totals) == {"A": 2, "B": 3, "C": 1}
    assert result.ranking == (("B",), ("A",), ("C",))
    assert result.winners == ("B",)
    assert not result.tied


def test_approval_tie_for_first_is_reported_as_a_tie():
    result = count_approval(["A", "B", "C"], [["A"], ["B", "C"], ["B", "A"], []])

    assert result.winners == ("A", "B")
    assert result.tied
    assert result.ranking == (("A", "B"), ("C",))
    assert result.ballots == 4


def test_approval_without_any_approval_has_no_winner():
    result = count_approval(["A", "B"], [[], []])

    assert result.winners == ()
    assert result.ranking == (("A", "B"),)


def test_approval_rejects_an_unknown_option():
    with pytest.raises(ValueError, match="Ballot 2 names “Z”, which is not an option"):
        count_approval(["A", "B"], [["A"], ["Z"]])


def test_approval_rejects_an_option_named_twice_on_a_ballot():
    with pytest.raises(ValueError, match="Ballot 1 names “A” more than once"):
        count_approval(["A", "B"], [["A", "A"]])


def test_approval_rejects_a_bare_text_as_a_ballot():
    with pytest.raises(ValueError, match="Ballot 1 is a single text"):
        count_approval(["A", "B"], ["AB"])


def test_options_listed_twice_are_rejected():
    with pytest.raises(ValueError, match="The option “A” is listed twice"):
        count_approval(["A", "B", "A"], [])


def test_a_poll_without_options_is_rejected():
    with pytest.raises(ValueError, match="at least one option"):
        count_irv([], [])


# --- dots -------------------------------------------------------------------------


def test_dots_totals_supporters_and_tie():
    result = count_dots(
        ["A", "B", "C"],
        [{"A": 2, "B": 1}, {"B": 2}, {"C": 1, "A": 1}, {"C": 0}],
        dots_per_voter=3,
        max_per_option=2,
    )

    assert dict(result.totals) == {"A": 3, "B": 3, "C": 1}
    assert dict(result.supporters) == {"A": 2, "B": 2, "C": 1}
    assert result.ranking == (("A", "B"), ("C",))
    assert result.winners == ("A", "B")
    assert result.ballots == 4


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ({"A": 2, "B": 2}, "Ballot 1 uses 4 dots; each voter has 3"),
        ({"A": 3}, "puts 3 dots on “A”; the most allowed on one option is 2"),
        ({"A": -1, "B": 2}, "fewer than zero dots on “A”"),
        ({"Z": 1}, "names “Z”, which is not an option"),
        ({"A": 1.5}, "dots on “A” must be a whole number"),
        ({"A": True}, "dots on “A” must be a whole number"),
        (["A"], "must say how many dots go on each option"),
    ],
)
def test_dots_rejects_an_invalid_ballot(ballot, message):
    with pytest.raises(ValueError, match=message):
        count_dots(["A", "B"], [ballot], dots_per_voter=3, max_per_option=2)


def test_dots_accepts_a_ballot_using_exactly_all_dots():
    result = count_dots(["A", "B"], [{"A": 2, "B": 1}], dots_per_voter=3, max_per_option=2)

    assert dict(result.totals) == {"A": 2, "B": 1}


def test_dots_needs_a_positive_allowance():
    with pytest.raises(ValueError, match="at least one dot"):
        count_dots(["A"], [], dots_per_voter=0, max_per_option=1)
    with pytest.raises(ValueError, match="at least one dot per option"):
        count_dots(["A"], [], dots_per_voter=3, max_per_option=0)


# --- ranked choice ----------------------------------------------------------------


def test_irv_outright_majority_wins_in_round_one():
    result = count_irv(["A", "B", "C"], [["A", "B"], ["A"], ["A", "C"], ["B"], ["C"]])

    assert result.winner == "A"
    assert result.rounds == (rnd(1, {"A": 3, "B": 1, "C": 1}, 0, 5, winner="A"),)
    assert result.tie_break_rule == TIE_BREAK_RULE


def test_irv_three_rounds_with_an_exhausted_ballot():
    # The D ballot ranks nobody else: it is exhausted from round 2, so B's 5 votes
    # are a majority of the 9 continuing ballots though not of all 10.
    ballots = [["A"]] * 4 + [["B", "C"]] * 3 + [["C", "B"]] * 2 + [["D"]]

    result = count_irv(["A", "B", "C", "D"], ballots)

    assert result.rounds == (
        rnd(1, {"A": 4, "B": 3, "C": 2, "D": 1}, 0, 10, eliminated=("D",)),
        rnd(2, {"A": 4, "B": 3, "C": 2}, 1, 9, eliminated=("C",)),
        rnd(3, {"A": 4, "B": 5}, 1, 9, winner="B"),
    )
    assert result.winners == ("B",)


def test_irv_elimination_tie_goes_against_fewer_first_preferences():
    # Round 2: B and C tie on 4. B was first on 3 ballots, C on 4, so B goes out.
    # (Going by option order instead would drop C, and A would win.)
    ballots = [["A"]] * 6 + [["B", "C"]] * 3 + [["C"]] * 4 + [["D", "B", "C"]]

    result = count_irv(["A", "B", "C", "D"], ballots)

    assert result.rounds == (
        rnd(1, {"A": 6, "B": 3, "C": 4, "D": 1}, 0, 14, eliminated=("D",)),
        rnd(2, {"A": 6, "B": 4, "C": 4}, 0, 14, eliminated=("B",), tied=("B", "C")),
        rnd(3, {"A": 6, "C": 8}, 0, 14, winner="C"),
    )


def test_irv_tie_on_first_preferences_looks_back_through_earlier_rounds():
    # Round 3: B and C tie on 4, and also tied on 3 first preferences; in round 2
    # B had 3 and C had 4, so B goes out. (Option order would drop C; A would win.)
    ballots = [["A"]] * 7 + [["B", "C"]] * 3 + [["C"]] * 3 + [["E", "C"], ["D", "B", "C"], ["D"]]

    result = count_irv(["A", "B", "C", "D", "E"], ballots)

    assert result.rounds == (
        rnd(1, {"A": 7, "B": 3, "C": 3, "D": 2, "E": 1}, 0, 16, eliminated=("E",)),
        rnd(2, {"A": 7, "B": 3, "C": 4, "D": 2}, 0, 16, eliminated=("D",)),
        rnd(3, {"A": 7, "B": 4, "C": 4}, 1, 15, eliminated=("B",), tied=("B", "C")),
        rnd(4, {"A": 7, "C": 8}, 1, 15, winner="C"),
    )


def test_irv_tie_in_every_round_eliminates_the_option_listed_later():
    result = count_irv(["A", "B", "C"], [["A"], ["A"], ["B"], ["C"]])

    assert result.rounds == (
        rnd(1, {"A": 2, "B": 1, "C": 1}, 0, 4, eliminated=("C",), tied=("B", "C")),
        rnd(2, {"A": 2, "B": 1}, 1, 3, winner="A"),
    )


def test_irv_options_without_votes_go_out_together():
    ballots = [["A"], ["A"], ["B"], ["B"], ["C"]]

    result = count_irv(["A", "B", "C", "D", "E"], ballots)

    first = result.rounds[0]
    assert first.eliminated == ("D", "E")
    assert first.tied_for_last == ()
    assert result.rounds[1].eliminated == ("C",)


def test_irv_with_every_ballot_empty_has_no_winner():
    result = count_irv(["A", "B"], [[], []])

    assert result.winner is None
    assert result.winners == ()
    assert result.rounds == (rnd(1, {"A": 0, "B": 0}, 2, 0),)


def test_irv_several_seats_gives_a_full_ordering_by_repeated_counts():
    ballots = [["A", "B", "C"]] * 3 + [["B", "C"]] * 2 + [["C", "B"]] * 2

    result = count_irv(["A", "B", "C"], ballots, seats=3)

    assert result.winners == ("B", "C", "A")
    first, second, third = result.counts
    assert first.excluded == ()
    assert first.rounds == (
        rnd(1, {"A": 3, "B": 2, "C": 2}, 0, 7, eliminated=("C",), tied=("B", "C")),
        rnd(2, {"A": 3, "B": 4}, 0, 7, winner="B"),
    )
    assert second.excluded == ("B",)
    assert second.rounds == (rnd(1, {"A": 3, "C": 4}, 0, 7, winner="C"),)
    assert third.excluded == ("B", "C")
    assert third.rounds == (rnd(1, {"A": 3}, 4, 3, winner="A"),)


def test_irv_ordering_stops_when_no_ballot_ranks_what_is_left():
    result = count_irv(["A", "B"], [["A"], ["A"]], seats=2)

    assert result.winners == ("A",)
    assert len(result.counts) == 2
    assert result.counts[1].winner is None


@pytest.mark.parametrize("seats", [0, 4])
def test_irv_rejects_a_number_of_places_outside_the_options(seats):
    with pytest.raises(ValueError, match="between 1 and 3"):
        count_irv(["A", "B", "C"], [], seats=seats)


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        (["A", "Z"], "Ballot 1 names “Z”, which is not an option"),
        (["A", "B", "A"], "Ballot 1 names “A” more than once"),
        ("AB", "Ballot 1 is a single text"),
    ],
)
def test_irv_rejects_an_invalid_ballot(ballot, message):
    with pytest.raises(ValueError, match=message):
        count_irv(["A", "B", "C"], [ballot])


# --- double majority ----------------------------------------------------------------


def test_double_majority_passes_with_a_majority_in_both_groups():
    lived = count_approval(["A", "B"], [["A"], ["A", "B"], ["B"]])
    others = count_approval(["A", "B"], [["A"], ["A"], ["B"]])

    check = double_majority(lived, others, "A")

    assert check.passes
    assert (check.lived_experience_support, check.lived_experience_base) == (2, 3)
    assert (check.others_support, check.others_base) == (2, 3)


def test_double_majority_fails_without_a_majority_of_people_with_lived_experience():
    lived = count_approval(["A", "B"], [["A"], ["B"]])  # exactly half is not a majority
    others = count_approval(["A", "B"], [["A"], ["A"], ["A"]])

    check = double_majority(lived, others, "A")

    assert not check.passes
    assert not check.lived_experience_majority
    assert check.others_majority


def test_double_majority_for_dots_counts_people_not_dots():
    # Others: one voter piles 3 dots on A, two put theirs on B — most dots, few people.
    lived = count_dots(["A", "B"], [{"A": 1}, {"A": 2}], dots_per_voter=3, max_per_option=3)
    others = count_dots(
        ["A", "B"], [{"A": 3}, {"B": 1}, {"B": 1}], dots_per_voter=3, max_per_option=3
    )

    check = double_majority(lived, others, "A")

    assert others.totals["A"] > others.totals["B"]
    assert not check.passes
    assert (check.others_support, check.others_base) == (1, 3)


def test_double_majority_for_ranked_choice_needs_the_option_to_win_both_counts():
    lived = count_irv(["A", "B", "C"], [["A"], ["B", "A"], ["C", "A"]])
    others = count_irv(["A", "B", "C"], [["B"], ["B"], ["A"]])

    assert double_majority(lived, lived, "A").passes
    check = double_majority(lived, others, "A")
    assert check.lived_experience_majority
    assert not check.others_majority


def test_double_majority_fails_for_a_group_without_voters():
    lived = count_approval(["A"], [])
    others = count_approval(["A"], [["A"]])

    assert not double_majority(lived, others, "A").passes


def test_double_majority_rejects_mismatched_results():
    approval = count_approval(["A", "B"], [["A"]])
    irv = count_irv(["A", "B"], [["A"]])

    with pytest.raises(ValueError, match="same kind of vote"):
        double_majority(approval, irv, "A")
    with pytest.raises(ValueError, match="same poll options"):
        double_majority(approval, count_approval(["A", "C"], []), "A")
    with pytest.raises(ValueError, match="“Z” is not an option"):
        double_majority(approval, approval, "Z")


# --- properties -----------------------------------------------------------------------

OPTIONS = ["A", "B", "C", "D", "E"]
options_st = st.integers(1, len(OPTIONS)).map(lambda n: OPTIONS[:n])


@st.composite
def approval_poll(draw):
    options = draw(options_st)
    ballots = draw(st.lists(st.lists(st.sampled_from(options), unique=True), max_size=12))
    return options, ballots


@st.composite
def dots_poll(draw):
    options = draw(options_st)
    ballot = st.lists(
        st.tuples(st.sampled_from(options), st.integers(0, 2)), unique_by=lambda t: t[0]
    ).map(dict)
    ballots = draw(st.lists(ballot.filter(lambda b: sum(b.values()) <= 4), max_size=12))
    return options, ballots


@st.composite
def irv_poll(draw):
    options = draw(options_st)
    ranking = st.permutations(options).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: list(order[:k]))
    )
    ballots = draw(st.lists(ranking, max_size=15))
    return options, ballots


@PROPERTY
@given(approval_poll(), st.data())
def test_approval_result_does_not_depend_on_ballot_order(poll, data):
    options, ballots = poll
    shuffled = data.draw(st.permutations(ballots))

    assert count_approval(options, shuffled) == count_approval(options, ballots)


@PROPERTY
@given(dots_poll(), st.data())
def test_dots_result_does_not_depend_on_ballot_order(poll, data):
    options, ballots = poll
    shuffled = data.draw(st.permutations(ballots))

    def count(b):
        return count_dots(options, b, dots_per_voter=4, max_per_option=2)

    assert count(shuffled) == count(ballots)


@PROPERTY
@given(irv_poll(), st.integers(1, 5), st.data())
def test_irv_result_does_not_depend_on_ballot_order(poll, seats, data):
    options, ballots = poll
    seats = min(seats, len(options))
    shuffled = data.draw(st.permutations(ballots))

    assert count_irv(options, shuffled, seats=seats) == count_irv(options, ballots, seats=seats)


@PROPERTY
@given(irv_poll(), st.data())
def test_option_ranked_first_by_a_strict_majority_wins_irv(poll, data):
    options, others = poll
    favourite = data.draw(st.sampled_from(options))
    rest = [o for o in options if o != favourite]
    tails = st.permutations(rest).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: list(order[:k]))
    )
    backers = [[favourite, *tail] for tail in data.draw(st.lists(tails, min_size=1))]
    others = [b for b in others if not b or b[0] != favourite]
    # A strict majority of all ballots ranks the favourite first.
    others = others[: len(backers) - 1]
    ballots = data.draw(st.permutations(backers + others))

    result = count_irv(options, ballots)

    assert result.winner == favourite
    assert len(result.rounds) == 1


@PROPERTY
@given(approval_poll())
def test_approval_total_is_the_number_of_ballots_approving_the_option(poll):
    options, ballots = poll

    result = count_approval(options, ballots)

    for option in options:
        assert result.totals[option] == sum(option in b for b in ballots)
    assert result.ballots == len(ballots)
