"""Coordination across groups: a page per key area, and the partner initiatives.

Mounted at /c/<slug>/ (namespace ``coordination``, ``workgroups.urls.coordination_patterns``):
``key-areas/…`` and ``partners/…``.
Every member of the collaborative reads them; backbone staff keep the partner list.
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import KeyArea, Member
from workgroups import selectors, services
from workgroups.access import access_partner_initiative, can_keep_partner_initiatives
from workgroups.forms import PartnerInitiativeForm
from workgroups.models import ActionItem, PartnerInitiative, WorkingGroup
from workgroups.views import page_context


@collaborative_view()
def key_area_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    areas = selectors.key_area_counts(user=request.user, collaborative=request.collaborative)
    return render(
        request, "workgroups/coordination/key_areas.html", page_context(request, areas=areas)
    )


@collaborative_view()
def key_area_detail(request: CollaborativeRequest, slug: str, area: str) -> HttpResponse:
    """Every group's priorities and action items touching one key area, where two groups
    plan the same thing, and what is overdue or has no owner."""
    key_area = get_object_or_404(KeyArea, collaborative=request.collaborative, slug=area)
    overview = selectors.key_area_overview(
        user=request.user, collaborative=request.collaborative, area=key_area
    )
    return render(
        request,
        "workgroups/coordination/key_area.html",
        page_context(
            request,
            area=key_area,
            overview=overview,
            threshold=round(selectors.OVERLAP_THRESHOLD * 100),
            shown=KEY_AREA_SHOWN,
            shown_cut=f":{KEY_AREA_SHOWN}",
            attention=KEY_AREA_ATTENTION,
            attention_cut=f":{KEY_AREA_ATTENTION}",
            overlaps_shown=KEY_AREA_OVERLAPS,
            overlaps_cut=f":{KEY_AREA_OVERLAPS}",
        ),
    )


#: Items shown under each priority, and in each short list of the key-area page; the
#: rest are counted and reached through a link (the paged list below, or the plan).
KEY_AREA_SHOWN = 5
KEY_AREA_ATTENTION = 10
KEY_AREA_OVERLAPS = 10
KEY_AREA_ITEMS_PAGE = 25
ITEM_LISTS = {
    "open": gettext_lazy("Open action items"),
    "overdue": gettext_lazy("Overdue"),
    "unowned": gettext_lazy("Without an owner"),
    "all": gettext_lazy("Every action item"),
}


@collaborative_view()
def key_area_items(request: CollaborativeRequest, slug: str, area: str) -> HttpResponse:
    """Every action item touching one key area, paged: the "see all" of the key-area
    page's short lists (``?show=open|overdue|unowned|all``, ``?group=`` one group)."""
    key_area = get_object_or_404(KeyArea, collaborative=request.collaborative, slug=area)
    show = request.GET.get("show", "open")
    if show not in ITEM_LISTS:
        show = "open"
    visible_groups = WorkingGroup.objects.visible_to(request.user).filter(
        collaborative=request.collaborative
    )
    items = selectors.touching_area(
        ActionItem.objects.visible_to(request.user).filter(
            collaborative=request.collaborative, group__in=visible_groups
        ),
        key_area,
    )
    group = None
    if group_id := request.GET.get("group"):
        group = visible_groups.filter(public_id=group_id).first() if _is_uuid(group_id) else None
        if group is None:
            raise Http404
        items = items.filter(group=group)
    if show != "all":
        items = items.exclude(status=ActionItem.Status.DONE)
    if show == "overdue":
        items = items.filter(due_date__lt=request.collaborative.today())
    elif show == "unowned":
        items = items.filter(owner_member__isnull=True, owner_organization__isnull=True)
    page = Paginator(
        items.select_related("group", "owner_member__user", "owner_organization").order_by(
            F("due_date").asc(nulls_last=True), "pk"
        ),
        KEY_AREA_ITEMS_PAGE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "workgroups/coordination/key_area_items.html",
        page_context(
            request,
            area=key_area,
            page=page,
            show=show,
            group=group,
            lists=ITEM_LISTS.items(),
        ),
    )


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@collaborative_view()
def partner_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    initiatives = (
        PartnerInitiative.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("collaborative")
        .annotate(
            group_count=Count("groups", distinct=True),
            priority_count=Count("priorities", distinct=True),
            item_count=Count("action_items", distinct=True),
        )
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "workgroups/coordination/partners.html",
        page_context(request, initiatives=list(initiatives)),
    )


@collaborative_view()
def partner_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Where reentry work touches this partner effort: its groups, priorities and items."""
    initiative = access_partner_initiative(request, public_id, action="view")
    groups = WorkingGroup.objects.visible_to(request.user).filter(
        collaborative=request.collaborative
    )
    linked_groups = list(
        initiative.groups.filter(pk__in=groups.values("pk"))
        .select_related("key_area", "collaborative")
        .order_by("name")
    )
    priorities = list(
        initiative.priorities.filter(plan__group__in=groups)
        .select_related("plan__group__collaborative")
        .order_by("plan__group__name", "rank")
    )
    items = list(
        initiative.action_items.filter(
            pk__in=ActionItem.objects.visible_to(request.user).values("pk")
        )
        .select_related("group__collaborative", "owner_member__user", "owner_organization")
        .order_by("due_date", "pk")
    )
    return render(
        request,
        "workgroups/coordination/partner_detail.html",
        page_context(
            request,
            initiative=initiative,
            linked_groups=linked_groups,
            priorities=priorities,
            items=items,
            can_edit=can_keep_partner_initiatives(request.member),
        ),
    )


def _partner_form_page(
    request: CollaborativeRequest, initiative: PartnerInitiative | None
) -> HttpResponse:
    form = PartnerInitiativeForm(
        request.POST or None,
        instance=initiative,
        collaborative=request.collaborative,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        links = {k: data.pop(k) for k in ("groups", "priorities", "action_items")}
        try:
            if initiative is None:
                initiative = services.partner_initiative_create(
                    actor=request.member, request=request, **links, **data
                )
            else:
                services.partner_initiative_update(
                    actor=request.member,
                    initiative=initiative,
                    request=request,
                    **links,
                    **data,
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": initiative.name})
            return redirect(initiative.get_absolute_url())
    return render(
        request,
        "workgroups/coordination/partner_form.html",
        page_context(request, form=form, initiative=initiative),
    )


@collaborative_view(roles=(Member.Role.BACKBONE,))
def partner_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    return _partner_form_page(request, None)


@collaborative_view(roles=(Member.Role.BACKBONE,))
def partner_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    initiative = access_partner_initiative(request, public_id, action="manage")
    return _partner_form_page(request, initiative)
