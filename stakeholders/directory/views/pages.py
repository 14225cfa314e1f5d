"""The directory: search, service and organization pages, resource sheets, the coverage grid,
profile editing by an organization's own people, and the change history for backbone staff.

Members use ``/c/<slug>/...`` (everything their collaborative lets them see); signed-out
visitors use ``/directory/<slug>/...``, which shows only what is shared ``public`` (and
exists only when at least one organization's profile is public). Both go through the same
functions below with a different ``viewer``: every read is ``visible_to(viewer)``.
"""

import functools
from collections.abc import Callable
from datetime import datetime
from itertools import chain
from typing import Concatenate, cast

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, FileField, OrderBy, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from reentry.sharing.access import get_visible_or_404
from reentry.sharing.levels import SharingLevel
from stakeholders.access import (
    CollaborativeRequest,
    SlugView,
    collaborative_view,
    may_edit_organization,
)
from stakeholders.directory import services
from stakeholders.directory.forms import (
    ELIGIBILITY_FLAGS,
    ContactForm,
    DirectorySearchForm,
    LocationForm,
    OrganizationProfileForm,
    ServiceForm,
    flag_rule,
)
from stakeholders.directory.logos import CONTENT_TYPES
from stakeholders.models import (
    Collaborative,
    Contact,
    CriterionKind,
    KeyArea,
    Language,
    Location,
    Member,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceQuerySet,
    User,
)

PAGE_SIZE = 25
SHEET_SIZE = 10  # what fits on one printed page in large type
LISTED = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)
Role = Member.Role


# --- Who is looking -------------------------------------------------------------------------


class DirectoryRequest(HttpRequest):
    """The request a directory page receives from ``public_view`` or ``member_view``: who
    is looking (``viewer``), their membership (None on the public directory) and the URL
    namespace to link within. Only for type checking, like ``CollaborativeRequest``."""

    collaborative: Collaborative
    member: Member | None
    viewer: User | AnonymousUser
    namespace: str


type DirectoryView[**P] = Callable[Concatenate[DirectoryRequest, str, P], HttpResponseBase]


def public_view[**P](view: DirectoryView[P]) -> SlugView[P]:
    """The public twin of a page: the collaborative's public directory, as anyone sees it.

    404 unless the collaborative has at least one public organization. The viewer is
    always anonymous here, signed in or not: this is the public directory.
    """

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponseBase:
        public = Organization.objects.filter(
            collaborative=OuterRef("pk"), sharing_level=SharingLevel.PUBLIC
        )
        collaborative = Collaborative.objects.filter(slug=slug).filter(Exists(public)).first()
        if collaborative is None:
            raise Http404
        loaded = cast(DirectoryRequest, request)
        loaded.collaborative = collaborative
        loaded.member = None
        loaded.viewer = AnonymousUser()
        loaded.namespace = "directory"
        with timezone.override(collaborative.zone):
            return view(loaded, slug, *args, **kwargs)

    return wrapper


