"""Who may see and do what in the mentoring program: one place, as querysets.

Roles (all per collaborative, through an active ``Member``):

- **Coordinators** of a program (``Program.coordinators``) see and change everything
  person-level in it: applicants and their background assessments, mentor and mentee
  profiles, matches, sessions (private notes too), monitoring contacts, fit checks,
  no-contact conflicts.
- **Backbone staff** of the collaborative manage programs: settings, coordinators,
  training modules, grants, budget lines and expenses, aggregate reports. They do not
  read person-level records (background notes, mentee details, session notes) unless
  they are also a coordinator of that program; they can make themselves one.
- **A mentor** is a person whose application (``Applicant.member``) is theirs. They see
  their own application's stage and profile, their own matches and those matches'
  sessions; of a mentee only what the match page shows. Never another mentor's matches,
  never background assessments (not even their own), never monitoring notes.
- **A mentee** with an account (``MenteeProfile.member``) sees their own profile and
  their own matches and sessions, without notes marked private.
- Every other member of the collaborative sees that a program exists (its name and
  description); anyone, signed in or not, sees the public application form of a program
  that takes applications. Another collaborative's members see nothing (404).

Every function here returns a queryset filtered in the database, never a per-row check,
so list pages and API endpoints can reuse them at a constant number of queries.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from mentorship.models import (
    Applicant,
    BackgroundAssessment,
    BudgetLine,
    Expense,
    FitCheck,
    Grant,
    Match,
    MenteeProfile,
    MentorProfile,
    MonitoringContact,
    NoContact,
    Program,
    Session,
    StageChange,
    TrainingCompletion,
    TrainingModule,
)
from reentry.sharing.access import get_visible_or_404
from stakeholders.models import Collaborative, Member


def _signed_in(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _my_collaboratives(user: Any) -> QuerySet:
    return Member.objects.collaborative_ids_of(user)


def _backbone_collaboratives(user: Any) -> QuerySet:
    return Member.objects.filter(user_id=user.pk, is_active=True, role=Member.Role.BACKBONE).values(
        "collaborative_id"
    )


def _coordinated_program_ids(user: Any) -> QuerySet:
    return Program.objects.filter(
        coordinators__user_id=user.pk, coordinators__is_active=True
    ).values("pk")


# Programs -------------------------------------------------------------------------------


def programs_visible_to(user: Any) -> QuerySet[Program]:
    """Programs of the collaboratives the person is an active member of."""
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(collaborative_id__in=_my_collaboratives(user))


def programs_managed_by(user: Any) -> QuerySet[Program]:
    """Programs whose settings, grants and reports the person manages: backbone staff of
    the collaborative, and the program's coordinators."""
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(
        Q(collaborative_id__in=_backbone_collaboratives(user))
        | Q(pk__in=_coordinated_program_ids(user))
    )


def programs_coordinated_by(user: Any) -> QuerySet[Program]:
    """Programs whose person-level records the person may read and change."""
    if not _signed_in(user):
        return Program.objects.none()
    return Program.objects.filter(pk__in=_coordinated_program_ids(user))


def program_open_for_applications(collab_slug: str, program_slug: str) -> Program | None:
    """The program behind a public application form, for anyone, or None."""
    return (
        Program.objects.select_related("collaborative")
        .filter(
            collaborative__slug=collab_slug,
            slug=program_slug,
            is_active=True,
        )
        .first()
    )


def is_coordinator(user: Any, program: Program) -> bool:
    return _signed_in(user) and programs_coordinated_by(user).filter(pk=program.pk).exists()


def can_manage(user: Any, program: Program) -> bool:
    return _signed_in(user) and programs_managed_by(user).filter(pk=program.pk).exists()


# Screening ------------------------------------------------------------------------------


def applicants_visible_to(user: Any) -> QuerySet[Applicant]:
    """Coordinators see their programs' applicants; a person sees their own application."""
    if not _signed_in(user):
        return Applicant.objects.none()
    return Applicant.objects.filter(
        Q(program_id__in=_coordinated_program_ids(user))
        | Q(member__user_id=user.pk, member__is_active=True)
    )


def applications_of(user: Any) -> QuerySet[Applicant]:
    """The person's own applications (linked to their active memberships)."""
    if not _signed_in(user):
        return Applicant.objects.none()
    return Applicant.objects.filter(member__user_id=user.pk, member__is_active=True)


def applicants_managed_by(user: Any) -> QuerySet[Applicant]:
    """Applicants whose stage a person may change: coordinators only."""
    if not _signed_in(user):
        return Applicant.objects.none()
    return Applicant.objects.filter(program_id__in=_coordinated_program_ids(user))


