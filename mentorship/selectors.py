"""What a person may read in the mentoring program, as querysets filtered in the
database (never a per-row check), and the shapes matching reads them in.

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

The decisions themselves (may this person do X to that?) are ``mentorship.access``.
List pages and API endpoints reuse these at a constant number of queries.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from mentorship.matching import MenteeInfo, MentorInfo, Scoring, availability_mask
from mentorship.models import (
    AGE_RANGES,
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
    Stage,
    StageChange,
    TrainingCompletion,
    TrainingModule,
)
from mentorship.models.matches import OPEN_MATCH_STATUSES
from stakeholders.models import Member

_AGE_POSITION = {code: i for i, (code, _label) in enumerate(AGE_RANGES)}


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


# Matching: the program's mentors and mentees as ``matching`` dataclasses, in a fixed
# number of queries whatever the number of people ---------------------------------------


def scoring_for(program: Program) -> Scoring:
    return Scoring.from_weights(program.effective_weights, program.distance_scale_km)


def _float(value) -> float | None:
    return float(value) if value is not None else None


def with_open_match_count(mentors: QuerySet[MentorProfile]) -> QuerySet[MentorProfile]:
    return mentors.annotate(
        open_matches=Count("matches", filter=Q(matches__status__in=OPEN_MATCH_STATUSES))
    )


def mentor_info(
    profile: MentorProfile, *, key_area_ids: Iterable[int], open_matches: int
) -> MentorInfo:
    return MentorInfo(
        id=profile.pk,
        approved=profile.applicant.stage == Stage.APPROVED,
        remaining=max(0, profile.capacity - open_matches),
        languages=frozenset(profile.languages),
        gender=profile.gender,
        mentee_gender_preference=profile.mentee_gender_preference,
        age=_AGE_POSITION.get(profile.age_range),
        neighbourhood=profile.neighbourhood,
        lat=_float(profile.latitude),
        lon=_float(profile.longitude),
        availability=availability_mask(profile.availability),
        key_areas=frozenset(key_area_ids),
        interests=frozenset(profile.interests),
        lived_experience=profile.lived_experience,
    )


def mentee_info(profile: MenteeProfile, *, need_ids: Iterable[int]) -> MenteeInfo:
    return MenteeInfo(
        id=profile.pk,
        languages=frozenset(profile.languages),
        gender=profile.gender,
        gender_preference=profile.gender_preference,
        age=_AGE_POSITION.get(profile.age_range),
        neighbourhood=profile.neighbourhood,
        lat=_float(profile.latitude),
        lon=_float(profile.longitude),
        availability=availability_mask(profile.availability),
        needs=frozenset(need_ids),
        interests=frozenset(profile.interests),
        prefers_lived_experience=profile.prefers_lived_experience,
    )


def mentor_infos(
    mentors: QuerySet[MentorProfile],
) -> tuple[list[MentorInfo], dict[int, MentorProfile]]:
    """Matching data for these mentors (open-match counts and key areas included), and the
    profiles by id. Three queries."""
    rows = list(
        with_open_match_count(mentors)
        .select_related("applicant")
        .prefetch_related("key_areas")
        .order_by("pk")
    )
    infos = [
        mentor_info(
            p,
            key_area_ids=[a.pk for a in p.key_areas.all()],
            open_matches=p.open_matches,  # type: ignore[attr-defined]  # annotated above
        )
        for p in rows
    ]
    return infos, {p.pk: p for p in rows}


def mentee_infos(
    mentees: QuerySet[MenteeProfile],
) -> tuple[list[MenteeInfo], dict[int, MenteeProfile]]:
    rows = list(mentees.prefetch_related("needs").order_by("pk"))
    infos = [mentee_info(p, need_ids=[a.pk for a in p.needs.all()]) for p in rows]
    return infos, {p.pk: p for p in rows}


def no_contact_pairs(program: Program) -> frozenset[tuple[int, int]]:
    """(mentor id, mentee id) pairs that must never be matched in this program."""
    return frozenset(
        NoContact.objects.filter(mentor__program=program).values_list("mentor_id", "mentee_id")
    )


def waiting_mentees(program: Program) -> QuerySet[MenteeProfile]:
    """Mentees waiting for a mentor, with no open match."""
    return program.mentees.filter(status=MenteeProfile.Status.WAITING).exclude(
        matches__status__in=OPEN_MATCH_STATUSES
    )


def matchable_mentors(program: Program) -> QuerySet[MentorProfile]:
    """Approved mentors of the program (capacity is applied by matching)."""
    return program.mentors.filter(applicant__stage=Stage.APPROVED)
