"""Small-number suppression (reentry/suppression.py): hand-worked tables for each
rule, validation, and a property test in which an attacker who knows every shown
figure and every relation tries to work a hidden cell out by subtraction."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reentry.suppression import (
    TOTAL,
    Cell,
    Reason,
    Relation,
    _pinned,
    disaggregation_key,
    disaggregation_relations,
    suppress,
    suppress_parts,
)

PROPERTY = settings(max_examples=200, deadline=None)


def race(value):
    return (("race", value),)


def counts(total, groups, dimension="race"):
    """A total and its one-way breakdown, as count cells."""
    cells = [Cell((), total, is_count=True)]
    cells += [Cell(((dimension, g),), v, is_count=True) for g, v in groups.items()]
    return cells


def run(cells, *, threshold=11, reveal=False):
    return suppress(
        cells, disaggregation_relations(c.key for c in cells), threshold=threshold, reveal=reveal
    )


def hidden(result):
    return {c.key for c in result if c.hidden}


# --- primary suppression --------------------------------------------------------------


def test_cells_under_the_threshold_are_hidden_and_enough_small_cells_need_no_complement():
    result = run(counts(120, {"A": 50, "B": 60, "C": 5, "D": 5}))

    assert hidden(result) == {race("C"), race("D")}
    assert result[race("C")].reason is Reason.SMALL_COUNT
    assert result[race("C")].value is None
    assert result[()].value == 120
    assert result[race("A")].value == 50


def test_a_cell_at_the_threshold_is_shown():
    result = run(counts(22, {"A": 11, "B": 11}))

    assert hidden(result) == set()


def test_threshold_one_hides_only_zeros():
    result = run(counts(7, {"A": 0, "B": 3, "C": 4}), threshold=1)

    # The zero is hidden, then the next smallest so that 7 - 3 - 4 cannot give it back.
    assert hidden(result) == {race("A"), race("B")}
    assert result[race("B")].reason is Reason.COMPLEMENTARY


def test_a_small_total_is_hidden_with_its_small_parts():
    result = run(counts(9, {"A": 5, "B": 4}))

    assert hidden(result) == {(), race("A"), race("B")}


# --- complementary suppression ----------------------------------------------------------


def test_one_small_cell_in_a_breakdown_hides_the_next_smallest():
    result = run(counts(120, {"A": 50, "B": 65, "C": 5}))

    assert hidden(result) == {race("A"), race("C")}
    assert result[race("A")].reason is Reason.COMPLEMENTARY
    assert result[race("C")].reason is Reason.SMALL_COUNT
    # The total and the largest group stay: 120 - 65 = 55 is A and C together.
    assert result[()].value == 120
    assert result[race("B")].value == 65


def test_a_part_is_hidden_rather_than_the_total():
    result = run(counts(30, {"A": 5, "B": 25}))

    assert hidden(result) == {race("A"), race("B")}
    assert result[()].value == 30


def test_ties_go_to_the_cell_listed_first():
    result = run(counts(100, {"A": 40, "B": 40, "C": 20, "D": 0}))

    assert hidden(result) == {race("C"), race("D")}
    result = run(counts(100, {"A": 45, "B": 25, "C": 25, "D": 5}))

    assert hidden(result) == {race("B"), race("D")}


def test_zero_cells_are_hidden_and_cannot_be_read_from_a_zero_remainder():
    # 60 - 25 - 35 = 0: if only the two zeros were hidden, anyone could tell both are
    # zero (counts are never negative). So a non-zero group is hidden with them.
    result = run(counts(60, {"A": 0, "B": 0, "C": 25, "D": 35}))

    assert hidden(result) == {race("A"), race("B"), race("C")}
    assert result[race("A")].reason is Reason.SMALL_COUNT
    assert result[race("C")].reason is Reason.COMPLEMENTARY


def test_a_single_zero_beside_one_other_group_hides_that_group():
    result = run(counts(50, {"A": 0, "B": 50}))

    assert hidden(result) == {race("A"), race("B")}
    assert result[()].value == 50


def test_two_breakdowns_of_the_same_total_are_each_protected():
    cells = counts(100, {"A": 60, "B": 35, "C": 5}) + [
        Cell((("sex", "F"),), 45, is_count=True),
        Cell((("sex", "M"),), 55, is_count=True),
    ]
    result = run(cells)

    assert hidden(result) == {race("B"), race("C")}
    assert result[(("sex", "F"),)].value == 45


def test_cross_tabulation_hides_a_cycle_and_keeps_the_margins():
    #        F    M   total
    # A     20    4     24
    # B     30   40     70
    # total 50   44     94
    table = {("A", "F"): 20, ("A", "M"): 4, ("B", "F"): 30, ("B", "M"): 40}
    cells = [Cell((), 94, is_count=True)]
    cells += [
        Cell(race(r), sum(v for k, v in table.items() if k[0] == r), is_count=True) for r in "AB"
    ]
    cells += [
        Cell((("sex", s),), sum(v for k, v in table.items() if k[1] == s), is_count=True)
        for s in "FM"
    ]
    cells += [
        Cell(disaggregation_key({"race": r, "sex": s}), v, is_count=True)
        for (r, s), v in table.items()
    ]
    result = run(cells)

    interior = {disaggregation_key({"race": r, "sex": s}) for r, s in table}
    assert hidden(result) == interior
    assert all(result[k].value is not None for k in [(), race("A"), race("B")])


def test_a_combination_of_relations_is_protected_against_too():
    # x + y, y + z and x + z are all shown: no relation has a single hidden cell, but
    # (s1 - s2 + s3) / 2 = x. One of the sums has to go.
    cells = [
        Cell("x", 8, is_count=True),
        Cell("y", 7, is_count=True),
        Cell("z", 6, is_count=True),
        Cell("s1", 15, is_count=True),
        Cell("s2", 13, is_count=True),
        Cell("s3", 14, is_count=True),
    ]
    relations = [
        Relation("s1", ("x", "y")),
        Relation("s2", ("y", "z")),
        Relation("s3", ("x", "z")),
    ]
    order = {c.key: i for i, c in enumerate(cells)}
    assert set(_pinned(relations, dict.fromkeys("xyz", Reason.SMALL_COUNT), order)) == {
        "x",
        "y",
        "z",
    }

    result = suppress(cells, relations, threshold=11)

    # The smaller of the two sums that x is in goes.
    assert hidden(result) == {"x", "y", "z", "s3"}
    assert result["s3"].reason is Reason.COMPLEMENTARY
    assert _pinned(relations, {k: Reason.SMALL_COUNT for k in hidden(result)}, order) == []


def crosstab(table, rows, cols):
    cells = [Cell((), sum(table.values()), is_count=True)]
    cells += [
        Cell(race(f"r{r}"), sum(table[r, c] for c in range(cols)), is_count=True)
        for r in range(rows)
    ]
    cells += [
        Cell((("sex", f"s{c}"),), sum(table[r, c] for r in range(rows)), is_count=True)
        for c in range(cols)
    ]
    cells += [
        Cell(disaggregation_key({"race": f"r{r}", "sex": f"s{c}"}), v, is_count=True)
        for (r, c), v in table.items()
    ]
    return cells


def test_a_cell_bridging_two_hidden_blocks_of_a_cross_tabulation_is_protected():
    # Two 2x2 blocks of small cells and one small cell joining them: every row and
    # column has two or more hidden cells, yet rows 0 and 1 and columns 0 and 1
    # together give the joining cell back. Only the elimination step sees it.
    small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
    table = {(r, c): (5 if (r, c) in small else 30) for r in range(4) for c in range(4)}
    cells = crosstab(table, 4, 4)
    relations = disaggregation_relations(c.key for c in cells)
    order = {c.key: i for i, c in enumerate(cells)}
    bridge = disaggregation_key({"race": "r1", "sex": "s2"})
    primary = {
        disaggregation_key({"race": f"r{r}", "sex": f"s{c}"}): Reason.SMALL_COUNT for r, c in small
    }
    assert bridge in _pinned(relations, primary, order)

    result = suppress(cells, relations, threshold=11)

    assert set(primary) < hidden(result)
    assert _pinned(relations, {k: Reason.SMALL_COUNT for k in hidden(result)}, order) == []
    assert attack(cells, relations, result) == set()
    assert result[()].value == sum(table.values())


# --- rates and other measures -----------------------------------------------------------


def rate(key, numerator, denominator):
    return Cell(key, Decimal(100) * numerator / denominator, numerator, denominator)


def test_a_rate_on_a_small_denominator_is_hidden():
    result = suppress([rate((), 4, 9)], threshold=11)

    assert result[()].hidden
    assert result[()].reason is Reason.SMALL_DENOMINATOR
    assert (result[()].value, result[()].numerator, result[()].denominator) == (None, None, None)


def test_a_rate_with_a_small_numerator_or_complement_is_hidden():
    # 3 of 200 gives the 3 back; 198 of 200 gives the 2 without the outcome back.
    result = suppress(
        [rate("low", 3, 200), rate("high", 198, 200), rate("fine", 50, 200)], threshold=11
    )

    assert result["low"].reason is Reason.SMALL_COUNT
    assert result["high"].reason is Reason.SMALL_COUNT
    assert not result["fine"].hidden
    assert result["fine"].numerator == 50


def test_a_rate_breakdown_protects_numerators_and_denominators():
    # Group C's denominator is 8: hidden; 400 - 362 - 30 would give it back, so the
    # next smallest group (B) goes too, and with it B's numerator.
    cells = [
        rate((), 60, 400),
        rate(race("A"), 40, 362),
        rate(race("B"), 15, 30),
        rate(race("C"), 5, 8),
    ]
    result = run(cells)

    assert hidden(result) == {race("B"), race("C")}
    assert result[race("C")].reason is Reason.SMALL_DENOMINATOR
    assert result[race("B")].reason is Reason.COMPLEMENTARY


def test_a_measure_is_judged_by_its_number_of_people():
    result = suppress(
        [
            Cell("few", Decimal("41.5"), denominator=8),
            Cell("many", Decimal("37"), denominator=80),
            Cell("unknown", Decimal("12")),
        ],
        threshold=11,
    )

    assert result["few"].reason is Reason.SMALL_DENOMINATOR
    assert not result["many"].hidden
    assert not result["unknown"].hidden


def test_relations_over_cells_with_nothing_to_add_are_ignored():
    cells = [Cell("t", Decimal("30")), Cell("a", Decimal("10")), Cell("b", Decimal("20"))]

    result = suppress(cells, [Relation("t", ("a", "b"))], threshold=11)

    assert hidden(result) == set()


# --- the owner --------------------------------------------------------------------------


def test_the_owner_sees_exact_values_and_what_others_will_not():
    result = run(counts(120, {"A": 50, "B": 65, "C": 5}), reveal=True)

    assert result.revealed
    assert hidden(result) == set()
    assert result[race("C")].value == 5
    assert result[race("C")].protected
    assert result[race("C")].reason is Reason.SMALL_COUNT
    assert result[race("A")].value == 50
    assert result[race("A")].reason is Reason.COMPLEMENTARY
    assert set(result.protected_keys) == {race("A"), race("C")}
    assert not result[()].protected


def test_others_receive_no_number_for_a_hidden_cell():
    result = run([rate((), 60, 400), rate(race("A"), 55, 392), rate(race("B"), 5, 8)])

    for cell in result:
        if cell.hidden:
            assert (cell.value, cell.numerator, cell.denominator) == (None, None, None)
    assert result.any_protected


# --- building relations, validation -------------------------------------------------------


def test_disaggregation_relations_cover_totals_breakdowns_and_cross_tabulations():
    keys = [
        (),
        race("A"),
        race("B"),
        (("sex", "F"),),
        disaggregation_key({"race": "A", "sex": "F"}),
        disaggregation_key({"sex": "M", "race": "A"}),
    ]

    relations = disaggregation_relations(keys)

    assert Relation((), (race("A"), race("B"))) in relations
    assert Relation((), ((("sex", "F"),),)) in relations
    assert (
        Relation(
            race("A"),
            (
                disaggregation_key({"race": "A", "sex": "F"}),
                disaggregation_key({"race": "A", "sex": "M"}),
            ),
        )
        in relations
    )
    assert Relation((("sex", "F"),), (disaggregation_key({"race": "A", "sex": "F"}),)) in relations
    assert len(relations) == 4
    assert disaggregation_key({"sex": "M", "race": "A"}) == (("race", "A"), ("sex", "M"))


@pytest.mark.parametrize(
    ("cells", "relations", "threshold", "message"),
    [
        ([Cell("a", 5, is_count=True)], [], 0, "at least 1"),
        ([Cell("a", 5, is_count=True), Cell("a", 6, is_count=True)], [], 11, "twice"),
        ([Cell("a", 5, is_count=True)], [Relation("a", ("b",))], 11, "not in the table"),
        ([Cell("a", 5, is_count=True)], [Relation("a", ())], 11, "no parts"),
        ([Cell("a", 5, is_count=True)], [Relation("a", ("a",))], 11, "twice"),
        ([Cell("a", -1, is_count=True)], [], 11, "whole number"),
        ([Cell("a", Decimal("2.5"), is_count=True)], [], 11, "whole number"),
        ([Cell("a", 5, numerator=-1, denominator=5)], [], 11, "negative"),
    ],
)
def test_bad_tables_are_refused_with_a_plain_message(cells, relations, threshold, message):
    with pytest.raises(ValueError, match=message):
        suppress(cells, relations, threshold=threshold)


# --- property: nothing hidden can be worked out ------------------------------------------


def attack(cells, relations, result, own=()):
    """What someone holding every shown figure can work out by subtraction, repeated
    until nothing new comes out: a relation with one unknown gives it; a relation whose
    known figures already add up leaves zero for each unknown part (counts are never
    negative). Works on each quantity (count, numerator, denominator, complement)."""
    truth = {c.key: c.quantities() for c in cells}
    recovered = set()
    for kind in ("count", "numerator", "denominator", "complement"):
        known = {c.key: truth[c.key][kind] for c in result if not c.hidden and kind in truth[c.key]}
        active = [r for r in relations if all(kind in truth[k] for k in r.keys)]
        changed = True
        while changed:
            changed = False
            for r in active:
                unknown = [k for k in r.keys if k not in known]
                if len(unknown) == 1:
                    (key,) = unknown
                    total = known.get(r.total)
                    if key == r.total:
                        known[key] = sum(known[p] for p in r.parts)
                    else:
                        known[key] = total - sum(known[p] for p in r.parts if p != key)
                    changed = True
                elif unknown and r.total in known:
                    rest = known[r.total] - sum(known[p] for p in r.parts if p in known)
                    if rest == 0:
                        for key in unknown:
                            known[key] = 0
                        changed = True
        for key, value in known.items():
            assert value == truth[key][kind], "the attacker's arithmetic must be right"
            if result[key].protected and key not in own:
                recovered.add(key)
    return recovered


group_counts = st.lists(st.integers(0, 60), min_size=1, max_size=6)


@st.composite
def one_way(draw):
    groups = draw(group_counts)
    cells = counts(sum(groups), {f"g{i}": v for i, v in enumerate(groups)})
    return cells


@st.composite
def two_way(draw):
    rows = draw(st.integers(1, 5))
    cols = draw(st.integers(1, 5))
    table = {(r, c): draw(st.integers(0, 40)) for r in range(rows) for c in range(cols)}
    return crosstab(table, rows, cols)


@st.composite
def rate_breakdown(draw):
    n = draw(st.integers(1, 5))
    denominators = [draw(st.integers(0, 80)) for _ in range(n)]
    numerators = [draw(st.integers(0, d)) for d in denominators]
    cells = [Cell((), None, sum(numerators), sum(denominators))]
    cells += [Cell(race(f"g{i}"), None, numerators[i], denominators[i]) for i in range(n)]
    return cells


tables = st.one_of(one_way(), two_way(), rate_breakdown())


@PROPERTY
@given(tables, st.integers(1, 20))
def test_no_hidden_cell_can_be_worked_out_from_what_is_shown(cells, threshold):
    relations = disaggregation_relations(c.key for c in cells)

    result = suppress(cells, relations, threshold=threshold)

    assert attack(cells, relations, result) == set()
    assert result.unresolved == ()
    order = {c.key: i for i, c in enumerate(cells)}
    assert _pinned(relations, {k: Reason.SMALL_COUNT for k in hidden(result)}, order) == []
    for cell in cells:
        published = result[cell.key]
        if any(q < threshold for q in cell.quantities().values()):
            assert published.hidden
        if published.hidden:
            assert (published.value, published.numerator, published.denominator) == (
                None,
                None,
                None,
            )
        else:
            assert (published.value, published.numerator, published.denominator) == (
                cell.value,
                cell.numerator,
                cell.denominator,
            )


@PROPERTY
@given(tables, st.integers(1, 20))
def test_the_owner_gets_every_value_and_the_same_protection(cells, threshold):
    relations = disaggregation_relations(c.key for c in cells)

    others = suppress(cells, relations, threshold=threshold)
    owner = suppress(cells, relations, threshold=threshold, reveal=True)

    assert [c.value for c in owner] == [c.value for c in cells]
    assert not any(c.hidden for c in owner)
    assert {c.key: c.reason for c in owner} == {c.key: c.reason for c in others}


@PROPERTY
@given(tables, st.integers(1, 20), st.data())
def test_a_viewer_who_owns_some_cells_cannot_work_out_anyone_elses(cells, threshold, data):
    relations = disaggregation_relations(c.key for c in cells)
    own = data.draw(st.sets(st.sampled_from([c.key for c in cells])))

    result = suppress(cells, relations, threshold=threshold, known=own)

    # Only what the viewer's own cells pin down by themselves (a total they own with a
    # single part they do not) can come out, and it is reported as unresolved.
    assert attack(cells, relations, result, own=own) <= set(result.unresolved)
    for key in own:
        assert not result[key].hidden
        assert result[key].value == next(c.value for c in cells if c.key == key)


@st.composite
def organizations(draw):
    """Several organizations' breakdowns of the same figure, and the combined one."""
    orgs = [f"org{i}" for i in range(draw(st.integers(1, 3)))]
    groups = [f"g{i}" for i in range(draw(st.integers(1, 4)))]
    values = {(o, g): draw(st.integers(0, 40)) for o in orgs for g in groups}
    cells, relations = [], []
    for owner in [*orgs, "combined"]:
        members = orgs if owner == "combined" else [owner]
        cells.append(
            Cell((owner, ()), sum(values[o, g] for o in members for g in groups), is_count=True)
        )
        cells += [
            Cell((owner, race(g)), sum(values[o, g] for o in members), is_count=True)
            for g in groups
        ]
        relations.append(Relation((owner, ()), tuple((owner, race(g)) for g in groups)))
    relations += [
        Relation(("combined", key), tuple((o, key) for o in orgs))
        for key in [(), *(race(g) for g in groups)]
    ]
    return cells, relations, orgs


