"""Changing a group: chairs and backbone staff only; minutes sharing re-levels gatherings."""

import pytest
from django.urls import reverse

from reentry.audit.models import AuditEvent
from workgroups.models import Meeting, WorkingGroup

pytestmark = pytest.mark.django_db


def edit_url(group, slug="collab-a"):
    return reverse("workgroups:group_edit", kwargs={"slug": slug, "public_id": group.public_id})


def form_data(group, **changes):
    data = {
        "name": group.name,
        "key_area": group.key_area_id or "",
        "charter": group.charter,
        "join_policy": group.join_policy,
        "requires_community_cochair": "on" if group.requires_community_cochair else "",
        "minutes_sharing": group.minutes_sharing,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("who", ["staff_a", "backbone"])
def test_chairs_and_backbone_change_the_charter(cast, wg, login, who):
    client = login(getattr(cast, who))
    assert client.get(edit_url(wg.housing)).status_code == 200
    response = client.post(edit_url(wg.housing), form_data(wg.housing, charter="New charter."))
    assert response.status_code == 302
    wg.housing.refresh_from_db()
    assert wg.housing.charter == "New charter."
    assert AuditEvent.objects.filter(action="workgroup.updated").exists() is False  # charter only


def test_join_policy_change_is_audited(cast, wg, login):
    login(cast.staff_a).post(edit_url(wg.housing), form_data(wg.housing, join_policy="request"))
    event = AuditEvent.objects.get(action="workgroup.updated")
    assert event.details["before"]["join_policy"] == "open"
    assert event.details["after"]["join_policy"] == "request"


def test_making_minutes_private_relevels_every_gathering(cast, wg, login):
    login(cast.backbone).post(
        edit_url(wg.housing), form_data(wg.housing, minutes_sharing="private")
    )
    assert set(
        Meeting.objects.filter(owner=wg.housing).values_list("sharing_level", flat=True)
    ) == {"private"}
    meeting_url = reverse(
        "workgroups:meeting",
        kwargs={"slug": "collab-a", "public_id": wg.meeting.public_id},
    )
    assert login(cast.staff_c).get(meeting_url).status_code == 404


@pytest.mark.parametrize("who", ["staff_b", "community_not_chair"])
def test_plain_members_get_403(cast, wg, login, who, extra_member):
    member = cast.staff_b if who == "staff_b" else extra_member()
    assert login(member).get(edit_url(wg.housing)).status_code == 403


def test_other_collaborative_gets_404(cast, wg, login):
    assert login(cast.outsider).get(edit_url(wg.housing)).status_code == 404


def test_non_member_of_a_private_minutes_group_cannot_change_it(cast, wg, login):
    # The group itself is listed for the whole collaborative; only its minutes are
    # private. Seeing it does not make you one of its managers.
    assert login(cast.staff_b).get(edit_url(wg.private)).status_code == 403


def test_empty_name_keeps_what_was_typed(cast, wg, login):
    response = login(cast.staff_a).post(
        edit_url(wg.housing), form_data(wg.housing, name="", charter="Typed charter")
    )
    assert response.status_code == 200
    assert b"Typed charter" in response.content
    assert WorkingGroup.objects.get(pk=wg.housing.pk).name == "Housing Working Group"
