"""The matching engine on hand-built cases, and properties over random ones."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorship import matching
from mentorship.matching import (
    MenteeInfo,
    MentorInfo,
    Scoring,
    availability_mask,
    feasibility_matrix,
    fit,
    greedy_assignment,
    hard_violations,
    optimal_assignment,
    score_matrix,
    score_terms,
    suggest,
    total_fit,
)

MON_EVE = availability_mask([(0, "18:00", "20:00")])
TUE_AM = availability_mask([(1, "09:00", "12:00")])
EVEN = Scoring(key_areas=1, lived_experience=0, distance=0, interests=0, age=0)


def mentor(id, **kw):
    kw.setdefault("languages", frozenset({"en"}))
    kw.setdefault("availability", MON_EVE)
    return MentorInfo(id=id, **kw)


def mentee(id, **kw):
    kw.setdefault("languages", frozenset({"en"}))
    kw.setdefault("availability", MON_EVE)
    return MenteeInfo(id=id, **kw)


# Availability ------------------------------------------------------------------------------


def test_availability_mask_counts_half_hours():
    assert bin(availability_mask([(0, "18:00", "20:00")])).count("1") == 4
    assert availability_mask([(6, "23:30", "24:00")]) == 1 << (6 * 48 + 47)


def test_touching_slots_do_not_overlap():
    a = availability_mask([(0, "18:00", "19:00")])
    b = availability_mask([(0, "19:00", "20:00")])
    assert a & b == 0
    assert availability_mask([(0, "18:30", "19:30")]) & a


# Hard constraints --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentor_kw", "mentee_kw", "code"),
    [
        ({"approved": False}, {}, matching.NOT_APPROVED),
        ({"remaining": 0}, {}, matching.NO_CAPACITY),
        ({"languages": frozenset({"es"})}, {}, matching.NO_LANGUAGE),
        ({"gender": "man"}, {"gender_preference": "woman"}, matching.MENTEE_GENDER_PREFERENCE),
        ({"gender": ""}, {"gender_preference": "woman"}, matching.MENTEE_GENDER_PREFERENCE),
        (
            {"mentee_gender_preference": "man"},
            {"gender": "woman"},
            matching.MENTOR_GENDER_PREFERENCE,
        ),
        ({"availability": TUE_AM}, {}, matching.NO_AVAILABILITY),
    ],
)
def test_each_hard_constraint(mentor_kw, mentee_kw, code):
    assert hard_violations(mentor(1, **mentor_kw), mentee(2, **mentee_kw)) == [code]


def test_no_contact_is_a_hard_constraint():
    assert hard_violations(mentor(1), mentee(2), frozenset({(1, 2)})) == [matching.NO_CONTACT]
    assert hard_violations(mentor(1), mentee(2), frozenset({(2, 1)})) == []


def test_gender_preference_met_and_unstated():
    assert hard_violations(mentor(1, gender="woman"), mentee(2, gender_preference="woman")) == []
    assert hard_violations(mentor(1, gender="man"), mentee(2)) == []


# Soft scores -------------------------------------------------------------------------------


def test_terms_on_a_worked_example():
    a = mentor(
        1,
        key_areas=frozenset({10, 11}),
        interests=frozenset({"Music", "cooking"}),
        lived_experience="family",
        age=2,
        neighbourhood="Northside",
    )
    b = mentee(
        2,
        needs=frozenset({10, 12}),
        interests=frozenset({"music", "chess"}),
        prefers_lived_experience=True,
        age=0,
        neighbourhood="northside ",
    )
    terms = {t.name: t for t in score_terms(a, b, Scoring())}
    assert terms["key_areas"].value == 0.5
    assert terms["lived_experience"].value == 0.5
    assert terms["distance"].value == 1.0
    assert terms["interests"].value == pytest.approx(1 / 3)
    assert terms["age"].value == pytest.approx(1 - 2 / 5)
    # weights 3, 2, 2, 1, 1 (total 9)
    expected = 100 * (3 * 0.5 + 2 * 0.5 + 2 * 1 + 1 / 3 + 0.6) / 9
    assert fit(a, b, Scoring()) == pytest.approx(expected)
    assert sum(t.points for t in terms.values()) == pytest.approx(expected)


def test_distance_by_coordinates():
    # About 11.1 km: 0.1 degree of latitude.
    a = mentor(1, lat=41.9, lon=-91.6)
    b = mentee(2, lat=42.0, lon=-91.6)
    term = next(t for t in score_terms(a, b, Scoring(distance_scale_km=25)) if t.name == "distance")
    assert term.facts["km"] == pytest.approx(11.1, abs=0.1)
    assert term.value == pytest.approx(1 - 11.12 / 25, abs=0.01)
    far = mentee(3, lat=43.0, lon=-91.6)
    assert next(t for t in score_terms(a, far, Scoring()) if t.name == "distance").value == 0


def test_unknown_neighbourhood_scores_half():
    term = next(
        t
        for t in score_terms(mentor(1), mentee(2, neighbourhood=""), Scoring())
        if t.name == "distance"
    )
    assert term.value == 0.5


def test_zero_weights_give_zero_fit():
    zero = Scoring(key_areas=0, lived_experience=0, distance=0, interests=0, age=0)
    assert fit(mentor(1), mentee(2), zero) == 0


# Suggestions -------------------------------------------------------------------------------


def test_suggestions_rank_by_fit_and_skip_infeasible():
    b = mentee(1, needs=frozenset({1, 2}))
    mentors = [
        mentor(10, key_areas=frozenset({1})),
        mentor(11, key_areas=frozenset({1, 2})),
        mentor(12, key_areas=frozenset({1, 2}), languages=frozenset({"es"})),
        mentor(13),
    ]
    ranked = suggest(b, mentors, EVEN)
    assert [s.mentor_id for s in ranked] == [11, 10, 13]
    assert [round(s.score) for s in ranked] == [100, 50, 0]
    assert {t.name for t in ranked[0].terms} == set(matching.TERMS)


# Assignment --------------------------------------------------------------------------------


def test_greedy_is_strictly_worse_on_this_case():
    """A's best mentor is X, but only A can use Y and only X suits B: greedy takes A–X
    and leaves B alone; the optimum gives A Y and B X."""
    a = mentee(1, needs=frozenset({1, 2, 3, 4, 5}))
    b = mentee(2, needs=frozenset({1, 2, 3, 4, 5}), availability=TUE_AM)
    x = mentor(10, key_areas=frozenset({1, 2, 3, 4, 5}), availability=MON_EVE | TUE_AM)
    y = mentor(11, key_areas=frozenset({1, 2, 3, 4}))
    z_only_tuesday = mentor(12, availability=TUE_AM, languages=frozenset({"es"}))
    mentees, mentors = [a, b], [x, y, z_only_tuesday]
    greedy = greedy_assignment(mentees, mentors, EVEN)
    best = optimal_assignment(mentees, mentors, EVEN)
    assert {(p.mentee_id, p.mentor_id) for p in greedy} == {(1, 10)}
    assert {(p.mentee_id, p.mentor_id) for p in best} == {(1, 11), (2, 10)}
    assert total_fit(best) > total_fit(greedy)
    assert total_fit(best) == pytest.approx(180)


def test_a_mentee_without_a_feasible_mentor_is_left_out():
    b_spanish = mentee(2, languages=frozenset({"es"}))
    assert optimal_assignment([b_spanish], [mentor(10)], EVEN) == []


def test_capacity_repeats_a_mentor():
    mentees = [mentee(i) for i in range(4)]
    pairs = optimal_assignment(mentees, [mentor(10, remaining=3)], EVEN)
    assert len(pairs) == 3
    assert {p.mentor_id for p in pairs} == {10}


def test_no_contact_and_unapproved_are_never_assigned():
    pairs = optimal_assignment(
        [mentee(1), mentee(2)],
        [mentor(10), mentor(11, approved=False)],
        EVEN,
        no_contacts=frozenset({(10, 1)}),
    )
    assert [(p.mentee_id, p.mentor_id) for p in pairs] == [(2, 10)]


def test_empty_inputs():
    assert optimal_assignment([], [mentor(1)], EVEN) == []
    assert optimal_assignment([mentee(1)], [], EVEN) == []


# Properties over random worlds -------------------------------------------------------------

LANGS = st.frozensets(st.sampled_from(["en", "es", "ar"]), min_size=1, max_size=2)
SLOTS = st.sampled_from([MON_EVE, TUE_AM, MON_EVE | TUE_AM])
AREAS = st.frozensets(st.integers(1, 5), max_size=3)
WORDS = st.frozensets(st.sampled_from(["music", "chess", "food", "art"]), max_size=3)
GENDER = st.sampled_from(["", "woman", "man"])
COORD = st.one_of(st.none(), st.floats(41.5, 42.5))


@st.composite
def mentors_st(draw, n):
    out = []
    for i in range(n):
        lat = draw(COORD)
        out.append(
            MentorInfo(
                id=100 + i,
                approved=draw(st.booleans()) or draw(st.booleans()),
                remaining=draw(st.integers(0, 3)),
                languages=draw(LANGS),
                gender=draw(GENDER),
                mentee_gender_preference=draw(st.sampled_from(["", "", "woman"])),
                age=draw(st.one_of(st.none(), st.integers(0, 5))),
                neighbourhood=draw(st.sampled_from(["", "north", "south"])),
                lat=lat,
                lon=-91.6 if lat is not None else None,
                availability=draw(SLOTS),
                key_areas=draw(AREAS),
                interests=draw(WORDS),
                lived_experience=draw(st.sampled_from(["", "yes", "family", "no"])),
            )
        )
    return out


@st.composite
def mentees_st(draw, n):
    out = []
    for i in range(n):
        lat = draw(COORD)
        out.append(
            MenteeInfo(
                id=i,
                languages=draw(LANGS),
                gender=draw(GENDER),
                gender_preference=draw(st.sampled_from(["", "", "woman", "man"])),
                age=draw(st.one_of(st.none(), st.integers(0, 5))),
                neighbourhood=draw(st.sampled_from(["", "north", "south"])),
                lat=lat,
                lon=-91.6 if lat is not None else None,
                availability=draw(SLOTS),
                needs=draw(AREAS),
                interests=draw(WORDS),
                prefers_lived_experience=draw(st.booleans()),
            )
        )
    return out


@st.composite
def worlds(draw):
    mentees = draw(mentees_st(draw(st.integers(0, 9))))
    mentors = draw(mentors_st(draw(st.integers(0, 6))))
    no_contacts = frozenset(
        (m.id, e.id) for m in mentors for e in mentees if draw(st.integers(0, 9)) == 0
    )
    scoring = Scoring(
        key_areas=draw(st.integers(0, 5)),
        lived_experience=draw(st.integers(0, 5)),
        distance=draw(st.integers(0, 5)),
        interests=draw(st.integers(0, 5)),
        age=draw(st.integers(0, 5)),
    )
    return mentees, mentors, no_contacts, scoring


@settings(max_examples=150, deadline=None)
@given(worlds())
def test_optimal_never_breaks_a_hard_constraint_and_beats_greedy(world):
    mentees, mentors, no_contacts, scoring = world
    best = optimal_assignment(mentees, mentors, scoring, no_contacts)
    greedy = greedy_assignment(mentees, mentors, scoring, no_contacts)
    by_id = {m.id: m for m in mentors}
    mentee_by_id = {m.id: m for m in mentees}
    used: dict[int, int] = {}
    for pair in best:
        assert (
            hard_violations(by_id[pair.mentor_id], mentee_by_id[pair.mentee_id], no_contacts) == []
        )
        used[pair.mentor_id] = used.get(pair.mentor_id, 0) + 1
    for mentor_id, n in used.items():
        assert n <= by_id[mentor_id].remaining
    assert len({p.mentee_id for p in best}) == len(best)
    assert total_fit(best) >= total_fit(greedy) - 1e-3 * max(1, len(best))


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_vectorised_scores_equal_the_pure_ones(world):
    mentees, mentors, no_contacts, scoring = world
    scores = score_matrix(mentees, mentors, scoring)
    feasible = feasibility_matrix(mentees, mentors, no_contacts)
    for i, b in enumerate(mentees):
        for j, a in enumerate(mentors):
            assert scores[i, j] == pytest.approx(fit(a, b, scoring), rel=1e-4, abs=1e-3)
            assert bool(feasible[i, j]) == (not hard_violations(a, b, no_contacts))


def test_score_matrix_is_float32_and_bounded():
    scores = score_matrix([mentee(1), mentee(2)], [mentor(3)], Scoring())
    assert scores.dtype == np.float32
    assert np.all(scores >= 0) and np.all(scores <= 100.0001)
    assert not math.isnan(float(scores.sum()))