def member_view[**P](view: DirectoryView[P]) -> SlugView[P]:
    """The members' page: everything the person's collaborative lets them see."""

    @collaborative_view()
    @functools.wraps(view)
    def wrapper(
        request: CollaborativeRequest, slug: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponseBase:
        loaded = cast(DirectoryRequest, request)
        loaded.viewer = request.user
        loaded.namespace = "stakeholders"
        return view(loaded, slug, *args, **kwargs)

    return wrapper


def _context(request: DirectoryRequest, **extra) -> dict:
    return {
        "collaborative": request.collaborative,
        "member": request.member,
        "ns": request.namespace,
        "public": request.member is None,
        **extra,
    }


def listed_services(viewer, collaborative: Collaborative) -> ServiceQuerySet:
    """What the directory lists for this viewer: visible, of this collaborative, not closed."""
    return (
        Service.objects.visible_to(viewer).in_collaborative(collaborative).filter(status__in=LISTED)
    )


def _listed(request: DirectoryRequest) -> ServiceQuerySet:
    return listed_services(request.viewer, request.collaborative)


# --- Directory search -----------------------------------------------------------------------


def listed_language_codes(listed: ServiceQuerySet) -> list[str]:
    """The languages the listed services work in, for the language filter (one query)."""
    return list(
        Language.objects.filter(service__in=listed.values("pk"))
        .exclude(code="")
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )


def search_services(
    listed: ServiceQuerySet,
    asked: dict,
    *,
    key_areas: list[KeyArea],
    sectors: list[Sector],
    time_zone: str,
    now: datetime | None = None,
) -> ServiceQuerySet:
    """The directory's results for the filters asked (``DirectorySearchForm.filters()``),
    ready for a page of cards: no query runs until it is paginated."""
    now = now or timezone.now()
    results = listed
    if asked.get("q"):
        results = results.search(asked["q"])
    if area := next((a for a in key_areas if a.slug == asked.get("key_area")), None):
        results = results.in_key_area(area)
    if sector := next((s for s in sectors if s.slug == asked.get("sector")), None):
        results = results.in_sector(sector)
    if asked.get("language"):
        results = results.speaking(asked["language"])
    for flag in asked.get("eligibility") or ():
        _label, kind, value = ELIGIBILITY_FLAGS[flag]
        results = results.without_criterion(kind, value, flag_rule(kind))
    if asked.get("referrals"):
        results = results.accepting_referrals()
    if asked.get("open_now"):
        results = results.open_at(now, time_zone)
    order: list[str | OrderBy]
    if asked.get("sort") == "verified":
        order = [F("last_verified_at").desc(nulls_last=True), "name", "pk"]
    else:
        order = ["name", "pk"]
    return (
        results.with_open_at(now, time_zone)
        .select_related("organization")
        .prefetch_related("key_areas", "languages")
        .order_by(*order)
    )


def directory(request: DirectoryRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    key_areas = list(collaborative.key_areas.all())
    sectors = list(collaborative.sectors.all())
    listed = _listed(request)
    form = DirectorySearchForm(
        request.GET,
        key_areas=key_areas,
        sectors=sectors,
        language_codes=listed_language_codes(listed),
    )
    asked = form.filters()
    results = search_services(
        listed, asked, key_areas=key_areas, sectors=sectors, time_zone=collaborative.time_zone
    )
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(v for k, v in asked.items() if k != "sort")
    more_filters = any(asked.get(k) for k in ("eligibility", "sector")) or asked.get(
        "sort"
    ) not in (
        None,
        "",
        "name",
    )
    return render(
        request,
        "stakeholders/directory/directory.html",
        _context(
            request,
            form=form,
            page=page,
            filtered=filtered,
            more_filters=more_filters,
            key_areas=key_areas,
        ),
    )


# --- Service and organization pages -------------------------------------------------------


def _eligibility(criteria) -> list[tuple[str, list[str]]]:
    """Criteria in plain words: [(heading, [what, ...]), ...], only the headings that apply."""
    groups = {
        (CriterionKind.SUPERVISION, "requires"): _("Only for people who are"),
        (CriterionKind.SUPERVISION, "excludes"): _("Cannot serve people who are"),
        (CriterionKind.CONVICTION, "requires"): _("Only for people with"),
        (CriterionKind.CONVICTION, "excludes"): _("Cannot serve people with"),
    }
    found: dict[tuple[str, str], list[str]] = {}
    for c in criteria:
        if (c.kind, c.rule) in groups:
            found.setdefault((c.kind, c.rule), []).append(c.get_value_display())
    return [(heading, found[key]) for key, heading in groups.items() if key in found]


def service_detail(request: DirectoryRequest, slug: str, public_id) -> HttpResponse:
    collaborative = request.collaborative
    in_collab = Service.objects.in_collaborative(collaborative)
    service = get_visible_or_404(
        in_collab,
        Service.objects.visible_to(request.viewer)
        .in_collaborative(collaborative)
        .with_open_at(timezone.now(), collaborative.time_zone)
        .select_related("organization", "organization__sector")
        .prefetch_related(
            "key_areas",
            "languages",
            "criteria",
            Prefetch(
                "schedules",
                queryset=RegularSchedule.objects.filter(service_at_location=None),
                to_attr="own_schedules",
            ),
            Prefetch(
                "phones",
                queryset=Phone.objects.filter(service_at_location=None).order_by("pk"),
                to_attr="own_phones",
            ),
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "schedules", "location__schedules", "location__phones"
                ),
            ),
        ),
        request=request,
        public_id=public_id,
    )
    criteria = list(service.criteria.all())
    documents = [c.get_value_display() for c in criteria if c.kind == CriterionKind.DOCUMENT]
    locations = [
        {
            "location": at.location,
            "schedules": list(at.schedules.all()) or list(at.location.schedules.all()),
            "phones": list(at.location.phones.all()),
        }
        for at in service.at_locations.all()
    ]
    return render(
        request,
        "stakeholders/directory/service_detail.html",
        _context(
            request,
            service=service,
            organization=service.organization,
            documents=documents,
            eligibility=_eligibility(criteria),
            locations=locations,
            # Its own contact people first, then the whole organization's.
            contacts=Contact.objects.filter(organization_id=service.organization_id)
            .filter(Q(service=service) | Q(service=None))
            .order_by(F("service_id").asc(nulls_last=True), "name", "pk"),
            can_edit=may_edit_organization(request.member, service.organization_id),
        ),
    )


