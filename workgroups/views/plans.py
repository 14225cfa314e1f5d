"""Action plans, the board, the action-item lists and one item's page. Access → service
→ render.

Everyone in the collaborative reads a group's plans, board and items (through
``visible_to``); chairs and backbone staff change plans, priorities and items; an
item's owners (the person, and the staff of the owning organization) move it along and
post progress. One view serves each page and, for HTMX requests, its fragment
(template partials: ``"page.html#fragment"``).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from reentry.pagecache import kept_page
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Organization
from workgroups import selectors, services
from workgroups.access import (
    access_action_item,
    access_group,
    access_plan,
    access_priority,
    can_edit_action_item,
    can_manage_group,
    editable_action_item_ids,
)
from workgroups.forms import (
    ALL,
    OPEN,
    ActionItemForm,
    ActionPlanForm,
    ItemFilterForm,
    ItemStatusForm,
    PriorityForm,
    ProgressForm,
)
from workgroups.models import (
    ActionItem,
    ActionPlan,
    Decision,
    Meeting,
    PartnerInitiative,
    Priority,
    Update,
    WorkingGroup,
)
from workgroups.views import error_text, page_context

PAGE_SIZE = 25
Status = ActionItem.Status
COLUMNS = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.DONE]
BOARD_LIMIT = 12  # cards per board column; the rest are counted and paged in the list


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: Any  # the status's (lazily translated) label
    cards: list[ActionItem]
    total: int  # cards in the column, shown or not
    all_url: str  # the paged list of the whole column


def _safe_next(request: CollaborativeRequest, slug: str, fallback: str) -> str:
    back = request.POST.get("next", "")
    return back if back.startswith(f"/c/{slug}/") else fallback


# --- Plans ----------------------------------------------------------------------------


@collaborative_view()
def plan_list(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="view")
    plans = list(
        ActionPlan.objects.visible_to(request.user)
        .filter(group=group)
        .annotate(
            priority_count=Count("priorities", distinct=True),
            item_count=Count("priorities__action_items", distinct=True),
            open_count=Count(
                "priorities__action_items",
                filter=~Q(priorities__action_items__status=Status.DONE),
                distinct=True,
            ),
        )
        .order_by("-period", "title")
    )
    return render(
        request,
        "workgroups/board/plans.html",
        page_context(
            request, group=group, plans=plans, is_manager=can_manage_group(request.member, group)
        ),
    )


@collaborative_view()
def plan_create(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
    form = ActionPlanForm(
        request.POST or None,
        initial={"period": str(request.collaborative.today().year), "title": f"{group.name}: plan"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.action_plan_create(
                actor=request.member, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, _period_error(exc))
        else:
            messages.success(request, _("The plan is set up. Add its priorities."))
            return redirect("workgroups:plan", slug=slug, public_id=plan.public_id)
    return render(
        request,
        "workgroups/board/plan_form.html",
        page_context(request, group=group, form=form, plan=None),
    )


def _period_error(exc: ValidationError) -> ValidationError:
    """A plan's only whole-form error is one-plan-per-period: say it by the period."""
    if hasattr(exc, "error_dict") and "__all__" in exc.error_dict:
        return ValidationError({"period": _("The group already has a plan for this period.")})
    return exc


