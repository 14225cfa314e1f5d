"""/api/: the v1 endpoints, the OpenAPI schema and its docs (assets from the sidecar
package, init script served as a file so the strict CSP holds).

Wiring, on the top floor: each app keeps its serializers, viewsets and router in its
own ``api`` module, and this one only includes them."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from casework import api as casework_api
from indicators import api as indicators_api
from mentorship import api as mentorship_api
from reentry.api import docs
from stakeholders import api as stakeholders_api
from workgroups import api as workgroups_api

app_name = "api"

urlpatterns = [
    path(
        "v1/",
        include(
            [
                *stakeholders_api.router.urls,
                *workgroups_api.router.urls,
                *mentorship_api.router.urls,
                *indicators_api.router.urls,
                *casework_api.router.urls,
            ]
        ),
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]
