"""Mentoring pages, under /c/<collaborative>/mentoring/. The public application form
is mounted outside the collaborative (``public_urlpatterns``, at /apply/…)."""

from django.urls import path

from mentorship.views import (
    grants,
    matches,
    matching,
    outcomes,
    pipeline,
    profiles,
    programs,
    public,
    sessions,
)

app_name = "mentorship"

P = "<uuid:program_id>/"

urlpatterns = [
    path("", programs.program_list, name="programs"),
    path("new/", programs.program_create, name="program_create"),
    path(P, programs.program_detail, name="program"),
    path(P + "settings/", programs.program_edit, name="program_edit"),
    path(P + "modules/add/", programs.module_add, name="module_add"),
    # Recruitment and screening
    path(P + "pipeline/", pipeline.pipeline, name="pipeline"),
    path(P + "pipeline/move/", pipeline.board_move, name="pipeline_move"),
    path(P + "applicants/", pipeline.applicant_list, name="applicants"),
    path(P + "applicants/<uuid:applicant_id>/", pipeline.applicant_detail, name="applicant"),
    path(
        P + "applicants/<uuid:applicant_id>/move/", pipeline.applicant_move, name="applicant_move"
    ),
    path(
        P + "applicants/<uuid:applicant_id>/approve/",
        pipeline.applicant_approve,
        name="applicant_approve",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/decline/",
        pipeline.applicant_decline,
        name="applicant_decline",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/withdraw/",
        pipeline.applicant_withdraw,
        name="applicant_withdraw",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/withdraw-mine/",
        pipeline.applicant_withdraw_own,
        name="applicant_withdraw_own",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/account/",
        pipeline.applicant_link,
        name="applicant_link",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/training/",
        pipeline.training_record,
        name="training_record",
    ),
    path(
        P + "applicants/<uuid:applicant_id>/background/",
        pipeline.background_assessment,
        name="background",
    ),
    # Profiles
    path(P + "mentors/<uuid:mentor_id>/profile/", profiles.mentor_edit, name="mentor_edit"),
    path(P + "mentees/", profiles.mentee_list, name="mentees"),
    path(P + "mentees/new/", profiles.mentee_create, name="mentee_create"),
    path(P + "mentees/<uuid:mentee_id>/edit/", profiles.mentee_edit, name="mentee_edit"),
    path(
        P + "mentees/<uuid:mentee_id>/no-contact/", profiles.no_contact_add, name="no_contact_add"
    ),
    # Matching
    path(
        P + "mentees/<uuid:mentee_id>/suggestions/",
        matching.suggestions,
        name="suggestions",
    ),
    path(P + "mentees/<uuid:mentee_id>/propose/", matching.propose_one, name="propose_one"),
    path(P + "proposal/", matching.proposal, name="proposal"),
    path(P + "matches/<uuid:match_id>/respond/", matching.match_respond, name="match_respond"),
]

public_urlpatterns = [
    path("", public.apply, name="mentorship_apply"),
    path("thanks/", public.apply_thanks, name="mentorship_apply_thanks"),
]

# The running program: matches and their lifecycle, monitoring, sessions.
M = P + "matches/<uuid:match_id>/"
urlpatterns += [
    path("log/", sessions.session_log, name="session_log"),
    path(P + "matches/", matches.match_list, name="matches"),
    path(M, matches.match_detail, name="match"),
    path(M + "pause/", matches.match_pause, name="match_pause"),
    path(M + "resume/", matches.match_resume, name="match_resume"),
    path(M + "close/", matches.match_close, name="match_close"),
    path(M + "fit-check/", matches.fit_check, name="fit_check"),
    path(M + "check-ins/", matches.contact_record, name="contact_record"),
    path(P + "check-ins/", matches.checkins, name="checkins"),
    path(P + "sessions/", sessions.session_review, name="sessions"),
    path(P + "sessions/decide/", sessions.session_decide, name="session_decide"),
    path(P + "grants/", grants.grant_list, name="grants"),
    path(P + "grants/new/", grants.grant_edit, name="grant_create"),
    path(P + "grants/<uuid:grant_id>/", grants.grant_detail, name="grant"),
    path(P + "grants/<uuid:grant_id>/edit/", grants.grant_edit, name="grant_edit"),
    path(P + "grants/<uuid:grant_id>/budget/", grants.budget_line_add, name="budget_line_add"),
    path(P + "grants/<uuid:grant_id>/expenses/", grants.expense_add, name="expense_add"),
    path(
        P + "grants/<uuid:grant_id>/budget/<uuid:line_id>/edit/",
        grants.budget_line_edit,
        name="budget_line_edit",
    ),
    path(
        P + "grants/<uuid:grant_id>/budget/<uuid:line_id>/remove/",
        grants.budget_line_remove,
        name="budget_line_remove",
    ),
    path(
        P + "grants/<uuid:grant_id>/expenses/<uuid:expense_id>/edit/",
        grants.expense_edit,
        name="expense_edit",
    ),
    path(
        P + "grants/<uuid:grant_id>/expenses/<uuid:expense_id>/remove/",
        grants.expense_remove,
        name="expense_remove",
    ),
    path(P + "report/", grants.funder_report, name="funder_report"),
    path(P + "report.csv", grants.funder_report_csv, name="funder_report_csv"),
]

# The outcomes export for the indicators app: a CSV to upload there.
urlpatterns += [
    path(P + "outcomes.csv", outcomes.outcomes_csv, name="outcomes_csv"),
]
