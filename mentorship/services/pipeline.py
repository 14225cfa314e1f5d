"""Every write of the mentoring program's recruitment, screening, profiles and matching.

Functions are named ``<entity>_<verb>``, take keyword arguments with the acting user
first (``actor``: the signed-in ``User``; the public application has none), run in a
transaction, call ``full_clean()`` and write the audit log. They re-check permissions
through ``mentorship.access`` whatever the view already checked. A refused action raises
``PermissionDenied``; invalid input raises ``ValidationError`` with a message for people.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship import access, lifecycle, matching
from mentorship.models import (
    Applicant,
    BackgroundAssessment,
    Match,
    MenteeProfile,
    MentorProfile,
    NoContact,
    Program,
    Stage,
    StageChange,
    TrainingCompletion,
    TrainingModule,
)
from mentorship.models.matches import OPEN_MATCH_STATUSES
from mentorship.selectors import mentee_info, mentor_info, scoring_for
from reentry.audit.log import record
from reentry.mail import send_templated_email
from stakeholders.models import Collaborative, KeyArea, Member, User

# Fields of the profiles people fill in (the rest is set by services).
MENTOR_PROFILE_FIELDS = (
    "lived_experience",
    "bio",
    "languages",
    "gender",
    "age_range",
    "neighbourhood",
    "latitude",
    "longitude",
    "availability",
    "interests",
    "capacity",
    "mentee_gender_preference",
    "preferences",
)
MENTEE_PROFILE_FIELDS = (
    "name",
    "email",
    "phone",
    "member",
    "referral",
    "referred_by",
    "participant_id",
    "release_date",
    "goals",
    "languages",
    "gender",
    "gender_preference",
    "age_range",
    "neighbourhood",
    "latitude",
    "longitude",
    "availability",
    "interests",
    "prefers_lived_experience",
    "supervision_conditions",
    "status",
)


def _require_coordinator(actor: User, program: Program) -> None:
    if not access.is_coordinator(actor, program):
        raise PermissionDenied


def _require_manager(actor: User, program: Program) -> None:
    if not access.can_manage(actor, program):
        raise PermissionDenied


def _key_areas(program: Program, key_areas: Iterable[KeyArea] | None) -> list[KeyArea] | None:
    if key_areas is None:
        return None
    chosen = list(key_areas)
    if any(area.collaborative_id != program.collaborative_id for area in chosen):
        raise ValidationError(_("Choose key areas of this collaborative."))
    return chosen


# Programs -------------------------------------------------------------------------------


@transaction.atomic
def program_create(
    *,
    actor: User,
    collaborative: Collaborative,
    name: str,
    slug: str,
    coordinators: Iterable[Member] = (),
    request=None,
    **fields: Any,
) -> Program:
    """Backbone staff start a program."""
    if not Member.objects.filter(
        user=actor, collaborative=collaborative, is_active=True, role=Member.Role.BACKBONE
    ).exists():
        raise PermissionDenied
    program = Program(collaborative=collaborative, name=name, slug=slug, **fields)
    program.full_clean()
    program.save()
    _set_coordinators(program, coordinators)
    record(
        "mentorship.program_created",
        actor=actor,
        request=request,
        obj=program,
        collaborative=collaborative,
    )
    return program


def _set_coordinators(program: Program, coordinators: Iterable[Member]) -> None:
    chosen = list(coordinators)
    if any(m.collaborative_id != program.collaborative_id or not m.is_active for m in chosen):
        raise ValidationError(_("Coordinators must be active members of this collaborative."))
    program.coordinators.set(chosen)


@transaction.atomic
def program_update(
    *,
    actor: User,
    program: Program,
    coordinators: Iterable[Member] | None = None,
    request=None,
    **fields: Any,
) -> Program:
    """Backbone staff and coordinators change a program's settings and rules. Only
    backbone staff change who coordinates."""
    _require_manager(actor, program)
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    program.save()
    if coordinators is not None:
        if not Member.objects.filter(
            user=actor,
            collaborative_id=program.collaborative_id,
            is_active=True,
            role=Member.Role.BACKBONE,
        ).exists():
            raise PermissionDenied
        _set_coordinators(program, coordinators)
    record(
        "mentorship.program_updated",
        actor=actor,
        request=request,
        obj=program,
        collaborative=program.collaborative,
        fields=sorted(fields),
    )
    return program


@transaction.atomic
def training_module_save(
    *, actor: User, program: Program, module: TrainingModule | None = None, request=None, **fields
) -> TrainingModule:
    _require_manager(actor, program)
    module = module or TrainingModule(program=program)
    if module.program_id != program.pk:
        raise PermissionDenied
    for name, value in fields.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    record(
        "mentorship.training_module_saved",
        actor=actor,
        request=request,
        obj=module,
        collaborative=program.collaborative,
    )
    return module


# Applications and the screening pipeline ------------------------------------------------


def _move(
    applicant: Applicant, to_stage: str, actor: User | None, note: str = "", **changes: Any
) -> str:
    """Move a (locked) application to ``to_stage``: the ``StageChange`` row, the stage
    and its time, and any other ``changes`` (checked with ``full_clean`` when given).
    Returns the stage it came from."""
    from_stage = applicant.stage
    StageChange.objects.create(
        applicant=applicant, from_stage=from_stage, to_stage=to_stage, changed_by=actor, note=note
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
    actor: User | None = None,
    request=None,
    **profile: Any,
) -> Applicant:
    """An application from the public form (``actor`` None) or entered by a coordinator.
    Creates the applicant at "applied" and their mentor profile from what they told us."""
    if actor is not None:
        _require_coordinator(actor, program)
    elif not (program.is_active and program.accepts_applications):
        raise ValidationError(_("This program is not taking applications right now."))
    applicant = Applicant(
        program=program,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        preferred_language=preferred_language,
        answers=answers or {},
        source=Applicant.Source.PUBLIC_FORM if actor is None else Applicant.Source.COORDINATOR,
        stage=Stage.APPLIED,
    )
    applicant.full_clean()
    applicant.save()
    StageChange.objects.create(
        applicant=applicant, from_stage="", to_stage=Stage.APPLIED, changed_by=actor
    )
    mentor = MentorProfile(applicant=applicant, program=program)
    for field in MENTOR_PROFILE_FIELDS:
        if field in profile:
            setattr(mentor, field, profile.pop(field))
    if profile:
        raise TypeError(f"Unknown profile fields: {sorted(profile)}")
    mentor.full_clean(exclude=["applicant"])
    mentor.save()
    areas = _key_areas(program, key_areas)
    if areas:
        mentor.key_areas.set(areas)
    record(
        "mentorship.applicant_submitted",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=program.collaborative,
        source=applicant.source,
    )
    return applicant


def _locked_applicant(actor: User, applicant: Applicant) -> Applicant:
    """The applicant, locked for the change, if the actor coordinates its program."""
    locked = (
        access.applicants_managed_by(actor)
        .select_for_update(of=("self",))
        .select_related("program__collaborative")
        .filter(pk=applicant.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    return locked


@transaction.atomic
def applicant_move(
    *, actor: User, applicant: Applicant, to_stage: str, note: str = "", request=None
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
    record(
        "mentorship.applicant_moved",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
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
    *, actor: User, applicant: Applicant, note: str = "", request=None
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
    record(
        "mentorship.applicant_approved",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
    )
    return applicant


def _check_closable(applicant: Applicant) -> None:
    """Declining or withdrawing needs an open application and no open matches."""
    if applicant.stage in (Stage.DECLINED, Stage.WITHDRAWN):
        raise ValidationError(_("This application is already closed."))
    if Match.objects.filter(mentor__applicant=applicant, status__in=OPEN_MATCH_STATUSES).exists():
        raise ValidationError(_("Close this mentor's matches first."))


@transaction.atomic
def applicant_decline(*, actor: User, applicant: Applicant, reason: str, request=None) -> Applicant:
    """Decline with a reason. A conviction history is never reason enough by itself;
    the coordinator writes what the decision rests on."""
    applicant = _locked_applicant(actor, applicant)
    if not reason.strip():
        raise ValidationError(_("Say why the application is declined."))
    _check_closable(applicant)
    _move(applicant, Stage.DECLINED, actor, reason.strip(), decline_reason=reason.strip())
    record(
        "mentorship.applicant_declined",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
    )
    return applicant


@transaction.atomic
def applicant_withdraw(
    *, actor: User, applicant: Applicant, note: str = "", request=None
) -> Applicant:
    """A coordinator records that the person withdrew (the person withdraws their own
    application, while in screening, with ``applicant_withdraw_own``)."""
    applicant = _locked_applicant(actor, applicant)
    _check_closable(applicant)
    _move(applicant, Stage.WITHDRAWN, actor, note)
    record(
        "mentorship.applicant_withdrawn",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
    )
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
    *, actor: User, applicant: Applicant, note: str = "", request=None
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
        .filter(pk=applicant.pk, member__user_id=actor.pk, member__is_active=True)
        .first()
    )
    if locked is None:
        raise PermissionDenied
    refused = own_withdrawal_refusal(locked)
    if refused:
        raise ValidationError(refused)
    from_stage = _move(locked, Stage.WITHDRAWN, actor, note.strip())
    record(
        "mentorship.applicant_withdrew_own",
        actor=actor,
        request=request,
        obj=locked,
        collaborative=locked.program.collaborative,
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
    *, actor: User, applicant: Applicant, member: Member | None, request=None
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
    record(
        "mentorship.applicant_linked",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
    )
    return applicant


@transaction.atomic
def background_assessment_record(
    *, actor: User, applicant: Applicant, request=None, **fields: Any
) -> BackgroundAssessment:
    """Record an individualized assessment. It never changes the application's stage:
    declining is a separate decision with its own reason."""
    applicant = _locked_applicant(actor, applicant)
    assessment = BackgroundAssessment(applicant=applicant, assessed_by=actor, **fields)
    assessment.full_clean()
    assessment.save()
    # The audit log says an assessment was recorded, never what it says.
    record(
        "mentorship.background_assessed",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
    )
    return assessment


@transaction.atomic
def training_completion_record(
    *,
    actor: User,
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
        defaults={"completed_on": completed_on, "recorded_by": actor},
    )
    record(
        "mentorship.training_recorded",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
        module=module.name,
    )
    return completion


@transaction.atomic
def training_completion_remove(
    *, actor: User, completion: TrainingCompletion, request=None
) -> None:
    applicant = _locked_applicant(actor, completion.applicant)
    if applicant.stage == Stage.APPROVED and completion.module.is_required:
        raise ValidationError(_("This mentor is approved; their required training stays."))
    completion.delete()
    record(
        "mentorship.training_removed",
        actor=actor,
        request=request,
        obj=applicant,
        collaborative=applicant.program.collaborative,
    )


# Profiles -------------------------------------------------------------------------------


@transaction.atomic
def mentor_profile_update(
    *,
    actor: User,
    profile: MentorProfile,
    key_areas: Iterable[KeyArea] | None = None,
    request=None,
    **fields: Any,
) -> MentorProfile:
    """The mentor themselves, or a coordinator, update a mentor's profile."""
    if not access.mentors_visible_to(actor).filter(pk=profile.pk).exists():
        raise PermissionDenied
    _profile_save(
        profile,
        fields,
        allowed=MENTOR_PROFILE_FIELDS,
        areas_field="key_areas",
        areas=key_areas,
        action="mentorship.mentor_profile_updated",
        actor=actor,
        request=request,
    )
    return profile


