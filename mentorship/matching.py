"""Matching mentors and mentees: pure functions over plain dataclasses, no database.

Hard constraints (a pair that breaks one is never suggested or proposed):
shared language, the mentee's gender preference when stated (and the mentor's), the
mentor's remaining capacity, an overlap in weekly availability, no recorded no-contact
conflict, and the mentor approved.

Soft score: five terms, each a value from 0 to 1, weighted by the program's weights;
the fit is ``100 × Σ weight·value / Σ weight``:

- ``key_areas``: the share of the mentee's needs the mentor can help with (1 if none
  are listed);
- ``lived_experience``: 1 when the mentee would like a mentor with lived experience and
  the mentor has it, ½ through a family member, 0 otherwise; 1 for everyone when the
  mentee has no such wish;
- ``distance``: ``max(0, 1 − km / scale)`` by the haversine formula when both have
  coordinates, else 1 for the same neighbourhood, 0 for different ones, ½ if unknown;
- ``interests``: Jaccard similarity of the two sets of interests (0 if both empty);
- ``age``: ``1 − |Δ age range| / 5`` when both are known, else ½.

For one mentee, ``suggest`` ranks the feasible mentors with every term explained. For a
whole waiting list, ``optimal_assignment`` maximises the total fit under capacities with
``scipy.optimize.linear_sum_assignment`` on an expanded cost matrix: each mentor appears
once per remaining place; a feasible pair costs ``−(fit + ε)``, an infeasible pair costs
0 — the same as leaving the mentee unmatched, and the largest cost in the matrix — and is
dropped after. Scoring is vectorised with numpy (``score_matrix``) in float32, so
2,000 mentees × 1,000 mentors takes about a second (bench/mentor_matching.py).
``greedy_assignment`` is the baseline the tests compare against.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]  # scipy ships no stubs

SLOTS_PER_DAY = 48  # half hours
WEEK_SLOTS = 7 * SLOTS_PER_DAY
AGE_STEPS = 5  # six age ranges: positions 0..5
EARTH_RADIUS_KM = 6371.0088
EPSILON = 1e-3  # a feasible pair with fit 0 still beats leaving the mentee unmatched

TERMS = ("key_areas", "lived_experience", "distance", "interests", "age")

# Hard-constraint codes, in the order they are checked and reported.
NOT_APPROVED = "not_approved"
NO_CAPACITY = "capacity"
NO_LANGUAGE = "language"
MENTEE_GENDER_PREFERENCE = "mentee_gender_preference"
MENTOR_GENDER_PREFERENCE = "mentor_gender_preference"
NO_AVAILABILITY = "availability"
NO_CONTACT = "no_contact"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def availability_mask(slots: Iterable[Sequence]) -> int:
    """Weekly availability ``[(weekday, "HH:MM", "HH:MM"), …]`` as a bit mask of the
    week's 336 half hours (bit ``weekday·48 + half_hour``)."""
    mask = 0
    for weekday, start, end in slots:
        first = _minutes(start) // 30
        last = -(-_minutes(end) // 30)  # ceil: a slot ending 18:15 covers 18:00–18:30
        for half_hour in range(first, min(last, SLOTS_PER_DAY)):
            mask |= 1 << (int(weekday) * SLOTS_PER_DAY + half_hour)
    return mask


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class MentorInfo:
    id: int
    approved: bool = True
    remaining: int = 1  # places left: capacity minus open matches
    languages: frozenset[str] = frozenset()
    gender: str = ""
    mentee_gender_preference: str = ""
    age: int | None = None  # position in AGE_RANGES
    neighbourhood: str = ""
    lat: float | None = None
    lon: float | None = None
    availability: int = 0  # availability_mask(...)
    key_areas: frozenset[int] = frozenset()
    interests: frozenset[str] = frozenset()
    lived_experience: str = ""  # "yes", "family", "no" or ""


@dataclass(frozen=True)
class MenteeInfo:
    id: int
    languages: frozenset[str] = frozenset()
    gender: str = ""
    gender_preference: str = ""
    age: int | None = None
    neighbourhood: str = ""
    lat: float | None = None
    lon: float | None = None
    availability: int = 0
    needs: frozenset[int] = frozenset()
    interests: frozenset[str] = frozenset()
    prefers_lived_experience: bool = False


@dataclass(frozen=True)
class Scoring:
    """The program's weights (any non-negative numbers) and its distance scale."""

    key_areas: float = 3.0
    lived_experience: float = 2.0
    distance: float = 2.0
    interests: float = 1.0
    age: float = 1.0
    distance_scale_km: float = 25.0

    @classmethod
    def from_weights(cls, weights: Mapping[str, float], distance_scale_km: float = 25.0):
        return cls(
            **{name: float(weights[name]) for name in TERMS if name in weights},
            distance_scale_km=float(distance_scale_km),
        )

    def weight(self, name: str) -> float:
        return float(getattr(self, name))

    @property
    def total_weight(self) -> float:
        return sum(self.weight(name) for name in TERMS)


@dataclass(frozen=True)
class Term:
    """One part of the fit: its weight, its value (0–1), the points it adds to the fit
    (0–100 in all), and the facts behind the value, for the explanation."""

    name: str
    weight: float
    value: float
    points: float
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    score: float
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Pair:
    mentee_id: int
    mentor_id: int
    score: float


def _norm(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w.strip().lower() for w in words if w.strip())


# One pair ---------------------------------------------------------------------------------


def hard_violations(
    mentor: MentorInfo, mentee: MenteeInfo, no_contacts: frozenset[tuple[int, int]] = frozenset()
) -> list[str]:
    """The hard constraints this pair breaks (empty: the pair is allowed)."""
    broken = []
    if not mentor.approved:
        broken.append(NOT_APPROVED)
    if mentor.remaining <= 0:
        broken.append(NO_CAPACITY)
    if not (mentor.languages & mentee.languages):
        broken.append(NO_LANGUAGE)
    if mentee.gender_preference and mentee.gender_preference != mentor.gender:
        broken.append(MENTEE_GENDER_PREFERENCE)
    if mentor.mentee_gender_preference and mentor.mentee_gender_preference != mentee.gender:
        broken.append(MENTOR_GENDER_PREFERENCE)
    if not (mentor.availability & mentee.availability):
        broken.append(NO_AVAILABILITY)
    if (mentor.id, mentee.id) in no_contacts:
        broken.append(NO_CONTACT)
    return broken


def _distance_value(mentor: MentorInfo, mentee: MenteeInfo, scale_km: float) -> tuple[float, dict]:
    if None not in (mentor.lat, mentor.lon, mentee.lat, mentee.lon):
        km = haversine_km(mentor.lat, mentor.lon, mentee.lat, mentee.lon)  # type: ignore[arg-type]
        return max(0.0, 1.0 - km / scale_km), {"km": round(km, 1)}
    a, b = mentor.neighbourhood.strip().lower(), mentee.neighbourhood.strip().lower()
    if a and b:
        return (1.0 if a == b else 0.0), {"same_neighbourhood": a == b}
    return 0.5, {"unknown": True}


def score_terms(mentor: MentorInfo, mentee: MenteeInfo, scoring: Scoring) -> list[Term]:
    """The five soft terms for one pair, each explained."""
    total = scoring.total_weight
    values: list[tuple[str, float, dict]] = []

    if mentee.needs:
        shared = mentor.key_areas & mentee.needs
        values.append(
            (
                "key_areas",
                len(shared) / len(mentee.needs),
                {"shared": sorted(shared), "needed": len(mentee.needs)},
            )
        )
    else:
        values.append(("key_areas", 1.0, {"no_needs": True}))

    if mentee.prefers_lived_experience:
        lived = {"yes": 1.0, "family": 0.5}.get(mentor.lived_experience, 0.0)
        values.append(
            ("lived_experience", lived, {"wanted": True, "mentor": mentor.lived_experience})
        )
    else:
        values.append(("lived_experience", 1.0, {"wanted": False}))

    distance, facts = _distance_value(mentor, mentee, scoring.distance_scale_km)
    values.append(("distance", distance, facts))

    a, b = _norm(mentor.interests), _norm(mentee.interests)
    union = a | b
    values.append(
        (
            "interests",
            len(a & b) / len(union) if union else 0.0,
            {"shared": sorted(a & b), "all": len(union)},
        )
    )

    if mentor.age is not None and mentee.age is not None:
        values.append(
            (
                "age",
                1.0 - abs(mentor.age - mentee.age) / AGE_STEPS,
                {"steps": abs(mentor.age - mentee.age)},
            )
        )
    else:
        values.append(("age", 0.5, {"unknown": True}))

    terms = []
    for name, value, facts in values:
        weight = scoring.weight(name)
        points = 100.0 * weight * value / total if total > 0 else 0.0
        terms.append(Term(name=name, weight=weight, value=value, points=points, facts=facts))
    return terms


def fit(mentor: MentorInfo, mentee: MenteeInfo, scoring: Scoring) -> float:
    """The fit of a pair, 0–100 (hard constraints not checked)."""
    return sum(t.points for t in score_terms(mentor, mentee, scoring))


def suggest(
    mentee: MenteeInfo,
    mentors: Iterable[MentorInfo],
    scoring: Scoring,
    no_contacts: frozenset[tuple[int, int]] = frozenset(),
    limit: int | None = None,
) -> list[Suggestion]:
    """Feasible mentors for one mentee, best fit first, each with its terms."""
    ranked = []
    for mentor in mentors:
        if hard_violations(mentor, mentee, no_contacts):
            continue
        terms = tuple(score_terms(mentor, mentee, scoring))
        ranked.append(Suggestion(mentor.id, sum(t.points for t in terms), terms))
    ranked.sort(key=lambda s: (-s.score, s.mentor_id))
    return ranked[:limit] if limit is not None else ranked


# The whole waiting list ------------------------------------------------------------------


def _everyone(
    mentees: Sequence[MenteeInfo], mentors: Sequence[MentorInfo]
) -> list[MenteeInfo | MentorInfo]:
    return [*mentees, *mentors]


def _multi_hot(rows: Sequence[frozenset], vocabulary: dict) -> NDArray[np.float32]:
    out = np.zeros((len(rows), max(1, len(vocabulary))), dtype=np.float32)
    for i, items in enumerate(rows):
        for item in items:
            out[i, vocabulary[item]] = 1.0
    return out


def _masks(rows: Sequence[int]) -> NDArray[np.float32]:
    raw = b"".join(m.to_bytes(WEEK_SLOTS // 8, "little") for m in rows)
    as_bytes = np.frombuffer(raw, dtype=np.uint8).reshape(len(rows), WEEK_SLOTS // 8)
    return np.unpackbits(as_bytes, axis=1, bitorder="little").astype(np.float32)


def _coords(
    people: Sequence[MenteeInfo] | Sequence[MentorInfo],
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.bool_]]:
    known = np.array([p.lat is not None and p.lon is not None for p in people], dtype=bool)
    lat = np.array([p.lat if p.lat is not None else 0.0 for p in people], dtype=np.float64)
    lon = np.array([p.lon if p.lon is not None else 0.0 for p in people], dtype=np.float64)
    return np.radians(lat).astype(np.float32), np.radians(lon).astype(np.float32), known


def _codes(values: list[str], vocabulary: dict[str, int]) -> NDArray[np.int16]:
    """Strings as small integers ("" is 0), so comparisons run in numpy, not Python."""
    return np.array([vocabulary.setdefault(v, len(vocabulary)) for v in values], dtype=np.int16)


def feasibility_matrix(
    mentees: Sequence[MenteeInfo],
    mentors: Sequence[MentorInfo],
    no_contacts: frozenset[tuple[int, int]] = frozenset(),
) -> NDArray[np.bool_]:
    """``[i, j]`` is True when mentee i and mentor j break no hard constraint."""
    languages = {
        code: k
        for k, code in enumerate(
            sorted({c for p in _everyone(mentees, mentors) for c in p.languages})
        )
    }
    ok = (
        _multi_hot([m.languages for m in mentees], languages)
        @ _multi_hot([m.languages for m in mentors], languages).T
        > 0
    )
    ok &= (
        _masks([m.availability for m in mentees]) @ _masks([m.availability for m in mentors]).T > 0
    )
    genders: dict[str, int] = {"": 0}
    mentee_pref = _codes([m.gender_preference for m in mentees], genders)[:, None]
    mentee_gender = _codes([m.gender for m in mentees], genders)[:, None]
    mentor_gender = _codes([m.gender for m in mentors], genders)[None, :]
    mentor_pref = _codes([m.mentee_gender_preference for m in mentors], genders)[None, :]
    ok &= (mentee_pref == 0) | (mentee_pref == mentor_gender)
    ok &= (mentor_pref == 0) | (mentor_pref == mentee_gender)
    ok &= np.array([m.approved and m.remaining > 0 for m in mentors], dtype=bool)[None, :]
    if no_contacts:
        row = {m.id: i for i, m in enumerate(mentees)}
        col = {m.id: j for j, m in enumerate(mentors)}
        for mentor_id, mentee_id in no_contacts:
            if mentee_id in row and mentor_id in col:
                ok[row[mentee_id], col[mentor_id]] = False
    return ok


def score_matrix(
    mentees: Sequence[MenteeInfo], mentors: Sequence[MentorInfo], scoring: Scoring
) -> NDArray[np.float32]:
    """The fit (0–100) of every mentee × mentor pair, vectorised in float32; equal to
    ``fit`` pair by pair (to float32 precision). Hard constraints are not applied here.
    Each term is added to the result as soon as it is computed, so at most a few
    mentee × mentor float32 arrays are alive at once."""
    n, m = len(mentees), len(mentors)
    total = scoring.total_weight
    score = np.zeros((n, m), dtype=np.float32)
    if total <= 0 or n == 0 or m == 0:
        return score

    def add(name: str, values: NDArray) -> None:
        weight = np.float32(100.0 * scoring.weight(name) / total)
        if weight:
            np.add(score, weight * values.astype(np.float32, copy=False), out=score)

    f32 = np.float32
    areas = {
        a: k
        for k, a in enumerate(
            sorted(
                {a for p in mentees for a in p.needs} | {a for p in mentors for a in p.key_areas}
            )
        )
    }
    needs = _multi_hot([p.needs for p in mentees], areas)
    need_count = needs.sum(axis=1)[:, None]
    shared_areas = needs @ _multi_hot([p.key_areas for p in mentors], areas).T
    add(
        "key_areas", np.where(need_count > 0, shared_areas / np.maximum(need_count, f32(1)), f32(1))
    )
    del shared_areas

    mentor_lived = np.array(
        [{"yes": 1.0, "family": 0.5}.get(p.lived_experience, 0.0) for p in mentors],
        dtype=np.float32,
    )[None, :]
    wants = np.array([p.prefers_lived_experience for p in mentees], dtype=bool)[:, None]
    add("lived_experience", np.where(wants, mentor_lived, f32(1)))

    lat1, lon1, known1 = _coords(mentees)
    lat2, lon2, known2 = _coords(mentors)
    half = np.sin((lat2[None, :] - lat1[:, None]) / 2) ** 2
    half += (
        np.cos(lat1)[:, None]
        * np.cos(lat2)[None, :]
        * np.sin((lon2[None, :] - lon1[:, None]) / 2) ** 2
    )
    np.sqrt(half, out=half)
    np.minimum(half, f32(1), out=half)
    np.arcsin(half, out=half)
    half *= f32(2 * EARTH_RADIUS_KM / scoring.distance_scale_km)  # now distance / scale
    by_km = np.maximum(f32(0), f32(1) - half)
    del half
    hoods = {
        h: k + 1
        for k, h in enumerate(
            sorted({p.neighbourhood.strip().lower() for p in _everyone(mentees, mentors)} - {""})
        )
    }
    hood1 = np.array([hoods.get(p.neighbourhood.strip().lower(), 0) for p in mentees])[:, None]
    hood2 = np.array([hoods.get(p.neighbourhood.strip().lower(), 0) for p in mentors])[None, :]
    by_hood = np.where((hood1 > 0) & (hood2 > 0), (hood1 == hood2).astype(np.float32), f32(0.5))
    add("distance", np.where(known1[:, None] & known2[None, :], by_km, by_hood))
    del by_km, by_hood

    words = {
        w: k
        for k, w in enumerate(
            sorted({w for p in _everyone(mentees, mentors) for w in _norm(p.interests)})
        )
    }
    ia = _multi_hot([_norm(p.interests) for p in mentees], words)
    ib = _multi_hot([_norm(p.interests) for p in mentors], words)
    inter = ia @ ib.T
    union = ia.sum(axis=1)[:, None] + ib.sum(axis=1)[None, :] - inter
    add("interests", np.divide(inter, union, out=np.zeros_like(inter), where=union > 0))
    del inter, union

    age1 = np.array([p.age if p.age is not None else -1 for p in mentees], dtype=np.int8)[:, None]
    age2 = np.array([p.age if p.age is not None else -1 for p in mentors], dtype=np.int8)[None, :]
    steps = np.abs(age1 - age2).astype(np.float32)
    add("age", np.where((age1 >= 0) & (age2 >= 0), f32(1) - steps / f32(AGE_STEPS), f32(0.5)))
    return score


def optimal_assignment(
    mentees: Sequence[MenteeInfo],
    mentors: Sequence[MentorInfo],
    scoring: Scoring,
    no_contacts: frozenset[tuple[int, int]] = frozenset(),
) -> list[Pair]:
    """The assignment with the greatest total fit, each mentor taking at most their
    remaining places, every pair feasible. Mentees left out have no feasible place (or
    giving them one would lower the total)."""
    if not mentees or not mentors:
        return []
    scores = score_matrix(mentees, mentors, scoring)
    feasible = feasibility_matrix(mentees, mentors, no_contacts)
    places = np.array([max(0, m.remaining) if m.approved else 0 for m in mentors], dtype=np.int64)
    # Only mentors some mentee could take, each repeated once per place, and never more
    # places per mentor than there are mentees who could use them.
    useful = feasible.any(axis=0) & (places > 0)
    places = np.minimum(places, feasible.sum(axis=0))
    columns = np.repeat(np.flatnonzero(useful), places[useful])
    if columns.size == 0:
        return []
    cost = np.where(
        feasible[:, columns], -(scores[:, columns] + np.float32(EPSILON)), np.float32(0.0)
    ).astype(np.float32)
    rows, cols = linear_sum_assignment(cost)
    pairs = []
    for i, c in zip(rows.tolist(), cols.tolist(), strict=True):
        j = int(columns[c])
        if feasible[i, j]:
            pairs.append(Pair(mentees[i].id, mentors[j].id, float(scores[i, j])))
    pairs.sort(key=lambda p: (-p.score, p.mentee_id))
    return pairs


def greedy_assignment(
    mentees: Sequence[MenteeInfo],
    mentors: Sequence[MentorInfo],
    scoring: Scoring,
    no_contacts: frozenset[tuple[int, int]] = frozenset(),
) -> list[Pair]:
    """Best pair first, then the next best still possible: the baseline, not optimal."""
    candidates = [
        (fit(mentor, mentee, scoring), mentee.id, mentor.id)
        for mentee in mentees
        for mentor in mentors
        if not hard_violations(mentor, mentee, no_contacts)
    ]
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    left = {m.id: m.remaining for m in mentors}
    matched: set[int] = set()
    pairs = []
    for score, mentee_id, mentor_id in candidates:
        if mentee_id in matched or left[mentor_id] <= 0:
            continue
        matched.add(mentee_id)
        left[mentor_id] -= 1
        pairs.append(Pair(mentee_id, mentor_id, score))
    return pairs


def total_fit(pairs: Iterable[Pair]) -> float:
    return sum(p.score for p in pairs)