@collaborative_view()
def plan_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    plan = access_plan(request, public_id, action="manage")
    form = ActionPlanForm(
        request.POST or None,
        initial={"title": plan.title, "period": plan.period, "summary": plan.summary},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_update(
                actor=request.member, plan=plan, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, _period_error(exc))
        else:
            messages.success(request, _("Plan saved."))
            return redirect("workgroups:plan", slug=slug, public_id=plan.public_id)
    return render(
        request,
        "workgroups/board/plan_form.html",
        page_context(request, group=plan.group, form=form, plan=plan),
    )


@collaborative_view()
def plan_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    plan = access_plan(request, public_id, action="view")
    group = plan.group
    items = (
        ActionItem.objects.visible_to(request.user)
        .filter(priority__plan=plan)
        .select_related("owner_member__user", "owner_organization")
        .order_by("due_date", "pk")
    )
    priorities = list(
        plan.priorities.order_by("rank", "pk").prefetch_related(
            Prefetch("action_items", queryset=items, to_attr="items"),
            Prefetch(
                "partner_initiatives",
                queryset=PartnerInitiative.objects.filter(is_active=True)
                .select_related("collaborative")
                .order_by("name"),
                to_attr="partners",
            ),
        )
    )
    return render(
        request,
        "workgroups/board/plan_detail.html",
        page_context(
            request,
            plan=plan,
            group=group,
            priorities=priorities,
            is_manager=can_manage_group(request.member, group),
            priority_form=PriorityForm(),
            today=request.collaborative.today(),
        ),
    )


@require_POST
@collaborative_view()
def priority_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    plan = access_plan(request, public_id, action="manage")
    form = PriorityForm(request.POST)
    if form.is_valid():
        services.priority_add(actor=request.member, plan=plan, title=form.cleaned_data["title"])
        messages.success(request, _("Priority added."))
    else:
        messages.error(request, _("Give the priority a title."))
    return redirect(reverse("workgroups:plan", args=[slug, plan.public_id]) + "#priorities")


@require_POST
@collaborative_view()
def priority_move(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    priority = access_priority(request, public_id, action="manage")
    services.priority_move(
        actor=request.member, priority=priority, up=request.POST.get("direction") == "up"
    )
    return redirect(
        reverse("workgroups:plan", args=[slug, priority.plan.public_id])
        + f"#priority-{priority.public_id}"
    )


@require_POST
@collaborative_view()
def priority_change(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    priority = access_priority(request, public_id, action="manage")
    back = reverse("workgroups:plan", args=[slug, priority.plan.public_id]) + "#priorities"
    if request.POST.get("action") == "remove":
        services.priority_remove(actor=request.member, priority=priority, request=request)
        messages.success(
            request,
            _("Priority removed. Its action items stay with the group, under no priority."),
        )
        return redirect(back)
    form = PriorityForm(request.POST)
    if form.is_valid():
        services.priority_update(
            actor=request.member, priority=priority, title=form.cleaned_data["title"]
        )
        messages.success(request, _("Priority saved."))
    else:
        messages.error(request, _("Give the priority a title."))
    return redirect(back)


# --- The board --------------------------------------------------------------------------


def _boardpage_context(request: CollaborativeRequest, group, plan_id: str) -> dict:
    """The board's columns, each its first ``BOARD_LIMIT`` cards (soonest due first) and
    its whole count, from one query whatever the number of items: the rest are a "see
    all" link to the paged list, so the page stays the same size as the group grows."""
    plans = list(
        ActionPlan.objects.visible_to(request.user).filter(group=group).order_by("-period")
    )
    plan = next((p for p in plans if str(p.public_id) == plan_id), None)
    found = ActionItem.objects.visible_to(request.user).filter(group=group)
    if plan is not None:
        found = found.filter(priority__plan=plan)
    by_status = F("status")
    items = list(
        found.select_related("owner_member__user", "owner_organization", "priority")
        .annotate(
            update_count=Count("updates"),
            board_row=Window(
                RowNumber(), partition_by=by_status, order_by=[F("due_date").asc(), F("pk").asc()]
            ),
            column_count=Window(Count("pk", distinct=False), partition_by=by_status),
        )
        .filter(board_row__lte=BOARD_LIMIT)
        .order_by("due_date", "pk")
    )
    editable = editable_action_item_ids(request, items)
    columns: dict[str, list[ActionItem]] = {status: [] for status in COLUMNS}
    counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
    for item in items:
        item.can_move = item.pk in editable
        columns[item.status].append(item)
        counts[item.status] = item.column_count
    slug = request.collaborative.slug
    board_url = reverse("workgroups:board", args=[slug, group.public_id])
    list_url = reverse("workgroups:group_action_items", args=[slug, group.public_id])
    plan_query = f"&plan={plan.public_id}" if plan else ""
    return page_context(
        request,
        group=group,
        plans=plans,
        plan=plan,
        board_url=f"{board_url}?plan={plan.public_id}" if plan else board_url,
        columns=[
            BoardColumn(
                s, Status(s).label, columns[s], counts[s], f"{list_url}?status={s}{plan_query}"
            )
            for s in COLUMNS
        ],
        statuses=[(s, Status(s).label) for s in COLUMNS],
        is_manager=can_manage_group(request.member, group),
        item_total=sum(counts.values()),
    )


@collaborative_view()
def group_board(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Columns by status; cards move with buttons (a plain POST, or HTMX in place)."""
    group = access_group(request, public_id, action="view")
    context = _boardpage_context(request, group, request.GET.get("plan", ""))
    template = "workgroups/board/board.html"
    if request.htmx:
        template += "#board"
    return render(request, template, context)


def _move(request: CollaborativeRequest, slug: str, item: ActionItem, status: str) -> HttpResponse:
    if status not in Status.values:
        if request.htmx:
            return HttpResponse(_("Choose a status."), status=400)
        messages.error(request, _("Choose a status."))
    else:
        services.action_item_move(actor=request.member, item=item, status=status, request=request)
        said = _("Moved “%(title)s” to %(status)s.") % {
            "title": item.title,
            "status": Status(status).label,
        }
        if request.htmx:
            context = _boardpage_context(request, item.group, request.POST.get("plan", ""))
            context["moved"], context["said"] = item.public_id, said
            return render(request, "workgroups/board/board.html#moved", context)
        messages.success(request, said)
    board = reverse("workgroups:board", args=[slug, item.group.public_id])
    return redirect(_safe_next(request, slug, board))


@require_POST
@collaborative_view()
def item_move(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    item = access_action_item(request, public_id, action="view")
    return _move(request, slug, item, request.POST.get("status", ""))


@require_POST
@collaborative_view()
def board_move(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """The board's one form: the pressed button names the card and its new column
    (``move=<item id> <status>``), so no card carries a form of its own. An item of
    another group, or one the person may not see, is a 404 like any other."""
    group = access_group(request, public_id, action="view")
    item_id, _sep, status = request.POST.get("move", "").partition(" ")
    item = access_action_item(request, item_id, action="view")
    if item.group_id != group.pk:
        raise Http404
    return _move(request, slug, item, status)


# --- The list ---------------------------------------------------------------------------


@kept_page()
@collaborative_view()
def item_list(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """A group's action items with filters: status, plan, owning organization, due
    before a date, overdue only."""
    group = access_group(request, public_id, action="view")
    visible = ActionItem.objects.visible_to(request.user).filter(group=group)
    plans = list(
        ActionPlan.objects.visible_to(request.user).filter(group=group).order_by("-period")
    )
    organizations = list(
        Organization.objects.filter(
            pk__in=visible.exclude(owner_organization=None).values("owner_organization_id")
        ).order_by("name")
    )
    form = ItemFilterForm(request.GET or None, plans=plans, organizations=organizations)
    status = form.value("status") or OPEN
    items = visible
    if status == OPEN:
        items = items.exclude(status=Status.DONE)
    elif status != ALL:
        items = items.filter(status=status)
    if plan_id := form.value("plan"):
        items = items.filter(priority__plan__public_id=plan_id)
    if owner := form.value("owner"):
        items = items.filter(owner_organization__public_id=owner)
    due_before: date | None = form.value("due_before")
    if due_before:
        items = items.filter(due_date__lt=due_before)
    if form.value("overdue"):
        items = items.exclude(status=Status.DONE).filter(due_date__lt=request.collaborative.today())
    items = items.select_related(
        "group__collaborative",
        "key_area",
        "owner_member__user",
        "owner_organization",
        "source_meeting__collaborative",
    ).order_by("due_date", "pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = page_context(
        request,
        group=group,
        form=form,
        page=page,
        rows=item_rows(request, page),
        statuses=Status.choices,
        filtered=bool(request.GET.keys() - {"page"}),
    )
    template = "workgroups/board/items.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def item_rows(request: CollaborativeRequest, items) -> list[dict]:
    """The rows of ``workgroups/_item_rows.html``: each item, whether this person may
    change its status (one query for the page), and its status menu's options, rendered
    once per status rather than once per row."""
    editable = editable_action_item_ids(request, items)
    options = {
        current: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, " selected" if value == current else "", label)
                for value, label in Status.choices
            ),
        )
        for current in Status.values
    }
    return [
        {"item": i, "can_edit": i.pk in editable, "status_options": options.get(i.status, "")}
        for i in items
    ]


# --- One item ---------------------------------------------------------------------------


@collaborative_view()
def item_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    item = access_action_item(request, public_id, action="view")
    updates = list(
        Update.objects.filter(item=item).select_related("author__user").order_by("-created_at")
    )
    partners = list(
        item.partner_initiatives.filter(is_active=True)
        .select_related("collaborative")
        .order_by("name")
    )
    can_move = can_edit_action_item(request.member, item)
    # The decision it came from, shown only to those who may read that gathering's
    # minutes (an item's owner sees the item even when the minutes are closed to them).
    decision = (
        Decision.objects.filter(
            pk=item.source_decision_id,
            meeting_id__in=Meeting.objects.visible_to(request.user).values("pk"),
        ).first()
        if item.source_decision_id
        else None
    )
    return render(
        request,
        "workgroups/board/item_detail.html",
        page_context(
            request,
            item=item,
            decision=decision,
            group=item.group,
            updates=updates,
            partners=partners,
            can_move=can_move,
            is_manager=can_manage_group(request.member, item.group),
            progress_form=ProgressForm(),
            statuses=[(s, Status(s).label) for s in COLUMNS],
        ),
    )


@collaborative_view()
def item_create(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
    initial = {}
    if _is_uuid(request.GET.get("priority", "")):
        initial["priority"] = (
            Priority.objects.filter(plan__group=group, public_id=request.GET["priority"])
            .values_list("pk", flat=True)
            .first()
        )
    form = ActionItemForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.action_item_create(
                actor=request.member, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Action item added: %(title)s.") % {"title": item.title})
            if item.priority is not None:
                return redirect(
                    reverse("workgroups:plan", args=[slug, item.priority.plan.public_id])
                    + f"#priority-{item.priority.public_id}"
                )
            return redirect("workgroups:board", slug=slug, public_id=group.public_id)
    return render(
        request,
        "workgroups/board/item_form.html",
        page_context(request, group=group, form=form, item=None),
    )


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@collaborative_view()
def item_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    item = access_action_item(request, public_id, action="manage")
    group = item.group
    form = ActionItemForm(
        request.POST or None, group=group, initial=ActionItemForm.initial_for(item)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_update(
                actor=request.member, item=item, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(title)s.") % {"title": item.title})
            return redirect("workgroups:action_item", slug=slug, public_id=item.public_id)
    return render(
        request,
        "workgroups/board/item_form.html",
        page_context(request, group=group, form=form, item=item),
    )


@require_POST
@collaborative_view()
def progress_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    item = access_action_item(request, public_id, action="view")
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.progress_update_add(
                actor=request.member, item=item, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Progress posted."))
    else:
        messages.error(request, _("Write what happened."))
    return redirect(reverse("workgroups:action_item", args=[slug, item.public_id]) + "#progress")


# --- A person's action items ------------------------------------------------------------


@collaborative_view()
def my_action_items(request: CollaborativeRequest, slug: str) -> HttpResponse:
    items = selectors.my_action_items(request.member)
    return _action_item_page(request, items, group=None)


def _action_item_page(
    request: CollaborativeRequest, items, *, group: WorkingGroup | None
) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status == "open":
        items = items.exclude(status=ActionItem.Status.DONE)
    elif status in ActionItem.Status.values:
        items = items.filter(status=status)
    items = items.select_related(
        "group__collaborative",
        "key_area",
        "owner_member__user",
        "owner_organization",
        "source_meeting__collaborative",
    ).order_by("due_date", "pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = item_rows(request, page)
    return render(
        request,
        "workgroups/action_item_list.html",
        page_context(
            request,
            group=group,
            page=page,
            rows=rows,
            status=status,
            statuses=ActionItem.Status.choices,
            status_form=ItemStatusForm(),
        ),
    )


@require_POST
@collaborative_view()
def action_item_status(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    item = access_action_item(request, public_id, action="view")
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        services.action_item_set_status(
            actor=request.member, item=item, request=request, **form.cleaned_data
        )
        messages.success(request, _("Saved: %(title)s.") % {"title": item.title})
    return redirect(_safe_next(request, slug, reverse("workgroups:my_action_items", args=[slug])))
