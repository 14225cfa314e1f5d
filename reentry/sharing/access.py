"""``access_*``: fetch one object for a person, or 404 whether it is missing or not theirs.

A 404 for an object that exists but is not visible is written to the audit log,
so probing shows up in the log, never in the response; a long run of them is
folded (``reentry.audit.log.record_denied``), so probing cannot flood the log.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

from reentry.audit.log import record_denied
from reentry.sharing.models import Shareable


def get_visible_or_404(queryset: models.QuerySet, visible: models.QuerySet, request=None, **lookup):
    """``visible`` is ``queryset.visible_to(user)`` (possibly narrowed further).

    A malformed id (``?grant=abc`` for a UUID field) names nothing: 404, not a 500."""
    try:
        return visible.get(**lookup)
    except (visible.model.DoesNotExist, ValueError, TypeError, ValidationError):
        pass
    try:
        hidden = queryset.filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
    if hidden is not None:
        record_denied(
            "access.not_found",
            request=request,
            collaborative=(
                hidden.sharing_collaborative() if isinstance(hidden, Shareable) else None
            ),
            obj=hidden,
            path=request.path if request is not None else "",
        )
    raise Http404
