"""Working groups, their gatherings (agenda, attendance, minutes, decisions) and the
action plans and items that come out of them, one module per part; listed here so Django
registers them and ``from workgroups.models import Meeting`` works."""

from workgroups.models.gatherings import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Decision,
    Meeting,
    MeetingGroupObjectPermission,
    SentReminder,
)
from workgroups.models.groups import GroupJoinRequest, GroupMembership, WorkingGroup
from workgroups.models.partners import PartnerInitiative
from workgroups.models.plans import ActionItem, ActionPlan, Priority, Update

# Quick wins, polls, ballots and verification live in their own module (it is long);
# imported here so Django registers them and ``from workgroups.models import Poll`` works.
from workgroups.quickwins_models import (  # noqa: E402, F401
    Ballot,
    BallotContent,
    MemberVerification,
    Poll,
    PollOption,
    PollResult,
    PollVoter,
    QuickWin,
    QuickWinComment,
    QuickWinHelper,
    Vouch,
)

__all__ = [
    "ActionItem",
    "ActionPlan",
    "AgendaItem",
    "Attendance",
    "Ballot",
    "BallotContent",
    "CalendarFeed",
    "Decision",
    "GroupJoinRequest",
    "GroupMembership",
    "Meeting",
    "MeetingGroupObjectPermission",
    "MemberVerification",
    "PartnerInitiative",
    "Poll",
    "PollOption",
    "PollResult",
    "PollVoter",
    "Priority",
    "QuickWin",
    "QuickWinComment",
    "QuickWinHelper",
    "SentReminder",
    "Update",
    "Vouch",
    "WorkingGroup",
]
