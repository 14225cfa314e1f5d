"""Query parameters of the API endpoints, parsed once: a malformed value is the caller's
error (400, naming the parameter), never a 500 or a silently ignored filter."""

import uuid
from datetime import date

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def uuid_param(params, name: str) -> uuid.UUID | None:
    """The UUID in ``params[name]``, or None when it is absent or empty."""
    value = params.get(name)
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ValidationError({name: [_("Give a UUID.")]}) from exc


def date_param(params, name: str) -> date | None:
    """The ISO date in ``params[name]``, or None when it is absent or empty."""
    value = params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from exc


def flag_param(params, name: str) -> bool:
    """``true``/``1`` -> True; ``false``/``0`` or absent -> False; anything else is a 400."""
    value = (params.get(name) or "").strip().lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise ValidationError({name: [_("Give true or false.")]})