@PROPERTY
@given(organizations(), st.integers(1, 20), st.data())
def test_an_organization_beside_the_combined_figures_learns_nothing_of_the_others(
    table, threshold, data
):
    cells, relations, orgs = table
    mine = data.draw(st.sampled_from([None, *orgs]))
    own = {c.key for c in cells if c.key[0] == mine}

    result = suppress(cells, relations, threshold=threshold, known=own)

    # With a single organization, the combined figures are its own figures again.
    only_mine = {c.key for c in cells if c.key[0] == "combined"} if orgs == [mine] else set()
    assert attack(cells, relations, result, own=own) - only_mine == set()
    assert set(result.unresolved) <= only_mine
    assert all(not result[key].hidden for key in own)


def test_an_owner_beside_the_combined_figure_does_not_get_the_other_organization_back():
    # Combined 50 = ours 45 + theirs 5. Others see neither 45 nor 5 (complementary).
    # We see our 45 exactly, so the combined 50 must go, or 50 - 45 gives their 5.
    cells = [
        Cell("combined", 50, is_count=True),
        Cell("ours", 45, is_count=True),
        Cell("theirs", 5, is_count=True),
    ]
    relations = [Relation("combined", ("ours", "theirs"))]

    public = suppress(cells, relations, threshold=11)
    ours = suppress(cells, relations, threshold=11, known={"ours"})

    assert hidden(public) == {"ours", "theirs"}
    assert public["combined"].value == 50
    assert hidden(ours) == {"combined", "theirs"}
    assert ours["ours"].value == 45
    assert ours["ours"].reason is Reason.COMPLEMENTARY
    assert ours["combined"].reason is Reason.COMPLEMENTARY


