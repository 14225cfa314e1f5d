"""Mentoring pages, under /c/<collaborative>/mentoring/. The public application form
is mounted outside the collaborative (``public_urlpatterns``, at /apply/…)."""

from django.urls import path

from mentorship import (
    feed_views,
    grant_views,
    match_views,
    matching_views,
    public_views,
    session_views,
    views,
)

app_name = "mentorship"

P = "<uuid:program_id>/"

urlpatterns = [
    path("", views.program_list, name="programs"),
    path("new/", views.program_create, name="program_create"),
    path(P, views.program_detail, name="program"),
    path(P + "settings/", views.program_edit, name="program_edit"),
    path(P + "modules/add/", views.module_add, name="module_add"),
    # Recruitment and screening
    path(P + "pipeline/", views.pipeline, name="pipeline"),
    path(P + "applicants/", views.applicant_list, name="applicants"),
    path(P + "applicants/<uuid:applicant_id>/", views.applicant_detail, name="applicant"),
    path(P + "applicants/<uuid:applicant_id>/move/", views.applicant_move, name="applicant_move"),
    path(
        P + "applicants/<uuid:applicant_id>/approve/",
        views.applicant_approve,
        name="applicant_approve",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/decline/",
        views.applicant_decline,
        name="applicant_decline",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/withdraw/",
        views.applicant_withdraw,
        name="applicant_withdraw",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/withdraw-mine/",
        views.applicant_withdraw_own,
        name="applicant_withdraw_own",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/account/", views.applicant_link, name="applicant_link"
    ),
    path(
        P + "applicants/<uuid:applicant_id>/training/",
        views.training_record,
        name="training_record",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/background/",
        views.background_assessment,
        name="background",
    ),
    # Profiles
    path(P + "mentors/<uuid:mentor_id>/profile/", views.mentor_edit, name="mentor_edit"),
    path(P + "mentees/", views.mentee_list, name="mentees"),
    path(P + "mentees/new/", views.mentee_create, name="mentee_create"),
    path(P + "mentees/<uuid:mentee_id>/edit/", views.mentee_edit, name="mentee_edit"),
    path(P + "mentees/<uuid:mentee_id>/no-contact/", views.no_contact_add, name="no_contact_add"),
    # Matching
    path(
        P + "mentees/<uuid:mentee_id>/suggestions/",
        matching_views.suggestions,
        name="suggestions",
    ),
    path(P + "mentees/<uuid:mentee_id>/propose/", matching_views.propose_one, name="propose_one"),
    path(P + "proposal/", matching_views.proposal, name="proposal"),
    path(
        P + "matches/<uuid:match_id>/respond/", matching_views.match_respond, name="match_respond"
    ),
]

public_urlpatterns = [
    path("", public_views.apply, name="mentorship_apply"),
    path("thanks/", public_views.apply_thanks, name="mentorship_apply_thanks"),
]

# The running program (h8b): matches and their lifecycle, monitoring, sessions.
M = P + "matches/<uuid:match_id>/"
urlpatterns += [
    path("log/", session_views.session_log, name="session_log"),
    path(P + "matches/", match_views.match_list, name="matches"),
    path(M, match_views.match_detail, name="match"),
    path(M + "pause/", match_views.match_pause, name="match_pause"),
    path(M + "resume/", match_views.match_resume, name="match_resume"),
    path(M + "close/", match_views.match_close, name="match_close"),
    path(M + "fit-check/", match_views.fit_check, name="fit_check"),
    path(M + "check-ins/", match_views.contact_record, name="contact_record"),
    path(P + "check-ins/", match_views.checkins, name="checkins"),
    path(P + "sessions/", session_views.session_review, name="sessions"),
    path(P + "sessions/decide/", session_views.session_decide, name="session_decide"),
    path(P + "grants/", grant_views.grant_list, name="grants"),
    path(P + "grants/new/", grant_views.grant_edit, name="grant_create"),
    path(P + "grants/<uuid:grant_id>/", grant_views.grant_detail, name="grant"),
    path(P + "grants/<uuid:grant_id>/edit/", grant_views.grant_edit, name="grant_edit"),
    path(P + "grants/<uuid:grant_id>/budget/", grant_views.budget_line_add, name="budget_line_add"),
    path(P + "grants/<uuid:grant_id>/expenses/", grant_views.expense_add, name="expense_add"),
    path(
        P + "grants/<uuid:grant_id>/budget/<uuid:line_id>/edit/",
        grant_views.budget_line_edit,
        name="budget_line_edit",
    ),
    path(
        P + "grants/<uuid:grant_id>/budget/<uuid:line_id>/remove/",
        grant_views.budget_line_remove,
        name="budget_line_remove",
    ),
    path(
        P + "grants/<uuid:grant_id>/expenses/<uuid:expense_id>/edit/",
        grant_views.expense_edit,
        name="expense_edit",
    ),
    path(
        P + "grants/<uuid:grant_id>/expenses/<uuid:expense_id>/remove/",
        grant_views.expense_remove,
        name="expense_remove",
    ),
    path(P + "report/", grant_views.funder_report, name="funder_report"),
    path(P + "report.csv", grant_views.funder_report_csv, name="funder_report_csv"),
]

# The outcomes feed for the indicators app (h8c): a CSV to upload there.
urlpatterns += [
    path(P + "outcomes.csv", feed_views.outcomes_csv, name="outcomes_csv"),
]
