"""Gatherings into the one stipend ledger (``reentry.stipends``).

Community members marked present at a gathering earn a line each (walk-ins have no
account to pay). This module knows the gatherings and their attendance; the ledger
knows rates, caps and approval, and never imports working groups: it is called from
here, with the payees and the gathering's id, day, length and description.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from reentry.stipends import money
from reentry.stipends.services import LineChanges, stipend_lines_for_gathering
from stakeholders.models import Member
from workgroups.models import Attendance, Meeting


def _eligible_member_ids(meeting: Meeting) -> set[int]:
    """Community members marked present (walk-ins have no account to pay)."""
    return set(
        Attendance.objects.filter(
            meeting=meeting,
            status=Attendance.Status.PRESENT,
            member__role=Member.Role.COMMUNITY,
            member__is_active=True,
        ).values_list("member_id", flat=True)
    )


@transaction.atomic
def stipend_lines_for_meeting(*, actor: Member, meeting: Meeting, request=None) -> LineChanges:
    """Bring a gathering's stipend lines in line with its attendance. Idempotent.

    Each community member marked present earns one pending line (when the
    collaborative has stipends on); running it again makes none. A pending line whose
    person is no longer marked present is removed; an approved or paid line stays,
    whatever happens to the attendance afterwards.
    """
    meeting = Meeting.objects.select_related("owner", "collaborative").get(pk=meeting.pk)
    if actor.collaborative_id != meeting.collaborative_id or not meeting.owner.is_managed_by(actor):
        raise PermissionDenied(_("Only the group's chairs and backbone staff can do that."))
    return stipend_lines_for_gathering(
        actor=actor,
        meeting_id=meeting.pk,
        payee_ids=_eligible_member_ids(meeting),
        day=meeting.collaborative.local_date(meeting.starts_at),
        hours=money.hours_between(meeting.starts_at, meeting.ends_at),
        description=f"{meeting.title} · {meeting.owner.name}",
        audit_obj=meeting,
        request=request,
    )
