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
    response = client.get(reverse("stakeholders:home", kwargs={"slug": "collab-a"}))
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
