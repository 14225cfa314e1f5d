"""Every write of the mentoring program's recruitment and screening.

Functions are named ``<entity>_<verb>``, take keyword arguments with the acting
``Member`` first (``actor``: the person inside the program's collaborative; the public
application form takes the applicant's answers and no actor), run in a
transaction, call ``full_clean()`` and write the audit log. They re-check permissions
through ``mentorship.access`` whatever the view already checked. A refused action raises
``PermissionDenied``; invalid input raises ``ValidationError`` with a message for people.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship import access
from mentorship.models import (
    Applicant,
    BackgroundAssessment,
    Match,
    MentorProfile,
    Program,
    Stage,
    StageChange,
    TrainingCompletion,
    TrainingModule,
)
from mentorship.models.matches import OPEN_MATCH_STATUSES
from mentorship.services.profiles import MENTOR_PROFILE_FIELDS, checked_key_areas
from reentry.audit.log import record
from reentry.mail import send_templated_email
from stakeholders.access import unsubscribe_url
from stakeholders.models import KeyArea, Member

# Applications and the screening pipeline ------------------------------------------------


def _log(action: str, applicant: Applicant, *, actor: Member, request, **details: Any) -> None:
    """The audit row for an application, in its program's collaborative."""
    record(
        action,
        actor=actor.user,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
        **details,
    )


def _move(
    applicant: Applicant, to_stage: str, actor: Member, note: str = "", **changes: Any
) -> str:
    """Move a (locked) application to ``to_stage``: the ``StageChange`` row, the stage
    and its time, and any other ``changes`` (checked with ``full_clean`` when given).
    Returns the stage it came from."""
    from_stage = applicant.stage
    StageChange.objects.create(
        applicant=applicant,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=actor.user,
        note=note,
    )
    applicant.stage = to_stage
    applicant.stage_changed_at = timezone.now()
    for name, value in changes.items():
        setattr(applicant, name, value)
    if changes:
        applicant.full_clean()
    applicant.save(update_fields=["stage", "stage_changed_at", *changes])
    return from_stage


@transaction.atomic
def applicant_submit(
    *,
    program: Program,
    name: str,
    email: str = "",
    phone: str = "",
    preferred_language: str = "en",
    answers: dict[str, Any] | None = None,
    key_areas: Iterable[KeyArea] = (),
    request=None,
    **profile: Any,
) -> Applicant:
    """An application from the public form. Nobody acts inside the collaborative here
    (the person applying is not a member yet, and may not be signed in), so there is no
    ``actor``: the applicant's own answers are the input. Creates the applicant at
    "applied" and their mentor profile from what they told us."""
    if not (program.is_active and program.accepts_applications):
        raise ValidationError(_("This program is not taking applications right now."))
    applicant = Applicant(
        program=program,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        preferred_language=preferred_language,
        answers=answers or {},
        source=Applicant.Source.PUBLIC_FORM,
        stage=Stage.APPLIED,
    )
    applicant.full_clean()
    applicant.save()
    StageChange.objects.create(
        applicant=applicant, from_stage="", to_stage=Stage.APPLIED, changed_by=None
    )
    mentor = MentorProfile(applicant=applicant, program=program)
    for field in MENTOR_PROFILE_FIELDS:
        if field in profile:
            setattr(mentor, field, profile.pop(field))
    if profile:
        raise TypeError(f"Unknown profile fields: {sorted(profile)}")
    mentor.full_clean(exclude=["applicant"])
    mentor.save()
    areas = checked_key_areas(program, key_areas)
    if areas:
        mentor.key_areas.set(areas)
    record(
        "mentorship.applicant_submitted",
        actor=None,
        request=request,
        obj=applicant,
        collaborative=program.collaborative,
        source=applicant.source,
    )
    return applicant


def _locked_applicant(actor: Member, applicant: Applicant) -> Applicant:
    """The applicant, locked for the change, if the actor coordinates its program."""
    locked = (
        Applicant.objects.select_for_update(of=("self",))
        .select_related("program__collaborative")
        .filter(pk=applicant.pk)
        .first()
    )
    if locked is None or not access.coordinates(actor, locked.program):
        raise PermissionDenied
    return locked


