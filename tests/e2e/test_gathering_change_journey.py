"""Backbone staff move a gathering to another day from its page, then cancel it: each
time everyone invited gets an email with the updated calendar entry (same event, a
higher SEQUENCE; a REQUEST, then a CANCEL), and the page says plainly it was cancelled.
Real browser, real forms."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from stakeholders.models import Member
from tests.factories import (
    TEST_PASSWORD,
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
)
from workgroups import services
from workgroups.calendar import event_uid
from workgroups.models import GroupMembership, Meeting

pytestmark = pytest.mark.e2e


@pytest.fixture
def gathering(db):
    collaborative = CollaborativeFactory(name="Riverside Reentry Network", slug="riverside")
    housing = KeyAreaFactory(collaborative=collaborative, name="Housing", slug="housing")
    backbone = MemberFactory(collaborative=collaborative, role=Member.Role.BACKBONE)
    group = services.group_create(
        actor=backbone, name="Housing Working Group", key_area=housing, chairs=[]
    )
    for name in ("Ana Rivera", "Marcus Bell"):
        member = MemberFactory(
            collaborative=collaborative, role=Member.Role.COMMUNITY, user__name=name
        )
        GroupMembership.objects.create(group=group, member=member)
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=5)
    meeting = services.meeting_create(
        actor=backbone,
        group=group,
        title="Beds & landlords",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Library, room B",
    )
    return backbone, meeting


def _ics(message) -> str:
    (calendar,) = [a for a in message.attachments if a[2] == "text/calendar"]
    return calendar[1].replace("\r\n ", "")


def test_backbone_reschedules_then_cancels_a_gathering(page, url, sign_in, gathering):
    backbone, meeting = gathering
    sign_in(page, backbone.user.email, TEST_PASSWORD)
    page.goto(url(meeting.get_absolute_url()))

    page.get_by_role("link", name="Reschedule").click()
    expect(page.get_by_role("heading", name="Reschedule the gathering")).to_be_visible()
    new_start = timezone.localtime(meeting.starts_at, meeting.collaborative.zone) + timedelta(
        days=2
    )
    page.get_by_label("Starts").fill(new_start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((new_start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Place").fill("Town hall, room 2")
    page.get_by_label("A note for the people invited (optional)").fill("The library is closed.")
    page.get_by_role("button", name="Move it and tell everyone").click()

    expect(page.get_by_text("Gathering moved.")).to_be_visible()
    expect(page.get_by_text("Town hall, room 2")).to_be_visible()
    moved = [m for m in mail.outbox if m.subject.startswith("Moved: Beds & landlords")]
    assert len(moved) == 2, [m.to for m in moved]  # the two members
    ics = _ics(moved[0])
    assert "METHOD:REQUEST" in ics and "SEQUENCE:1" in ics
    assert f"UID:{event_uid(meeting)}" in ics
    assert "The library is closed." in moved[0].body

    page.get_by_role("link", name="Cancel the gathering").click()
    expect(page.get_by_role("heading", name="Cancel the gathering?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel it and tell everyone").click()
    expect(page.get_by_text("Say why, for the people who planned to come.")).to_be_visible()
    page.get_by_label("Why it is cancelled").fill("Not enough people can come that week.")
    page.get_by_role("button", name="Yes, cancel it and tell everyone").click()

    expect(page.get_by_text("This gathering was cancelled on")).to_be_visible()
    expect(page.get_by_role("link", name="Take attendance")).to_have_count(0)
    expect(page.get_by_role("link", name="Reschedule")).to_have_count(0)
    cancelled = [m for m in mail.outbox if m.subject.startswith("Cancelled: Beds & landlords")]
    assert len(cancelled) == len(moved)
    ics = _ics(cancelled[0])
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:2" in ics
    assert f"UID:{event_uid(meeting)}" in ics
    assert "Not enough people can come that week." in cancelled[0].body
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED and meeting.sequence == 2
