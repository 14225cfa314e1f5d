"""Polls, mounted at /c/<slug>/polls/ (reentry/urls.py)."""

from django.urls import path

from workgroups import poll_views, verification_views

app_name = "polls"

urlpatterns = [
    path("", poll_views.poll_list, name="list"),
    path("new/", poll_views.poll_create, name="create"),
    path("verification/", verification_views.verification, name="verification"),
    path("<uuid:public_id>/", poll_views.poll_detail, name="detail"),
    path("<uuid:public_id>/edit/", poll_views.poll_edit, name="edit"),
    path("<uuid:public_id>/open/", poll_views.poll_open, name="open"),
    path("<uuid:public_id>/close/", poll_views.poll_close, name="close"),
    path("<uuid:public_id>/vote/", poll_views.poll_vote, name="vote"),
    path("<uuid:public_id>/results/", poll_views.poll_results, name="results"),
    path("<uuid:public_id>/paper/", poll_views.poll_paper, name="paper"),
]
