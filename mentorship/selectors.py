"""Reads for matching: the program's mentors and mentees as ``matching`` dataclasses.

Callers pass querysets already scoped by ``mentorship.access``; these functions only
shape rows, in a fixed number of queries whatever the number of people.
"""

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from mentorship.matching import MenteeInfo, MentorInfo, Scoring, availability_mask
from mentorship.models import (
    AGE_RANGES,
    MenteeProfile,
    MentorProfile,
    NoContact,
    Program,
    Stage,
)
from mentorship.models.matches import OPEN_MATCH_STATUSES

_AGE_POSITION = {code: i for i, (code, _label) in enumerate(AGE_RANGES)}


def scoring_for(program: Program) -> Scoring:
    return Scoring.from_weights(program.effective_weights, program.distance_scale_km)


def _float(value) -> float | None:
    return float(value) if value is not None else None


def with_open_match_count(mentors: QuerySet[MentorProfile]) -> QuerySet[MentorProfile]:
    return mentors.annotate(
        open_matches=Count("matches", filter=Q(matches__status__in=OPEN_MATCH_STATUSES))
    )


def mentor_info(
    profile: MentorProfile, *, key_area_ids: Iterable[int], open_matches: int
) -> MentorInfo:
    return MentorInfo(
        id=profile.pk,
        approved=profile.applicant.stage == Stage.APPROVED,
        remaining=max(0, profile.capacity - open_matches),
        languages=frozenset(profile.languages),
        gender=profile.gender,
        mentee_gender_preference=profile.mentee_gender_preference,
        age=_AGE_POSITION.get(profile.age_range),
        neighbourhood=profile.neighbourhood,
        lat=_float(profile.latitude),
        lon=_float(profile.longitude),
        availability=availability_mask(profile.availability),
        key_areas=frozenset(key_area_ids),
        interests=frozenset(profile.interests),
        lived_experience=profile.lived_experience,
    )


def mentee_info(profile: MenteeProfile, *, need_ids: Iterable[int]) -> MenteeInfo:
    return MenteeInfo(
        id=profile.pk,
        languages=frozenset(profile.languages),
        gender=profile.gender,
        gender_preference=profile.gender_preference,
        age=_AGE_POSITION.get(profile.age_range),
        neighbourhood=profile.neighbourhood,
        lat=_float(profile.latitude),
        lon=_float(profile.longitude),
        availability=availability_mask(profile.availability),
        needs=frozenset(need_ids),
        interests=frozenset(profile.interests),
        prefers_lived_experience=profile.prefers_lived_experience,
    )


def mentor_infos(
    mentors: QuerySet[MentorProfile],
) -> tuple[list[MentorInfo], dict[int, MentorProfile]]:
    """Matching data for these mentors (open-match counts and key areas included), and the
    profiles by id. Three queries."""
    rows = list(
        with_open_match_count(mentors)
        .select_related("applicant")
        .prefetch_related("key_areas")
        .order_by("pk")
    )
    infos = [
        mentor_info(
            p,
            key_area_ids=[a.pk for a in p.key_areas.all()],
            open_matches=p.open_matches,  # type: ignore[attr-defined]  # annotated above
        )
        for p in rows
    ]
    return infos, {p.pk: p for p in rows}


def mentee_infos(
    mentees: QuerySet[MenteeProfile],
) -> tuple[list[MenteeInfo], dict[int, MenteeProfile]]:
    rows = list(mentees.prefetch_related("needs").order_by("pk"))
    infos = [mentee_info(p, need_ids=[a.pk for a in p.needs.all()]) for p in rows]
    return infos, {p.pk: p for p in rows}


def no_contact_pairs(program: Program) -> frozenset[tuple[int, int]]:
    """(mentor id, mentee id) pairs that must never be matched in this program."""
    return frozenset(
        NoContact.objects.filter(mentor__program=program).values_list("mentor_id", "mentee_id")
    )


def waiting_mentees(program: Program) -> QuerySet[MenteeProfile]:
    """Mentees waiting for a mentor, with no open match."""
    return program.mentees.filter(status=MenteeProfile.Status.WAITING).exclude(
        matches__status__in=OPEN_MATCH_STATUSES
    )


def matchable_mentors(program: Program) -> QuerySet[MentorProfile]:
    """Approved mentors of the program (capacity is applied by matching)."""
    return program.mentors.filter(applicant__stage=Stage.APPROVED)