@transaction.atomic
def applicant_move(
    *, actor: Member, applicant: Applicant, to_stage: str, note: str = "", request=None
) -> Applicant:
    """Move an application in screening to another screening stage (forward or back).
    Approval, declining and withdrawal have their own functions."""
    applicant = _locked_applicant(actor, applicant)
    if to_stage not in Stage.open_stages():
        raise ValidationError(_("Choose a screening stage."))
    if not applicant.is_open:
        raise ValidationError(_("This application is no longer in screening."))
    if to_stage == applicant.stage:
        return applicant
    from_stage = _move(applicant, to_stage, actor, note)
    _log(
        "mentorship.applicant_moved",
        applicant,
        actor=actor,
        request=request,
        from_stage=from_stage,
        to_stage=to_stage,
    )
    return applicant


def missing_training(applicant: Applicant) -> list[TrainingModule]:
    """Required modules of the program the applicant has not completed."""
    return list(
        applicant.program.modules.filter(is_required=True, is_active=True)
        .exclude(completions__applicant=applicant)
        .order_by("order", "name")
    )


@transaction.atomic
def applicant_approve(
    *, actor: Member, applicant: Applicant, note: str = "", request=None
) -> Applicant:
    """Approve a mentor: only once every required training module is done."""
    applicant = _locked_applicant(actor, applicant)
    if not applicant.is_open:
        raise ValidationError(_("Only an application in screening can be approved."))
    missing = missing_training(applicant)
    if missing:
        raise ValidationError(
            _("Not yet: %(name)s still needs this training: %(modules)s.")
            % {"name": applicant.name, "modules": ", ".join(m.name for m in missing)}
        )
    _move(applicant, Stage.APPROVED, actor, note)
    _log("mentorship.applicant_approved", applicant, actor=actor, request=request)
    return applicant


def _check_closable(applicant: Applicant) -> None:
    """Declining or withdrawing needs an open application and no open matches."""
    if applicant.stage in (Stage.DECLINED, Stage.WITHDRAWN):
        raise ValidationError(_("This application is already closed."))
    if Match.objects.filter(mentor__applicant=applicant, status__in=OPEN_MATCH_STATUSES).exists():
        raise ValidationError(_("Close this mentor's matches first."))


@transaction.atomic
def applicant_decline(
    *, actor: Member, applicant: Applicant, reason: str, request=None
) -> Applicant:
    """Decline with a reason. A conviction history is never reason enough by itself;
    the coordinator writes what the decision rests on."""
    applicant = _locked_applicant(actor, applicant)
    if not reason.strip():
        raise ValidationError(_("Say why the application is declined."))
    _check_closable(applicant)
    _move(applicant, Stage.DECLINED, actor, reason.strip(), decline_reason=reason.strip())
    _log("mentorship.applicant_declined", applicant, actor=actor, request=request)
    return applicant


@transaction.atomic
def applicant_withdraw(
    *, actor: Member, applicant: Applicant, note: str = "", request=None
) -> Applicant:
    """A coordinator records that the person withdrew (the person withdraws their own
    application, while in screening, with ``applicant_withdraw_own``)."""
    applicant = _locked_applicant(actor, applicant)
    _check_closable(applicant)
    _move(applicant, Stage.WITHDRAWN, actor, note)
    _log("mentorship.applicant_withdrawn", applicant, actor=actor, request=request)
    return applicant


def own_withdrawal_refusal(applicant: Applicant) -> str:
    """Why the person cannot withdraw this application themselves, or "" when they can."""
    if applicant.stage == Stage.WITHDRAWN:
        return _("You already withdrew this application. There is nothing more to do.")
    if applicant.stage == Stage.DECLINED:
        return _("This application is already closed.")
    if not applicant.is_open:
        return _(
            "You are an approved mentor, so this is not done here. To step down, talk to "
            "your program's coordinator: they will help with any mentees you have."
        )
    return ""


