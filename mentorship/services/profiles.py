"""Mentor and mentee profiles, and the no-contact conflicts between them."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentorship import access
from mentorship.models import (
    Match,
    MenteeProfile,
    MentorProfile,
    NoContact,
    Program,
)
from mentorship.models.matches import OPEN_MATCH_STATUSES
from reentry.audit.log import record
from stakeholders.models import KeyArea, Member

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
    "participant",
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


def checked_key_areas(
    program: Program, key_areas: Iterable[KeyArea] | None
) -> list[KeyArea] | None:
    if key_areas is None:
        return None
    chosen = list(key_areas)
    if any(area.collaborative_id != program.collaborative_id for area in chosen):
        raise ValidationError(_("Choose key areas of this collaborative."))
    return chosen


# Profiles -------------------------------------------------------------------------------


@transaction.atomic
def mentor_profile_update(
    *,
    actor: Member,
    profile: MentorProfile,
    key_areas: Iterable[KeyArea] | None = None,
    request=None,
    **fields: Any,
) -> MentorProfile:
    """The mentor themselves, or a coordinator, update a mentor's profile."""
    if not access.may_edit_mentor_profile(actor, profile):
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
    actor: Member,
    program: Program,
    needs: Iterable[KeyArea] = (),
    request=None,
    **fields: Any,
) -> MenteeProfile:
    """A coordinator adds a mentee (referred by an organization, or self-referred)."""
    access.require_coordinator(actor, program)
    unknown = set(fields) - set(MENTEE_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    mentee = MenteeProfile(program=program, created_by=actor.user, **fields)
    mentee.full_clean()
    mentee.save()
    areas = checked_key_areas(program, needs)
    if areas:
        mentee.needs.set(areas)
    record(
        "mentorship.mentee_created",
        actor=actor.user,
        request=request,
        obj=mentee,
        collaborative=program.collaborative,
    )
    return mentee


@transaction.atomic
def mentee_update(
    *,
    actor: Member,
    mentee: MenteeProfile,
    needs: Iterable[KeyArea] | None = None,
    request=None,
    **fields: Any,
) -> MenteeProfile:
    access.require_coordinator(actor, mentee.program)
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
    obj: Any,
    fields: dict,
    *,
    allowed,
    areas_field: str,
    areas,
    action: str,
    actor: Member,
    request,
) -> None:
    """Set the allowed fields of a mentor or mentee profile, its key areas, and audit it."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    chosen = checked_key_areas(obj.program, areas)
    if chosen is not None:
        getattr(obj, areas_field).set(chosen)
    record(
        action, actor=actor.user, request=request, obj=obj, collaborative=obj.program.collaborative
    )


@transaction.atomic
def no_contact_record(
    *, actor: Member, mentor: MentorProfile, mentee: MenteeProfile, reason: str = "", request=None
) -> NoContact:
    access.require_coordinator(actor, mentor.program)
    if mentee.program_id != mentor.program_id:
        raise ValidationError(_("The mentor and the mentee must be in the same program."))
    if Match.objects.filter(mentor=mentor, mentee=mentee, status__in=OPEN_MATCH_STATUSES).exists():
        raise ValidationError(_("These two have an open match. Close it first."))
    conflict, _created = NoContact.objects.update_or_create(
        mentor=mentor, mentee=mentee, defaults={"reason": reason.strip(), "recorded_by": actor.user}
    )
    record(
        "mentorship.no_contact_recorded",
        actor=actor.user,
        request=request,
        obj=conflict,
        collaborative=mentor.program.collaborative,
    )
    return conflict


@transaction.atomic
def no_contact_remove(*, actor: Member, conflict: NoContact, request=None) -> None:
    program = conflict.mentor.program
    access.require_coordinator(actor, program)
    record(
        "mentorship.no_contact_removed",
        actor=actor.user,
        request=request,
        obj=conflict,
        collaborative=program.collaborative,
    )
    conflict.delete()
