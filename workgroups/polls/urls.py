"""Polls, mounted at /c/<slug>/polls/ (reentry/urls.py)."""

from django.urls import path

from workgroups.polls import views
from workgroups.verification import views as verification_views

app_name = "polls"

urlpatterns = [
    path("", views.poll_list, name="list"),
    path("new/", views.poll_create, name="create"),
    path("verification/", verification_views.verification, name="verification"),
    path("<uuid:public_id>/", views.poll_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.poll_edit, name="edit"),
    path("<uuid:public_id>/open/", views.poll_open, name="open"),
    path("<uuid:public_id>/close/", views.poll_close, name="close"),
    path("<uuid:public_id>/vote/", views.poll_vote, name="vote"),
    path("<uuid:public_id>/results/", views.poll_results, name="results"),
    path("<uuid:public_id>/paper/", views.poll_paper, name="paper"),
]
