"""Query parameters of the API's lists, with django-filter: one FilterSet per endpoint,
and a value that does not parse (``open_now=maybe``, an unknown status, a key area the
collaborative does not have, a malformed UUID or date) answers 400 naming the parameter
(``{"open_now": ["..."]}``) instead of being ignored.

- ``FlagFilter``: ``true``/``1`` asks for the restriction, ``false``/``0`` (or nothing)
  does not; anything else is a 400.
- ``SlugFilter``: a key area (or sector) slug of the request's collaborative.
- ``CollaborativeFilterBackend`` hands each FilterSet the view's collaborative.
"""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from stakeholders.models import KeyArea

TRUE = ("true", "1")
FALSE = ("false", "0")


class StrictBooleanField(forms.Field):
    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class FlagFilter(drf_filters.BooleanFilter):
    """``true``: only the rows the flag asks for (``method``, or ``field_name=True``);
    ``false`` or absent: every row."""

    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra.pop("widget", None)

    def filter(self, qs, value):
        if value is not True:
            return qs
        return super().filter(qs, value)


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelChoiceFilter):
    """One of the collaborative's key areas (or sectors: ``model=Sector``), by slug."""

    def __init__(self, *args: Any, model=KeyArea, **kwargs: Any) -> None:
        self.choice_model = model
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("queryset", model.objects.none())
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("This collaborative has nothing with this slug here.")},
        )
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        collaborative = getattr(self.parent, "collaborative", None)
        if collaborative is None:
            return self.choice_model.objects.none()
        return self.choice_model.objects.filter(collaborative=collaborative)


class CollaborativeFilterSet(drf_filters.FilterSet):
    """A FilterSet that knows the view (its collaborative, for choices scoped to it, and
    the person's membership)."""

    def __init__(self, *args: Any, view=None, **kwargs: Any) -> None:
        self.view = view
        self.collaborative = getattr(view, "collaborative", None)
        super().__init__(*args, **kwargs)


class CollaborativeFilterBackend(drf_filters.DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and issubclass(filterset_class, CollaborativeFilterSet):
            kwargs["view"] = view
        return kwargs