def stage_changes_visible_to(user: Any) -> QuerySet[StageChange]:
    if not _signed_in(user):
        return StageChange.objects.none()
    return StageChange.objects.filter(applicant__program_id__in=_coordinated_program_ids(user))


def background_assessments_visible_to(user: Any) -> QuerySet[BackgroundAssessment]:
    """Coordinators of the program only: not backbone staff, not the applicant."""
    if not _signed_in(user):
        return BackgroundAssessment.objects.none()
    return BackgroundAssessment.objects.filter(
        applicant__program_id__in=_coordinated_program_ids(user)
    )


def training_completions_visible_to(user: Any) -> QuerySet[TrainingCompletion]:
    if not _signed_in(user):
        return TrainingCompletion.objects.none()
    return TrainingCompletion.objects.filter(
        Q(applicant__program_id__in=_coordinated_program_ids(user))
        | Q(applicant__member__user_id=user.pk, applicant__member__is_active=True)
    )


def training_modules_visible_to(user: Any) -> QuerySet[TrainingModule]:
    return TrainingModule.objects.filter(program__in=programs_visible_to(user))


# Profiles -------------------------------------------------------------------------------


def mentors_visible_to(user: Any) -> QuerySet[MentorProfile]:
    """Coordinators see their programs' mentors; a mentor sees their own profile."""
    if not _signed_in(user):
        return MentorProfile.objects.none()
    return MentorProfile.objects.filter(
        Q(program_id__in=_coordinated_program_ids(user))
        | Q(applicant__member__user_id=user.pk, applicant__member__is_active=True)
    )


def mentor_profiles_of(user: Any) -> QuerySet[MentorProfile]:
    """The person's own mentor profiles (one per program they mentor in)."""
    if not _signed_in(user):
        return MentorProfile.objects.none()
    return MentorProfile.objects.filter(
        applicant__member__user_id=user.pk, applicant__member__is_active=True
    )


def mentees_visible_to(user: Any) -> QuerySet[MenteeProfile]:
    """Coordinators see their programs' mentees; a mentee sees their own profile. A mentor
    does not: what a mentor may know of a mentee is on the match (``matches_visible_to``)."""
    if not _signed_in(user):
        return MenteeProfile.objects.none()
    return MenteeProfile.objects.filter(
        Q(program_id__in=_coordinated_program_ids(user))
        | Q(member__user_id=user.pk, member__is_active=True)
    )


def no_contacts_visible_to(user: Any) -> QuerySet[NoContact]:
    if not _signed_in(user):
        return NoContact.objects.none()
    return NoContact.objects.filter(mentor__program_id__in=_coordinated_program_ids(user))


# Matches and what happens in them -------------------------------------------------------


def _my_match_filter(user: Any, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}mentor__applicant__member__user_id": user.pk,
            f"{prefix}mentor__applicant__member__is_active": True,
        }
    ) | Q(
        **{
            f"{prefix}mentee__member__user_id": user.pk,
            f"{prefix}mentee__member__is_active": True,
        }
    )


def matches_visible_to(user: Any) -> QuerySet[Match]:
    """Coordinators see their programs' matches; a mentor or a mentee sees their own."""
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(
        Q(program_id__in=_coordinated_program_ids(user)) | _my_match_filter(user)
    )


def matches_of(user: Any) -> QuerySet[Match]:
    """The person's own matches, as mentor or as mentee."""
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(_my_match_filter(user))


def matches_managed_by(user: Any) -> QuerySet[Match]:
    """Matches a person may propose, pause, close or re-match: coordinators only."""
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(program_id__in=_coordinated_program_ids(user))


def matches_as_mentor(user: Any) -> QuerySet[Match]:
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(
        mentor__applicant__member__user_id=user.pk, mentor__applicant__member__is_active=True
    )


def matches_as_mentee(user: Any) -> QuerySet[Match]:
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(mentee__member__user_id=user.pk, mentee__member__is_active=True)


def sessions_visible_to(user: Any) -> QuerySet[Session]:
    """Sessions of the matches the person may see. Notes: see ``session_notes_visible``."""
    if not _signed_in(user):
        return Session.objects.none()
    return Session.objects.filter(
        Q(match__program_id__in=_coordinated_program_ids(user))
        | _my_match_filter(user, prefix="match__")
    )


