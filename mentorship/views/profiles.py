"""Mentor and mentee profiles, the mentee list and no-contact conflicts."""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship import access, selectors
from mentorship.forms.pipeline import (
    MenteeProfileForm,
    MentorProfileForm,
    NoContactForm,
)
from mentorship.models import MenteeProfile
from mentorship.services import profiles
from mentorship.views.base import act, page_context
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25


# Profiles -----------------------------------------------------------------------------


@collaborative_view()
def mentor_edit(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, mentor_id: uuid.UUID
) -> HttpResponseBase:
    """The mentor's own profile, or a coordinator editing it."""
    program = access.access_program(request, program_id)
    profile = access.access_mentor(request, program, mentor_id)
    form = MentorProfileForm(
        request.POST or None, instance=profile, collaborative=request.collaborative
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "key_areas"}
        try:
            profiles.mentor_profile_update(
                actor=request.member,
                profile=profile,
                key_areas=form.cleaned_data["key_areas"],
                request=request,
                **fields,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The profile is saved."))
            if access.coordinates(request.member, program):
                return redirect(
                    "mentorship:applicant", slug, program.public_id, profile.applicant.public_id
                )
            return redirect("mentorship:programs", slug)
    return render(
        request,
        "mentorship/profile_form.html",
        page_context(request, program=program, form=form, profile=profile, kind="mentor"),
    )


@collaborative_view()
def mentee_list(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = access.access_program(request, program_id, action="coordinate")
    status = request.GET.get("status", "")
    mentees = selectors.mentees_visible_to(request.user).filter(program=program)
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
        page_context(
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
def mentee_create(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID
) -> HttpResponseBase:
    program = access.access_program(request, program_id, action="coordinate")
    form = MenteeProfileForm(
        request.POST or None,
        collaborative=request.collaborative,
        viewer=request.user,
        participant_public_id=request.GET.get("participant", ""),
    )
    if request.method == "POST" and form.is_valid():
        try:
            mentee = profiles.mentee_create(
                actor=request.member,
                program=program,
                needs=form.cleaned_data["needs"],
                request=request,
                **_mentee_fields(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is on the waiting list.") % {"name": mentee.name})
            return redirect("mentorship:suggestions", slug, program.public_id, mentee.public_id)
    return render(
        request,
        "mentorship/profile_form.html",
        page_context(request, program=program, form=form, profile=None, kind="mentee"),
    )


@collaborative_view()
def mentee_edit(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, mentee_id: uuid.UUID
) -> HttpResponseBase:
    program = access.access_program(request, program_id, action="coordinate")
    mentee = access.access_mentee(request, program, mentee_id)
    form = MenteeProfileForm(
        request.POST or None,
        instance=mentee,
        collaborative=request.collaborative,
        viewer=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            profiles.mentee_update(
                actor=request.member,
                mentee=mentee,
                needs=form.cleaned_data["needs"],
                request=request,
                **_mentee_fields(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("mentorship:suggestions", slug, program.public_id, mentee.public_id)
    conflicts = (
        selectors.no_contacts_visible_to(request.user)
        .filter(mentee=mentee)
        .select_related("mentor__applicant")
    )
    return render(
        request,
        "mentorship/profile_form.html",
        page_context(
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
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, mentee_id: uuid.UUID
) -> HttpResponseBase:
    program = access.access_program(request, program_id, action="coordinate")
    mentee = access.access_mentee(request, program, mentee_id)
    form = NoContactForm(request.POST, program=program)
    if form.is_valid():
        act(
            request,
            _("The conflict is recorded: they will never be matched."),
            profiles.no_contact_record,
            mentor=form.cleaned_data["mentor"],
            mentee=mentee,
            reason=form.cleaned_data["reason"],
        )
    else:
        messages.error(request, _("Choose a mentor of this program."))
    return redirect("mentorship:mentee_edit", slug, program.public_id, mentee.public_id)