def test_the_attack_does_find_cells_that_only_primary_suppression_leaves_open():
    # Without complementary suppression, the attacker gets the 5 back from 120 - 50 - 65.
    cells = counts(120, {"A": 50, "B": 65, "C": 5})
    relations = disaggregation_relations(c.key for c in cells)
    primary_only = suppress(cells, [], threshold=11)

    assert attack(cells, relations, primary_only) == {race("C")}


def test_when_the_viewers_own_figure_fills_the_total_the_total_goes():
    # Combined 20 = ours 20 + theirs 0 + another 0. Others see neither zero (and 20 with
    # two hidden zeros is safe for them). We know our 20: with the total shown, the
    # others would be read as 0 + 0, so the total is hidden from us.
    cells = [
        Cell("combined", 20, is_count=True),
        Cell("ours", 20, is_count=True),
        Cell("theirs", 0, is_count=True),
        Cell("another", 0, is_count=True),
    ]
    relations = [Relation("combined", ("ours", "theirs", "another"))]

    ours = suppress(cells, relations, threshold=11, known={"ours"})

    assert ours["ours"].value == 20
    assert hidden(ours) == {"combined", "theirs", "another"}


# --- a total and its parts ----------------------------------------------------------------


def test_parts_all_in_one_hide_both_and_keep_the_total():
    # 12 people, all 12 with lived experience: the 0 is hidden, and the 12 with it.
    result = suppress_parts(12, {"with": 12, "without": 0}, threshold=11)
    assert (result[TOTAL].value, result[TOTAL].hidden) == (12, False)
    assert result["without"].reason == Reason.SMALL_COUNT and result["without"].hidden
    assert result["with"].reason == Reason.COMPLEMENTARY and result["with"].hidden


def test_a_small_part_hides_its_complement():
    result = suppress_parts(40, {"with": 9, "without": 31}, threshold=11)
    assert hidden(result) == {"with", "without"}
    assert result["without"].reason == Reason.COMPLEMENTARY


def test_parts_large_enough_are_shown():
    result = suppress_parts(40, {"with": 20, "without": 20}, threshold=11)
    assert hidden(result) == set()


def test_a_known_total_comes_back_exact_and_its_parts_stay_safe():
    result = suppress_parts(5, {"with": 2, "without": 3}, threshold=11, known=[TOTAL])
    assert (result[TOTAL].value, result[TOTAL].hidden) == (5, False)
    assert result[TOTAL].protected
    assert hidden(result) == {"with", "without"}


def test_parts_must_add_up_to_the_total():
    with pytest.raises(ValueError, match="add up"):
        suppress_parts(10, {"with": 3, "without": 4}, threshold=11)
