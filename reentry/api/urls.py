"""/api/: the v1 endpoints and their root, the OpenAPI schema and its docs (assets from the
sidecar package, init script served as a file so the strict CSP holds), and a JSON 404
for every other address under /api/.

Wiring, on the top floor: each app keeps its serializers, viewsets and router in its
own ``api`` module, and this one only includes them."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from casework import api as casework_api
from indicators import api as indicators_api
from mentorship import api as mentorship_api
from reentry.api import docs, root
from stakeholders import api as stakeholders_api
from workgroups import api as workgroups_api

app_name = "api"

ROUTERS = [
    stakeholders_api.router,
    workgroups_api.router,
    mentorship_api.router,
    indicators_api.router,
    casework_api.router,
]

urlpatterns = [
    path(
        "v1/",
        include(
            [
                path("", root.ApiRootView.as_view(routers=ROUTERS), name="root"),
                *(url for router in ROUTERS for url in router.urls),
            ]
        ),
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    # Last: anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^(?P<rest>.*)$", root.not_found, name=root.NOT_FOUND_NAME),
]
