"""Mentoring pages: programs, the screening pipeline, applicants and profiles.
Access (``mentorship.access``) → service → render. Matching pages are in
``matching_views``; the public application form in ``public_views``.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access, services
from mentorship.forms import (
    BackgroundAssessmentForm,
    DeclineForm,
    LinkMemberForm,
    MenteeProfileForm,
    MentorProfileForm,
    MoveForm,
    NoContactForm,
    NoteForm,
    ProgramForm,
    TrainingForm,
    TrainingModuleForm,
    WithdrawOwnForm,
)
from mentorship.models import Applicant, Match, MenteeProfile, Program, Stage
from mentorship.models.matches import OPEN_MATCH_STATUSES
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

PAGE_SIZE = 25
BOARD_LIMIT = 50  # cards per pipeline column; the rest are counted and paged in the list
APPROVED_ON_BOARD = 8  # the newest approvals only: the board is for people in screening


def _context(request: CollaborativeRequest, **extra: Any) -> dict[str, Any]:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _act(request: CollaborativeRequest, done: str, service: Callable[..., Any], **kw: Any) -> None:
    """One button's action: call the service as this person, then say how it went (the
    service's own words when it refuses)."""
    try:
        service(actor=request.user, request=request, **kw)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)


# Programs -----------------------------------------------------------------------------


