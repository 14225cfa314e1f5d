"""What every mentoring page shares: its context and a button's action."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError

from stakeholders.access import CollaborativeRequest


def page_context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one sentence for a message."""
    return " ".join(exc.messages)


def act(request: CollaborativeRequest, done: str, service: Callable[..., Any], **kw: Any) -> None:
    """One button's action: call the service as this person, then say how it went (the
    service's own words when it refuses)."""
    try:
        service(actor=request.member, request=request, **kw)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done)
