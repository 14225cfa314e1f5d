"""Consent pages: record one (the owner's caseworkers), read one (the owner, the person,
and its recipients while it is in force), revoke one (the owner's caseworkers and the
person), print the release-of-information form and download the scan (the owner's
caseworkers and the person only).

Every consent is fetched through ``Consent.objects.visible_to`` (or, for the scan and
the printable form, ``casework.access.consent_holders_q``): anything else is a 404.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from casework import access, notices
from casework.forms.consents import ConsentForm, RevokeForm
from casework.models import Consent, Enrolment, Identity
from casework.scans import CONTENT_TYPES
from casework.selectors import consents as selectors
from casework.services import consents as services
from casework.services.participants import record_read
from reentry.forms import apply_errors
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25
PRINT_LANGUAGES = ("en", "es")


# --- Fetching, or 404 -------------------------------------------------------------------------


def _own_enrolment(request: CollaborativeRequest, enrolment_id: uuid.UUID) -> Enrolment:
    """An enrolment of the person's own organization (consents are recorded by the
    organization that holds the record): 404 for everyone else, recipients included."""
    collaborative = request.collaborative
    enrolment = get_visible_or_404(
        Enrolment.objects.filter(collaborative=collaborative),
        Enrolment.objects.owned_by(request.user)
        .filter(collaborative=collaborative)
        .select_related("participant", "organization", "organization__part2_program"),
        request=request,
        public_id=enrolment_id,
    )
    if not access.is_caseworker(request.member) or not request.member.works_for(
        enrolment.organization_id
    ):
        raise Http404
    return enrolment


def _consent(
    request: CollaborativeRequest, consent_id: uuid.UUID, *, holders_only: bool = False
) -> Consent:
    collaborative = request.collaborative
    visible = Consent.objects.visible_to(request.user, today=collaborative.today())
    if holders_only:
        visible = visible.filter(access.consent_holders_q(request.user))
    return get_visible_or_404(
        Consent.objects.filter(collaborative=collaborative),
        selectors.consent_details(visible.filter(collaborative=collaborative)),
        request=request,
        public_id=consent_id,
    )


def _is_holder(request: CollaborativeRequest, consent: Consent) -> bool:
    """The organization that took the consent (its caseworkers), or the person."""
    if consent.participant.user_id == request.user.pk:
        return True
    return request.member.works_for(consent.organization_id)


def _identity(consent: Consent) -> Identity | None:
    if consent.enrolment is None:
        return None
    try:
        return consent.enrolment.identity
    except Identity.DoesNotExist:
        return None


# --- Recording --------------------------------------------------------------------------------


@collaborative_view()
def consent_create(
    request: CollaborativeRequest, slug: str, enrolment_id: uuid.UUID
) -> HttpResponseBase:
    enrolment = _own_enrolment(request, enrolment_id)
    today = request.collaborative.today()
    posted = request.method == "POST"
    # Bound on every POST, an empty one included (unbound, its errors have no cleaned_data).
    form = ConsentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        enrolment=enrolment,
        today=today,
    )
    if posted:
        if form.is_valid():
            try:
                consent = services.consent_record(
                    actor=request.member,
                    enrolment=enrolment,
                    request=request,
                    **form.service_arguments(),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The consent is recorded. Print the form for the person to keep."),
                )
                return redirect("casework:consent", slug, consent.public_id)
        else:
            # The rules of a consent too, for what was filled in: one round of fixes.
            problems = services.consent_problems(enrolment=enrolment, **form.service_arguments())
            for name, errors in problems.items():
                target = name if name in form.fields else None
                if target is None or target not in form.errors:
                    form.add_error(target, errors)
        if request.FILES.get("scan") and form.errors:
            form.add_error(
                "scan" if "scan" in form.fields and "scan" not in form.errors else None,
                _("Choose the scan file again: browsers do not keep a file after a mistake."),
            )
    return render(
        request,
        "casework/consents/form.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "enrolment": enrolment,
            "participant": enrolment.participant,
            "form": form,
        },
    )


# --- Reading ----------------------------------------------------------------------------------


@collaborative_view()
def consent_list(request: CollaborativeRequest, slug: str, enrolment_id: uuid.UUID) -> HttpResponse:
    """The consents about one organization's record of a participant, for its caseworkers."""
    enrolment = _own_enrolment(request, enrolment_id)
    today = request.collaborative.today()
    consents = selectors.consent_details(
        Consent.objects.visible_to(request.user, today=today).filter(enrolment=enrolment)
    ).order_by("-created_at", "-id")
    page = Paginator(consents, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.with_status(page.object_list, today)
    return render(
        request,
        "casework/consents/list.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "enrolment": enrolment,
            "participant": enrolment.participant,
            "page": page,
            "rows": rows,
        },
    )


