"""The token pages, mounted at /c/<slug>/api-tokens/ by reentry/urls.py."""

from django.urls import path

from reentry.api import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.api_token_list, name="list"),
    path("<uuid:public_id>/revoke/", views.api_token_revoke, name="revoke"),
]
