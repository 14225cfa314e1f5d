"""Stored text shown in the reader's language: the one place that picks it.

Two kinds of text live in the database:

- **What the product wrote** (the default key areas and sectors, the disaggregation
  dimensions, the "Full collaborative" group and its charter). The row keeps the English
  source, which is a msgid the Spanish catalogue translates; the module that writes it
  lists its msgids with ``product_written()`` (each one also marked with
  ``gettext_noop`` so ``makemessages`` finds it). A value equal to one of them is shown
  through ``gettext``; once an organization edits it, it is theirs and shown as written.
  Arbitrary stored text is never looked up in the catalogue.
- **What an organization wrote**, which may carry a Spanish version in a ``<field>_es``
  column (a group's name and charter, a service, a quick win, a poll option, an
  indicator's name). Spanish readers see it when it is filled in; everyone else, and
  Spanish readers when it is empty, see the English.

``localized(obj, "name")`` in Python, ``{{ obj|localized:"name" }}`` in templates (a
builtin filter, no ``{% load %}`` needed).
"""

from django import template
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

SPANISH_HELP = gettext_lazy("Shown to people reading in Spanish. Leave empty to show the English.")

_WRITTEN: set[str] = set()

# Shown by Django itself, missing from Django's own Spanish catalogue: ours carries them
# (listed here so that makemessages keeps them in locale/es).
DJANGO_GAPS = (
    gettext_noop("- Select an option -"),  # a model field's blank choice (Django 6.1)
)


def product_written(*messages: str) -> None:
    """Declare stored strings the product writes itself (their English is the msgid)."""
    _WRITTEN.update(m for m in messages if m)


def written_by_product() -> frozenset[str]:
    """Every stored string the product writes (for the tests that look for them)."""
    return frozenset(_WRITTEN)


def reads_spanish() -> bool:
    return (get_language() or "").split("-")[0] == "es"


def _read(obj: object, field: str):
    return obj.get(field, "") if isinstance(obj, dict) else getattr(obj, field, "")


def localized(obj: object, field: str) -> str:
    """``obj.<field>`` as the reader should see it (see the module's docstring)."""
    value = _read(obj, field)
    if value is None:
        return ""
    if reads_spanish() and (spanish := _read(obj, f"{field}_es")):
        return spanish
    return localized_text(value) if isinstance(value, str) else value


def localized_text(value: str) -> str:
    """A stored string on its own: translated when the product wrote it, else as stored."""
    return gettext(value) if value in _WRITTEN else value


register = template.Library()


@register.filter(name="localized")
def localized_filter(obj: object, field: str) -> str:
    return localized(obj, field)


@register.filter(name="localized_text")
def localized_text_filter(value: str) -> str:
    """A stored string already taken out of its row (e.g. a key area's name in a summary)."""
    return localized_text(value) if isinstance(value, str) else value
