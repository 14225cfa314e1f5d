"""Recruitment and screening: the pipeline board, applicants and what is recorded
about them. Access (``mentorship.access``) → service → render."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access, selectors
from mentorship.forms.pipeline import (
    BackgroundAssessmentForm,
    DeclineForm,
    LinkMemberForm,
    MoveForm,
    NoteForm,
    TrainingForm,
    WithdrawOwnForm,
)
from mentorship.models import Applicant, Program, Stage
from mentorship.services import screening
from mentorship.views.base import act, error_text, page_context
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25
BOARD_LIMIT = 12  # cards per pipeline column; the rest are counted and paged in the list
APPROVED_ON_BOARD = 8  # the newest approvals only: the board is for people in screening


# The pipeline -------------------------------------------------------------------------


@collaborative_view()
def pipeline(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    """A column per screening stage (and the newest approvals), with plain buttons to move
    an application to the next or previous stage. Each column shows its newest
    ``BOARD_LIMIT`` cards and its whole count, with a link to the paged list, so the page
    is the same size however many people apply."""
    program = access.access_program(request, program_id, action="coordinate")
    required = program.modules.filter(is_active=True, is_required=True).count()
    stages = [*Stage.open_stages(), Stage.APPROVED]
    # One query for every column, each cut to its newest cards by the database (a row
    # number per stage), not read whole and cut here.
    applicants = (
        selectors.applicants_managed_by(request.user)
        .filter(program=program, stage__in=[s.value for s in stages])
        .annotate(
            trained=Count(
                "training_completions",
                filter=Q(
                    training_completions__module__is_required=True,
                    training_completions__module__is_active=True,
                ),
            ),
            board_row=Window(
                RowNumber(),
                partition_by=F("stage"),
                order_by=[F("stage_changed_at").desc(), F("pk").desc()],
            ),
        )
        .filter(board_row__lte=BOARD_LIMIT)
        .order_by("stage_changed_at", "pk")
    )
    counts = dict(
        program.applicants.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    by_stage: dict[str, list[Applicant]] = {s.value: [] for s in stages}
    for applicant in applicants:
        column = by_stage[applicant.stage]
        if applicant.stage != Stage.APPROVED or applicant.board_row <= APPROVED_ON_BOARD:
            column.append(applicant)
    columns = []
    order = Stage.pipeline()
    for stage in stages:
        index = order.index(stage)
        columns.append(
            {
                "stage": stage.value,
                "label": stage.label,
                "cards": by_stage[stage.value],
                "count": counts.get(stage.value, 0),
                "previous": order[index - 1] if index > 0 and stage != Stage.APPROVED else None,
                "next": order[index + 1] if stage not in (Stage.APPROVED, Stage.TRAINED) else None,
                "approve": stage == Stage.TRAINED,
            }
        )
    closed = counts.get(Stage.DECLINED, 0) + counts.get(Stage.WITHDRAWN, 0)
    return render(
        request,
        "mentorship/pipeline.html",
        page_context(
            request,
            program=program,
            columns=columns,
            required=required,
            closed=closed,
            moved=request.GET.get("moved", ""),
        ),
    )


@collaborative_view()
def applicant_list(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    """Every application, filterable by stage (declined and withdrawn included), paged."""
    program = access.access_program(request, program_id, action="coordinate")
    stage = request.GET.get("stage", "")
    applicants = selectors.applicants_managed_by(request.user).filter(program=program)
    if stage in Stage.values:
        applicants = applicants.filter(stage=stage)
    page = Paginator(applicants.order_by("-created_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mentorship/applicant_list.html",
        page_context(request, program=program, page=page, stage=stage, stages=Stage.choices),
    )


def _applicant_context(
    request: CollaborativeRequest, program: Program, applicant: Applicant, **forms: Any
) -> dict[str, Any]:
    coordinator = access.coordinates(request.member, program)
    completions = {
        c.module_id: c
        for c in selectors.training_completions_visible_to(request.user).filter(applicant=applicant)
    }
    modules = [(m, completions.get(m.pk)) for m in program.modules.filter(is_active=True)]
    context = page_context(
        request,
        program=program,
        applicant=applicant,
        profile=getattr(applicant, "profile", None),
        is_coordinator=coordinator,
        modules=modules,
        missing=screening.missing_training(applicant) if coordinator else [],
        history=selectors.stage_changes_visible_to(request.user)
        .filter(applicant=applicant)
        .select_related("changed_by"),
        assessments=selectors.background_assessments_visible_to(request.user)
        .filter(applicant=applicant)
        .select_related("assessed_by"),
        answers=[(key, value) for key, value in (applicant.answers or {}).items()],
    )
    if access.is_own_application(request.member, applicant):
        # The person's own application: they may withdraw it while it is in screening.
        context.update(is_own=True, why_not_withdraw=screening.own_withdrawal_refusal(applicant))
    if coordinator:
        context.update(
            move_form=forms.get("move_form") or MoveForm(initial={"stage": applicant.next_stage}),
            decline_form=forms.get("decline_form") or DeclineForm(),
            note_form=NoteForm(),
            training_form=forms.get("training_form") or TrainingForm(program=program),
            link_form=forms.get("link_form")
            or LinkMemberForm(
                collaborative=request.collaborative, initial={"member": applicant.member_id}
            ),
        )
    return context


@collaborative_view()
def applicant_detail(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponse:
    program = access.access_program(request, program_id)
    applicant = access.access_applicant(request, program, applicant_id)
    return render(
        request,
        "mentorship/applicant_detail.html",
        _applicant_context(request, program, applicant),
    )


def _coordinated_applicant(
    request: CollaborativeRequest, program_id: uuid.UUID, applicant_id: uuid.UUID | str
) -> tuple[Program, Applicant]:
    program = access.access_program(request, program_id)
    return program, access.access_applicant(request, program, applicant_id, action="coordinate")


def _back(
    request: CollaborativeRequest, program: Program, applicant: Applicant
) -> HttpResponseBase:
    """Back to the board when the action came from there, else to the applicant."""
    from django.urls import reverse  # noqa: PLC0415

    if request.POST.get("from") == "board":
        url = reverse("mentorship:pipeline", args=[program.collaborative.slug, program.public_id])
        return redirect(f"{url}?moved={applicant.public_id}#card-{applicant.public_id}")
    return redirect(
        "mentorship:applicant", program.collaborative.slug, program.public_id, applicant.public_id
    )


@require_POST
@collaborative_view()
def applicant_move(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    return _move(request, program, applicant, MoveForm(request.POST))


def _move(
    request: CollaborativeRequest, program: Program, applicant: Applicant, form: MoveForm
) -> HttpResponseBase:
    if not form.is_valid():
        messages.error(request, _("Choose a screening stage."))
        return _back(request, program, applicant)
    act(
        request,
        _("%(name)s moved to “%(stage)s”.")
        % {"name": applicant.name, "stage": Stage(form.cleaned_data["stage"]).label},
        screening.applicant_move,
        applicant=applicant,
        to_stage=form.cleaned_data["stage"],
        note=form.cleaned_data["note"],
    )
    return _back(request, program, applicant)


@require_POST
@collaborative_view()
def board_move(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponseBase:
    """The board's one form: the pressed button names the application and what to do
    (``move=<applicant id> <stage>`` or ``approve=<applicant id>``), so no card carries a
    form of its own. Anyone the coordinator may not manage is a 404 as on their page."""
    if approve := request.POST.get("approve"):
        return _approve(request, *_coordinated_applicant(request, program_id, approve))
    applicant_id, _sep, stage = request.POST.get("move", "").partition(" ")
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    return _move(request, program, applicant, MoveForm({"stage": stage}))


@require_POST
@collaborative_view()
def applicant_approve(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    return _approve(request, *_coordinated_applicant(request, program_id, applicant_id))


def _approve(
    request: CollaborativeRequest, program: Program, applicant: Applicant
) -> HttpResponseBase:
    form = NoteForm(request.POST)
    form.is_valid()
    act(
        request,
        _("%(name)s is approved as a mentor.") % {"name": applicant.name},
        screening.applicant_approve,
        applicant=applicant,
        note=form.cleaned_data.get("note", ""),
    )
    return _back(request, program, applicant)


@collaborative_view()
def applicant_decline(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening.applicant_decline(
                actor=request.member,
                applicant=applicant,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The application is declined."))
            return _back(request, program, applicant)
    return render(
        request,
        "mentorship/applicant_detail.html",
        _applicant_context(request, program, applicant, decline_form=form),
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@collaborative_view()
def applicant_withdraw(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = NoteForm(request.POST)
    form.is_valid()
    act(
        request,
        _("The application is marked as withdrawn."),
        screening.applicant_withdraw,
        applicant=applicant,
        note=form.cleaned_data.get("note", ""),
    )
    return _back(request, program, applicant)


@collaborative_view()
def applicant_withdraw_own(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    """The person withdraws their own application: a confirmation page with an optional
    note (GET), then the change (POST). Anyone else's application is a 404."""
    program = access.access_program(request, program_id)
    applicant = access.access_applicant(request, program, applicant_id, action="own")
    # An empty note is a valid answer: bind on POST even when nothing was typed.
    form = WithdrawOwnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            screening.applicant_withdraw_own(
                actor=request.member,
                applicant=applicant,
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("Your application is withdrawn. Thank you for telling us. We wish you well."),
            )
        return redirect("mentorship:applicant", slug, program.public_id, applicant.public_id)
    return render(
        request,
        "mentorship/applicant_withdraw_own.html",
        page_context(
            request,
            program=program,
            applicant=applicant,
            form=form,
            why_not=screening.own_withdrawal_refusal(applicant),
        ),
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@collaborative_view()
def applicant_link(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = LinkMemberForm(request.POST, collaborative=request.collaborative)
    if form.is_valid():
        act(
            request,
            _("Saved."),
            screening.applicant_link_member,
            applicant=applicant,
            member=form.cleaned_data["member"],
        )
    else:
        messages.error(request, _("Choose a member of this collaborative."))
    return _back(request, program, applicant)


@require_POST
@collaborative_view()
def training_record(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = TrainingForm(request.POST, program=program)
    if form.is_valid():
        try:
            screening.training_completion_record(
                actor=request.member, applicant=applicant, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error("completed_on", exc)
        else:
            messages.success(request, _("Training recorded."))
            return _back(request, program, applicant)
    return render(
        request,
        "mentorship/applicant_detail.html",
        _applicant_context(request, program, applicant, training_form=form),
        status=400,
    )


@collaborative_view()
def background_assessment(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, applicant_id: uuid.UUID
) -> HttpResponseBase:
    """Record an individualized assessment of a conviction history. Coordinators only;
    it never declines anyone by itself."""
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = BackgroundAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            screening.background_assessment_record(
                actor=request.member, applicant=applicant, request=request, **fields
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The assessment is recorded."))
            return _back(request, program, applicant)
    return render(
        request,
        "mentorship/background_form.html",
        page_context(request, program=program, applicant=applicant, form=form),
    )
