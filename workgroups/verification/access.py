"""Who may verify, vouch and see the people list: one policy each.

Backbone staff verify members and withdraw verifications; verified members vouch for
people they know; both see the collaborative's people on the verification page. Every
act is between two active members of the same collaborative.
"""

from django.core.exceptions import PermissionDenied

from stakeholders.models import Member
from workgroups.verification.selectors import is_verified


def can_verify(actor: Member) -> bool:
    """Verify a member, or withdraw a verification: backbone staff."""
    return actor.is_active and actor.is_backbone


def can_vouch(actor: Member) -> bool:
    """Vouch for someone: a verified member."""
    return actor.is_active and is_verified(actor)


def check_same_collaborative(actor: Member, member: Member) -> None:
    """PermissionDenied unless both are active members of the same collaborative."""
    if (
        not actor.is_active
        or not member.is_active
        or actor.collaborative_id != member.collaborative_id
    ):
        raise PermissionDenied
