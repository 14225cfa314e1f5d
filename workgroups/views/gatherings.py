"""Gathering pages: scheduling, the agenda, attendance, minutes, decisions and
follow-up. A gathering is seen only where its minutes' sharing level allows (404
otherwise); changes need the group's chairs or backbone staff (403).
"""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view, require_inviter
from stakeholders.models import Member
from workgroups import services
from workgroups.access import (
    access_agenda_item,
    access_group,
    access_meeting,
    can_manage_group,
)
from workgroups.forms import (
    AgendaItemForm,
    CancelForm,
    DecisionForm,
    FollowUpForm,
    MeetingForm,
    MinutesForm,
    RescheduleForm,
    WalkInInviteForm,
)
from workgroups.models import ActionItem, Attendance, Meeting
from workgroups.views import error_text, page_context


@collaborative_view()
def meeting_create(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    group = access_group(request, public_id, action="manage")
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.member, group=group, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Gathering scheduled. Now set the agenda."))
            return redirect(meeting.get_absolute_url())
    return render(
        request, "workgroups/meeting_form.html", page_context(request, group=group, form=form)
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
def meeting_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="view")
    is_manager = can_manage_group(request.member, meeting.owner)
    agenda, decisions, attendance = _meeting_parts(meeting)
    counts = {s: 0 for s in Attendance.Status.values}
    for row in attendance:
        counts[row.status] += 1
    # Members of the group nobody marked are "not marked", never counted as absent.
    counts["not_marked"] = (
        meeting.owner.active_people()
        .exclude(pk__in=meeting.attendance.filter(member__isnull=False).values("member_id"))
        .count()
    )
    action_items = list(
        ActionItem.objects.visible_to(request.user)
        .filter(source_meeting=meeting)
        .select_related("owner_member__user", "owner_organization", "priority")
    )
    for decision in decisions:
        decision.followups = [i for i in action_items if i.source_decision_id == decision.pk]
    context = page_context(
        request,
        meeting=meeting,
        group=meeting.owner,
        is_manager=is_manager,
        agenda=agenda,
        decisions=decisions,
        attendance=attendance,
        present=[a for a in attendance if a.status == Attendance.Status.PRESENT],
        counts=counts,
        action_items=action_items,
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
                initial={"minutes": meeting.minutes, "status": meeting.status},
                prefix="minutes",
                meeting=meeting,
            ),
            "can_change_time": meeting.can_change_time(),
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


def _unchangeable(request: CollaborativeRequest, meeting) -> HttpResponse | None:
    """Back to the gathering's page, saying why, when it can no longer be moved or
    cancelled (the service's own check, so the reason is written once)."""
    try:
        services.check_changeable(meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(meeting.get_absolute_url())
    return None


@collaborative_view()
def meeting_reschedule(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """A new time or place for a gathering still ahead; everyone invited is told, with
    the updated calendar entry."""
    meeting = access_meeting(request, public_id, action="manage")
    if refused := _unchangeable(request, meeting):
        return refused
    initial = {
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at),
        "place": meeting.place,
        "video_link": meeting.video_link,
    }
    form = RescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_reschedule(
                actor=request.member, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Gathering moved. Everyone invited gets an email with the new time."),
            )
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "workgroups/meeting_reschedule.html",
        page_context(request, meeting=meeting, group=meeting.owner, form=form),
    )


@collaborative_view()
def meeting_cancel(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Cancel a gathering still ahead: the page asks why and to confirm; the gathering
    keeps its history and shows as cancelled."""
    meeting = access_meeting(request, public_id, action="manage")
    if refused := _unchangeable(request, meeting):
        return refused
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.member,
                meeting=meeting,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Gathering cancelled. Everyone invited gets an email saying so.")
            )
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "workgroups/meeting_cancel.html",
        page_context(request, meeting=meeting, group=meeting.owner, form=form),
    )


@collaborative_view()
def meeting_agenda_print(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="view")
    agenda = list(meeting.agenda_items.select_related("presenter__user"))
    return render(
        request,
        "workgroups/meeting_agenda_print.html",
        page_context(request, meeting=meeting, group=meeting.owner, agenda=agenda),
    )


@require_POST
@collaborative_view()
def agenda_item_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="manage")
    form = AgendaItemForm(request.POST, meeting=meeting, prefix="agenda")
    if form.is_valid():
        try:
            services.agenda_item_add(actor=request.member, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Added to the agenda."))
    else:
        messages.error(request, _("Give the agenda item a topic."))
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@require_POST
@collaborative_view()
def agenda_item_move(
    request: CollaborativeRequest, slug: str, public_id: UUID, item_id: UUID
) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="manage")
    item = access_agenda_item(request, meeting, item_id)
    try:
        services.agenda_item_move(
            actor=request.member, item=item, up=request.POST.get("direction") == "up"
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@collaborative_view()
def agenda_item_edit(
    request: CollaborativeRequest, slug: str, public_id: UUID, item_id: UUID
) -> HttpResponse:
    """Change an agenda item's topic, presenter, time or notes (who may move it may
    change it)."""
    meeting = access_meeting(request, public_id, action="manage")
    item = access_agenda_item(request, meeting, item_id)
    form = AgendaItemForm(request.POST or None, instance=item, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(
                actor=request.member, item=item, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Agenda item saved."))
            return redirect(f"{meeting.get_absolute_url()}#agenda")
    return render(
        request,
        "workgroups/agenda_item_form.html",
        page_context(request, meeting=meeting, group=meeting.owner, item=item, form=form),
    )


@require_POST
@collaborative_view()
def agenda_item_remove(
    request: CollaborativeRequest, slug: str, public_id: UUID, item_id: UUID
) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="manage")
    item = access_agenda_item(request, meeting, item_id)
    services.agenda_item_remove(actor=request.member, item=item, request=request)
    messages.success(request, _("Removed from the agenda: %(title)s.") % {"title": item.title})
    return redirect(f"{meeting.get_absolute_url()}#agenda")


@collaborative_view()
def meeting_attendance(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Take attendance on a phone: everyone in the group, one tap each, one Save."""
    meeting = access_meeting(request, public_id, action="manage")
    if meeting.is_cancelled:
        messages.error(request, _("This gathering was cancelled: there is no attendance to take."))
        return redirect(meeting.get_absolute_url())
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
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Attendance saved."))
            if request.POST.get("then") == "more":
                return redirect("workgroups:meeting_attendance", slug=slug, public_id=public_id)
            return redirect(meeting.get_absolute_url())
    walk_ins = list(
        meeting.attendance.filter(member__isnull=True)
        .select_related("invitation")
        .order_by("walk_in_name")
    )
    return render(
        request,
        "workgroups/meeting_attendance.html",
        page_context(
            request,
            meeting=meeting,
            group=group,
            people=[(p, rows[p.pk].status if p.pk in rows else "") for p in people],
            walk_ins=walk_ins,
            joined=list(
                meeting.attendance.filter(invitation__isnull=False, member__isnull=False)
                .select_related("member__user")
                .order_by("member__user__name")
            ),
            can_invite=_can_invite(request.member),
            statuses=Attendance.Status.choices,
        ),
    )


def _can_invite(member: Member) -> bool:
    try:
        require_inviter(member, Member.Role.COMMUNITY, None)
    except PermissionDenied:
        return False
    return True


@collaborative_view()
def walk_in_invite(
    request: CollaborativeRequest, slug: str, public_id: UUID, attendance_id: int
) -> HttpResponse:
    """Invite a walk-in to join: once they accept, their attendance here is theirs and
    counts for a stipend like any member's."""
    meeting = access_meeting(request, public_id, action="manage")
    attendance = (
        meeting.attendance.filter(pk=attendance_id, member__isnull=True)
        .select_related("invitation")
        .first()
    )
    if attendance is None:
        raise Http404
    if not _can_invite(request.member):
        raise PermissionDenied
    form = WalkInInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.walk_in_invite(
                actor=request.member,
                meeting=meeting,
                attendance=attendance,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if row.member_id is not None or row.pk is None:
                text = _("%(name)s is already a member: this attendance now counts as theirs.")
            else:
                text = _(
                    "Invitation sent to %(name)s. Once they accept, their attendance here counts."
                )
            messages.success(request, text % {"name": attendance.walk_in_name})
            return redirect("workgroups:meeting_attendance", slug=slug, public_id=public_id)
    return render(
        request,
        "workgroups/walk_in_invite.html",
        page_context(
            request, meeting=meeting, group=meeting.owner, attendance=attendance, form=form
        ),
    )


@require_POST
@collaborative_view()
def meeting_minutes(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="manage")
    form = MinutesForm(request.POST, prefix="minutes", meeting=meeting)
    if form.is_valid():
        try:
            services.meeting_record_minutes(
                actor=request.member, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Minutes saved."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect(f"{meeting.get_absolute_url()}#minutes")


@require_POST
@collaborative_view()
def decision_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="manage")
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
def followup_add(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    meeting = access_meeting(request, public_id, action="manage")
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
                priority=data["priority"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Action item added: %(title)s.") % {"title": item.title})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"{meeting.get_absolute_url()}#follow-up")
