"""Quick-win pages: propose, list, one quick win (comments, "I'd help with this", its
journey and the staff's controls), choosing one into a group's action plan, the
collaborative-wide journey page, and the public page of completed quick wins.

Access → service → render. Every read goes through ``QuickWin.objects.visible_to``
(every member of the collaborative), action items through ``ActionItem.visible_to``;
an anonymous proposer is shown only through ``QuickWin.proposer_shown_to``.
"""

from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from reentry.pagecache import QUICK_WINS, cached_public_page, kept_page
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Collaborative, KeyArea, Member
from workgroups.models import ActionItem
from workgroups.quickwins import services
from workgroups.quickwins.access import access_quickwin, can_manage
from workgroups.quickwins.forms import (
    CommentForm,
    DropForm,
    FilterForm,
    HelperForm,
    ProposeForm,
    SelectForm,
)
from workgroups.quickwins.models import QuickWin, QuickWinComment, QuickWinHelper
from workgroups.quickwins.selectors import selectable_groups, visible_items

PAGE_SIZE = 25
Status = QuickWin.Status
JOURNEY = [
    (Status.PROPOSED, "proposed_at"),
    (Status.SELECTED, "selected_at"),
    (Status.IN_PROGRESS, "started_at"),
    (Status.DONE, "done_at"),
]


def _context(request: CollaborativeRequest, **extra) -> dict:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _journey(quick_win: QuickWin) -> list[dict]:
    """The four steps of the journey with their dates (None: not reached yet)."""
    labels = {
        Status.PROPOSED: _("Proposed"),
        Status.SELECTED: _("Chosen"),
        Status.IN_PROGRESS: _("Started"),
        Status.DONE: _("Done"),
    }
    return [
        {"key": status, "label": labels[status], "at": getattr(quick_win, field)}
        for status, field in JOURNEY
    ]


# --- The list -----------------------------------------------------------------------------


@kept_page()
@collaborative_view()
def quickwin_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    member = request.member
    key_areas = list(KeyArea.objects.filter(collaborative=request.collaborative))
    form = FilterForm(request.GET or None, key_areas=key_areas)
    quick_wins = (
        QuickWin.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("group", "proposer__user")
        .prefetch_related(Prefetch("key_areas", queryset=KeyArea.objects.order_by("order")))
        .annotate(
            helper_count=Count("helpers", distinct=True),
            comment_count=Count("comments", distinct=True),
            is_helping=Exists(
                QuickWinHelper.objects.filter(quick_win=OuterRef("pk"), member=member)
            ),
        )
        .order_by("-proposed_at", "-pk")
    )
    if status := form.value("status"):
        quick_wins = quick_wins.filter(status=status)
    if area := form.value("key_area"):
        quick_wins = quick_wins.filter(key_areas__slug=area)
    page = Paginator(quick_wins, PAGE_SIZE).get_page(request.GET.get("page"))
    for quick_win in page:
        quick_win.collaborative = request.collaborative
        quick_win.shown_proposer = quick_win.proposer_shown_to(member)
    template = "workgroups/quickwins/list.html"
    if request.htmx:
        template += "#results"
    return render(
        request,
        template,
        _context(
            request,
            form=form,
            page=page,
            filtered=bool(request.GET.keys() - {"page"}),
        ),
    )


# --- Proposing ----------------------------------------------------------------------------


