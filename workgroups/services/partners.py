"""Writes for partner initiatives: the community's other collective impact efforts that
reentry work touches. Backbone staff keep the list and its links to groups, priorities
and action items; every link is re-checked to belong to the same collaborative."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reentry.audit.log import record
from stakeholders.models import Member
from workgroups.access import check_keep_partner_initiatives
from workgroups.models import ActionItem, PartnerInitiative, Priority, WorkingGroup

FIELDS = (
    "name",
    "focus",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
    "is_active",
)


def _links(
    actor: Member,
    groups: Iterable[WorkingGroup],
    priorities: Iterable[Priority],
    action_items: Iterable[ActionItem],
) -> tuple[list, list, list]:
    groups, priorities, action_items = list(groups), list(priorities), list(action_items)
    collaborative_id = actor.collaborative_id
    if any(g.collaborative_id != collaborative_id for g in groups):
        raise ValidationError({"groups": _("Choose groups of this collaborative.")})
    ours = set(
        Priority.objects.filter(
            pk__in=[p.pk for p in priorities], plan__group__collaborative_id=collaborative_id
        ).values_list("pk", flat=True)
    )
    if len(ours) != len({p.pk for p in priorities}):
        raise ValidationError({"priorities": _("Choose priorities of this collaborative.")})
    if any(i.collaborative_id != collaborative_id for i in action_items):
        raise ValidationError({"action_items": _("Choose action items of this collaborative.")})
    return groups, priorities, action_items


def _save(
    initiative: PartnerInitiative,
    *,
    actor: Member,
    fields: dict,
    groups: Iterable[WorkingGroup],
    priorities: Iterable[Priority],
    action_items: Iterable[ActionItem],
) -> PartnerInitiative:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"Not a partner initiative field: {sorted(unknown)}")
    for field, value in fields.items():
        setattr(initiative, field, value.strip() if isinstance(value, str) else value)
    initiative.full_clean()
    initiative.save()
    groups, priorities, action_items = _links(actor, groups, priorities, action_items)
    initiative.groups.set(groups)
    initiative.priorities.set(priorities)
    initiative.action_items.set(action_items)
    return initiative


@transaction.atomic
def partner_initiative_create(
    *,
    actor: Member,
    groups: Iterable[WorkingGroup] = (),
    priorities: Iterable[Priority] = (),
    action_items: Iterable[ActionItem] = (),
    request=None,
    **fields,
) -> PartnerInitiative:
    check_keep_partner_initiatives(actor)
    initiative = _save(
        PartnerInitiative(collaborative_id=actor.collaborative_id),
        actor=actor,
        fields=fields,
        groups=groups,
        priorities=priorities,
        action_items=action_items,
    )
    record("partner_initiative.created", actor=actor.user, request=request, obj=initiative)
    return initiative


@transaction.atomic
def partner_initiative_update(
    *,
    actor: Member,
    initiative: PartnerInitiative,
    groups: Iterable[WorkingGroup] = (),
    priorities: Iterable[Priority] = (),
    action_items: Iterable[ActionItem] = (),
    request=None,
    **fields,
) -> PartnerInitiative:
    check_keep_partner_initiatives(actor)
    if initiative.collaborative_id != actor.collaborative_id:
        raise PermissionDenied
    _save(
        initiative,
        actor=actor,
        fields=fields,
        groups=groups,
        priorities=priorities,
        action_items=action_items,
    )
    record("partner_initiative.changed", actor=actor.user, request=request, obj=initiative)
    return initiative
