"""Benchmark: matching a whole waiting list — 2,000 mentees × 1,000 mentors (capacities 1–3).

    .venv/bin/python bench/mentor_matching.py [--mentees 2000] [--mentors 1000] [--runs 3]

Pure computation (``mentorship.matching``), no database. Builds a random but realistic
waiting list (seeded, so runs compare): three languages (most people speak English, a
third Spanish, a few Arabic), weekly availability from 21 parts of the week, a third with
a gender preference, five key areas, interests from twelve words, coordinates in a 30 km
square for two thirds of people and a neighbourhood for the rest. Prints, for each step,
the median time of ``--runs`` runs and the peak memory traced (numpy's arrays included):

- ``score_matrix``: every pair's fit, vectorised, float32;
- ``feasibility_matrix``: every pair's hard constraints;
- ``optimal_assignment``: both of the above plus the expanded cost matrix (mentor places
  repeated) and ``scipy.optimize.linear_sum_assignment``;
- a greedy assignment over the same matrices, to compare total fit.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")

from mentorship.matching import (  # noqa: E402
    MenteeInfo,
    MentorInfo,
    Scoring,
    availability_mask,
    feasibility_matrix,
    optimal_assignment,
    score_matrix,
)

PARTS = [("09:00", "12:00"), ("12:00", "17:00"), ("17:00", "21:00")]
WORDS = [
    "music",
    "cooking",
    "basketball",
    "church",
    "fishing",
    "cars",
    "art",
    "reading",
    "gardening",
    "football",
    "chess",
    "movies",
]
HOODS = ["northside", "southside", "downtown", "west end", "riverside", "east hills"]


def _common(rng: random.Random) -> dict:
    languages = {"en"} if rng.random() < 0.9 else set()
    if rng.random() < 0.33 or not languages:
        languages.add("es")
    if rng.random() < 0.05:
        languages.add("ar")
    slots = [(d, *PARTS[p]) for d in range(7) for p in range(3) if rng.random() < 0.25]
    located = rng.random() < 0.66
    return {
        "languages": frozenset(languages),
        "gender": rng.choice(["woman", "man", "man", ""]),
        "age": rng.choice([None, 0, 1, 2, 3, 4, 5]),
        "neighbourhood": rng.choice(HOODS),
        "lat": 41.9 + rng.random() * 0.27 if located else None,
        "lon": -91.8 + rng.random() * 0.36 if located else None,
        "availability": availability_mask(slots),
        "interests": frozenset(rng.sample(WORDS, rng.randint(0, 4))),
    }


def build(n_mentees: int, n_mentors: int, seed: int) -> tuple[list, list]:
    rng = random.Random(seed)
    mentors = [
        MentorInfo(
            id=i,
            approved=True,
            remaining=rng.randint(1, 3),
            mentee_gender_preference=rng.choice(["", "", "", "", "woman"]),
            key_areas=frozenset(rng.sample(range(5), rng.randint(1, 3))),
            lived_experience=rng.choice(["yes", "yes", "family", "no", ""]),
            **_common(rng),
        )
        for i in range(n_mentors)
    ]
    mentees = [
        MenteeInfo(
            id=i,
            gender_preference=rng.choice(["", "", "woman", "man"]),
            needs=frozenset(rng.sample(range(5), rng.randint(1, 3))),
            prefers_lived_experience=rng.random() < 0.7,
            **_common(rng),
        )
        for i in range(n_mentees)
    ]
    return mentees, mentors


def measure(fn, runs: int):
    times = []
    peak = 0
    result = None
    for _ in range(runs):
        tracemalloc.start()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return result, statistics.median(times), max(times), peak


def greedy_from_matrices(scores, feasible, places) -> float:
    rows, cols = np.nonzero(feasible)
    order = np.argsort(-scores[rows, cols], kind="stable")
    left = places.copy()
    taken = np.zeros(scores.shape[0], dtype=bool)
    total = 0.0
    for k in order:
        i, j = rows[k], cols[k]
        if not taken[i] and left[j] > 0:
            taken[i] = True
            left[j] -= 1
            total += float(scores[i, j])
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=2000)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    mentees, mentors = build(args.mentees, args.mentors, args.seed)
    scoring = Scoring()
    places = np.array([m.remaining for m in mentors])
    print(f"{len(mentees)} mentees × {len(mentors)} mentors, {places.sum()} places")

    scores, t, worst, peak = measure(lambda: score_matrix(mentees, mentors, scoring), args.runs)
    print(f"score_matrix        {t:7.3f} s (worst {worst:.3f})  peak {peak / 2**20:7.1f} MiB")
    feasible, t, worst, peak = measure(lambda: feasibility_matrix(mentees, mentors), args.runs)
    print(
        f"feasibility_matrix  {t:7.3f} s (worst {worst:.3f})  peak {peak / 2**20:7.1f} MiB"
        f"  ({feasible.mean():.1%} of pairs feasible)"
    )
    pairs, t, worst, peak = measure(
        lambda: optimal_assignment(mentees, mentors, scoring), args.runs
    )
    optimal_total = sum(p.score for p in pairs)
    print(
        f"optimal_assignment  {t:7.3f} s (worst {worst:.3f})  peak {peak / 2**20:7.1f} MiB"
        f"  → {len(pairs)} pairs, total fit {optimal_total:,.0f}"
    )
    start = time.perf_counter()
    greedy_total = greedy_from_matrices(scores, feasible, places)
    print(
        f"greedy (same data)  {time.perf_counter() - start:7.3f} s"
        f"                          total fit {greedy_total:,.0f}"
        f"  (optimal is {optimal_total - greedy_total:+,.0f})"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS    {rss:7.1f} MiB")


if __name__ == "__main__":
    main()
