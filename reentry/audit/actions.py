"""What each audit action means, in plain words, for the audit page and its export.

An action recorded under a code not listed here still shows, by its code; add the
code here when a new kind of event is recorded, so backbone staff can filter by it.
"""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "auth.sign_in": _("Signed in"),
    "auth.sign_out": _("Signed out"),
    "auth.sign_in_failed": _("Sign-in failed"),
    "collaborative.created": _("Created the collaborative"),
    "invitation.sent": _("Sent an invitation"),
    "invitation.resent": _("Sent an invitation again"),
    "invitation.revoked": _("Withdrew an invitation"),
    "invitation.accepted": _("Accepted an invitation"),
    "join_request.created": _("Asked to join"),
    "join_request.approved": _("Approved a request to join"),
    "join_request.declined": _("Declined a request to join"),
    "join_request.withdrawn": _("Withdrew a request to join"),
    "member.role_changed": _("Changed a member's role or organization"),
    "member.privacy_changed": _("Changed their privacy settings"),
    "sharing.changed": _("Changed who can see something"),
    "sharing.regranted": _("Moved sector sharing after a sector change"),
    "sharing.admin_changed": _("Changed a permission in the admin"),
    "access.not_found": _("Tried to open something not shared with them"),
    "access.not_found.throttled": _(
        "Tried to open too many things not shared with them: counted, not logged one by one"
    ),
    "access.not_found.repeats": _("Kept trying to open things not shared with them"),
    "api_token.created": _("Created an API key"),
    "api_token.revoked": _("Revoked an API key"),
    "audit.exported": _("Downloaded the audit log"),
    "casework.service_logged": _("Logged a service for a participant"),
    "casework.service_logged_many": _("Logged the same service for several participants"),
    "casework.logs_imported": _("Uploaded a file of service logs"),
    "casework.logs_exported": _("Downloaded service logs"),
    "indicator.created": _("Added an indicator to the catalog"),
    "indicator.changed": _("Changed an indicator"),
    "indicator.local_definition_changed": _("Stated an organization's local definition"),
    "indicator.derivation_saved": _("Defined how an indicator is worked out from records"),
    "indicator.derivation_removed": _("Stopped working out an indicator from records"),
    "dataset.imported": _("Saved an upload of data"),
    "dataset.submitted": _("Submitted data for acceptance"),
    "dataset.accepted": _("Accepted data"),
    "dataset.returned": _("Sent data back as a draft"),
    "dataset.restored": _("Restored an earlier version of data"),
    "dataset.changed": _("Changed a dataset's description"),
    # Casework referrals (closed loop).
    "casework.referral_sent": _("Sent a referral"),
    "casework.referral_accepted": _("Accepted a referral"),
    "casework.referral_declined": _("Declined a referral"),
    "casework.referral_info_requested": _("Asked for more information on a referral"),
    "casework.referral_answered": _("Answered a question on a referral"),
    "casework.referral_delivered": _("Recorded the service delivered for a referral"),
    "casework.referral_closed": _("Closed a referral"),
    "casework.referral_withdrawn": _("Withdrew a referral"),
    "casework.referrals_reminded": _("Reminded an organization of referrals waiting for an answer"),
    "mentorship.program_created": _("Started a mentoring program"),
    "mentorship.program_updated": _("Changed a mentoring program's settings"),
    "mentorship.training_module_saved": _("Saved a mentor training module"),
    "mentorship.applicant_submitted": _("Applied to mentor"),
    "mentorship.applicant_moved": _("Moved a mentor application to another stage"),
    "mentorship.applicant_approved": _("Approved a mentor"),
    "mentorship.applicant_declined": _("Declined a mentor application"),
    "mentorship.applicant_withdrawn": _("Marked a mentor application as withdrawn"),
    "mentorship.applicant_withdrew_own": _("Withdrew their own mentor application"),
    "mentorship.applicant_linked": _("Connected a mentor application to an account"),
    "mentorship.background_assessed": _("Recorded a background assessment"),
    "mentorship.training_recorded": _("Recorded mentor training"),
    "mentorship.training_removed": _("Removed a mentor training record"),
    "mentorship.mentor_profile_updated": _("Changed a mentor profile"),
    "mentorship.mentee_created": _("Added a mentee"),
    "mentorship.mentee_updated": _("Changed a mentee's profile"),
    "mentorship.no_contact_recorded": _("Recorded a no-contact conflict"),
    "mentorship.no_contact_removed": _("Removed a no-contact conflict"),
    "mentorship.match_proposed": _("Proposed a mentoring match"),
    "mentorship.match_accepted": _("Accepted a mentoring match"),
    "mentorship.match_declined": _("Declined a proposed mentoring match"),
    "mentorship.match_started": _("A mentoring match started"),
    "mentorship.match_paused": _("Paused a mentoring match"),
    "mentorship.match_resumed": _("Resumed a mentoring match"),
    "mentorship.match_closed": _("Closed a mentoring match"),
    "mentorship.fit_check": _("Recorded a fit check"),
    "mentorship.monitoring_contact": _("Recorded a check-in with a mentor or mentee"),
    "mentorship.session_logged": _("Logged a mentoring session"),
    "mentorship.sessions_approved": _("Approved mentoring sessions"),
    "mentorship.sessions_rejected": _("Turned down mentoring sessions"),
    "mentorship.alerts_sent": _("Sent mentoring alerts"),
    "mentorship.grant_created": _("Added a grant"),
    "mentorship.grant_changed": _("Changed a grant"),
    "mentorship.budget_line_added": _("Added a grant budget line"),
    "mentorship.expense_added": _("Entered a grant expense"),
    "poll.created": _("Set up a poll"),
    "poll.updated": _("Changed a poll"),
    "poll.scheduled": _("Scheduled a poll"),
    "poll.opened": _("Opened a poll"),
    "poll.closed": _("Closed and counted a poll"),
    "poll.ballot_cast": _("Cast a ballot"),
    "poll.ballot_changed": _("Changed their ballot"),
    "poll.paper_ballot_entered": _("Typed in a paper ballot"),
    "poll.paper_ballot_changed": _("Changed a paper ballot"),
    "member.verified": _("Verified a member"),
    "member.verification_withdrawn": _("Withdrew a member's verification"),
    "member.vouched": _("Vouched for a member"),
    "indicator.story_added": _("Wrote the story behind an indicator's curve"),
    "indicator.comment_added": _("Commented on an indicator"),
    "indicator.comment_hidden": _("Hid a comment on an indicator"),
    "indicator.comment_shown": _("Showed a hidden comment on an indicator again"),
    "data_request.created": _("Asked an organization to share a dataset"),
    "data_request.approved": _("Approved a request to share a dataset"),
    "data_request.declined": _("Declined a request to share a dataset"),
    "casework.enrolled": _("Enrolled a participant"),
    "casework.record_viewed": _("Was shown a participant's record"),
    "casework.indicators_derived": _(
        "Worked out the organization's casework indicators from its own records"
    ),
    "casework.participant_searched": _("Looked for a participant who agreed to be found"),
    "casework.enrolment_updated": _("Changed their organization's record of a participant"),
    "casework.enrolment_closed": _("Closed a participant's enrolment"),
    "casework.enrolment_reopened": _("Reopened a participant's enrolment"),
    "casework.link_code_made": _("Gave a participant a code to link their account"),
    "casework.account_linked": _("Linked their account to their participant record"),
    "casework.participants_merged": _("Merged two records of the same participant"),
    "casework.consent_recorded": _("Recorded a consent to share a participant's record"),
    "casework.consent_revoked": _("Revoked a consent"),
    "casework.consent_expired": _("A consent ended"),
    "casework.consent_scan_downloaded": _("Downloaded the scan of a signed consent form"),
}

# About a person's account, not one collaborative: recorded without a collaborative,
# so they never appear on a collaborative's audit page (the admin shows them).
ACCOUNT_ACTIONS = frozenset({"auth.sign_in", "auth.sign_out", "auth.sign_in_failed"})


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def collaborative_action_choices() -> list[tuple[str, str]]:
    """The actions a collaborative's audit page can filter by, alphabetical by label."""
    choices = [(code, str(label)) for code, label in ACTION_LABELS.items()]
    return sorted((c for c in choices if c[0] not in ACCOUNT_ACTIONS), key=lambda c: c[1].lower())