@transaction.atomic
def applicant_withdraw_own(
    *, actor: Member, applicant: Applicant, note: str = "", request=None
) -> Applicant:
    """The person withdraws their own application, from their own account, while it is
    still in screening (applied → trained). The program's coordinators are told by email.

    An approved mentor does not withdraw here: they may have mentees, sessions waiting
    for a stipend, or proposals out, and stepping down is a conversation with the
    coordinator (who records it with ``applicant_withdraw`` once the matches are
    closed). A declined or withdrawn application is already closed.

    The row is locked and its stage re-read, so the change happens once: two clicks or
    two tabs give one ``StageChange``, one audit event and one email to each coordinator
    (the stage change is the claim; the second call is refused before anything is sent).
    """
    locked = (
        Applicant.objects.select_for_update(of=("self",))
        .select_related("program__collaborative")
        .filter(pk=applicant.pk, member=actor, member__is_active=True)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    refused = own_withdrawal_refusal(locked)
    if refused:
        raise ValidationError(refused)
    from_stage = _move(locked, Stage.WITHDRAWN, actor, note.strip())
    _log(
        "mentorship.applicant_withdrew_own",
        locked,
        actor=actor,
        request=request,
        from_stage=from_stage,
        left_a_note=bool(note.strip()),
    )
    _tell_coordinators_withdrawn(locked, left_a_note=bool(note.strip()))
    return locked


def _tell_coordinators_withdrawn(applicant: Applicant, *, left_a_note: bool) -> None:
    """Email each coordinator who chose email, in their language, once the change commits.
    The email says a note was left, never what it says: it is read on the page."""
    program = applicant.program
    collab = program.collaborative
    url = settings.SITE_URL + reverse(
        "mentorship:applicant", args=[collab.slug, program.public_id, applicant.public_id]
    )
    settings_url = settings.SITE_URL + reverse("stakeholders:profile", kwargs={"slug": collab.slug})
    coordinators = (
        program.coordinators.filter(is_active=True, contact_by_email=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for person in coordinators:
        send_templated_email(
            "mentoring-withdrawn",
            to=person.user.email,
            language=person.user.preferred_language,
            unsubscribe_url=unsubscribe_url(person, "mentoring-withdrawn", slug=collab.slug),
            context={
                "member": person,
                "program": program,
                "applicant": applicant,
                "left_a_note": left_a_note,
                "url": url,
                "collaborative": collab,
                "settings_url": settings_url,
            },
        )


@transaction.atomic
def applicant_link_member(
    *, actor: Member, applicant: Applicant, member: Member | None, request=None
) -> Applicant:
    """Connect an application to the person's account in the collaborative (so they can
    sign in, log sessions and be paid stipends), or disconnect it."""
    applicant = _locked_applicant(actor, applicant)
    if member is not None and (
        member.collaborative_id != applicant.program.collaborative_id or not member.is_active
    ):
        raise ValidationError(_("Choose an active member of this collaborative."))
    applicant.member = member
    applicant.full_clean()
    applicant.save(update_fields=["member"])
    _log("mentorship.applicant_linked", applicant, actor=actor, request=request)
    return applicant


@transaction.atomic
def background_assessment_record(
    *, actor: Member, applicant: Applicant, request=None, **fields: Any
) -> BackgroundAssessment:
    """Record an individualized assessment. It never changes the application's stage:
    declining is a separate decision with its own reason."""
    applicant = _locked_applicant(actor, applicant)
    assessment = BackgroundAssessment(applicant=applicant, assessed_by=actor.user, **fields)
    assessment.full_clean()
    assessment.save()
    # The audit log says an assessment was recorded, never what it says.
    _log("mentorship.background_assessed", applicant, actor=actor, request=request)
    return assessment


@transaction.atomic
def training_completion_record(
    *,
    actor: Member,
    applicant: Applicant,
    module: TrainingModule,
    completed_on: datetime.date,
    request=None,
) -> TrainingCompletion:
    applicant = _locked_applicant(actor, applicant)
    if module.program_id != applicant.program_id:
        raise ValidationError(_("Choose a module of this program."))
    if completed_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    completion, _created = TrainingCompletion.objects.update_or_create(
        applicant=applicant,
        module=module,
        defaults={"completed_on": completed_on, "recorded_by": actor.user},
    )
    _log(
        "mentorship.training_recorded", applicant, actor=actor, request=request, module=module.name
    )
    return completion


@transaction.atomic
def training_completion_remove(
    *, actor: Member, completion: TrainingCompletion, request=None
) -> None:
    applicant = _locked_applicant(actor, completion.applicant)
    if applicant.stage == Stage.APPROVED and completion.module.is_required:
        raise ValidationError(_("This mentor is approved; their required training stays."))
    completion.delete()
    _log("mentorship.training_removed", applicant, actor=actor, request=request)
