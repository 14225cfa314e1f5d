"""The project's URLs plus the test-only sharing app's pages (tests/settings.py)."""

from django.urls import include, path

from reentry.urls import handler403, handler404, handler500
from reentry.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("", include("tests.sharingapp.urls")),
    *project_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
