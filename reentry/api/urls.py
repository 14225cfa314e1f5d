"""/api/: the v1 endpoints, the OpenAPI schema and its docs (assets from the sidecar
package, init script served as a file so the strict CSP holds)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from reentry.api import directory, docs, indicators, mentoring, quickwins, viewsets, workgroups

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("collaboratives", viewsets.CollaborativeViewSet, basename="collaborative")
nested = "collaboratives/<slug:collaborative_slug>"
router.register(f"{nested}/key-areas", viewsets.KeyAreaViewSet, basename="key-area")
router.register(f"{nested}/sectors", viewsets.SectorViewSet, basename="sector")
router.register(f"{nested}/organizations", viewsets.OrganizationViewSet, basename="organization")
router.register(f"{nested}/members", viewsets.MemberViewSet, basename="member")
router.register(f"{nested}/services", directory.ServiceViewSet, basename="service")
router.register(f"{nested}/locations", directory.LocationViewSet, basename="location")
router.register(f"{nested}/groups", workgroups.GroupViewSet, basename="group")
router.register(f"{nested}/meetings", workgroups.MeetingViewSet, basename="meeting")
router.register(f"{nested}/action-plans", workgroups.ActionPlanViewSet, basename="action-plan")
router.register(f"{nested}/action-items", workgroups.ActionItemViewSet, basename="action-item")
mentoring_api = f"{nested}/mentoring"
router.register(f"{mentoring_api}/programs", mentoring.ProgramViewSet, basename="mentoring-program")
router.register(f"{mentoring_api}/mentors", mentoring.MentorViewSet, basename="mentoring-mentor")
router.register(f"{mentoring_api}/mentees", mentoring.MenteeViewSet, basename="mentoring-mentee")
router.register(f"{mentoring_api}/matches", mentoring.MatchViewSet, basename="mentoring-match")
router.register(f"{mentoring_api}/sessions", mentoring.SessionViewSet, basename="mentoring-session")
router.register(f"{nested}/quick-wins", quickwins.QuickWinViewSet, basename="quick-win")
router.register(f"{nested}/polls", quickwins.PollViewSet, basename="poll")
router.register(f"{nested}/indicators", indicators.IndicatorViewSet, basename="indicator")
router.register(f"{nested}/datasets", indicators.DatasetViewSet, basename="dataset")
router.register(f"{nested}/observations", indicators.ObservationViewSet, basename="observation")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]