def directory_section(request: HttpRequest, organization: Organization) -> dict:
    """The services and locations an organization page shows (members' and public)."""
    member = getattr(request, "member", None)
    can_edit = may_edit_organization(member, organization.pk)
    services_qs = Service.objects.filter(organization=organization).prefetch_related("key_areas")
    if not can_edit:
        services_qs = services_qs.filter(status__in=LISTED)
    return {
        "services": services_qs.order_by("name"),
        "locations": Location.objects.filter(organization=organization)
        .prefetch_related("phones")
        .order_by("name"),
        "contacts": organization_contacts(organization),
        "can_edit": can_edit,
        "ns": getattr(request, "namespace", "stakeholders"),
    }


def organization_contacts(organization: Organization) -> list[Contact]:
    """The organization's contact people, the whole organization's first (one query).

    Only called once the organization itself is visible: contacts are as visible as it is.
    """
    return list(
        Contact.objects.filter(organization=organization)
        .select_related("service")
        .order_by(F("service__name").asc(nulls_first=True), "name", "pk")
    )


# --- The logo ---------------------------------------------------------------------------------

LOGO_MAX_AGE = 3600


def organization_logo(request: DirectoryRequest, slug: str, public_id) -> HttpResponseBase:
    """The organization's logo, to whoever may see its profile (404 for anyone else, and when
    there is no logo). Files are never served from MEDIA_URL: only through here."""
    collaborative = request.collaborative
    organization = get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.visible_to(request.viewer).filter(collaborative=collaborative),
        request=request,
        public_id=public_id,
    )
    if not organization.logo:
        raise Http404
    etag = f'"{organization.logo_version}"'
    # Members' copies are theirs alone; a public logo may sit in shared caches, briefly,
    # since a profile can stop being public.
    cache_control = f"{'private' if request.member else 'public'}, max-age={LOGO_MAX_AGE}"
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["Cache-Control"] = cache_control
        return not_modified
    extension = organization.logo.name.rsplit(".", 1)[-1].lower()
    try:
        stream = default_storage.open(organization.logo.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stream, content_type=CONTENT_TYPES.get(extension, "image/png"))
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Content-Disposition"] = "inline"
    return response


def public_organization(request: DirectoryRequest, slug: str, public_id) -> HttpResponse:
    collaborative = request.collaborative
    organization = get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.visible_to(request.viewer)
        .filter(collaborative=collaborative)
        .select_related("sector"),
        request=request,
        public_id=public_id,
    )
    return render(
        request,
        "stakeholders/directory/public_organization.html",
        _context(
            request,
            organization=organization,
            key_areas=organization.key_areas.all(),
            **directory_section(request, organization),
        ),
    )


# --- Printable resource sheet ---------------------------------------------------------------


def resource_sheet(request: DirectoryRequest, slug: str, area: str) -> HttpResponse:
    collaborative = request.collaborative
    key_area = KeyArea.objects.filter(collaborative=collaborative, slug=area).first()
    if key_area is None:
        raise Http404
    listed = _listed(request).filter(status=Service.Status.ACTIVE).in_key_area(key_area)
    entries = list(
        listed.select_related("organization")
        .prefetch_related(
            Prefetch("phones", queryset=Phone.objects.order_by("pk"), to_attr="all_phones"),
            Prefetch(
                "schedules",
                queryset=RegularSchedule.objects.filter(service_at_location=None),
                to_attr="own_schedules",
            ),
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location"),
            ),
        )
        .order_by("-accepts_referrals", F("last_verified_at").desc(nulls_last=True), "name")[
            : SHEET_SIZE + 1
        ]
    )
    more = len(entries) > SHEET_SIZE
    return render(
        request,
        "stakeholders/directory/sheet.html",
        _context(
            request,
            key_area=key_area,
            entries=entries[:SHEET_SIZE],
            more=more,
            printed_on=request.collaborative.today(),
        ),
    )


