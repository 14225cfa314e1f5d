"""The working-group policies (workgroups/access.py): each single-object answer agrees
with its queryset twin for every person of the fixed cast and every object, and the
views' access helpers answer 404 for what is not visible and 403 for what is visible
but not allowed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from tests.workgroups.board_world import make_board_world
from workgroups import access
from workgroups.models import ActionItem, PartnerInitiative, WorkingGroup

pytestmark = pytest.mark.django_db

PEOPLE = ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer"]


def _everyone(cast):
    return [getattr(cast, name) for name in [*PEOPLE, "outsider"]]


def test_group_policies_agree_with_their_querysets(cast, wg):
    groups = [wg.housing, wg.private, wg.other_group]
    for person in _everyone(cast):
        visible = set(WorkingGroup.objects.visible_to(person.user).values_list("pk", flat=True))
        managed = set(WorkingGroup.objects.managed_by(person.user).values_list("pk", flat=True))
        for group in groups:
            assert access.can_view_group(person, group) == (
                group.pk in visible and group.collaborative_id == person.collaborative_id
            ), (person, group)
            assert access.can_manage_group(person, group) == (group.pk in managed), (person, group)


def test_action_item_policy_agrees_with_editable_by(cast, wg):
    board = make_board_world(cast, wg)
    items = [board.by_b, board.by_c, board.orphan, board.private_item, board.other_item]
    for person in _everyone(cast):
        editable = set(ActionItem.objects.editable_by(person.user).values_list("pk", flat=True))
        for item in items:
            assert access.can_edit_action_item(person, item) == (item.pk in editable), (
                person,
                item,
            )


def test_partner_policy_agrees_with_editable_by(cast):
    initiative = PartnerInitiative.objects.create(
        collaborative=cast.collab, name="Youth jobs", focus=PartnerInitiative.Focus.OTHER
    )
    for person in [getattr(cast, name) for name in PEOPLE]:
        keeps = PartnerInitiative.objects.editable_by(person.user).filter(pk=initiative.pk)
        assert access.can_keep_partner_initiatives(person) == keeps.exists(), person


def _request(member):
    request = RequestFactory().get("/")
    request.user = member.user
    request.member = member
    request.collaborative = member.collaborative
    return request


def test_access_group_answers_404_then_403(cast, wg):
    with pytest.raises(Http404):
        access.access_group(_request(cast.staff_b), wg.other_group.public_id, action="view")
    assert access.access_group(_request(cast.staff_b), wg.housing.public_id, action="view")
    with pytest.raises(PermissionDenied):
        access.access_group(_request(cast.staff_b), wg.housing.public_id, action="manage")
    managed = access.access_group(_request(cast.staff_a), wg.housing.public_id, action="manage")
    assert managed == wg.housing


def test_access_meeting_hides_private_minutes(cast, wg):
    with pytest.raises(Http404):
        access.access_meeting(_request(cast.staff_b), wg.private_meeting.public_id, action="view")
    with pytest.raises(PermissionDenied):
        access.access_meeting(_request(cast.staff_b), wg.meeting.public_id, action="manage")


def test_access_action_item_edit_is_for_its_owners(cast, wg):
    board = make_board_world(cast, wg)
    item = access.access_action_item(_request(cast.staff_b), board.by_b.public_id, action="edit")
    assert item == board.by_b
    with pytest.raises(PermissionDenied):
        access.access_action_item(_request(cast.staff_c), board.by_b.public_id, action="edit")
    with pytest.raises(PermissionDenied):
        access.access_action_item(_request(cast.staff_b), board.by_b.public_id, action="manage")
    with pytest.raises(Http404):
        access.access_action_item(_request(cast.staff_b), board.other_item.public_id, action="view")