@collaborative_view()
def consent_detail(request: CollaborativeRequest, slug: str, consent_id: uuid.UUID) -> HttpResponse:
    consent = _consent(request, consent_id)
    today = request.collaborative.today()
    (consent,) = selectors.with_status([consent], today)
    shown: Any = consent  # with its status, set by with_status
    participant = consent.participant
    grants = access.grants_for(request.user, participant, today=today)
    record_read(user=request.user, participant=participant, grants=grants, what="consent")
    holder = _is_holder(request, consent)
    is_self = participant.user_id == request.user.pk
    # The person's name shows to the holders, and to recipients of this consent when it
    # shares identity.
    shows_name = holder or consent.shares_identity
    part2_shown = consent.shares_part2 and not holder
    return render(
        request,
        "casework/consents/detail.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "consent": consent,
            "participant": participant,
            "holder": holder,
            "is_self": is_self,
            "shows_name": shows_name,
            "may_revoke": shown.revocable and services.may_revoke(request.user, consent),
            "kinds": _kind_labels(consent),
            "part2_notice": notices.PART2_NOTICE if part2_shown else None,
        },
    )


def _kind_labels(consent: Consent) -> list[str]:
    return [str(Consent.Kind(kind).label) for kind in consent.kinds()]


# --- Revoking ---------------------------------------------------------------------------------


@collaborative_view()
def consent_revoke(
    request: CollaborativeRequest, slug: str, consent_id: uuid.UUID
) -> HttpResponseBase:
    """A confirm page (GET) and the revocation (POST): works without JavaScript."""
    consent = _consent(request, consent_id)
    if not services.may_revoke(request.user, consent):
        raise PermissionDenied
    today = request.collaborative.today()
    (consent,) = selectors.with_status([consent], today)
    is_self = consent.participant.user_id == request.user.pk
    back = (
        reverse("casework:my_record", args=[slug]) + "#consents"
        if is_self
        else reverse("casework:consent", args=[slug, consent.public_id])
    )
    if consent.revoked_at is not None:
        messages.info(request, _("This consent was already revoked."))
        return redirect(back)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.consent_revoke(
            user=request.user, consent=consent, reason=form.cleaned_data["reason"], request=request
        )
        messages.success(
            request,
            _("The consent is revoked. From now on, %(orgs)s see nothing under it.")
            % {"orgs": _recipient_names(consent) or _("its recipients")},
        )
        return redirect(back)
    return render(
        request,
        "casework/consents/revoke.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "consent": consent,
            "is_self": is_self,
            "back": back,
            "form": form,
            "kinds": _kind_labels(consent),
        },
    )


def _recipient_names(consent: Any) -> str:
    """``consent`` from ``selectors.consent_details`` (recipients prefetched)."""
    names = [o.name for o in consent.recipient_orgs] + [
        _("the %(sector)s sector") % {"sector": s.name} for s in consent.recipient_sector_list
    ]
    return ", ".join(names)


# --- The printable form and the scan ----------------------------------------------------------


@collaborative_view()
def consent_print(request: CollaborativeRequest, slug: str, consent_id: uuid.UUID) -> HttpResponse:
    """The release of information, generated from the consent, in its language (or
    ``?lang=``), to print and sign or to give the person a copy."""
    consent = _consent(request, consent_id, holders_only=True)
    today = request.collaborative.today()
    grants = access.grants_for(request.user, consent.participant, today=today)
    record_read(
        user=request.user, participant=consent.participant, grants=grants, what="consent form"
    )
    language = request.GET.get("lang", "")
    if language not in PRINT_LANGUAGES:
        language = consent.language if consent.language in PRINT_LANGUAGES else "en"
    identity = _identity(consent)
    name = consent.signed_name or (identity.full_name if identity else "")
    part2 = getattr(consent.organization, "part2_program", None)
    with translation.override(language):
        sheet = render_to_string(
            "casework/consents/_release_form.html",
            {
                "collaborative": request.collaborative,
                "consent": consent,
                "participant": consent.participant,
                "person_name": name,
                "part2_program": part2,
                "language": language,
            },
        )
    return render(
        request,
        "casework/consents/print.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "consent": consent,
            "sheet": sheet,
            "language": language,
            "other_language": "es" if language == "en" else "en",
        },
    )


@collaborative_view()
def consent_scan(request: CollaborativeRequest, slug: str, consent_id: uuid.UUID) -> FileResponse:
    """The scan of the signed paper form, as a download, to the holders only. Never from
    MEDIA_URL: only through here."""
    consent = _consent(request, consent_id, holders_only=True)
    if not consent.scan:
        raise Http404
    name = consent.scan.name or ""
    extension = name.rsplit(".", 1)[-1].lower()
    if extension not in CONTENT_TYPES:
        raise Http404
    try:
        stream = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    services.scan_downloaded(user=request.user, consent=consent, request=request)
    response = FileResponse(
        stream,
        content_type=CONTENT_TYPES[extension],
        as_attachment=True,
        filename=f"consent-{consent.participant.code}-{consent.starts_on:%Y-%m-%d}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("enrolments/<uuid:enrolment_id>/consents/", consent_list, name="consents"),
    path("enrolments/<uuid:enrolment_id>/consents/new/", consent_create, name="consent_create"),
    path("consents/<uuid:consent_id>/", consent_detail, name="consent"),
    path("consents/<uuid:consent_id>/revoke/", consent_revoke, name="consent_revoke"),
    path("consents/<uuid:consent_id>/print/", consent_print, name="consent_print"),
    path("consents/<uuid:consent_id>/scan/", consent_scan, name="consent_scan"),
]
