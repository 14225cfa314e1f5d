"""Who sees what (``mentorship.access``): a mentor sees only their own matches and never
other mentors' mentees or notes; another collaborative sees nothing; background notes
are for coordinators only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from mentorship import access, selectors
from mentorship.models import BackgroundAssessment, MenteeProfile

pytestmark = pytest.mark.django_db


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_coordinator_sees_their_program_only(mworld):
    user = mworld.coordinator.user
    assert ids(selectors.matches_visible_to(user)) == {mworld.match_1.pk, mworld.match_2.pk}
    assert ids(selectors.sessions_visible_to(user)) == {mworld.session_1.pk, mworld.session_2.pk}
    assert mworld.waiting.pk in ids(selectors.mentees_visible_to(user))
    assert mworld.other_match.mentee_id not in ids(selectors.mentees_visible_to(user))
    assert ids(selectors.programs_coordinated_by(user)) == {mworld.program.pk}


def test_a_mentor_sees_only_their_own_match_and_sessions(mworld):
    user = mworld.mentor_1.applicant.member.user
    assert ids(selectors.matches_visible_to(user)) == {mworld.match_1.pk}
    assert ids(selectors.sessions_visible_to(user)) == {mworld.session_1.pk}
    assert ids(selectors.mentors_visible_to(user)) == {mworld.mentor_1.pk}
    # No mentee profile at all: what a mentor knows of a mentee is on the match.
    assert ids(selectors.mentees_visible_to(user)) == set()
    assert ids(selectors.monitoring_contacts_visible_to(user)) == set()
    assert ids(selectors.background_assessments_visible_to(user)) == set()
    assert ids(selectors.matches_managed_by(user)) == set()


def test_private_notes_are_for_the_coordinator_and_their_writer(mworld):
    session = mworld.session_1  # marked private
    mentor = mworld.mentor_1.applicant.member
    mentee_member = mworld.match_1.mentee
    assert access.may_read_session_notes(mworld.coordinator, session, coordinator=True)
    assert not access.may_read_session_notes(mentor, session, coordinator=False)
    session.logged_by = mentor.user
    assert access.may_read_session_notes(mentor, session, coordinator=False)
    assert access.may_read_session_notes(mentor, mworld.session_2, coordinator=False)
    assert isinstance(mentee_member, MenteeProfile)


def test_a_mentee_with_an_account_sees_their_own_match(mworld, cast):
    from tests.factories import MemberFactory

    person = MemberFactory(collaborative=cast.collab)
    MenteeProfile.objects.filter(pk=mworld.match_2.mentee_id).update(member=person)
    assert ids(selectors.matches_visible_to(person.user)) == {mworld.match_2.pk}
    assert ids(selectors.mentees_visible_to(person.user)) == {mworld.match_2.mentee_id}
    assert ids(selectors.sessions_visible_to(person.user)) == {mworld.session_2.pk}


@pytest.mark.parametrize(
    "who",
    ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer", "outsider"],
)
def test_nobody_else_sees_person_level_records(mworld, who):
    user = getattr(mworld.cast, who).user
    mine = {mworld.other_match.pk} if who == "outsider" else set()
    assert ids(selectors.matches_visible_to(user).filter(program=mworld.program)) == set()
    assert ids(selectors.matches_visible_to(user)) == mine
    assert ids(selectors.applicants_visible_to(user).filter(program=mworld.program)) == set()
    assert ids(selectors.mentees_visible_to(user).filter(program=mworld.program)) == set()
    assert ids(selectors.sessions_visible_to(user).filter(match__program=mworld.program)) == set()


def test_another_collaborative_sees_nothing_of_the_program(mworld):
    user = mworld.cast.outsider.user
    assert mworld.program.pk not in ids(selectors.programs_visible_to(user))
    assert mworld.program.pk not in ids(selectors.programs_managed_by(user))
    from tests.mentorship.factories import GrantFactory

    grant = GrantFactory(program=mworld.program)
    assert grant.pk not in ids(selectors.grants_visible_to(user))
    assert grant.pk in ids(selectors.grants_visible_to(mworld.cast.backbone.user))


def test_coordinating_elsewhere_is_not_coordinating_here(mworld):
    """The outsider coordinates their own collaborative's program, and is nothing here."""
    outsider = mworld.cast.outsider
    assert access.coordinates(outsider, mworld.other_program)
    assert not access.coordinates(outsider, mworld.program)
    assert not access.manages(outsider, mworld.program)


def test_backbone_manages_but_does_not_read_background_notes(mworld):
    user = mworld.cast.backbone.user
    BackgroundAssessment.objects.create(applicant=mworld.mentor_1.applicant, what="x")
    assert mworld.program.pk in ids(selectors.programs_managed_by(user))
    assert access.manages(mworld.cast.backbone, mworld.program)
    assert not access.coordinates(mworld.cast.backbone, mworld.program)
    assert ids(selectors.background_assessments_visible_to(user)) == set()
    assert ids(selectors.background_assessments_visible_to(mworld.coordinator.user)) != set()


def test_anonymous_sees_nothing(mworld):
    anon = AnonymousUser()
    assert ids(selectors.programs_visible_to(anon)) == set()
    assert ids(selectors.matches_visible_to(anon)) == set()
    assert ids(selectors.mentors_visible_to(anon)) == set()


def test_an_inactive_coordinator_loses_access(mworld):
    mworld.coordinator.is_active = False
    mworld.coordinator.save()
    assert not access.coordinates(mworld.coordinator, mworld.program)
    assert ids(selectors.matches_visible_to(mworld.coordinator.user)) == set()
