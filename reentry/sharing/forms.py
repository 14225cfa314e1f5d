"""The "who can see this" form for any shareable, and plain words for each sharing level.

``SharingForm(data, obj=shareable)`` offers the five levels, each explained for this
object (who exactly will see it), and — for ``shared`` — the organizations, sectors and
working groups of the object's own collaborative only (DESIGN.md rule 6: never another
tenant's). It is pre-filled with the current level and targets. Saving stays with the
caller, through ``reentry.sharing.services.sharing_set`` (which re-checks everything and
writes the audit log)::

    form = SharingForm(request.POST if request.method == "POST" else None, obj=dataset)
    if request.method == "POST" and form.is_valid() and form.has_sharing_changed():
        sharing_set(actor=request.member, obj=dataset, level=form.cleaned_data["level"],
                    share_with=form.share_with(), request=request)
"""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reentry.sharing.levels import SharingLevel
from reentry.sharing.models import Shareable
from reentry.sharing.services import share_targets

TARGET_FIELDS = ("organizations", "sectors", "groups")

_NOT_HERE = gettext_lazy("That choice is not part of this collaborative. Choose from the list.")


def _owner_sector(obj: Shareable) -> models.Model | None:
    return getattr(obj.owner, "sector", None)


def level_explanations(obj: Shareable, *, public: str | None = None) -> dict[str, str]:
    """Who exactly sees ``obj`` at each level, in plain words.

    ``public`` replaces the general words for the public level (a dataset says where its
    figures appear). The sector level is left out when the owner has no sector (a working
    group): ``sharing_set`` refuses it there.
    """
    owner = obj.owner
    collaborative = obj.sharing_collaborative()
    sector = _owner_sector(obj)
    is_organization = hasattr(owner, "sector_id")
    words: dict[str, str] = {
        SharingLevel.PRIVATE: (
            _("Only the people of %(owner)s.")
            if is_organization
            else _("Only the members of %(owner)s.")
        )
        % {"owner": owner},
        SharingLevel.SHARED: _(
            "%(owner)s, and only the organizations, sectors and working groups you choose below."
        )
        % {"owner": owner},
        SharingLevel.COLLABORATIVE: _(
            "Everyone who belongs to %(collaborative)s: every organization, working group "
            "and community member, once signed in."
        )
        % {"collaborative": collaborative},
        SharingLevel.PUBLIC: public
        or _("Anyone, including people who are not signed in to %(collaborative)s.")
        % {"collaborative": collaborative},
    }
    if sector is not None:
        words[SharingLevel.SECTOR] = _("Every organization in the %(sector)s sector.") % {
            "sector": sector
        }
    return {level: words[level] for level in SharingLevel.values if level in words}


def describe_audience(obj: Shareable, *, public: str | None = None) -> str:
    """Plain words for who sees ``obj`` now (its current level)."""
    return level_explanations(obj, public=public).get(obj.sharing_level, "")


def target_name(target: models.Model) -> str:
    """How a share target reads in a sentence or a list: "Org B", "the Housing sector"."""
    if target._meta.label_lower == "stakeholders.sector":
        return _("the %(sector)s sector") % {"sector": target}
    return str(target)


def target_names(targets: Iterable[models.Model]) -> list[str]:
    """Names of share targets for a sentence: organizations, then sectors, then groups."""
    order = {name: i for i, name in enumerate(TARGET_FIELDS)}
    ranked = sorted(targets, key=lambda t: (order.get(_field_for(t), 9), str(t).casefold()))
    return [target_name(t) for t in ranked]


class TargetChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes, posted by public id, labelled by ``label_for`` (or the object's name)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, label_for=None, **kwargs):
        self.label_for = label_for
        kwargs.setdefault("required", False)
        kwargs.setdefault("to_field_name", "public_id")
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _NOT_HERE, "invalid_pk_value": _NOT_HERE}
        )
        queryset = kwargs.pop("queryset", None)
        super().__init__(queryset, *args, **kwargs)

    def label_from_instance(self, obj: models.Model) -> str:
        return self.label_for(obj) if self.label_for else str(obj)


class SharingForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Who can see this"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose who can see this.")},
    )
    organizations = TargetChoiceField(label=gettext_lazy("Organizations"))
    sectors = TargetChoiceField(label=gettext_lazy("Sectors"))
    groups = TargetChoiceField(label=gettext_lazy("Working groups"))

    def __init__(
        self,
        *args: Any,
        obj: Shareable,
        levels: Iterable[str] | None = None,
        public: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.obj = obj
        self.current_targets = share_targets(obj)
        current_ids = {(t._meta.label, t.pk) for t in self.current_targets}
        kwargs.setdefault(
            "initial",
            {
                "level": obj.sharing_level,
                **{
                    name: [t for t in self.current_targets if _field_for(t) == name]
                    for name in TARGET_FIELDS
                },
            },
        )
        super().__init__(*args, **kwargs)
        self.explanations = level_explanations(obj, public=public)
        allowed = list(levels) if levels is not None else list(SharingLevel.values)
        level_field = cast(forms.ChoiceField, self.fields["level"])
        level_field.choices = [
            (value, label)
            for value, label in SharingLevel.choices
            if value in self.explanations and (value in allowed or value == obj.sharing_level)
        ]

        collaborative_id = obj.collaborative_id_value()
        owner = obj.owner
        organization = apps.get_model("stakeholders", "Organization")
        sector = apps.get_model("stakeholders", "Sector")
        group = apps.get_model("workgroups", "WorkingGroup")

        # Only this collaborative's organizations, sectors and groups; never the owner.
        organizations = organization.objects.filter(collaborative_id=collaborative_id)
        groups = group.objects.filter(collaborative_id=collaborative_id).filter(
            # The whole-collaborative group is the collaborative level; a group already
            # chosen stays on offer after it closes, so saving does not drop it silently.
            Q(is_active=True, is_whole_collaborative=False)
            | Q(pk__in=[pk for label, pk in current_ids if label == group._meta.label])
        )
        if isinstance(owner, organization):
            organizations = organizations.exclude(pk=owner.pk)
        if isinstance(owner, group):
            groups = groups.exclude(pk=owner.pk)
        self._targets(
            "organizations",
            organizations.select_related("sector").order_by("name", "pk"),
            lambda o: _("%(name)s (%(sector)s)") % {"name": o.name, "sector": o.sector.name},
        )
        self._targets(
            "sectors",
            sector.objects.filter(collaborative_id=collaborative_id).order_by("order", "name"),
            lambda s: _("Every organization in the %(sector)s sector") % {"sector": s.name},
        )
        self._targets(
            "groups",
            groups.order_by("name", "pk"),
            lambda g: _("The members of %(group)s") % {"group": g.name},
        )

    def _targets(self, name: str, queryset: models.QuerySet, label_for) -> None:
        field = cast(TargetChoiceField, self.fields[name])
        field.queryset = queryset
        field.label_for = label_for

    def level_options(self) -> list[tuple[Any, str]]:
        """(radio button, plain explanation) for each level, in the template's order."""
        return [(radio, self.explanations[radio.data["value"]]) for radio in self["level"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("level") != SharingLevel.SHARED:
            for name in TARGET_FIELDS:
                cleaned[name] = []
        elif not any(name in self.errors for name in TARGET_FIELDS) and not self.share_with():
            self.add_error(
                None, _("Choose at least one organization, sector or group to share with.")
            )
        return cleaned

    def share_with(self) -> list[models.Model]:
        """The chosen organizations, sectors and working groups (only for ``shared``)."""
        return [t for name in TARGET_FIELDS for t in self.cleaned_data.get(name) or []]

    def has_sharing_changed(self) -> bool:
        if self.cleaned_data["level"] != self.obj.sharing_level:
            return True
        before = {(t._meta.label, t.pk) for t in self.current_targets}
        return before != {(t._meta.label, t.pk) for t in self.share_with()}


def _field_for(target: models.Model) -> str:
    return {
        "stakeholders.organization": "organizations",
        "stakeholders.sector": "sectors",
        "workgroups.workinggroup": "groups",
    }.get(target._meta.label_lower, "")
