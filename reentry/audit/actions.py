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
    "api_token.created": _("Created an API key"),
    "api_token.revoked": _("Revoked an API key"),
    "audit.exported": _("Downloaded the audit log"),
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
