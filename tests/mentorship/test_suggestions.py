"""Suggestions for one mentee, the waiting-list proposal, proposing, and both sides saying
yes before a match starts."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mentorship.models import Match, MenteeProfile, NoContact
from mentorship.services import proposals
from tests.factories import MemberFactory
from tests.mentorship.factories import MenteeProfileFactory, MentorProfileFactory

pytestmark = pytest.mark.django_db


def u(name, program, *args):
    return reverse(
        f"mentorship:{name}", args=[program.collaborative.slug, program.public_id, *args]
    )


@pytest.fixture
def world(mworld, cast):
    """Two free mentors for the waiting mentee: Sam (helps with housing, lives close, shares
    interests) and Kim (speaks English too, no housing)."""
    program = mworld.program
    sam = MentorProfileFactory(
        program=program,
        applicant__name="Sam Strong",
        key_areas=[cast.key_area],
        interests=["music", "cooking"],
        capacity=1,
    )
    kim = MentorProfileFactory(
        program=program, applicant__name="Kim Kind", neighbourhood="Southside", capacity=1
    )
    wanda = mworld.waiting
    wanda.needs.set([cast.key_area])
    wanda.interests = ["music"]
    wanda.prefers_lived_experience = True
    wanda.save()
    mworld.sam, mworld.kim = sam, kim
    return mworld


def test_suggestions_are_ranked_and_explained(login, world):
    response = login(world.coordinator).get(
        u("suggestions", world.program, world.waiting.public_id)
    )
    assert response.status_code == 200
    text = response.text
    assert text.index("Sam Strong") < text.index("Kim Kind")
    assert "Can help with 1 of 1 needs: Housing." in text
    assert "Has lived experience, as the mentee wished." in text
    assert "Same neighbourhood." in text
    assert "In common: music (1 of 2)." in text
    # Mentors already at capacity (the two matched ones) are counted, not shown.
    assert "the mentor has no place left: 2" in text


def test_no_contact_hides_a_mentor(login, world):
    NoContact.objects.create(mentor=world.sam, mentee=world.waiting)
    response = login(world.coordinator).get(
        u("suggestions", world.program, world.waiting.public_id)
    )
    assert "Sam Strong" not in response.text
    assert "a no-contact conflict: 1" in response.text


def test_only_coordinators_see_suggestions(login, world):
    url = u("suggestions", world.program, world.waiting.public_id)
    assert login(world.mentor_1.applicant.member).get(url).status_code == 403
    assert login(world.cast.backbone).get(url).status_code == 403
    assert login(world.cast.outsider).get(url).status_code == 404


def test_propose_one_then_both_accept(login, world):
    coordinator = login(world.coordinator)
    response = coordinator.post(
        u("propose_one", world.program, world.waiting.public_id),
        {"mentor": str(world.sam.public_id)},
    )
    assert response.status_code == 302
    match = Match.objects.get(mentee=world.waiting)
    assert match.status == "proposed"
    assert match.score and match.score > 50
    assert {t["name"] for t in match.explanation} == {
        "key_areas",
        "lived_experience",
        "distance",
        "interests",
        "age",
    }

    # The mentor answers from their own account ("My mentoring" lists the proposal).
    mentor = login(world.sam.applicant.member)
    page = mentor.get(reverse("mentorship:programs", args=["collab-a"]))
    assert "Yes, I will mentor" in page.text
    mentor.post(
        u("match_respond", world.program, match.public_id), {"side": "mentor", "answer": "accept"}
    )
    match.refresh_from_db()
    assert match.mentor_accepted_at and match.status == "proposed"

    # The coordinator records the mentee's yes: the match starts.
    coordinator = login(world.coordinator)
    coordinator.post(
        u("match_respond", world.program, match.public_id), {"side": "mentee", "answer": "accept"}
    )
    match.refresh_from_db()
    assert match.status == "active"
    assert match.started_at is not None
    assert match.mentee_acceptance_recorded_by == world.coordinator.user
    world.waiting.refresh_from_db()
    assert world.waiting.status == MenteeProfile.Status.MATCHED


def test_a_mentee_with_an_account_accepts_for_themselves(login, world):
    person = MemberFactory(collaborative=world.collab)
    MenteeProfile.objects.filter(pk=world.waiting.pk).update(member=person)
    match = proposals.match_propose(
        actor=world.coordinator, program=world.program, mentor=world.sam, mentee=world.waiting
    )
    login(person).post(
        u("match_respond", world.program, match.public_id), {"side": "mentee", "answer": "accept"}
    )
    match.refresh_from_db()
    assert match.mentee_accepted_at is not None


def test_a_mentor_cannot_answer_for_someone_else(login, world):
    match = proposals.match_propose(
        actor=world.coordinator, program=world.program, mentor=world.sam, mentee=world.waiting
    )
    # Another mentor of the program: the match does not exist for them.
    other = login(world.kim.applicant.member)
    response = other.post(
        u("match_respond", world.program, match.public_id), {"side": "mentor", "answer": "accept"}
    )
    assert response.status_code == 404
    # The coordinator cannot say yes in the mentor's place.
    response = login(world.coordinator).post(
        u("match_respond", world.program, match.public_id), {"side": "mentor", "answer": "accept"}
    )
    assert response.status_code == 403
    match.refresh_from_db()
    assert match.mentor_accepted_at is None


def test_declining_a_proposal_puts_the_mentee_back(login, world):
    match = proposals.match_propose(
        actor=world.coordinator, program=world.program, mentor=world.sam, mentee=world.waiting
    )
    login(world.sam.applicant.member).post(
        u("match_respond", world.program, match.public_id), {"side": "mentor", "answer": "decline"}
    )
    match.refresh_from_db()
    assert match.status == "closed"
    assert match.closure_reason == "declined"
    # The mentee can be proposed again, to someone else.
    again = proposals.match_propose(
        actor=world.coordinator, program=world.program, mentor=world.kim, mentee=world.waiting
    )
    assert again.status == "proposed"


def test_an_unapproved_mentor_cannot_be_proposed(world):
    draft = MentorProfileFactory(program=world.program, applicant__stage="trained")
    with pytest.raises(ValidationError, match="not approved"):
        proposals.match_propose(
            actor=world.coordinator, program=world.program, mentor=draft, mentee=world.waiting
        )


def test_a_full_mentor_cannot_be_proposed(world):
    with pytest.raises(ValidationError, match="no place left"):
        proposals.match_propose(
            actor=world.coordinator,
            program=world.program,
            mentor=world.mentor_1,
            mentee=world.waiting,
        )


def test_only_a_coordinator_proposes(world):
    with pytest.raises(PermissionDenied):
        proposals.match_propose(
            actor=world.cast.backbone,
            program=world.program,
            mentor=world.sam,
            mentee=world.waiting,
        )


# The waiting list ---------------------------------------------------------------------


def test_proposal_page_shows_the_optimal_pairs(login, world):
    second = MenteeProfileFactory(
        program=world.program, name="Second Sara", neighbourhood="Southside"
    )
    response = login(world.coordinator).get(u("proposal", world.program))
    assert response.status_code == 200
    rows = {r["mentee"].pk: r["chosen"].pk for r in response.context["rows"]}
    assert rows == {world.waiting.pk: world.sam.pk, second.pk: world.kim.pk}


def test_propose_the_edited_proposal(login, world):
    second = MenteeProfileFactory(
        program=world.program, name="Second Sara", neighbourhood="Southside"
    )
    client = login(world.coordinator)
    # Untick Wanda; give Sara Sam instead of Kim.
    response = client.post(
        u("proposal", world.program),
        {
            f"include-{second.public_id}": "on",
            f"mentor-{second.public_id}": str(world.sam.public_id),
            f"mentor-{world.waiting.public_id}": str(world.sam.public_id),
        },
    )
    assert response.status_code == 302
    assert list(Match.objects.filter(status="proposed").values_list("mentee_id", "mentor_id")) == [
        (second.pk, world.sam.pk)
    ]


def test_a_swap_over_capacity_is_refused_whole(login, world):
    second = MenteeProfileFactory(program=world.program, name="Second Sara")
    client = login(world.coordinator)
    response = client.post(
        u("proposal", world.program),
        {
            f"include-{second.public_id}": "on",
            f"mentor-{second.public_id}": str(world.sam.public_id),
            f"include-{world.waiting.public_id}": "on",
            f"mentor-{world.waiting.public_id}": str(world.sam.public_id),
        },
    )
    assert response.status_code == 400
    assert "no place left" in response.text
    assert not Match.objects.filter(status="proposed").exists()


def test_proposal_page_is_coordinator_only(login, world):
    assert login(world.cast.backbone).get(u("proposal", world.program)).status_code == 403
    assert (
        login(world.mentor_1.applicant.member).get(u("proposal", world.program)).status_code == 403
    )
    assert login(world.cast.outsider).get(u("proposal", world.program)).status_code == 404


def test_proposal_query_count_does_not_grow(login, world, count_queries):
    client = login(world.coordinator)
    one = count_queries(client, u("proposal", world.program))
    for i in range(12):
        MentorProfileFactory(program=world.program, key_areas=[world.cast.key_area])
        MenteeProfileFactory(
            program=world.program, name=f"Waiting {i}", needs=[world.cast.key_area]
        )
    assert count_queries(client, u("proposal", world.program)) == one


def test_suggestions_query_count_does_not_grow(login, world, count_queries):
    client = login(world.coordinator)
    url = u("suggestions", world.program, world.waiting.public_id)
    one = count_queries(client, url)
    for _ in range(25):
        MentorProfileFactory(program=world.program, key_areas=[world.cast.key_area])
    assert count_queries(client, url) == one
