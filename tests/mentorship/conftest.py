"""A mentoring world on top of the fixed cast: one program in collaborative A with a
coordinator, two approved mentors with accounts and one mentee each (active matches),
a waiting mentee, and a program of collaborative B. A world (tests/worlds.py), built once
for a run of tests that use it."""

from types import SimpleNamespace

import pytest

from stakeholders.models import Member
from tests import worlds
from tests.caches import clear_caches
from tests.factories import MemberFactory
from tests.mentorship.factories import (
    MatchFactory,
    MenteeProfileFactory,
    MentorProfileFactory,
    ProgramFactory,
    SessionFactory,
)


@worlds.world(needs=("cast",))
def build_mworld(cast):
    coordinator = MemberFactory(collaborative=cast.collab, role=Member.Role.COMMUNITY)
    program = ProgramFactory(
        collaborative=cast.collab, slug="second-chances", coordinators=[coordinator]
    )
    mentor_1 = MentorProfileFactory(program=program)
    mentor_2 = MentorProfileFactory(program=program)
    match_1 = MatchFactory(program=program, mentor=mentor_1)
    match_2 = MatchFactory(program=program, mentor=mentor_2)
    session_1 = SessionFactory(
        match=match_1, notes="Private worry", notes_private_to_coordinator=True
    )
    session_2 = SessionFactory(match=match_2, notes="Shared note")
    waiting = MenteeProfileFactory(program=program, name="Waiting Wanda")
    other_program = ProgramFactory(
        collaborative=cast.other_collab,
        slug="other",
        coordinators=[cast.outsider],
    )
    other_match = MatchFactory(program=other_program)
    return SimpleNamespace(
        cast=cast,
        collab=cast.collab,
        coordinator=coordinator,
        program=program,
        mentor_1=mentor_1,
        mentor_2=mentor_2,
        match_1=match_1,
        match_2=match_2,
        session_1=session_1,
        session_2=session_2,
        waiting=waiting,
        other_program=other_program,
        other_match=other_match,
    )


@pytest.fixture
def mworld(request, cast):
    return worlds.get(request, "mworld", cast=cast)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The application form's rate limit counts in the cache: start every test at zero."""

    clear_caches()
    yield