def sessions_loggable_by(user: Any) -> QuerySet[Match]:
    """Matches the person may log a session for: their own open matches as mentor, and any
    open match of a program they coordinate."""
    if not _signed_in(user):
        return Match.objects.none()
    return Match.objects.filter(status__in=("active", "paused")).filter(
        Q(program_id__in=_coordinated_program_ids(user))
        | Q(mentor__applicant__member__user_id=user.pk, mentor__applicant__member__is_active=True)
    )


def session_notes_visible(user: Any, session: Session, *, coordinator: bool) -> bool:
    """Whether the person may read a session's notes. ``coordinator`` is whether they
    coordinate the session's program (computed once per page, not per row). Private notes:
    the coordinators and whoever wrote them. Other notes: also the match's mentor and
    mentee."""
    if coordinator:
        return True
    if not _signed_in(user):
        return False
    if session.logged_by_id == user.pk:
        return True
    return not session.notes_private_to_coordinator


def monitoring_contacts_visible_to(user: Any) -> QuerySet[MonitoringContact]:
    if not _signed_in(user):
        return MonitoringContact.objects.none()
    return MonitoringContact.objects.filter(match__program_id__in=_coordinated_program_ids(user))


def fit_checks_visible_to(user: Any) -> QuerySet[FitCheck]:
    if not _signed_in(user):
        return FitCheck.objects.none()
    return FitCheck.objects.filter(match__program_id__in=_coordinated_program_ids(user))


# Money ----------------------------------------------------------------------------------


def grants_visible_to(user: Any) -> QuerySet[Grant]:
    return Grant.objects.filter(program__in=programs_managed_by(user))


def budget_lines_visible_to(user: Any) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.filter(grant__program__in=programs_managed_by(user))


def expenses_visible_to(user: Any) -> QuerySet[Expense]:
    return Expense.objects.filter(budget_line__grant__program__in=programs_managed_by(user))


# Single objects for views: 404 when missing or not visible, 403 when not allowed ---------


def access_program(
    request: HttpRequest, collaborative: Collaborative, program_id: Any, *, action: str = "view"
) -> Program:
    """``action``: "view" (any member), "manage" (backbone or coordinator), "coordinate"
    (coordinator). Another collaborative's program, or a missing one, is a 404."""
    user = request.user
    program = get_visible_or_404(
        Program.objects.all(),
        programs_visible_to(user).filter(collaborative=collaborative),
        request=request,
        public_id=program_id,
    )
    program.collaborative = collaborative
    if action == "manage" and not can_manage(user, program):
        raise PermissionDenied
    if action == "coordinate" and not is_coordinator(user, program):
        raise PermissionDenied
    return program


def access_applicant(request: HttpRequest, program: Program, applicant_id: Any) -> Applicant:
    """An applicant of this program the person may see (coordinators; the person
    themselves), or 404."""
    return get_visible_or_404(
        Applicant.objects.filter(program=program),
        applicants_visible_to(request.user).filter(program=program).select_related("program"),
        request=request,
        public_id=applicant_id,
    )


def access_own_applicant(request: HttpRequest, program: Program, applicant_id: Any) -> Applicant:
    """The person's own application in this program (linked to their active membership),
    or 404: not a coordinator's view of someone else's, not anyone else's."""
    return get_visible_or_404(
        Applicant.objects.filter(program=program),
        applications_of(request.user).filter(program=program).select_related("program"),
        request=request,
        public_id=applicant_id,
    )


def access_mentor(request: HttpRequest, program: Program, mentor_id: Any) -> MentorProfile:
    return get_visible_or_404(
        MentorProfile.objects.filter(program=program),
        mentors_visible_to(request.user)
        .filter(program=program)
        .select_related("applicant", "program"),
        request=request,
        public_id=mentor_id,
    )


def access_mentee(request: HttpRequest, program: Program, mentee_id: Any) -> MenteeProfile:
    return get_visible_or_404(
        MenteeProfile.objects.filter(program=program),
        mentees_visible_to(request.user).filter(program=program).select_related("program"),
        request=request,
        public_id=mentee_id,
    )


def access_match(request: HttpRequest, program: Program, match_id: Any) -> Match:
    return get_visible_or_404(
        Match.objects.filter(program=program),
        matches_visible_to(request.user)
        .filter(program=program)
        .select_related("program", "mentor__applicant__member", "mentee__member"),
        request=request,
        public_id=match_id,
    )


def access_session(request: HttpRequest, program: Program, session_id: Any) -> Session:
    return get_visible_or_404(
        Session.objects.filter(match__program=program),
        sessions_visible_to(request.user)
        .filter(match__program=program)
        .select_related("match__mentor__applicant", "match__mentee"),
        request=request,
        public_id=session_id,
    )
