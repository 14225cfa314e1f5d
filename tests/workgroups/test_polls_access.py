"""The poll policies (workgroups/polls/access.py): the list's queryset rule and the
single-object rule agree for every person of the cast, and ``access_poll`` answers 404
for a poll a person does not see and 403 for one they see but may not manage."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from tests.workgroups.polls_world import make_poll
from workgroups.polls.access import access_poll, can_manage
from workgroups.polls.models import Poll

pytestmark = pytest.mark.django_db

CAST = ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer", "outsider"]


def _request(cast, who: str):
    member = getattr(cast, who)
    request = RequestFactory().get("/")
    request.user = member.user
    request.member = member
    request.collaborative = cast.collab
    return request


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("open_now", [True, False], ids=["open", "draft"])
def test_queryset_and_single_object_agree_on_who_manages(cast, wg, who, open_now):
    poll = make_poll(cast.staff_a, wg.housing, open_now=open_now)
    member = getattr(cast, who)
    listed = Poll.objects.editable_by(member.user).filter(pk=poll.pk).exists()
    assert can_manage(member, poll) is listed


@pytest.mark.parametrize("who", CAST)
def test_access_poll_answers_404_403_or_the_poll(cast, wg, who):
    draft = make_poll(cast.staff_a, wg.housing, open_now=False)
    request = _request(cast, who)
    visible = Poll.objects.visible_to(request.user).filter(pk=draft.pk).exists()
    manages = can_manage(request.member, draft)
    if not visible:
        with pytest.raises(Http404):
            access_poll(request, draft.public_id)
        return
    assert access_poll(request, draft.public_id) == draft
    if manages:
        assert access_poll(request, draft.public_id, action="manage") == draft
    else:
        with pytest.raises(PermissionDenied):
            access_poll(request, draft.public_id, action="manage")


def test_a_draft_is_hidden_from_members_who_do_not_manage_it(cast, wg):
    draft = make_poll(cast.staff_a, wg.housing, open_now=False)
    with pytest.raises(Http404):
        access_poll(_request(cast, "staff_c"), draft.public_id)
    with pytest.raises(Http404):
        access_poll(_request(cast, "outsider"), draft.public_id)


def test_an_open_poll_is_seen_but_not_managed_by_a_plain_member(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing)
    request = _request(cast, "staff_c")
    assert access_poll(request, poll.public_id) == poll
    with pytest.raises(PermissionDenied):
        access_poll(request, poll.public_id, action="manage")