@transaction.atomic
def mentee_create(
    *,
    actor: User,
    program: Program,
    needs: Iterable[KeyArea] = (),
    request=None,
    **fields: Any,
) -> MenteeProfile:
    """A coordinator adds a mentee (referred by an organization, or self-referred)."""
    _require_coordinator(actor, program)
    unknown = set(fields) - set(MENTEE_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    mentee = MenteeProfile(program=program, created_by=actor, **fields)
    mentee.full_clean()
    mentee.save()
    areas = _key_areas(program, needs)
    if areas:
        mentee.needs.set(areas)
    record(
        "mentorship.mentee_created",
        actor=actor,
        request=request,
        obj=mentee,
        collaborative=program.collaborative,
    )
    return mentee


@transaction.atomic
def mentee_update(
    *,
    actor: User,
    mentee: MenteeProfile,
    needs: Iterable[KeyArea] | None = None,
    request=None,
    **fields: Any,
) -> MenteeProfile:
    _require_coordinator(actor, mentee.program)
    _profile_save(
        mentee,
        fields,
        allowed=MENTEE_PROFILE_FIELDS,
        areas_field="needs",
        areas=needs,
        action="mentorship.mentee_updated",
        actor=actor,
        request=request,
    )
    return mentee


def _profile_save(
    obj: Any, fields: dict, *, allowed, areas_field: str, areas, action: str, actor, request
) -> None:
    """Set the allowed fields of a mentor or mentee profile, its key areas, and audit it."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    chosen = _key_areas(obj.program, areas)
    if chosen is not None:
        getattr(obj, areas_field).set(chosen)
    record(action, actor=actor, request=request, obj=obj, collaborative=obj.program.collaborative)


@transaction.atomic
def no_contact_record(
    *, actor: User, mentor: MentorProfile, mentee: MenteeProfile, reason: str = "", request=None
) -> NoContact:
    _require_coordinator(actor, mentor.program)
    if mentee.program_id != mentor.program_id:
        raise ValidationError(_("The mentor and the mentee must be in the same program."))
    if Match.objects.filter(mentor=mentor, mentee=mentee, status__in=OPEN_MATCH_STATUSES).exists():
        raise ValidationError(_("These two have an open match. Close it first."))
    conflict, _created = NoContact.objects.update_or_create(
        mentor=mentor, mentee=mentee, defaults={"reason": reason.strip(), "recorded_by": actor}
    )
    record(
        "mentorship.no_contact_recorded",
        actor=actor,
        request=request,
        obj=conflict,
        collaborative=mentor.program.collaborative,
    )
    return conflict


@transaction.atomic
def no_contact_remove(*, actor: User, conflict: NoContact, request=None) -> None:
    program = conflict.mentor.program
    _require_coordinator(actor, program)
    record(
        "mentorship.no_contact_removed",
        actor=actor,
        request=request,
        obj=conflict,
        collaborative=program.collaborative,
    )
    conflict.delete()


# Proposing and accepting matches --------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    mentee: MenteeProfile
    mentor: MentorProfile


def _check_pair(
    program: Program,
    mentor: MentorProfile,
    mentee: MenteeProfile,
    *,
    already_taken: int = 0,
) -> tuple[float, list[matching.Term]]:
    """Re-check a pair against every hard constraint, from the database, inside the
    transaction; the fit and its terms if allowed, a ValidationError if not."""
    if mentor.program_id != program.pk or mentee.program_id != program.pk:
        raise ValidationError(_("The mentor and the mentee must be in this program."))
    if Match.objects.filter(mentee=mentee, status__in=OPEN_MATCH_STATUSES).exists():
        raise ValidationError(_("%(mentee)s already has an open match.") % {"mentee": mentee.name})
    open_matches = Match.objects.filter(mentor=mentor, status__in=OPEN_MATCH_STATUSES).count()
    mentor_data = mentor_info(
        mentor,
        key_area_ids=mentor.key_areas.values_list("pk", flat=True),
        open_matches=open_matches + already_taken,
    )
    mentee_data = mentee_info(mentee, need_ids=mentee.needs.values_list("pk", flat=True))
    no_contacts = frozenset(
        NoContact.objects.filter(mentor=mentor, mentee=mentee).values_list("mentor_id", "mentee_id")
    )
    broken = matching.hard_violations(mentor_data, mentee_data, no_contacts)
    if broken:
        raise ValidationError(
            _("%(mentor)s and %(mentee)s cannot be matched: %(reasons)s.")
            % {
                "mentor": mentor.name,
                "mentee": mentee.name,
                "reasons": ", ".join(str(HARD_CONSTRAINT_LABELS[code]) for code in broken),
            }
        )
    scoring = scoring_for(program)
    terms = matching.score_terms(mentor_data, mentee_data, scoring)
    return sum(t.points for t in terms), terms


def _explanation(terms: Sequence[matching.Term]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "weight": t.weight,
            "value": round(t.value, 4),
            "points": round(t.points, 2),
            "facts": t.facts,
        }
        for t in terms
    ]


@transaction.atomic
def matches_propose(
    *,
    actor: User,
    program: Program,
    pairs: Sequence[Proposal],
    rematch_of: Match | None = None,
    request=None,
) -> list[Match]:
    """Propose matches (from suggestions or the waiting-list proposal). Every pair is
    re-checked against every hard constraint here, capacity counted across the batch;
    one bad pair refuses the whole batch, so nothing half-happens."""
    _require_coordinator(actor, program)
    mentor_ids = sorted({p.mentor.pk for p in pairs})
    mentee_ids = [p.mentee.pk for p in pairs]
    if len(set(mentee_ids)) != len(mentee_ids):
        raise ValidationError(_("A mentee can be proposed only once."))
    # Lock the mentors so two coordinators cannot fill the same places at once.
    mentors = {
        m.pk: m
        for m in MentorProfile.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .filter(pk__in=mentor_ids, program=program)
    }
    mentees = {
        m.pk: m
        for m in MenteeProfile.objects.select_for_update(of=("self",)).filter(
            pk__in=mentee_ids, program=program
        )
    }
    if len(mentors) != len(mentor_ids) or len(mentees) != len(set(mentee_ids)):
        raise ValidationError(_("Choose mentors and mentees of this program."))
    taken: dict[int, int] = {}
    created = []
    for pair in pairs:
        mentor, mentee = mentors[pair.mentor.pk], mentees[pair.mentee.pk]
        score, terms = _check_pair(program, mentor, mentee, already_taken=taken.get(mentor.pk, 0))
        taken[mentor.pk] = taken.get(mentor.pk, 0) + 1
        match = Match(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=Match.Status.PROPOSED,
            score=round(score, 2),
            explanation=_explanation(terms),
            proposed_by=actor,
            # h8b: a mentee's next match after a closed one is a re-match of it.
            rematch_of=rematch_of or lifecycle.previous_match(mentee),
        )
        match.full_clean(validate_constraints=False)
        match.save()
        record(
            "mentorship.match_proposed",
            actor=actor,
            request=request,
            obj=match,
            collaborative=program.collaborative,
        )
        created.append(match)
    return created


def match_propose(
    *,
    actor: User,
    program: Program,
    mentor: MentorProfile,
    mentee: MenteeProfile,
    rematch_of: Match | None = None,
    request=None,
) -> Match:
    return matches_propose(
        actor=actor,
        program=program,
        pairs=[Proposal(mentee=mentee, mentor=mentor)],
        rematch_of=rematch_of,
        request=request,
    )[0]


@transaction.atomic
def match_accept(*, actor: User, match: Match, side: str, request=None) -> Match:
    """The mentor (``side="mentor"``, from their own account) or the mentee
    (``side="mentee"``: the mentee's own account, or a coordinator recording their yes)
    accepts a proposed match. When both have accepted, the match starts."""
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("program__collaborative", "mentor__applicant__member", "mentee__member")
        .get(pk=match.pk)
    )
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("Only a proposed match can be accepted."))
    now = timezone.now()
    coordinator = access.is_coordinator(actor, match.program)
    if side == "mentor":
        member = match.mentor.applicant.member
        if member is None or member.user_id != actor.pk or not member.is_active:
            raise PermissionDenied
        match.mentor_accepted_at = now
    elif side == "mentee":
        member = match.mentee.member
        own = member is not None and member.user_id == actor.pk and member.is_active
        if not (own or coordinator):
            raise PermissionDenied
        match.mentee_accepted_at = now
        match.mentee_acceptance_recorded_by = actor
    else:
        raise ValueError(side)
    started = match.both_accepted
    if started:
        match.status = Match.Status.ACTIVE
        match.started_at = now
    match.save()
    record(
        "mentorship.match_accepted",
        actor=actor,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        side=side,
    )
    if started:
        MenteeProfile.objects.filter(pk=match.mentee_id).update(status=MenteeProfile.Status.MATCHED)
        record(
            "mentorship.match_started",
            actor=actor,
            request=request,
            obj=match,
            collaborative=match.program.collaborative,
        )
        lifecycle.monitoring_schedule_start(match=match)  # h8b: the check-ins (MENTOR)
    return match


@transaction.atomic
def match_proposal_decline(
    *, actor: User, match: Match, side: str, reason: str = "", request=None
) -> Match:
    """The mentor, the mentee (or the coordinator for either) says no to a proposal: the
    proposal is closed ("proposal not accepted") and the mentee waits again."""
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("program__collaborative", "mentor__applicant__member", "mentee__member")
        .get(pk=match.pk)
    )
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("Only a proposed match can be declined."))
    coordinator = access.is_coordinator(actor, match.program)
    person = match.mentor.applicant.member if side == "mentor" else match.mentee.member
    own = person is not None and person.user_id == actor.pk and person.is_active
    if side not in ("mentor", "mentee") or not (own or coordinator):
        raise PermissionDenied
    match.status = Match.Status.CLOSED
    match.closed_at = timezone.now()
    match.closed_by = actor
    match.closure_reason = Match.ClosureReason.DECLINED
    match.closure_notes = reason.strip()
    match.save()
    record(
        "mentorship.match_declined",
        actor=actor,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        side=side,
    )
    return match


def mentor_open_match_counts(program: Program) -> dict[int, int]:
    return dict(
        program.mentors.annotate(
            n=Count("matches", filter=Q(matches__status__in=OPEN_MATCH_STATUSES))
        ).values_list("pk", "n")
    )


HARD_CONSTRAINT_LABELS: dict[str, Any] = {
    matching.NOT_APPROVED: gettext_lazy("the mentor is not approved"),
    matching.NO_CAPACITY: gettext_lazy("the mentor has no place left"),
    matching.NO_LANGUAGE: gettext_lazy("no shared language"),
    matching.MENTEE_GENDER_PREFERENCE: gettext_lazy("the mentee's gender preference"),
    matching.MENTOR_GENDER_PREFERENCE: gettext_lazy("the mentor's gender preference"),
    matching.NO_AVAILABILITY: gettext_lazy("no time in common"),
    matching.NO_CONTACT: gettext_lazy("a no-contact conflict"),
}
