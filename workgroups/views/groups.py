"""Working-group pages: the list, a group's page, joining and leaving, and its members.

A group page is open to every member of the collaborative; changes need the group's
chairs or backbone staff (403 when the page is visible but the action is not allowed).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member
from workgroups import services
from workgroups.access import (
    access_group,
    access_join_request,
    access_membership,
    can_manage_group,
)
from workgroups.forms import AddMemberForm, GroupForm, JoinForm
from workgroups.models import (
    ActionItem,
    GroupJoinRequest,
    GroupMembership,
    Meeting,
    WorkingGroup,
)
from workgroups.views import error_text, page_context

PAGE_SIZE = 25
GROUP_PAGE_LIMIT = 10


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
        page_context(request, page=page, show=show, join_form=JoinForm()),
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
            apply_errors(form, exc)
        else:
            messages.success(request, _("The group is set up. Add its chairs and members."))
            return redirect(group.get_absolute_url())
    return render(request, "workgroups/group_form.html", page_context(request, form=form))


@collaborative_view()
def group_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
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
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(group.get_absolute_url())
    return render(
        request,
        "workgroups/group_form.html",
        page_context(request, form=form, group=group),
    )


@collaborative_view()
def group_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="view")
    member = request.member
    is_manager = can_manage_group(member, group)
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
        page_context(
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
def group_join(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="view")
    form = JoinForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        result = services.group_join(
            actor=request.member, group=group, message=message, request=request
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
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
def group_leave(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="view")
    membership = group.memberships.filter(member=request.member, is_active=True).first()
    if membership is None:
        messages.error(request, _("You are not a member of this group."))
        return redirect(group.get_absolute_url())
    try:
        services.group_membership_end(actor=request.member, membership=membership, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You have left %(group)s.") % {"group": group.name})
    return redirect(group.get_absolute_url())


@require_POST
@collaborative_view()
def group_request_decide(
    request: CollaborativeRequest, slug: str, public_id: UUID, request_id: UUID
) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
    join_request = access_join_request(request, group, request_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.group_join_request_decide(
            actor=request.member, join_request=join_request, approve=approve, request=request
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
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
def group_member_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
    form = AddMemberForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.group_membership_add(
                actor=request.member, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
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
    request: CollaborativeRequest, slug: str, public_id: UUID, membership_id: UUID
) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
    membership = access_membership(request, group, membership_id)
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
        messages.error(request, error_text(exc))
    return redirect(group.get_absolute_url())
