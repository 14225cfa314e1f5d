"""The directory's pages for everyone who may look: search, service and organization pages,
logos and printable resource sheets.

Members use ``/c/<slug>/...`` (everything their collaborative lets them see); signed-out
visitors use ``/directory/<slug>/...``, which shows only what is shared ``public`` (and
exists only when at least one organization's profile is public). Both go through the same
functions below with a different ``viewer``: every read is ``visible_to(viewer)``.
"""

from uuid import UUID

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _

from reentry.pagecache import DIRECTORY, cached_public_page
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import may_edit_organization
from stakeholders.directory.access import DirectoryRequest, member_view, public_view
from stakeholders.directory.forms import DirectorySearchForm
from stakeholders.directory.logos import CONTENT_TYPES
from stakeholders.directory.selectors import (
    LISTED,
    PAGE_SIZE,
    listed_language_codes,
    listed_services,
    organization_contacts,
    search_services,
)
from stakeholders.models import (
    Contact,
    CriterionKind,
    KeyArea,
    Location,
    Organization,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    ServiceQuerySet,
)

SHEET_SIZE = 10  # what fits on one printed page in large type


def _context(request: DirectoryRequest, **extra) -> dict:
    return {
        "collaborative": request.collaborative,
        "member": request.member,
        "ns": request.namespace,
        "public": request.member is None,
        **extra,
    }


def _listed(request: DirectoryRequest) -> ServiceQuerySet:
    return listed_services(request.viewer, request.collaborative)


# --- Directory search -----------------------------------------------------------------------


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


def service_detail(request: DirectoryRequest, slug: str, public_id: UUID) -> HttpResponse:
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
    documents += [line.strip() for line in service.other_documents.splitlines() if line.strip()]
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
            **_referral_links(request.member, service),
        ),
    )


def _referral_links(member, service: Service) -> dict[str, bool]:
    """Which referral button the page shows (casework's pages, linked by URL name only):
    an organization's admins and staff refer one of their participants to another
    organization's service; anyone else (signed in, or signed out on the public directory,
    who signs in first) asks for it for themselves."""
    if not service.accepts_referrals:
        return {"can_refer": False, "can_refer_self": False}
    caseworker = member is not None and member.works_for(member.organization_id)
    return {
        "can_refer": caseworker and member.organization_id != service.organization_id,
        "can_refer_self": not caseworker,
    }


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


# --- The logo ---------------------------------------------------------------------------------

LOGO_MAX_AGE = 3600


def organization_logo(request: DirectoryRequest, slug: str, public_id: UUID) -> HttpResponseBase:
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


def public_organization(request: DirectoryRequest, slug: str, public_id: UUID) -> HttpResponse:
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


# The two faces of each shared page.
member_directory = member_view(directory)
# Signed-out visitors get it from the cache (it says what is open now: kept a minute at most).
public_directory = cached_public_page(DIRECTORY, timeout=60, per_minute=True)(
    public_view(directory)
)
member_service = member_view(service_detail)
public_service = public_view(service_detail)
member_sheet = member_view(resource_sheet)
public_sheet = public_view(resource_sheet)
public_organization_page = public_view(public_organization)
member_logo = member_view(organization_logo)
public_logo = public_view(organization_logo)
