"""Participants pages: our organization's list, finding and enrolling someone, the
participant page (only what rule 7 shows, and why), the owner's changes, the person's
account link and merging duplicates."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import access, notices
from casework.forms.participants import (
    EnrolmentForm,
    FindForm,
    LinkForm,
    MergeFindForm,
    MergeForm,
)
from casework.models import Enrolment, Identity, Participant
from casework.selectors import participants as selectors
from casework.services import participants as services
from reentry.audit.log import record
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25


def _context(request: CollaborativeRequest, **extra) -> dict:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _require_caseworker(request: CollaborativeRequest) -> None:
    """Casework pages exist only for an organization's admins and staff."""
    if not access.is_caseworker(request.member):
        raise Http404


def _participant(request: CollaborativeRequest, participant_id: uuid.UUID):
    """The participant and what the person may see of each enrolment; 404 without a
    grant (a record you may not see does not exist for you)."""
    today = request.collaborative.today()
    participant = (
        Participant.objects.visible_to(request.user, today=today)
        .filter(collaborative=request.collaborative, public_id=participant_id)
        .first()
    )
    if participant is None:
        raise Http404
    grants = access.grants_for(request.user, participant, today=today)
    if not grants:
        raise Http404
    return participant, grants


def _own_enrolment(request: CollaborativeRequest, participant_id: uuid.UUID) -> Enrolment:
    """Our organization's own record of this participant; 404 for anyone else."""
    _require_caseworker(request)
    enrolment = (
        Enrolment.objects.owned_by(request.user)
        .filter(
            collaborative=request.collaborative,
            organization_id=request.member.organization_id,
            participant__public_id=participant_id,
            participant__merged_into__isnull=True,
        )
        .select_related("participant", "organization")
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


# --- The list ------------------------------------------------------------------------------


@collaborative_view()
def participant_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    _require_caseworker(request)
    today = request.collaborative.today()
    tab = "shared" if request.GET.get("tab") == "shared" else "ours"
    search = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if tab == "ours":
        rows = selectors.our_enrolments(
            request.user, request.collaborative, search=search, status=status
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        names: dict = {}
    else:
        rows = selectors.shared_with_us(request.user, request.collaborative, today=today)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        names = selectors.identity_shared(
            request.user, [e.pk for e in page.object_list], today=today
        )
        for enrolment in page.object_list:
            enrolment.shared_identity = names.get(enrolment.pk)
    return render(
        request,
        "casework/participants/list.html",
        _context(
            request,
            page=page,
            tab=tab,
            search=search,
            status=status,
            statuses=Enrolment.Status.choices,
        ),
    )


# --- Finding and enrolling -------------------------------------------------------------------


@collaborative_view()
def participant_find(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Step one of "Add a participant": is the person already known, and findable? Posted,
    so names and birth dates never land in addresses and server logs."""
    _require_caseworker(request)
    form = FindForm(request.POST or None)
    found = None
    ours = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        today = request.collaborative.today()
        if data["code"]:
            ours = selectors.our_participant(request.user, request.collaborative, data["code"])
        found = selectors.find_participants(
            request.user,
            request.collaborative,
            today=today,
            code=data["code"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        record(
            "casework.participant_searched",
            request=request,
            collaborative=request.collaborative,
            by="code" if data["code"] else "name and date of birth",
            found=[p.code for p in found],
        )
    return render(
        request,
        "casework/participants/find.html",
        _context(request, form=form, found=found, ours=ours),
    )


@collaborative_view()
def participant_add(request: CollaborativeRequest, slug: str) -> HttpResponseBase:
    """Step two: enrol the participant found, or someone new (a new code)."""
    _require_caseworker(request)
    today = request.collaborative.today()
    participant = None
    chosen = request.POST.get("participant") or request.GET.get("participant")
    if chosen:
        try:
            participant = selectors.enrollable(
                request.user, request.collaborative, uuid.UUID(chosen), today=today
            )
        except ValueError:
            participant = None
        if participant is None:
            raise Http404
    form = EnrolmentForm(
        request.POST or None,
        collaborative=request.collaborative,
        initial={"enrolled_on": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrol(
                actor=request.member,
                participant=participant,
                needs=form.cleaned_data["needs"],
                identity=form.identity(),
                request=request,
                **form.facts(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s is enrolled. Give the person their code.")
                % {"code": enrolment.participant.code},
            )
            return redirect("casework:participant", slug, enrolment.participant.public_id)
    return render(
        request,
        "casework/participants/add.html",
        _context(request, form=form, participant=participant),
    )


# --- The participant page ------------------------------------------------------------------


@collaborative_view()
def participant_detail(
    request: CollaborativeRequest, slug: str, participant_id: uuid.UUID
) -> HttpResponseBase:
    participant, grants = _participant(request, participant_id)
    today = request.collaborative.today()
    sections = selectors.participant_sections(request.user, participant, grants, today=today)
    services.record_read(
        user=request.user,
        participant=participant,
        grants=grants,
        what="participant page",
        request=request,
    )
    ours = next((s for s in sections if s.grant.owner), None)
    link_code = request.session.pop(f"casework.link_code.{participant.public_id}", None)
    return render(
        request,
        "casework/participants/detail.html",
        _context(
            request,
            participant=participant,
            sections=sections,
            ours=ours,
            link_code=link_code,
            part2_notice=notices.PART2_NOTICE if any(s.part2 for s in sections) else None,
        ),
    )


@collaborative_view()
def participant_edit(
    request: CollaborativeRequest, slug: str, participant_id: uuid.UUID
) -> HttpResponseBase:
    enrolment = _own_enrolment(request, participant_id)
    identity = Identity.objects.filter(enrolment=enrolment).first()
    form = EnrolmentForm(
        request.POST or None,
        collaborative=request.collaborative,
        initial=EnrolmentForm.initial_from(enrolment, identity),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_update(
                actor=request.member,
                enrolment=enrolment,
                needs=form.cleaned_data["needs"],
                identity=form.identity(),
                request=request,
                **form.facts(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("casework:participant", slug, participant_id)
    return render(
        request,
        "casework/participants/edit.html",
        _context(request, form=form, participant=enrolment.participant, enrolment=enrolment),
    )


@require_POST
@collaborative_view()
def participant_status(
    request: CollaborativeRequest, slug: str, participant_id: uuid.UUID
) -> HttpResponseBase:
    enrolment = _own_enrolment(request, participant_id)
    if request.POST.get("action") == "close":
        services.enrolment_close(actor=request.member, enrolment=enrolment, request=request)
        messages.success(request, _("Closed. The record is kept; you can reopen it."))
    else:
        services.enrolment_reopen(actor=request.member, enrolment=enrolment, request=request)
        messages.success(request, _("Reopened."))
    return redirect("casework:participant", slug, participant_id)


@require_POST
@collaborative_view()
def participant_link_code(
    request: CollaborativeRequest, slug: str, participant_id: uuid.UUID
) -> HttpResponseBase:
    """Make a link code and show it once, on the participant page (kept in the session
    for that one page, never in an address)."""
    enrolment = _own_enrolment(request, participant_id)
    try:
        code = services.link_code_make(
            actor=request.member, participant=enrolment.participant, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        request.session[f"casework.link_code.{participant_id}"] = code
    return redirect("casework:participant", slug, participant_id)


@collaborative_view()
def participant_link(request: CollaborativeRequest, slug: str) -> HttpResponseBase:
    """The person, signed in, enters the code an organization gave them."""
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_link(
                actor=request.member, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your account is linked to your record %(code)s.") % {"code": participant.code},
            )
            return redirect("casework:participant", slug, participant.public_id)
    return render(request, "casework/participants/link.html", _context(request, form=form))


@collaborative_view()
def participant_merge(
    request: CollaborativeRequest, slug: str, participant_id: uuid.UUID
) -> HttpResponseBase:
    """Merge a duplicate record of the same person into this one (the owner's page)."""
    keep = _own_enrolment(request, participant_id).participant
    today = request.collaborative.today()
    find = MergeFindForm(request.GET or None)
    drop = None
    form = None
    if find.is_valid():
        drop = (
            services.merge_candidates(request.member, today=today)
            .filter(code=find.cleaned_data["code"].strip().upper())
            .exclude(pk=keep.pk)
            .first()
        )
        if drop is None:
            find.add_error(
                "code",
                _("No record with that code that you may see, or whose person agreed to be found."),
            )
        else:
            consents = services.merge_consents(request.member, keep, drop, today=today)
            form = MergeForm(
                request.POST or None,
                consents=consents.select_related("organization"),
            )
            if request.method == "POST" and form.is_valid():
                try:
                    services.participants_merge(
                        actor=request.member,
                        keep=keep,
                        drop=drop,
                        consent=form.cleaned_data["consent"],
                        request=request,
                    )
                except ValidationError as exc:
                    apply_errors(form, exc)
                except PermissionDenied:
                    raise Http404 from None
                else:
                    messages.success(
                        request,
                        _("%(drop)s is merged into %(keep)s.")
                        % {"drop": drop.code, "keep": keep.code},
                    )
                    return redirect("casework:participant", slug, keep.public_id)
    return render(
        request,
        "casework/participants/merge.html",
        _context(request, participant=keep, find=find, drop=drop, form=form),
    )


urlpatterns = [
    path("participants/", participant_list, name="participants"),
    path("participants/add/", participant_find, name="participant_find"),
    path("participants/add/new/", participant_add, name="participant_add"),
    path("participants/<uuid:participant_id>/", participant_detail, name="participant"),
    path("participants/<uuid:participant_id>/edit/", participant_edit, name="participant_edit"),
    path(
        "participants/<uuid:participant_id>/status/",
        participant_status,
        name="participant_status",
    ),
    path(
        "participants/<uuid:participant_id>/link-code/",
        participant_link_code,
        name="participant_link_code",
    ),
    path("participants/<uuid:participant_id>/merge/", participant_merge, name="participant_merge"),
    path("link/", participant_link, name="link"),
]
