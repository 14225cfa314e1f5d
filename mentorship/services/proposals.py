"""Proposing matches, and the mentor's and mentee's yes or no to a proposal."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorship import access, matching
from mentorship.models import (
    Match,
    MenteeProfile,
    MentorProfile,
    NoContact,
    Program,
)
from mentorship.models.matches import OPEN_MATCH_STATUSES
from mentorship.selectors import mentee_info, mentor_info, scoring_for
from mentorship.services import lifecycle
from reentry.audit.log import record
from stakeholders.models import Member

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
    actor: Member,
    program: Program,
    pairs: Sequence[Proposal],
    rematch_of: Match | None = None,
    request=None,
) -> list[Match]:
    """Propose matches (from suggestions or the waiting-list proposal). Every pair is
    re-checked against every hard constraint here, capacity counted across the batch;
    one bad pair refuses the whole batch, so nothing half-happens."""
    access.require_coordinator(actor, program)
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
            proposed_by=actor.user,
            # A mentee's next match after a closed one is a re-match of it.
            rematch_of=rematch_of or lifecycle.previous_match(mentee),
        )
        match.full_clean(validate_constraints=False)
        match.save()
        record(
            "mentorship.match_proposed",
            actor=actor.user,
            request=request,
            obj=match,
            collaborative=program.collaborative,
        )
        created.append(match)
    return created


def match_propose(
    *,
    actor: Member,
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
def match_accept(*, actor: Member, match: Match, side: str, request=None) -> Match:
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
    coordinator = access.coordinates(actor, match.program)
    if side == "mentor":
        if not access.is_mentor_in(actor, match):
            raise PermissionDenied
        match.mentor_accepted_at = now
    elif side == "mentee":
        if not (access.is_mentee_in(actor, match) or coordinator):
            raise PermissionDenied
        match.mentee_accepted_at = now
        match.mentee_acceptance_recorded_by = actor.user
    else:
        raise ValueError(side)
    started = match.both_accepted
    if started:
        match.status = Match.Status.ACTIVE
        match.started_at = now
    match.save()
    record(
        "mentorship.match_accepted",
        actor=actor.user,
        request=request,
        obj=match,
        collaborative=match.program.collaborative,
        side=side,
    )
    if started:
        MenteeProfile.objects.filter(pk=match.mentee_id).update(status=MenteeProfile.Status.MATCHED)
        record(
            "mentorship.match_started",
            actor=actor.user,
            request=request,
            obj=match,
            collaborative=match.program.collaborative,
        )
        lifecycle.monitoring_schedule_start(match=match)  # the check-ins (MENTOR)
    return match


@transaction.atomic
def match_proposal_decline(
    *, actor: Member, match: Match, side: str, reason: str = "", request=None
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
    coordinator = access.coordinates(actor, match.program)
    own = (
        access.is_mentor_in(actor, match) if side == "mentor" else access.is_mentee_in(actor, match)
    )
    if side not in ("mentor", "mentee") or not (own or coordinator):
        raise PermissionDenied
    match.status = Match.Status.CLOSED
    match.closed_at = timezone.now()
    match.closed_by = actor.user
    match.closure_reason = Match.ClosureReason.DECLINED
    match.closure_notes = reason.strip()
    match.save()
    record(
        "mentorship.match_declined",
        actor=actor.user,
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
