"""On a quick win proposed without a name, the proposer's own comments are shown without
it too — named only to backbone staff and to the proposer, as the proposal is
(``QuickWin.proposer_shown_to``) — and the comment form says so. Pages and the admin."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.workgroups.quickwin_world import make_quickwin_world
from workgroups.quickwins import services

pytestmark = pytest.mark.django_db

UNNAMED = "The person who proposed this (name kept private)"
FORM_NOTE = "You proposed this without your name, so your comments here are shown without it"


@pytest.fixture
def qw(cast, wg):
    world = make_quickwin_world(cast, wg)
    # The community member proposed ``anonymous``; they comment on it, staff_b too.
    services.quickwin_comment_add(
        actor=cast.community, quick_win=world.anonymous, text="I ride the 7 every day."
    )
    services.quickwin_comment_add(actor=cast.staff_b, quick_win=world.anonymous, text="+1")
    return world


def _detail(qw):
    return reverse(
        "quickwins:detail", kwargs={"slug": "collab-a", "public_id": qw.anonymous.public_id}
    )


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "staff_c", "observer"])
def test_others_do_not_see_the_proposer_named_beside_their_comment(cast, qw, login, who):
    page = login(getattr(cast, who)).get(_detail(qw)).content.decode()
    assert "I ride the 7 every day." in page
    assert cast.community.user.name not in page
    assert UNNAMED in page
    assert cast.staff_b.user.name in page  # other people's comments keep their names
    assert FORM_NOTE not in page


def test_backbone_staff_see_who_it_is(cast, qw, login):
    page = login(cast.backbone).get(_detail(qw)).content.decode()
    assert cast.community.user.name in page and "the proposer, name kept private" in page


def test_the_proposer_sees_their_name_and_the_form_says_so(cast, qw, login):
    page = login(cast.community).get(_detail(qw)).content.decode()
    assert FORM_NOTE in page
    assert "only backbone staff see your name" in page


def test_a_named_proposal_names_its_proposer_beside_their_comments(cast, qw, login):
    services.quickwin_comment_add(actor=cast.staff_c, quick_win=qw.named, text="Kits soon")
    url = reverse("quickwins:detail", kwargs={"slug": "collab-a", "public_id": qw.named.public_id})
    page = login(cast.staff_a).get(url).content.decode()
    assert cast.staff_c.user.name in page and UNNAMED not in page


def test_the_admin_does_not_name_them_either(cast, qw, client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(
        reverse("admin:workgroups_quickwin_change", args=[qw.anonymous.pk])
    ).content.decode()
    assert "I ride the 7 every day." in page
    assert cast.community.user.name not in page
    assert cast.community.user.email not in page
    assert "The proposer (anonymous)" in page


def test_the_detail_page_runs_the_same_queries_with_more_comments(cast, qw, login, count_queries):
    client = login(cast.staff_a)
    before = count_queries(client, _detail(qw))
    for n in range(5):
        services.quickwin_comment_add(actor=cast.community, quick_win=qw.anonymous, text=f"#{n}")
    assert count_queries(client, _detail(qw)) == before
