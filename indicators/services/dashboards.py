"""Writes behind the dashboards: the story behind the curve, partners' comments.

Each takes the acting member first, runs in a transaction, validates with
``full_clean()`` and records an audit event.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from indicators.access import can_comment, can_edit_indicator, can_hide_comment
from indicators.models import Indicator, IndicatorComment, StoryNote
from reentry.audit.log import record
from stakeholders.models import Member


@transaction.atomic
def story_add(*, actor: Member, indicator: Indicator, body: str, request=None) -> StoryNote:
    """A new story behind the curve; the newest is the one shown, earlier ones stay."""
    if indicator.collaborative_id != actor.collaborative_id or not can_edit_indicator(
        actor, indicator
    ):
        raise PermissionDenied
    note = StoryNote(indicator=indicator, author=actor, body=body.strip())
    note.full_clean()
    note.save()
    record(
        "indicator.story_added",
        actor=actor.user,
        request=request,
        collaborative=indicator.collaborative,
        obj=note,
        indicator=str(indicator.public_id),
    )
    return note


@transaction.atomic
def comment_add(
    *, actor: Member, indicator: Indicator, body: str, request=None
) -> IndicatorComment:
    if indicator.collaborative_id != actor.collaborative_id or not can_comment(actor):
        raise PermissionDenied
    comment = IndicatorComment(indicator=indicator, author=actor, body=body.strip())
    comment.full_clean()
    comment.save()
    record(
        "indicator.comment_added",
        actor=actor.user,
        request=request,
        collaborative=indicator.collaborative,
        obj=comment,
        indicator=str(indicator.public_id),
    )
    return comment


@transaction.atomic
def comment_hide(
    *, actor: Member, comment: IndicatorComment, hidden: bool = True, request=None
) -> IndicatorComment:
    """Backbone staff hide (or show again) a comment; it is never deleted."""
    if not can_hide_comment(actor, comment):
        raise PermissionDenied
    comment.is_hidden = hidden
    comment.save(update_fields=["is_hidden"])
    record(
        "indicator.comment_hidden" if hidden else "indicator.comment_shown",
        actor=actor.user,
        request=request,
        collaborative=comment.indicator.collaborative,
        obj=comment,
    )
    return comment
