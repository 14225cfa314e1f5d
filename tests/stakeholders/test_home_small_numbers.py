"""The collaborative's home page: the count of members who share lived experience goes
through the small-number rule (DESIGN.md rule 8) beside the member count, which every
member knows from the directory."""

import pytest
from django.urls import reverse

from reentry.suppression import Reason
from stakeholders.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

LIVED = {
    "lived_experience": Member.LivedExperience.YES,
    "lived_experience_visibility": Member.Visibility.COLLABORATIVE,
}


def _stat(page: str) -> str:
    end = page.index("members who share lived experience")
    return page[page.rindex('<div class="stat">', 0, end) : end]


def _home(client):
    response = client.get(reverse("stakeholders:overview", kwargs={"slug": "collab-a"}))
    assert response.status_code == 200
    return response.content.decode()


def test_lived_experience_is_hidden_when_everyone_else_is_a_small_number(cast, login):
    # The cast's seven members and twelve who share lived experience: the twelve would
    # tell that the other seven do not, so the count is hidden.
    for _ in range(12):
        MemberFactory(collaborative=cast.collab, **LIVED)
    stat = _stat(_home(login(cast.staff_b)))
    assert ">12<" not in stat
    assert Reason.COMPLEMENTARY.label in stat


def test_a_small_count_is_hidden(cast, login):
    for _ in range(3):
        MemberFactory(collaborative=cast.collab, **LIVED)
    stat = _stat(_home(login(cast.staff_b)))
    assert ">3<" not in stat
    assert Reason.SMALL_COUNT.label in stat


def test_large_enough_counts_are_shown(cast, login):
    for _ in range(11):
        MemberFactory(collaborative=cast.collab, **LIVED)
    for _ in range(4):
        MemberFactory(collaborative=cast.collab)
    stat = _stat(_home(login(cast.staff_b)))
    assert ">11<" in stat


def test_the_count_does_not_move_with_an_answer_kept_from_the_viewer(cast, login):
    """17 share with everyone; one more changes "only me" to "backbone staff": the count
    others see stays 17 (backbone staff see 18)."""
    for _ in range(17):
        MemberFactory(collaborative=cast.collab, **LIVED)
    for _ in range(5):
        MemberFactory(collaborative=cast.collab)
    changer = MemberFactory(
        collaborative=cast.collab,
        lived_experience=Member.LivedExperience.YES,
        lived_experience_visibility=Member.Visibility.ONLY_ME,
    )
    assert ">17<" in _stat(_home(login(cast.staff_b)))
    changer.lived_experience_visibility = Member.Visibility.BACKBONE
    changer.save()
    stat = _stat(_home(login(cast.staff_b)))
    assert ">18<" not in stat
    assert ">17<" in stat
    assert ">18<" in _stat(_home(login(cast.backbone)))


def test_the_selector_counts_only_answers_shared_with_the_viewer(cast):
    V = Member.Visibility
    for lived, visibility in [
        (Member.LivedExperience.YES, V.COLLABORATIVE),
        (Member.LivedExperience.FAMILY, V.BACKBONE),
        (Member.LivedExperience.YES, V.ONLY_ME),
        (Member.LivedExperience.NO, V.COLLABORATIVE),
        (Member.LivedExperience.UNSAID, V.COLLABORATIVE),
    ]:
        MemberFactory(
            collaborative=cast.collab,
            lived_experience=lived,
            lived_experience_visibility=visibility,
        )
    members = Member.objects.filter(collaborative=cast.collab)
    assert members.lived_experience_shared_with(None).count() == 1
    assert members.lived_experience_shared_with(cast.staff_b).count() == 1
    assert members.lived_experience_shared_with(cast.community).count() == 1
    assert members.lived_experience_shared_with(cast.backbone).count() == 2


def test_recent_activity_reads_no_person_per_event(cast, login, count_queries):
    """The overview page's "… joined" lines name the person through one join, so eight
    events cost what one does (issue 18)."""
    from reentry.audit.models import AuditEvent

    def joined(member):
        AuditEvent.objects.create(
            actor=member.user, collaborative=cast.collab, action="invitation.accepted"
        )

    client = login(cast.staff_b)
    url = reverse("stakeholders:overview", kwargs={"slug": "collab-a"})
    joined(cast.community)
    one = count_queries(client, url)
    for _ in range(7):
        joined(MemberFactory(collaborative=cast.collab))
    assert count_queries(client, url) == one
    assert count_queries.page.count(" joined") >= 8