@collaborative_view()
def quickwin_propose(request: CollaborativeRequest, slug: str) -> HttpResponse:
    form = ProposeForm(request.POST or None, collaborative=request.collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            quick_win = services.quickwin_propose(
                actor=request.member, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you. Your idea is in: people can now comment and sign up.")
            )
            return redirect("quickwins:detail", slug=slug, public_id=quick_win.public_id)
    return render(request, "workgroups/quickwins/propose.html", _context(request, form=form))


# --- One quick win ------------------------------------------------------------------------


class CommentRow(NamedTuple):
    comment: QuickWinComment
    #: The author as this viewer may see them (None: anonymous proposer, or former member).
    author: Member | None
    by_anonymous_proposer: bool


def _detail(
    request: CollaborativeRequest,
    quick_win: QuickWin,
    *,
    comment_form: CommentForm | None = None,
    drop_form: DropForm | None = None,
    helper_form: HelperForm | None = None,
) -> HttpResponse:
    member = request.member
    comments = list(
        QuickWinComment.objects.filter(quick_win=quick_win)
        .select_related("author__user")
        .order_by("created_at", "pk")
    )
    for comment in comments:
        comment.quick_win = quick_win  # read by author_shown_to, without a query per row
    comment_rows = [
        CommentRow(c, c.author_shown_to(member), c.is_by_anonymous_proposer) for c in comments
    ]
    helpers = list(
        QuickWinHelper.objects.filter(quick_win=quick_win)
        .select_related("member__user", "member__organization")
        .order_by("created_at", "pk")
    )
    items = []
    if quick_win.priority_id is not None:
        items = list(
            visible_items(request)
            .filter(priority_id=quick_win.priority_id)
            .select_related("owner_member__user", "owner_organization")
            .order_by("due_date", "pk")
        )
    may_manage = can_manage(member, quick_win)
    open_items = sum(1 for item in items if item.status != ActionItem.Status.DONE)
    started_items = any(item.status != ActionItem.Status.NOT_STARTED for item in items)
    return render(
        request,
        "workgroups/quickwins/detail.html",
        _context(
            request,
            quick_win=quick_win,
            shown_proposer=quick_win.proposer_shown_to(member),
            is_proposer=quick_win.proposer_id == member.pk,
            key_areas=list(quick_win.key_areas.order_by("order")),
            comments=comment_rows,
            helpers=helpers,
            is_helping=any(h.member_id == member.pk for h in helpers),
            items=items,
            overdue_items=sum(1 for item in items if item.is_overdue),
            journey=_journey(quick_win),
            can_manage=may_manage,
            moves=[
                (s, Status(s).label)
                for s in quick_win.TRANSITIONS.get(quick_win.status, ())
                # Choosing has its own form, dropping needs a reason, and done is offered
                # once every action item is done.
                if s not in (Status.SELECTED, Status.DROPPED, Status.DONE)
            ]
            if may_manage
            else [],
            can_select=may_manage and quick_win.can_move_to(Status.SELECTED),
            can_drop=may_manage and quick_win.can_move_to(Status.DROPPED),
            offer_start=may_manage and quick_win.status == Status.SELECTED and started_items,
            offer_done=may_manage
            and quick_win.status == Status.IN_PROGRESS
            and bool(items)
            and open_items == 0,
            open_items=open_items,
            comment_form=comment_form or CommentForm(),
            drop_form=drop_form or DropForm(),
            helper_form=helper_form or HelperForm(),
        ),
    )


@collaborative_view()
def quickwin_detail(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    return _detail(request, access_quickwin(request, public_id))


@require_POST
@collaborative_view()
def quickwin_comment(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    quick_win = access_quickwin(request, public_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.quickwin_comment_add(
                actor=request.member, quick_win=quick_win, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Comment posted."))
            return redirect(quick_win.get_absolute_url() + "#comments")
    return _detail(request, quick_win, comment_form=form)


@require_POST
@collaborative_view()
def quickwin_help(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    quick_win = access_quickwin(request, public_id)
    form = HelperForm(request.POST)
    if not form.is_valid():
        return _detail(request, quick_win, helper_form=form)
    try:
        helping = services.quickwin_helper_toggle(
            actor=request.member,
            quick_win=quick_win,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("Thank you: you are down as a helper.")
            if helping
            else _("You are no longer down as a helper."),
        )
    return redirect(quick_win.get_absolute_url() + "#helpers")


@require_POST
@collaborative_view()
def quickwin_move(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    quick_win = access_quickwin(request, public_id, action="manage")
    status = request.POST.get("status", "")
    drop_form = DropForm(request.POST if status == Status.DROPPED else None)
    if status == Status.DROPPED and not drop_form.is_valid():
        return _detail(request, quick_win, drop_form=drop_form)
    try:
        services.quickwin_move(
            actor=request.member,
            quick_win=quick_win,
            status=status,
            reason=drop_form.cleaned_data["reason"] if status == Status.DROPPED else "",
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Now: %(status)s.") % {"status": Status(status).label.lower()})
    return redirect(quick_win.get_absolute_url())


@collaborative_view()
def quickwin_select(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    quick_win = access_quickwin(request, public_id, action="manage")
    if not quick_win.can_move_to(Status.SELECTED):
        messages.error(request, _("Only a proposed or shortlisted quick win can be chosen."))
        return redirect(quick_win.get_absolute_url())
    groups = selectable_groups(request, quick_win)
    initial = {
        "group": quick_win.group_id,
        "priority_title": quick_win.title,
        "first_step": quick_win.title,
        "owner_organization": quick_win.owner_organization_id,
    }
    form = SelectForm(request.POST or None, quick_win=quick_win, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        steps = [
            services.Step(
                title=title,
                owner_member=data["owner_member"],
                owner_organization=data["owner_organization"],
                due_date=data["due_date"],
            )
            for title in form.step_titles()
        ]
        try:
            quick_win = services.quickwin_select(
                actor=request.member,
                quick_win=quick_win,
                group=data["group"],
                plan=data["plan"],
                priority_title=data["priority_title"],
                steps=steps,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Chosen. Its work is now in the plan of %(group)s.")
                % {"group": data["group"].name},
            )
            return redirect(quick_win.get_absolute_url())
    return render(
        request,
        "workgroups/quickwins/select.html",
        _context(request, quick_win=quick_win, form=form),
    )


# --- The journey page ---------------------------------------------------------------------


def _journey_rows(quick_wins) -> list[dict]:
    return [
        {"quick_win": qw, "steps": _journey(qw), "has_overdue": bool(qw.overdue_count)}
        for qw in quick_wins
    ]


@collaborative_view()
def quickwin_journey(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Every quick win's journey, proposed → chosen → started → done, with what is late."""
    today = request.collaborative.today()
    visible = visible_items(request).values("pk")
    item = "priority__action_items"
    show = request.GET.get("show", "")
    quick_wins = (
        QuickWin.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("group")
        .annotate(
            item_count=Count(item, filter=Q(**{f"{item}__in": visible}), distinct=True),
            done_count=Count(
                item,
                filter=Q(**{f"{item}__in": visible, f"{item}__status": ActionItem.Status.DONE}),
                distinct=True,
            ),
            overdue_count=Count(
                item,
                filter=Q(**{f"{item}__in": visible, f"{item}__due_date__lt": today})
                & ~Q(**{f"{item}__status": ActionItem.Status.DONE}),
                distinct=True,
            ),
        )
        .order_by("-proposed_at", "-pk")
    )
    if show == "overdue":
        quick_wins = quick_wins.filter(overdue_count__gt=0)
    elif show == "dropped":
        quick_wins = quick_wins.filter(status=Status.DROPPED)
    else:
        show = ""
        quick_wins = quick_wins.exclude(status=Status.DROPPED)
    counts = dict(
        QuickWin.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    page = Paginator(quick_wins, PAGE_SIZE).get_page(request.GET.get("page"))
    for quick_win in page:
        quick_win.collaborative = request.collaborative
    return render(
        request,
        "workgroups/quickwins/journey.html",
        _context(
            request,
            page=page,
            rows=_journey_rows(page),
            show=show,
            counts=[(s, Status(s).label, counts.get(s, 0)) for s in Status.values],
        ),
    )


# --- The public page ----------------------------------------------------------------------


@cached_public_page(QUICK_WINS, timeout=600)
def public_quickwins(request: HttpRequest, slug: str) -> HttpResponse:
    """Completed quick wins, for anyone. Only what is safe to publish: the title, the
    problem it fixed, its key areas and its dates. Never who proposed it, who helped,
    or who owned the work. 404 when the collaborative has none to show."""
    collaborative = (
        Collaborative.objects.filter(slug=slug)
        .filter(Exists(QuickWin.objects.public().filter(collaborative=OuterRef("pk"))))
        .first()
    )
    if collaborative is None:
        raise Http404
    with timezone.override(collaborative.zone):
        quick_wins = (
            QuickWin.objects.public()
            .filter(collaborative=collaborative)
            .prefetch_related(Prefetch("key_areas", queryset=KeyArea.objects.order_by("order")))
            .only(
                "public_id",
                "title",
                "problem",
                "proposed_at",
                "selected_at",
                "started_at",
                "done_at",
                "status",
                "collaborative_id",
            )
            .order_by("-done_at", "-pk")
        )
        page = Paginator(quick_wins, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [{"quick_win": qw, "steps": _journey(qw)} for qw in page]
        return render(
            request,
            "workgroups/quickwins/public.html",
            {"collaborative": collaborative, "page": page, "rows": rows},
        )