@collaborative_view()
def program_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Every program of the collaborative, with what the person does in each; a mentor's
    own matches (and proposals waiting for their answer) first."""
    user = request.user
    programs = (
        access.programs_visible_to(user)
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
        access.matches_of(user)
        .filter(program__collaborative=request.collaborative)
        .filter(status__in=OPEN_MATCH_STATUSES)
        .select_related("program", "mentor__applicant__member", "mentee__member")
        .order_by("-proposed_at")
    )
    return render(
        request,
        "mentorship/program_list.html",
        _context(
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
        _context(request, form=form, program=program),
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
            program = services.program_create(
                actor=request.user,
                collaborative=request.collaborative,
                coordinators=form.cleaned_data.get("coordinators") or [],
                request=request,
                **_program_fields(form),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The program is set up. Add its training modules next."))
            return redirect(program.get_absolute_url())
    return _program_form_response(request, form, None)


@collaborative_view()
def program_edit(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponse:
    program = access.access_program(request, request.collaborative, program_id, action="manage")
    form = ProgramForm(
        request.POST or None,
        instance=program,
        collaborative=request.collaborative,
        can_set_coordinators=request.member.is_backbone,
    )
    if request.method == "POST" and form.is_valid():
        fields = _program_fields(form)
        try:
            services.program_update(
                actor=request.user,
                program=program,
                coordinators=form.cleaned_data.get("coordinators")
                if request.member.is_backbone
                else None,
                request=request,
                **fields,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(program.get_absolute_url())
    return _program_form_response(request, form, program)


@collaborative_view()
def program_detail(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponse:
    program = access.access_program(request, request.collaborative, program_id)
    user = request.user
    coordinator = access.is_coordinator(user, program)
    manager = coordinator or access.can_manage(user, program)
    context = _context(
        request,
        program=program,
        is_coordinator=coordinator,
        is_manager=manager,
        modules=program.modules.filter(is_active=True),
        coordinators=program.coordinators.select_related("user").order_by("user__name"),
        module_form=TrainingModuleForm() if manager else None,
        my_application=access.applications_of(user).filter(program=program).first(),
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
def module_add(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponse:
    program = access.access_program(request, request.collaborative, program_id, action="manage")
    form = TrainingModuleForm(request.POST)
    if form.is_valid():
        _act(
            request,
            _("Training module added."),
            services.training_module_save,
            program=program,
            **form.cleaned_data,
        )
    else:
        messages.error(request, _("Give the module a name (each module's name is used once)."))
    return redirect(program.get_absolute_url())


# The pipeline -------------------------------------------------------------------------


@collaborative_view()
def pipeline(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponse:
    """A column per screening stage (and the newest approvals), with plain buttons to move
    an application to the next or previous stage."""
    program = access.access_program(request, request.collaborative, program_id, action="coordinate")
    required = program.modules.filter(is_active=True, is_required=True).count()
    applicants = (
        access.applicants_managed_by(request.user)
        .filter(program=program)
        .annotate(
            trained=Count(
                "training_completions",
                filter=Q(
                    training_completions__module__is_required=True,
                    training_completions__module__is_active=True,
                ),
            )
        )
        .order_by("stage_changed_at", "pk")
    )
    counts = dict(
        program.applicants.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    stages = [*Stage.open_stages(), Stage.APPROVED]
    by_stage: dict[str, list[Applicant]] = {s.value: [] for s in stages}
    # One query per column would grow with the columns, not the rows; one query for all,
    # capped per column in Python, keeps it at one.
    for applicant in applicants.filter(stage__in=[s.value for s in stages]).order_by(
        "-stage_changed_at"
    ):
        column = by_stage[applicant.stage]
        limit = APPROVED_ON_BOARD if applicant.stage == Stage.APPROVED else BOARD_LIMIT
        if len(column) < limit:
            column.append(applicant)
    columns = []
    order = Stage.pipeline()
    for stage in stages:
        index = order.index(stage)
        columns.append(
            {
                "stage": stage.value,
                "label": stage.label,
                "cards": sorted(by_stage[stage.value], key=lambda a: (a.stage_changed_at, a.pk)),
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
        _context(
            request,
            program=program,
            columns=columns,
            required=required,
            closed=closed,
            moved=request.GET.get("moved", ""),
        ),
    )


@collaborative_view()
def applicant_list(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponse:
    """Every application, filterable by stage (declined and withdrawn included), paged."""
    program = access.access_program(request, request.collaborative, program_id, action="coordinate")
    stage = request.GET.get("stage", "")
    applicants = access.applicants_managed_by(request.user).filter(program=program)
    if stage in Stage.values:
        applicants = applicants.filter(stage=stage)
    page = Paginator(applicants.order_by("-created_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mentorship/applicant_list.html",
        _context(request, program=program, page=page, stage=stage, stages=Stage.choices),
    )


def _applicant_context(
    request: CollaborativeRequest, program: Program, applicant: Applicant, **forms: Any
) -> dict[str, Any]:
    coordinator = access.is_coordinator(request.user, program)
    completions = {
        c.module_id: c
        for c in access.training_completions_visible_to(request.user).filter(applicant=applicant)
    }
    modules = [(m, completions.get(m.pk)) for m in program.modules.filter(is_active=True)]
    context = _context(
        request,
        program=program,
        applicant=applicant,
        profile=getattr(applicant, "profile", None),
        is_coordinator=coordinator,
        modules=modules,
        missing=services.missing_training(applicant) if coordinator else [],
        history=access.stage_changes_visible_to(request.user)
        .filter(applicant=applicant)
        .select_related("changed_by"),
        assessments=access.background_assessments_visible_to(request.user)
        .filter(applicant=applicant)
        .select_related("assessed_by"),
        answers=[(key, value) for key, value in (applicant.answers or {}).items()],
    )
    member = applicant.member
    if member is not None and member.user_id == request.user.pk and member.is_active:
        # The person's own application: they may withdraw it while it is in screening.
        context.update(is_own=True, why_not_withdraw=services.own_withdrawal_refusal(applicant))
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
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponse:
    program = access.access_program(request, request.collaborative, program_id)
    applicant = access.access_applicant(request, program, applicant_id)
    return render(
        request,
        "mentorship/applicant_detail.html",
        _applicant_context(request, program, applicant),
    )


def _coordinated_applicant(
    request: CollaborativeRequest, program_id: str, applicant_id: str
) -> tuple[Program, Applicant]:
    program = access.access_program(request, request.collaborative, program_id)
    applicant = access.access_applicant(request, program, applicant_id)
    if not access.is_coordinator(request.user, program):
        raise PermissionDenied
    return program, applicant


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
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a screening stage."))
        return _back(request, program, applicant)
    _act(
        request,
        _("%(name)s moved to “%(stage)s”.")
        % {"name": applicant.name, "stage": Stage(form.cleaned_data["stage"]).label},
        services.applicant_move,
        applicant=applicant,
        to_stage=form.cleaned_data["stage"],
        note=form.cleaned_data["note"],
    )
    return _back(request, program, applicant)


@require_POST
@collaborative_view()
def applicant_approve(
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = NoteForm(request.POST)
    form.is_valid()
    _act(
        request,
        _("%(name)s is approved as a mentor.") % {"name": applicant.name},
        services.applicant_approve,
        applicant=applicant,
        note=form.cleaned_data.get("note", ""),
    )
    return _back(request, program, applicant)


@collaborative_view()
def applicant_decline(
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.applicant_decline(
                actor=request.user,
                applicant=applicant,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
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
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = NoteForm(request.POST)
    form.is_valid()
    _act(
        request,
        _("The application is marked as withdrawn."),
        services.applicant_withdraw,
        applicant=applicant,
        note=form.cleaned_data.get("note", ""),
    )
    return _back(request, program, applicant)


@collaborative_view()
def applicant_withdraw_own(
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    """The person withdraws their own application: a confirmation page with an optional
    note (GET), then the change (POST). Anyone else's application is a 404."""
    program = access.access_program(request, request.collaborative, program_id)
    applicant = access.access_own_applicant(request, program, applicant_id)
    # An empty note is a valid answer: bind on POST even when nothing was typed.
    form = WithdrawOwnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.applicant_withdraw_own(
                actor=request.user,
                applicant=applicant,
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(
                request,
                _("Your application is withdrawn. Thank you for telling us. We wish you well."),
            )
        return redirect("mentorship:applicant", slug, program.public_id, applicant.public_id)
    return render(
        request,
        "mentorship/applicant_withdraw_own.html",
        _context(
            request,
            program=program,
            applicant=applicant,
            form=form,
            why_not=services.own_withdrawal_refusal(applicant),
        ),
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@collaborative_view()
def applicant_link(
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = LinkMemberForm(request.POST, collaborative=request.collaborative)
    if form.is_valid():
        _act(
            request,
            _("Saved."),
            services.applicant_link_member,
            applicant=applicant,
            member=form.cleaned_data["member"],
        )
    else:
        messages.error(request, _("Choose a member of this collaborative."))
    return _back(request, program, applicant)


@require_POST
@collaborative_view()
def training_record(
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = TrainingForm(request.POST, program=program)
    if form.is_valid():
        try:
            services.training_completion_record(
                actor=request.user, applicant=applicant, request=request, **form.cleaned_data
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
    request: CollaborativeRequest, slug: str, program_id: str, applicant_id: str
) -> HttpResponseBase:
    """Record an individualized assessment of a conviction history. Coordinators only;
    it never declines anyone by itself."""
    program, applicant = _coordinated_applicant(request, program_id, applicant_id)
    form = BackgroundAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.background_assessment_record(
                actor=request.user, applicant=applicant, request=request, **fields
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The assessment is recorded."))
            return _back(request, program, applicant)
    return render(
        request,
        "mentorship/background_form.html",
        _context(request, program=program, applicant=applicant, form=form),
    )


# Profiles -----------------------------------------------------------------------------


@collaborative_view()
def mentor_edit(
    request: CollaborativeRequest, slug: str, program_id: str, mentor_id: str
) -> HttpResponseBase:
    """The mentor's own profile, or a coordinator editing it."""
    program = access.access_program(request, request.collaborative, program_id)
    profile = access.access_mentor(request, program, mentor_id)
    form = MentorProfileForm(
        request.POST or None, instance=profile, collaborative=request.collaborative
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "key_areas"}
        try:
            services.mentor_profile_update(
                actor=request.user,
                profile=profile,
                key_areas=form.cleaned_data["key_areas"],
                request=request,
                **fields,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The profile is saved."))
            if access.is_coordinator(request.user, program):
                return redirect(
                    "mentorship:applicant", slug, program.public_id, profile.applicant.public_id
                )
            return redirect("mentorship:programs", slug)
    return render(
        request,
        "mentorship/profile_form.html",
        _context(request, program=program, form=form, profile=profile, kind="mentor"),
    )


@collaborative_view()
def mentee_list(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponse:
    program = access.access_program(request, request.collaborative, program_id, action="coordinate")
    status = request.GET.get("status", "")
    mentees = access.mentees_visible_to(request.user).filter(program=program)
    if status in MenteeProfile.Status.values:
        mentees = mentees.filter(status=status)
    mentees = mentees.select_related("referred_by").prefetch_related(
        Prefetch("needs"),
    )
    page = Paginator(mentees.order_by("release_date", "name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mentorship/mentee_list.html",
        _context(
            request,
            program=program,
            page=page,
            status=status,
            statuses=MenteeProfile.Status.choices,
        ),
    )


def _mentee_fields(form: MenteeProfileForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.Meta.fields if name != "needs"}


@collaborative_view()
def mentee_create(request: CollaborativeRequest, slug: str, program_id: str) -> HttpResponseBase:
    program = access.access_program(request, request.collaborative, program_id, action="coordinate")
    form = MenteeProfileForm(request.POST or None, collaborative=request.collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            mentee = services.mentee_create(
                actor=request.user,
                program=program,
                needs=form.cleaned_data["needs"],
                request=request,
                **_mentee_fields(form),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is on the waiting list.") % {"name": mentee.name})
            return redirect("mentorship:suggestions", slug, program.public_id, mentee.public_id)
    return render(
        request,
        "mentorship/profile_form.html",
        _context(request, program=program, form=form, profile=None, kind="mentee"),
    )


@collaborative_view()
def mentee_edit(
    request: CollaborativeRequest, slug: str, program_id: str, mentee_id: str
) -> HttpResponseBase:
    program = access.access_program(request, request.collaborative, program_id, action="coordinate")
    mentee = access.access_mentee(request, program, mentee_id)
    form = MenteeProfileForm(
        request.POST or None, instance=mentee, collaborative=request.collaborative
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mentee_update(
                actor=request.user,
                mentee=mentee,
                needs=form.cleaned_data["needs"],
                request=request,
                **_mentee_fields(form),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("mentorship:suggestions", slug, program.public_id, mentee.public_id)
    conflicts = (
        access.no_contacts_visible_to(request.user)
        .filter(mentee=mentee)
        .select_related("mentor__applicant")
    )
    return render(
        request,
        "mentorship/profile_form.html",
        _context(
            request,
            program=program,
            form=form,
            profile=mentee,
            kind="mentee",
            conflicts=conflicts,
            no_contact_form=NoContactForm(program=program),
        ),
    )


@require_POST
@collaborative_view()
def no_contact_add(
    request: CollaborativeRequest, slug: str, program_id: str, mentee_id: str
) -> HttpResponseBase:
    program = access.access_program(request, request.collaborative, program_id, action="coordinate")
    mentee = access.access_mentee(request, program, mentee_id)
    form = NoContactForm(request.POST, program=program)
    if form.is_valid():
        _act(
            request,
            _("The conflict is recorded: they will never be matched."),
            services.no_contact_record,
            mentor=form.cleaned_data["mentor"],
            mentee=mentee,
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, _("Choose a mentor of this program."))
    return redirect("mentorship:mentee_edit", slug, program.public_id, mentee.public_id)
