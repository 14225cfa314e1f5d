"""Programs: the list, starting one, its settings, its page and its training modules."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access, selectors
from mentorship.forms.pipeline import (
    ProgramForm,
    TrainingModuleForm,
)
from mentorship.models import Match, MenteeProfile, Program, Stage
from mentorship.models.matches import OPEN_MATCH_STATUSES
from mentorship.services import programs
from mentorship.views.base import act, page_context
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

# Programs -----------------------------------------------------------------------------


@collaborative_view()
def program_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Every program of the collaborative, with what the person does in each; a mentor's
    own matches (and proposals waiting for their answer) first."""
    user = request.user
    programs = (
        selectors.programs_visible_to(user)
        .filter(collaborative=request.collaborative)
        .select_related("collaborative")
        .annotate(
            is_coordinator=Count(
                "coordinators",
                filter=Q(coordinators__user_id=user.pk, coordinators__is_active=True),
            ),
            mentor_count=Count(
                "mentors", filter=Q(mentors__applicant__stage=Stage.APPROVED), distinct=True
            ),
        )
        .order_by("name")
    )
    my_matches = (
        selectors.matches_of(user)
        .filter(program__collaborative=request.collaborative)
        .filter(status__in=OPEN_MATCH_STATUSES)
        .select_related("program", "mentor__applicant__member", "mentee__member")
        .order_by("-proposed_at")
    )
    return render(
        request,
        "mentorship/program_list.html",
        page_context(
            request,
            programs=programs,
            my_matches=my_matches,
            can_create=request.member.is_backbone,
        ),
    )


def _program_form_response(
    request: CollaborativeRequest, form: ProgramForm, program: Program | None
) -> HttpResponse:
    return render(
        request,
        "mentorship/program_form.html",
        page_context(request, form=form, program=program),
    )


def _program_fields(form: ProgramForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("coordinators", None)
    for name in list(data):
        if name.startswith("weight_"):
            data.pop(name)
    return data


@collaborative_view(roles=(Member.Role.BACKBONE,))
def program_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    form = ProgramForm(
        request.POST or None, collaborative=request.collaborative, can_set_coordinators=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            program = programs.program_create(
                actor=request.member,
                collaborative=request.collaborative,
                coordinators=form.cleaned_data.get("coordinators") or [],
                request=request,
                **_program_fields(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The program is set up. Add its training modules next."))
            return redirect(program.get_absolute_url())
    return _program_form_response(request, form, None)


@collaborative_view()
def program_edit(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = access.access_program(request, program_id, action="manage")
    form = ProgramForm(
        request.POST or None,
        instance=program,
        collaborative=request.collaborative,
        can_set_coordinators=request.member.is_backbone,
    )
    if request.method == "POST" and form.is_valid():
        fields = _program_fields(form)
        try:
            programs.program_update(
                actor=request.member,
                program=program,
                coordinators=form.cleaned_data.get("coordinators")
                if request.member.is_backbone
                else None,
                request=request,
                **fields,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(program.get_absolute_url())
    return _program_form_response(request, form, program)


@collaborative_view()
def program_detail(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = access.access_program(request, program_id)
    user = request.user
    coordinator = access.coordinates(request.member, program)
    manager = coordinator or access.manages(request.member, program)
    context = page_context(
        request,
        program=program,
        is_coordinator=coordinator,
        is_manager=manager,
        modules=program.modules.filter(is_active=True),
        coordinators=program.coordinators.select_related("user").order_by("user__name"),
        module_form=TrainingModuleForm() if manager else None,
        my_application=selectors.applications_of(user).filter(program=program).first(),
    )
    if coordinator:
        stage_counts = dict(
            program.applicants.values_list("stage")
            .annotate(n=Count("pk"))
            .values_list("stage", "n")
        )
        context.update(
            stage_counts=[(s.value, s.label, stage_counts.get(s.value, 0)) for s in Stage],
            waiting=program.mentees.filter(status=MenteeProfile.Status.WAITING).count(),
            match_counts=dict(
                program.matches.values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            ),
            proposed=program.matches.filter(status=Match.Status.PROPOSED)
            .select_related("mentor__applicant", "mentee")
            .order_by("proposed_at"),
        )
    return render(request, "mentorship/program_detail.html", context)


@require_POST
@collaborative_view()
def module_add(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = access.access_program(request, program_id, action="manage")
    form = TrainingModuleForm(request.POST)
    if form.is_valid():
        act(
            request,
            _("Training module added."),
            programs.training_module_save,
            program=program,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Give the module a name (each module's name is used once)."))
    return redirect(program.get_absolute_url())
