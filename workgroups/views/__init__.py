"""Working-group pages, one module per part: groups, gatherings, plans (plans, the board
and action items), coordination across groups, and calendar feeds. Access → service →
render: every read through ``visible_to``, every fetch through ``workgroups.access``."""

from django.core.exceptions import ValidationError

from stakeholders.access import CollaborativeRequest


def page_context(request: CollaborativeRequest, **extra) -> dict:
    """What every working-group page shows: the collaborative and the person."""
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one sentence, for a flash message."""
    return " ".join(exc.messages)
