"""Working-group pages. Access → service → render; every read through visible_to.

A group page is open to every member of the collaborative; a gathering is seen only
where its minutes' sharing level allows (404 otherwise); changes need the group's
chairs or backbone staff (403 when the page is visible but the action is not allowed).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member
from workgroups import services
from workgroups.forms import (
    AddMemberForm,
    AgendaItemForm,
    DecisionForm,
    FollowUpForm,
    GroupForm,
    ItemStatusForm,
    JoinForm,
    MeetingForm,
    MinutesForm,
)
from workgroups.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    WorkingGroup,
)

PAGE_SIZE = 25
GROUP_PAGE_LIMIT = 10


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _context(request: CollaborativeRequest, **extra) -> dict:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _group(request: CollaborativeRequest, public_id) -> WorkingGroup:
    return get_visible_or_404(
        WorkingGroup.objects.filter(collaborative=request.collaborative),
        WorkingGroup.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("key_area"),
        request=request,
        public_id=public_id,
    )


def _managed_group(request: CollaborativeRequest, public_id) -> WorkingGroup:
    group = _group(request, public_id)
    if not group.is_managed_by(request.member):
        raise PermissionDenied
    return group


def _meeting(request: CollaborativeRequest, public_id) -> Meeting:
    return get_visible_or_404(
        Meeting.objects.filter(collaborative=request.collaborative),
        Meeting.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("owner", "owner__key_area", "collaborative"),
        request=request,
        public_id=public_id,
    )


def _managed_meeting(request: CollaborativeRequest, public_id) -> Meeting:
    meeting = _meeting(request, public_id)
    if not meeting.owner.is_managed_by(request.member):
        raise PermissionDenied
    return meeting


# --- Groups ---------------------------------------------------------------------------


@collaborative_view()
def group_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    member = request.member
    next_meeting = (
        Meeting.objects.visible_to(request.user)
        .upcoming()
        .filter(owner=OuterRef("pk"))
        .values("starts_at")[:1]
    )
    groups = (
        WorkingGroup.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("key_area", "collaborative")
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__is_active=True)),
            is_mine=Exists(
                GroupMembership.objects.filter(group=OuterRef("pk"), member=member, is_active=True)
            ),
            has_asked=Exists(
                GroupJoinRequest.objects.filter(
                    group=OuterRef("pk"), member=member, status=GroupJoinRequest.Status.PENDING
                )
            ),
            next_starts_at=Subquery(next_meeting),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=GroupMembership.objects.filter(
                    is_active=True, role__in=GroupMembership.CHAIR_ROLES
                ).select_related("member__user"),
                to_attr="chairs",
            )
        )
        .order_by("-is_whole_collaborative", "key_area__order", "name")
    )
    show = request.GET.get("show", "")
    if show == "mine":
        groups = groups.filter(Q(is_mine=True) | Q(is_whole_collaborative=True))
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workgroups/group_list.html",
        _context(request, page=page, show=show, join_form=JoinForm()),
    )


@collaborative_view(roles=(Member.Role.BACKBONE,))
def group_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    form = GroupForm(request.POST or None, collaborative=request.collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                actor=request.member, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The group is set up. Add its chairs and members."))
            return redirect(group.get_absolute_url())
    return render(request, "workgroups/group_form.html", _context(request, form=form))


@collaborative_view()
def group_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    group = _group(request, public_id)
    if not group.is_managed_by(request.member):
        raise PermissionDenied
    form = GroupForm(request.POST or None, instance=group, collaborative=request.collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            # The form has already changed `group` in memory: the service gets a fresh copy.
            services.group_update(
                actor=request.member,
                group=WorkingGroup.objects.get(pk=group.pk),
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(group.get_absolute_url())
    return render(
        request,
        "workgroups/group_form.html",
        _context(request, form=form, group=group),
    )


@collaborative_view()
def group_detail(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    group = _group(request, public_id)
    member = request.member
    is_manager = group.is_managed_by(member)
    memberships = list(
        group.memberships.filter(is_active=True, member__is_active=True)
        .select_related("member__user", "member__organization")
        .order_by("role", "member__user__name")
    )
    mine = next((m for m in memberships if m.member_id == member.pk), None)
    chairs = [m for m in memberships if m.is_chair]
    people = [m for m in memberships if not m.is_chair]
    meetings = (
        Meeting.objects.visible_to(request.user).filter(owner=group).select_related("collaborative")
    )
    pending = (
        list(
            group.join_requests.filter(status=GroupJoinRequest.Status.PENDING).select_related(
                "member__user", "member__organization"
            )
        )
        if is_manager
        else []
    )
    has_asked = (
        not is_manager
        and group.join_requests.filter(
            member=member, status=GroupJoinRequest.Status.PENDING
        ).exists()
    )
    items = (
        ActionItem.objects.visible_to(request.user)
        .filter(group=group)
        .exclude(status=ActionItem.Status.DONE)
        .select_related("owner_member__user", "owner_organization")
        .order_by("due_date", "pk")
    )
    return render(
        request,
        "workgroups/group_detail.html",
        _context(
            request,
            group=group,
            is_manager=is_manager,
            is_member=group.is_whole_collaborative or mine is not None,
            mine=mine,
            chairs=chairs,
            people=people,
            needs_community_chair=group.requires_community_cochair
            and not any(m.is_community_chair for m in chairs),
            upcoming=list(meetings.upcoming()[:GROUP_PAGE_LIMIT]),
            past=list(meetings.past()[:GROUP_PAGE_LIMIT]),
            items=list(items[:GROUP_PAGE_LIMIT]),
            item_count=items.count(),
            pending=pending,
            has_asked=has_asked,
            add_form=AddMemberForm(group=group) if is_manager else None,
            join_form=JoinForm(),
            roles=GroupMembership.Role.choices,
        ),
    )


@require_POST
@collaborative_view()
def group_join(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    group = _group(request, public_id)
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        result = services.group_join(
            actor=request.member, group=group, message=message, request=request
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        if isinstance(result, GroupMembership):
            messages.success(request, _("Welcome to %(group)s.") % {"group": group.name})
        else:
            messages.success(request, _("Your request is with the chairs. They will let you know."))
    if request.POST.get("next") == "list":
        return redirect("workgroups:groups", slug=slug)
    return redirect(group.get_absolute_url())


@require_POST
@collaborative_view()
def group_leave(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    group = _group(request, public_id)
    membership = group.memberships.filter(member=request.member, is_active=True).first()
    if membership is None:
        messages.error(request, _("You are not a member of this group."))
        return redirect(group.get_absolute_url())
    try:
        services.group_membership_end(actor=request.member, membership=membership, request=request)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("You have left %(group)s.") % {"group": group.name})
    return redirect(group.get_absolute_url())


@require_POST
@collaborative_view()
def group_request_decide(
    request: CollaborativeRequest, slug: str, public_id, request_id
) -> HttpResponse:
    group = _managed_group(request, public_id)
    join_request = get_visible_or_404(
        GroupJoinRequest.objects.all(),
        group.join_requests.select_related("member__user"),
        request=request,
        public_id=request_id,
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.group_join_request_decide(
            actor=request.member, join_request=join_request, approve=approve, request=request
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        name = join_request.member.user.name
        messages.success(
            request,
            (_("%(name)s is now a member.") if approve else _("You said no to %(name)s."))
            % {"name": name},
        )
    return redirect(group.get_absolute_url())


@require_POST
@collaborative_view()
def group_member_add(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    group = _managed_group(request, public_id)
    form = AddMemberForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.group_membership_add(
                actor=request.member, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("%(name)s is in the group.") % {"name": form.cleaned_data["member"].user.name},
            )
    else:
        messages.error(request, _("Choose a person and a role."))
    return redirect(group.get_absolute_url())


@require_POST
@collaborative_view()
def group_member_change(
    request: CollaborativeRequest, slug: str, public_id, membership_id
) -> HttpResponse:
    group = _managed_group(request, public_id)
    membership = get_visible_or_404(
        GroupMembership.objects.all(),
        group.memberships.filter(is_active=True).select_related("member__user"),
        request=request,
        public_id=membership_id,
    )
    try:
        if request.POST.get("action") == "remove":
            services.group_membership_end(
                actor=request.member, membership=membership, request=request
            )
            messages.success(
                request, _("%(name)s is off the group.") % {"name": membership.member.user.name}
            )
        else:
            services.group_membership_set_role(
                actor=request.member,
                membership=membership,
                role=request.POST.get("role", ""),
                request=request,
            )
            messages.success(request, _("Role saved."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(group.get_absolute_url())


@collaborative_view()
def my_action_items(request: CollaborativeRequest, slug: str) -> HttpResponse:
    items = (
        ActionItem.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .owned_by(request.member)
    )
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
    editable = set(
        ActionItem.objects.editable_by(request.user)
        .filter(pk__in=[i.pk for i in page])
        .values_list("pk", flat=True)
    )
    rows = [{"item": i, "can_edit": i.pk in editable} for i in page]
    return render(
        request,
        "workgroups/action_item_list.html",
        _context(
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
def action_item_status(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    item = get_visible_or_404(
        ActionItem.objects.filter(collaborative=request.collaborative),
        ActionItem.objects.visible_to(request.user).filter(collaborative=request.collaborative),
        request=request,
        public_id=public_id,
    )
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
    else:
        services.action_item_set_status(
            actor=request.member, item=item, request=request, **form.cleaned_data
        )
        messages.success(request, _("Saved: %(title)s.") % {"title": item.title})
    back = request.POST.get("next", "")
    if back.startswith(f"/c/{slug}/"):
        return redirect(back)
    return redirect("workgroups:my_action_items", slug=slug)


# --- Gatherings -----------------------------------------------------------------------


@collaborative_view()
def meeting_create(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    group = _managed_group(request, public_id)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.member, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Gathering scheduled. Now set the agenda."))
            return redirect(meeting.get_absolute_url())
    return render(
        request, "workgroups/meeting_form.html", _context(request, group=group, form=form)
    )


def _meeting_parts(meeting: Meeting) -> tuple[list, list, list]:
    agenda = list(meeting.agenda_items.select_related("presenter__user"))
    decisions = list(meeting.decisions.select_related("agenda_item"))
    attendance = list(
        meeting.attendance.select_related("member__user", "member__organization").order_by(
            "status", "member__user__name", "walk_in_name"
        )
    )
    return agenda, decisions, attendance


@collaborative_view()
def meeting_detail(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    meeting = _meeting(request, public_id)
    is_manager = meeting.owner.is_managed_by(request.member)
    agenda, decisions, attendance = _meeting_parts(meeting)
    counts = {s: 0 for s in Attendance.Status.values}
    for row in attendance:
        counts[row.status] += 1
    context = _context(
        request,
        meeting=meeting,
        group=meeting.owner,
        is_manager=is_manager,
        agenda=agenda,
        decisions=decisions,
        attendance=attendance,
        present=[a for a in attendance if a.status == Attendance.Status.PRESENT],
        counts=counts,
        action_items=list(
            ActionItem.objects.visible_to(request.user)
            .filter(source_meeting=meeting)
            .select_related("owner_member__user", "owner_organization")
        ),
    )
    if is_manager:
        people = (
            Member.objects.filter(collaborative_id=meeting.collaborative_id, is_active=True)
            .select_related("user")
            .order_by("user__name")
        )
        context |= {
            "agenda_form": AgendaItemForm(meeting=meeting, prefix="agenda"),
            "minutes_form": MinutesForm(
                initial={"minutes": meeting.minutes, "status": meeting.status}, prefix="minutes"
            ),
            "decision_form": DecisionForm(meeting=meeting, agenda=agenda, prefix="decision"),
            "followup_form": FollowUpForm(
                meeting=meeting,
                agenda=agenda,
                decisions=decisions,
                people=people,
                prefix="followup",
            ),
        }
    return render(request, "workgroups/meeting_detail.html", context)


@collaborative_view()
def meeting_agenda_print(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    meeting = _meeting(request, public_id)
    agenda = list(meeting.agenda_items.select_related("presenter__user"))
    return render(
        request,
        "workgroups/meeting_agenda_print.html",
        _context(request, meeting=meeting, group=meeting.owner, agenda=agenda),
    )


@require_POST
@collaborative_view()
def agenda_item_add(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    meeting = _managed_meeting(request, public_id)
    form = AgendaItemForm(request.POST, meeting=meeting, prefix="agenda")
    if form.is_valid():
        try:
            services.agenda_item_add(actor=request.member, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Added to the agenda."))
    else:
        messages.error(request, _("Give the agenda item a topic."))
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@require_POST
@collaborative_view()
def agenda_item_move(request: CollaborativeRequest, slug: str, public_id, item_id) -> HttpResponse:
    meeting = _managed_meeting(request, public_id)
    item = get_visible_or_404(
        AgendaItem.objects.all(),
        meeting.agenda_items.all(),
        request=request,
        public_id=item_id,
    )
    try:
        services.agenda_item_move(
            actor=request.member, item=item, up=request.POST.get("direction") == "up"
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@collaborative_view()
def meeting_attendance(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """Take attendance on a phone: everyone in the group, one tap each, one Save."""
    meeting = _managed_meeting(request, public_id)
    group = meeting.owner
    rows = {
        a.member_id: a
        for a in meeting.attendance.filter(member__isnull=False).select_related("member__user")
    }
    people = list(
        Member.objects.filter(
            Q(pk__in=group.active_people().values("pk")) | Q(pk__in=list(rows)),
            collaborative_id=meeting.collaborative_id,
        )
        .select_related("user", "organization")
        .order_by("user__name")
    )
    if request.method == "POST":
        statuses = {str(p.public_id): request.POST.get(f"att-{p.public_id}", "") for p in people}
        walk_in_names = [
            line for value in request.POST.getlist("walk_in") for line in value.splitlines()
        ]
        try:
            services.attendance_record(
                actor=request.member,
                meeting=meeting,
                statuses=statuses,
                walk_ins=walk_in_names,
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Attendance saved."))
            if request.POST.get("then") == "more":
                return redirect("workgroups:meeting_attendance", slug=slug, public_id=public_id)
            return redirect(meeting.get_absolute_url())
    walk_ins = list(meeting.attendance.filter(member__isnull=True).order_by("walk_in_name"))
    return render(
        request,
        "workgroups/meeting_attendance.html",
        _context(
            request,
            meeting=meeting,
            group=group,
            people=[(p, rows[p.pk].status if p.pk in rows else "") for p in people],
            walk_ins=walk_ins,
            statuses=Attendance.Status.choices,
        ),
    )


@require_POST
@collaborative_view()
def meeting_minutes(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    meeting = _managed_meeting(request, public_id)
    form = MinutesForm(request.POST, prefix="minutes")
    if form.is_valid():
        try:
            services.meeting_record_minutes(
                actor=request.member, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Minutes saved."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect(f"{meeting.get_absolute_url()}#minutes")


@require_POST
@collaborative_view()
def decision_add(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    meeting = _managed_meeting(request, public_id)
    form = DecisionForm(request.POST, meeting=meeting, prefix="decision")
    if form.is_valid():
        services.decision_record(
            actor=request.member, meeting=meeting, request=request, **form.cleaned_data
        )
        messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Write down what was decided."))
    return redirect(f"{meeting.get_absolute_url()}#decisions")


@require_POST
@collaborative_view()
def followup_add(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    meeting = _managed_meeting(request, public_id)
    form = FollowUpForm(
        request.POST,
        meeting=meeting,
        agenda=list(meeting.agenda_items.all()),
        decisions=list(meeting.decisions.all()),
        prefix="followup",
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            item = services.followup_to_action_item(
                actor=request.member,
                meeting=meeting,
                title=data["title"],
                decision=data["decision"],
                agenda_item=data["agenda_item"],
                description=data["description"],
                owner_member=data["owner_member"],
                owner_organization=data["owner_organization"],
                due_date=data["due_date"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Action item added: %(title)s.") % {"title": item.title})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{meeting.get_absolute_url()}#follow-up")