# --- Coverage grid (backbone staff) -------------------------------------------------------


@collaborative_view(roles=(Role.BACKBONE,))
def coverage(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Key area × sector: organizations with active services in the key area, and those
    services; per key area, the gaps. Four queries whatever the size: key areas, sectors,
    one grouped count per cell and one grouped count per key area."""
    collaborative = request.collaborative
    key_areas = list(collaborative.key_areas.all())
    sectors = list(collaborative.sectors.all())
    active = (
        Service.objects.visible_to(request.user)
        .in_collaborative(collaborative)
        .active()
        .filter(key_areas__isnull=False)
        .order_by()
    )
    cells = {
        (row["key_areas"], row["organization__sector"]): row
        for row in active.values("key_areas", "organization__sector").annotate(
            services=Count("pk", distinct=True),
            organizations=Count("organization", distinct=True),
        )
    }
    evenings_weekends = Q(pk__in=Service.objects.open_evenings().values("pk")) | Q(
        pk__in=Service.objects.open_weekends().values("pk")
    )
    spanish = Q(pk__in=Service.objects.speaking("es").values("pk"))
    per_area = {
        row["key_areas"]: row
        for row in active.values("key_areas").annotate(
            services=Count("pk", distinct=True),
            organizations=Count("organization", distinct=True),
            referrals=Count("pk", filter=Q(accepts_referrals=True), distinct=True),
            evenings_weekends=Count("pk", filter=evenings_weekends, distinct=True),
            spanish=Count("pk", filter=spanish, distinct=True),
        )
    }
    gap_labels = {
        "referrals": _("No service accepts referrals"),
        "evenings_weekends": _("No service open evenings or weekends"),
        "spanish": _("No Spanish-language service"),
    }
    rows = []
    for area in key_areas:
        totals = per_area.get(area.pk, {})
        empty = {"services": 0, "organizations": 0}
        rows.append(
            {
                "area": area,
                "services": totals.get("services", 0),
                "organizations": totals.get("organizations", 0),
                "checks": [(key, totals.get(key, 0)) for key in gap_labels],
                "gaps": [label for key, label in gap_labels.items() if not totals.get(key)],
                "cells": [cells.get((area.pk, sector.pk), empty) for sector in sectors],
            }
        )
    return render(
        request,
        "stakeholders/directory/coverage.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "sectors": sectors,
            "rows": rows,
            "areas_with_gaps": [r for r in rows if r["gaps"]],
        },
    )


# --- Editing an organization's listing (its own admins and staff) --------------------------


def _own_organization(request: CollaborativeRequest, public_id) -> Organization:
    """An organization whose listing this person keeps; 404 for everyone else."""
    collaborative = request.collaborative
    return get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.editable_by(request.user).filter(collaborative=collaborative),
        request=request,
        public_id=public_id,
    )


def _own_service(request: CollaborativeRequest, public_id) -> Service:
    collaborative = request.collaborative
    return get_visible_or_404(
        Service.objects.in_collaborative(collaborative),
        Service.objects.editable_by(request.user)
        .in_collaborative(collaborative)
        .select_related("organization"),
        request=request,
        public_id=public_id,
    )


def _attempt(form, write: Callable[..., object], **kwargs) -> object | None:
    """Call the service; on error the message goes next to its field, the form keeps what was
    typed, and None is returned."""
    try:
        return write(**kwargs)
    except ValidationError as exc:
        apply_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You cannot make that change."))
    return None


def _editor_page(request: CollaborativeRequest, template: str, **context) -> HttpResponse:
    return render(
        request,
        f"stakeholders/directory/{template}",
        {"collaborative": request.collaborative, "member": request.member, **context},
    )


def _profile_page(
    request: CollaborativeRequest, organization: Organization, form: OrganizationProfileForm
) -> HttpResponse:
    """The profile form, and below it the contact people with a form to add one."""
    return _editor_page(
        request,
        "organization_edit.html",
        organization=organization,
        form=form,
        contacts=organization_contacts(organization),
        contact_form=ContactForm(organization=organization),
    )


@collaborative_view(roles=Member.EDITOR_ROLES)
def organization_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    organization = _own_organization(request, public_id)
    form = OrganizationProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=organization,
        editor=request.member,
    )
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.organization_profile_update,
            actor=request.member,
            organization=organization,
            request=request,
            **form.profile_data(),
        )
        if saved is not None:
            messages.success(request, _("Your organization's profile is saved."))
            return redirect("stakeholders:organization", slug=slug, public_id=public_id)
    return _profile_page(request, organization, form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def contact_create(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """Add a contact person. The form sits on the profile page; with errors it comes back
    on a page of its own, with what was typed."""
    organization = _own_organization(request, public_id)
    if request.method != "POST":
        return redirect(
            reverse("stakeholders:organization_edit", args=[slug, public_id]) + "#contacts"
        )
    form = ContactForm(
        request.POST, instance=Contact(organization=organization), organization=organization
    )
    if form.is_valid():
        contact = _attempt(
            form,
            services.contact_create,
            actor=request.member,
            organization=organization,
            request=request,
            **form.contact_data(),
        )
        if isinstance(contact, Contact):
            messages.success(request, _("%(name)s is added.") % {"name": contact.name})
            return redirect(
                reverse("stakeholders:organization_edit", args=[slug, public_id]) + "#contacts"
            )
    return _editor_page(request, "contact_form.html", organization=organization, form=form)


def _own_contact(request: CollaborativeRequest, public_id) -> Contact:
    collaborative = request.collaborative
    return get_visible_or_404(
        Contact.objects.in_collaborative(collaborative),
        Contact.objects.editable_by(request.user)
        .in_collaborative(collaborative)
        .select_related("organization"),
        request=request,
        public_id=public_id,
    )


@collaborative_view(roles=Member.EDITOR_ROLES)
def contact_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    contact = _own_contact(request, public_id)
    organization = contact.organization
    form = ContactForm(request.POST or None, instance=contact, organization=organization)
    back = (
        reverse("stakeholders:organization_edit", args=[slug, organization.public_id]) + "#contacts"
    )
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.contact_update,
            actor=request.member,
            contact=contact,
            request=request,
            **form.contact_data(),
        )
        if saved is not None:
            messages.success(request, _("Saved changes to %(name)s.") % {"name": saved})
            return redirect(back)
    return _editor_page(
        request, "contact_form.html", organization=organization, contact=contact, form=form
    )


@require_POST
@collaborative_view(roles=Member.EDITOR_ROLES)
def contact_delete(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    contact = _own_contact(request, public_id)
    organization = contact.organization
    services.contact_delete(actor=request.member, contact=contact, request=request)
    messages.success(request, _("%(name)s is removed.") % {"name": contact.name})
    return redirect(
        reverse("stakeholders:organization_edit", args=[slug, organization.public_id]) + "#contacts"
    )


@collaborative_view(roles=Member.EDITOR_ROLES)
def service_create(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    organization = _own_organization(request, public_id)
    form = ServiceForm(
        request.POST or None, instance=Service(organization=organization), organization=organization
    )
    if request.method == "POST" and form.is_valid():
        service = _attempt(
            form,
            services.service_create,
            actor=request.member,
            organization=organization,
            request=request,
            **form.service_data(),
        )
        if isinstance(service, Service):
            messages.success(request, _("The service is listed."))
            return redirect("stakeholders:service", slug=slug, public_id=service.public_id)
    return _editor_page(request, "service_form.html", organization=organization, form=form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def service_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    service = _own_service(request, public_id)
    form = ServiceForm(request.POST or None, instance=service, organization=service.organization)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.service_update,
            actor=request.member,
            service=service,
            request=request,
            **form.service_data(),
        )
        if saved is not None:
            messages.success(request, _("Saved changes to %(name)s.") % {"name": service.name})
            return redirect("stakeholders:service", slug=slug, public_id=public_id)
    return _editor_page(
        request, "service_form.html", organization=service.organization, service=service, form=form
    )


@require_POST
@collaborative_view(roles=Member.EDITOR_ROLES)
def service_verify(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    service = _own_service(request, public_id)
    services.service_verify(actor=request.member, service=service, request=request)
    messages.success(request, _("Marked as verified today. Thank you."))
    return redirect("stakeholders:service", slug=slug, public_id=public_id)


@collaborative_view(roles=Member.EDITOR_ROLES)
def location_create(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    organization = _own_organization(request, public_id)
    form = LocationForm(request.POST or None, instance=Location(organization=organization))
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.location_create,
            actor=request.member,
            organization=organization,
            request=request,
            **form.location_data(),
        )
        if saved is not None:
            messages.success(request, _("The location is added."))
            return redirect("stakeholders:organization", slug=slug, public_id=public_id)
    return _editor_page(request, "location_form.html", organization=organization, form=form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def location_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    collaborative = request.collaborative
    location = get_visible_or_404(
        Location.objects.in_collaborative(collaborative),
        Location.objects.editable_by(request.user)
        .in_collaborative(collaborative)
        .select_related("organization"),
        request=request,
        public_id=public_id,
    )
    organization = location.organization
    form = LocationForm(request.POST or None, instance=location)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            form,
            services.location_update,
            actor=request.member,
            location=location,
            request=request,
            **form.location_data(),
        )
        if saved is not None:
            messages.success(request, _("Saved changes to %(name)s.") % {"name": location.name})
            return redirect(organization.get_absolute_url())
    return _editor_page(
        request, "location_form.html", organization=organization, location=location, form=form
    )


# --- Change history (backbone staff) -------------------------------------------------------


def _display(field, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return names.get((field.name, value), str(value))
    if isinstance(field, FileField):
        return _("an image")  # not the file's random name
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _history_entries(rows, model, names: dict, kind: str) -> list[dict]:
    """One entry per saved version, with its differences from the version before."""
    entries = []
    previous: dict[int, object] = {}
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(row.id)
        previous[row.id] = row
        changes = []
        if before is not None:
            delta = row.diff_against(before, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, change.old, names),
                        "new": _display(field, change.new, names),
                    }
                )
        if row.history_type == "~" and not changes and not row.history_change_reason:
            continue
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "kind": kind,
                "label": row.name,
                "type": row.history_type,
                "changes": changes,
                "reason": row.history_change_reason or "",
            }
        )
    return entries


@collaborative_view(roles=(Role.BACKBONE,))
def organization_history(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """Who changed the organization's profile, services and locations, when, and what."""
    collaborative = request.collaborative
    organization = get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.visible_to(request.user).filter(collaborative=collaborative),
        request=request,
        public_id=public_id,
    )
    names = {("sector", s.pk): s.name for s in Sector.objects.filter(collaborative=collaborative)}
    names[("collaborative", collaborative.pk)] = collaborative.name
    names[("organization", organization.pk)] = organization.name
    names.update(
        (("service", pk), name)
        for pk, name in Service.objects.filter(organization=organization).values_list("pk", "name")
    )
    entries = list(
        chain(
            _history_entries(
                organization.history.select_related("history_user"),
                Organization,
                names,
                _("Profile"),
            ),
            _history_entries(
                Service.history.filter(organization_id=organization.pk).select_related(
                    "history_user"
                ),
                Service,
                names,
                _("Service"),
            ),
            _history_entries(
                Location.history.filter(organization_id=organization.pk).select_related(
                    "history_user"
                ),
                Location,
                names,
                _("Location"),
            ),
            _history_entries(
                Contact.history.filter(organization_id=organization.pk).select_related(
                    "history_user"
                ),
                Contact,
                names,
                _("Contact person"),
            ),
        )
    )
    entries.sort(key=lambda e: e["when"], reverse=True)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stakeholders/directory/history.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "organization": organization,
            "page": page,
        },
    )


# The two faces of each shared page.
member_directory = member_view(directory)
public_directory = public_view(directory)
member_service = member_view(service_detail)
public_service = public_view(service_detail)
member_sheet = member_view(resource_sheet)
public_sheet = public_view(resource_sheet)
public_organization_page = public_view(public_organization)
member_logo = member_view(organization_logo)
public_logo = public_view(organization_logo)
