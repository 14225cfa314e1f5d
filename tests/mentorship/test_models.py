"""Constraints and invariants of the mentoring models."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentorship.models import Applicant, Match, MentorProfile, Program, Stage
from mentorship.models.profiles import validate_availability
from tests.mentorship.factories import (
    ApplicantFactory,
    GrantFactory,
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgramFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def test_one_open_match_per_pair():
    match = MatchFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(
            program=match.program, mentor=match.mentor, mentee=match.mentee, status="proposed"
        )


def test_a_closed_match_allows_a_new_one_for_the_pair():
    match = MatchFactory()
    match.status = Match.Status.CLOSED
    match.closed_at = timezone.now()
    match.closure_reason = Match.ClosureReason.POOR_FIT
    match.save()
    again = Match.objects.create(
        program=match.program, mentor=match.mentor, mentee=match.mentee, rematch_of=match
    )
    assert again.rematch_of == match


def test_a_mentee_has_one_open_match_at_a_time():
    match = MatchFactory()
    other_mentor = MentorProfileFactory(program=match.program)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(program=match.program, mentor=other_mentor, mentee=match.mentee)


def test_closed_match_needs_a_date_and_a_reason():
    match = MatchFactory()
    match.status = Match.Status.CLOSED
    match.closed_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        match.save()


def test_active_match_needs_a_start():
    match = MatchFactory(status="proposed", started_at=None)
    match.status = Match.Status.ACTIVE
    with pytest.raises(IntegrityError), transaction.atomic():
        match.save()


def test_declined_applicant_needs_a_reason():
    applicant = ApplicantFactory()
    applicant.stage = Stage.DECLINED
    with pytest.raises(ValidationError):
        applicant.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        applicant.save()


def test_applicant_needs_some_way_to_reach_them():
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(program=ProgramFactory(), name="No contact", email="", phone="")


def test_session_length_is_bounded():
    session = SessionFactory()
    session.minutes = 2
    with pytest.raises(ValidationError):
        session.full_clean()


@pytest.mark.parametrize(
    "slots",
    [
        [[0, "18:00", "19:00"]],
        [[6, "23:30", "24:00"], [2, "07:00", "09:30"]],
        [],
    ],
)
def test_valid_availability(slots):
    validate_availability(slots)


@pytest.mark.parametrize(
    "slots",
    [
        [[7, "18:00", "19:00"]],
        [[0, "19:00", "18:00"]],
        [[0, "18:15", "19:00"]],
        [[0, "18:00"]],
        "Mondays",
        [[True, "18:00", "19:00"]],
    ],
)
def test_invalid_availability(slots):
    with pytest.raises(ValidationError):
        validate_availability(slots)


def test_program_weights_are_validated_and_defaults_fill_in():
    program = ProgramFactory(weights={"interests": 5})
    assert program.effective_weights["interests"] == 5.0
    assert program.effective_weights["key_areas"] == 3.0
    program.weights = {"shoe_size": 1}
    with pytest.raises(ValidationError):
        program.full_clean()
    program.weights = {"age": -1}
    with pytest.raises(ValidationError):
        program.full_clean()


def test_program_slug_unique_per_collaborative():
    program = ProgramFactory(slug="same")
    ProgramFactory(slug="same")  # another collaborative: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.create(collaborative=program.collaborative, name="x", slug="same")


def test_grant_period_must_be_ordered():
    grant = GrantFactory.build(
        program=ProgramFactory(),
        starts_on=datetime.date(2026, 6, 1),
        ends_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError):
        grant.full_clean()


def test_mentor_profile_must_be_in_the_applicants_program():
    profile = MentorProfileFactory()
    profile.program = ProgramFactory(collaborative=profile.program.collaborative)
    with pytest.raises(ValidationError):
        profile.full_clean()


def test_mentee_latitude_needs_longitude():
    mentee = MenteeProfileFactory(latitude=41.9)
    with pytest.raises(ValidationError):
        mentee.full_clean()


def test_next_stage_runs_through_the_pipeline():
    applicant = ApplicantFactory()
    seen = []
    while applicant.next_stage:
        applicant.stage = applicant.next_stage
        seen.append(applicant.stage)
    assert seen == ["interviewed", "references", "background", "trained", "approved"]
    assert MentorProfile.objects.approved().count() == 0
