"""The working groups' API: groups, gatherings and action plans (``groups``); quick wins
and polls (``quickwins``). ``router`` is what ``reentry/api/urls.py`` includes."""

from reentry.api.viewsets import COLLABORATIVE_PREFIX, api_router
from workgroups.api import groups, quickwins

router = api_router()
router.register(f"{COLLABORATIVE_PREFIX}/groups", groups.GroupViewSet, basename="group")
router.register(f"{COLLABORATIVE_PREFIX}/meetings", groups.MeetingViewSet, basename="meeting")
router.register(
    f"{COLLABORATIVE_PREFIX}/action-plans", groups.ActionPlanViewSet, basename="action-plan"
)
router.register(
    f"{COLLABORATIVE_PREFIX}/action-items", groups.ActionItemViewSet, basename="action-item"
)
router.register(
    f"{COLLABORATIVE_PREFIX}/quick-wins", quickwins.QuickWinViewSet, basename="quick-win"
)
router.register(f"{COLLABORATIVE_PREFIX}/polls", quickwins.PollViewSet, basename="poll")
