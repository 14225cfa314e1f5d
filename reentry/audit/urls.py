from django.urls import path

from reentry.audit import views

app_name = "audit"

# Included under /c/<slug>/ (reentry/urls.py).
urlpatterns = [
    path("audit/", views.event_list, name="events"),
    path("audit/export.csv", views.event_export, name="export"),
]
