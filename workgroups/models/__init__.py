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
from workgroups.models.groups import (
    WHOLE_COLLABORATIVE_CHARTER,
    WHOLE_COLLABORATIVE_NAME,
    GroupJoinRequest,
    GroupMembership,
    WorkingGroup,
)
from workgroups.models.partners import PartnerInitiative
from workgroups.models.plans import ActionItem, ActionPlan, Priority, Update

# Quick wins, polls (with their ballots) and member verification are feature packages
# with their own models modules; imported here so Django registers them with this app
# and ``from workgroups.models import Poll`` works.
from workgroups.polls.models import (  # noqa: E402
    Ballot,
    BallotContent,
    Poll,
    PollOption,
    PollResult,
    PollVoter,
)
from workgroups.quickwins.models import QuickWin, QuickWinComment, QuickWinHelper  # noqa: E402
from workgroups.verification.models import MemberVerification, Vouch  # noqa: E402

__all__ = [
    "WHOLE_COLLABORATIVE_CHARTER",
    "WHOLE_COLLABORATIVE_NAME",
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
