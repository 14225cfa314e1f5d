"""The person-level isolation matrix at page level (issue 13, "Done means"): every route of
the casework pages (``casework.urls``) and of the casework API (``casework.api.router``),
requested by a person in each situation rule 7 turns away, shows nothing of the record.

The world is the casebook (tests/casework/conftest.py) and, on top of it, built once for
this module (tests/worlds.py), one organization per way of being turned away, each with
its own consent on Pat's record (Org A) failing for exactly one reason, a paper consent
with its scan, referrals under each consent, and texts that cannot turn up by chance:

| scenario        | person                     | why they may not see it                       |
|-----------------|----------------------------|-----------------------------------------------|
| owner           | Org A staff                | (the owner: the page's normal answer)         |
| no_consent      | Org D staff (Housing)      | no consent names Org D or its sector          |
| expired         | Org E staff                | the consent to Org E ended yesterday          |
| revoked         | Org R staff                | the consent to Org R is revoked               |
| wrong_org       | Org W staff (Faith)        | the consent names Org N, Org W's neighbour    |
| wrong_sector    | Org S staff (Faith)        | the consent names the Transport sector        |
| wrong_key_area  | Org B staff                | consent for Housing; log, referral Employment |
| wrong_kind      | Org K staff                | consent shares enrolment and needs only       |
| part2           | Org A staff, about Rae     | Org B is a Part 2 program; no Part 2 consent  |
| former_staff    | Org A staff who left       | membership no longer active                   |
| other_collab    | Org X staff, backbone of B | another collaborative                         |
| backbone, community, observer (of collaborative A) | read nothing person-level |
| anonymous       | nobody signed in           | sign-in page; 401 on the API                  |

A request about a record the person may not see answers 404 (GET and POST alike), and
writes nothing; every list, search, export, form and API list answers without the
record's code, public id, name, notes or referral reason (``Target.markers``). Then the
right people see exactly what they may, and a revocation acts on the very next request.
"""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import cast

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from casework import api as casework_api
from casework import urls as casework_urls
from casework.models import Consent, Enrolment, Identity, Participant, Referral, ServiceLog
from casework.notices import PART2_NOTICE
from casework.services import consents as consent_services
from reentry.api.services import api_token_create
from stakeholders.models import Member
from tests import worlds
from tests.casework.conftest import build_casebook, casebook, give_consent  # noqa: F401
from tests.casework.consent_helpers import PDF, memory_storage
from tests.casework.referrals_world import service_of
from tests.factories import MemberFactory, OrganizationFactory, SectorFactory

pytestmark = pytest.mark.django_db

SCAN_NAME = "consent-scans/matrix-paper-form.pdf"

# Texts that cannot turn up on a page by chance.
PAT_GIVEN, PAT_FAMILY = "Perpetua", "Quillfeather"
RAE_FAMILY = "Thistlewood"
NOTES_HOUSING = "Lease signed at Marigold Court"
NOTES_EMPLOYMENT = "Forklift certificate booked"
NOTES_RAE = "Recovery circle attendance noted"

EVERY_KIND = {
    "shares_identity": True,
    "shares_enrolment": True,
    "shares_needs": True,
    "shares_service_logs": True,
    "shares_referrals": True,
}


# --- The world ----------------------------------------------------------------------------------


def _referral(cb, *, participant, enrolment, sender, receiver, key_area, consent, reason):
    return Referral.objects.create(
        collaborative=cb.collab,
        participant=participant,
        from_organization=sender,
        from_enrolment=enrolment,
        to_organization=receiver,
        key_area=key_area,
        consent=consent,
        reason=reason,
        sent_by=cb.cast.staff_a.user,
    )


@worlds.world(needs=("casebook",))
def build_casework_matrix(casebook):  # noqa: F811 - the casebook world, by name
    cb = casebook
    c = cb.cast
    collab = cb.collab
    both = [cb.housing, cb.employment]
    R = Member.Role

    # Distinctive names and notes on the casebook's own rows.
    pat_identity = Identity.objects.get(enrolment=cb.pat_a)
    pat_identity.given_name, pat_identity.family_name = PAT_GIVEN, PAT_FAMILY
    pat_identity.save()
    rae_identity = Identity.objects.get(enrolment=cb.rae_b)
    rae_identity.family_name = RAE_FAMILY
    rae_identity.save()
    ServiceLog.objects.filter(pk=cb.log_housing.pk).update(notes=NOTES_HOUSING)
    ServiceLog.objects.filter(pk=cb.log_employment.pk).update(notes=NOTES_EMPLOYMENT)
    ServiceLog.objects.filter(pk=cb.rae_log.pk).update(notes=NOTES_RAE)

    health = SectorFactory(collaborative=collab, name="Health", slug="health")
    faith = SectorFactory(collaborative=collab, name="Faith", slug="faith")
    transport = SectorFactory(collaborative=collab, name="Transport", slug="transport")

    def org(name, sector):
        return OrganizationFactory(
            collaborative=collab, sector=sector, name=name, slug=name.lower().replace(" ", "-")
        )

    org_d = org("Org D", c.sector1)
    org_e = org("Org E", health)
    org_r = org("Org R", health)
    org_n = org("Org N", faith)
    org_w = org("Org W", faith)
    org_s = org("Org S", faith)
    org("Org T", transport)
    org_k = org("Org K", health)

    def staff(organization):
        return MemberFactory(collaborative=collab, role=R.PROVIDER_STAFF, organization=organization)

    consent_e = give_consent(
        c.staff_a,
        cb.pat_a,
        days=(-400, -1),
        recipient_organizations=[org_e],
        key_areas=both,
        **EVERY_KIND,
    )
    consent_r = give_consent(
        c.staff_a, cb.pat_a, recipient_organizations=[org_r], key_areas=both, **EVERY_KIND
    )
    consent_services.consent_revoke(user=c.staff_a.user, consent=consent_r)
    consent_n = give_consent(
        c.staff_a, cb.pat_a, recipient_organizations=[org_n], key_areas=both, **EVERY_KIND
    )
    consent_sector = give_consent(
        c.staff_a, cb.pat_a, recipient_sectors=[transport], key_areas=both, **EVERY_KIND
    )
    consent_k = give_consent(
        c.staff_a,
        cb.pat_a,
        recipient_organizations=[org_k],
        key_areas=both,
        shares_enrolment=True,
        shares_needs=True,
    )
    # A paper consent to Org B, its scan in storage under SCAN_NAME (put there per test).
    paper = give_consent(
        c.staff_a,
        cb.pat_a,
        recipient_organizations=[c.org_b],
        key_areas=[cb.housing],
        shares_needs=True,
    )
    Consent.objects.filter(pk=paper.pk).update(method=Consent.Method.PAPER, scan=SCAN_NAME)
    # Rae (Org B, a Part 2 program) consents to Org A for housing referrals too, without
    # naming Part 2 records.
    rae_to_a_referrals = give_consent(
        c.staff_b,
        cb.rae_b,
        recipient_organizations=[c.org_a],
        key_areas=[cb.housing],
        shares_service_logs=True,
        shares_referrals=True,
    )

    def pat_referral(receiver, key_area, consent, reason):
        return _referral(
            cb,
            participant=cb.pat,
            enrolment=cb.pat_a,
            sender=c.org_a,
            receiver=receiver,
            key_area=key_area,
            consent=consent,
            reason=reason,
        )

    ref_b_housing = pat_referral(c.org_b, cb.housing, cb.to_b, "Room near the bus depot")
    ref_b_employment = pat_referral(c.org_b, cb.employment, cb.to_b, "Warehouse hiring fair")
    ref_e = pat_referral(org_e, cb.housing, consent_e, "Clinic intake after release")
    ref_r = pat_referral(org_r, cb.housing, consent_r, "Dental appointment wanted")
    ref_w = pat_referral(org_w, cb.housing, consent_n, "Choir rehearsal invitation")
    ref_s = pat_referral(org_s, cb.housing, consent_sector, "Bus pass application")
    ref_k = pat_referral(org_k, cb.housing, consent_k, "Counselling slot requested")
    ref_rae = _referral(
        cb,
        participant=cb.rae_b.participant,
        enrolment=cb.rae_b,
        sender=c.org_b,
        receiver=c.org_a,
        key_area=cb.housing,
        consent=rae_to_a_referrals,
        reason="Sober living placement",
    )
    former_staff_a = MemberFactory(
        collaborative=collab, role=R.PROVIDER_STAFF, organization=c.org_a, is_active=False
    )
    return SimpleNamespace(
        cb=cb,
        staff_d=staff(org_d),
        staff_e=staff(org_e),
        staff_r=staff(org_r),
        staff_w=staff(org_w),
        staff_s=staff(org_s),
        staff_k=staff(org_k),
        former_staff_a=former_staff_a,
        consent_e=consent_e,
        consent_r=consent_r,
        consent_n=consent_n,
        consent_sector=consent_sector,
        consent_k=consent_k,
        paper=paper,
        rae_to_a_referrals=rae_to_a_referrals,
        ref_b_housing=ref_b_housing,
        ref_b_employment=ref_b_employment,
        ref_e=ref_e,
        ref_r=ref_r,
        ref_w=ref_w,
        ref_s=ref_s,
        ref_k=ref_k,
        ref_rae=ref_rae,
        service_b=service_of(c.org_b, cb.housing, name="Housing navigation"),
    )


@pytest.fixture
def casework_matrix(request, casebook):  # noqa: F811 - the casebook fixture, imported
    return worlds.get(request, "casework_matrix", casebook=casebook)


@pytest.fixture(autouse=True)
def scan_in_storage(settings):
    """The paper consent's scan, in memory (nothing lands in MEDIA_ROOT)."""
    storage = memory_storage(settings)
    storage.save(SCAN_NAME, ContentFile(PDF))
    return storage


# --- Scenarios: a person, the record they try, what they may not see of it ---------------------

PARTICIPANT, ENROLMENT, CONSENT, LOG, REFERRAL = (
    "participant",
    "enrolment",
    "consent",
    "log",
    "referral",
)
EVERYTHING = frozenset({PARTICIPANT, ENROLMENT, CONSENT, LOG, REFERRAL})


@dataclass
class Target:
    """The record a scenario reaches for, and the texts of it the person must not get."""

    participant: Participant
    enrolment: Enrolment
    consent: Consent
    log: ServiceLog
    referral: Referral
    markers: dict[str, str]


@dataclass(frozen=True)
class Scenario:
    person: str  # an attribute of the matrix world or the cast, or "anonymous"
    target: str  # "pat" or "rae"
    consent: str = "to_b"
    referral: str = "ref_b_housing"
    log: str = "log_housing"
    # What rule 7 hides from the person: a request about one of these is a 404.
    hidden: frozenset[str] = EVERYTHING
    # The texts (Target.markers keys) the person may see; every other must be absent.
    may_see: frozenset[str] = frozenset()


SCENARIOS = {
    "owner": Scenario("staff_a", "pat", hidden=frozenset()),
    "no_consent": Scenario("staff_d", "pat"),
    "expired": Scenario("staff_e", "pat", consent="consent_e", referral="ref_e"),
    "revoked": Scenario("staff_r", "pat", consent="consent_r", referral="ref_r"),
    "wrong_org": Scenario("staff_w", "pat", consent="consent_n", referral="ref_w"),
    "wrong_sector": Scenario("staff_s", "pat", consent="consent_sector", referral="ref_s"),
    "wrong_key_area": Scenario(
        "staff_b",
        "pat",
        referral="ref_b_employment",
        log="log_employment",
        hidden=frozenset({LOG, REFERRAL}),
        may_see=frozenset({"code", "public_id", "notes_housing", "reason_b_housing"}),
    ),
    "wrong_kind": Scenario(
        "staff_k",
        "pat",
        consent="consent_k",
        referral="ref_k",
        hidden=frozenset({LOG, REFERRAL}),
        may_see=frozenset({"code", "public_id"}),
    ),
    "part2": Scenario(
        "staff_a", "rae", consent="rae_to_a_referrals", referral="ref_rae", log="rae_log"
    ),
    "former_staff": Scenario("former_staff_a", "pat"),
    "other_collab_staff": Scenario("staff_x", "pat"),
    "other_collab_backbone": Scenario("outsider", "pat"),
    "backbone": Scenario("backbone", "pat"),
    "community": Scenario("community", "pat"),
    "observer": Scenario("observer", "pat"),
    "anonymous": Scenario("anonymous", "pat"),
}


def _find(w, name):
    """An object of the matrix world, the casebook or the cast, by name."""
    for place in (w, w.cb, w.cb.cast):
        if hasattr(place, name):
            return getattr(place, name)
    raise AttributeError(name)


def target_of(w, scenario: Scenario) -> Target:
    cb = w.cb
    if scenario.target == "rae":
        participant = cb.rae_b.participant
        markers = {
            "code": participant.code,
            "public_id": str(participant.public_id),
            "name": RAE_FAMILY,
            "notes_rae": NOTES_RAE,
            "reason_rae": w.ref_rae.reason,
        }
        enrolment = cb.rae_b
    else:
        participant, enrolment = cb.pat, cb.pat_a
        markers = {
            "code": participant.code,
            "public_id": str(participant.public_id),
            "name": PAT_FAMILY,
            "notes_housing": NOTES_HOUSING,
            "notes_employment": NOTES_EMPLOYMENT,
        }
        for name in ("b_housing", "b_employment", "e", "r", "w", "s", "k"):
            markers[f"reason_{name}"] = getattr(w, f"ref_{name}").reason
    return Target(
        participant=participant,
        enrolment=enrolment,
        consent=_find(w, scenario.consent),
        log=_find(w, scenario.log),
        referral=_find(w, scenario.referral),
        markers={k: v for k, v in markers.items() if k not in scenario.may_see},
    )


# --- Requests ------------------------------------------------------------------------------------

OWNER_ONLY = "owner only"  # the holder's pages: the owning organization's caseworkers


@dataclass
class Req:
    method: str
    url: str
    data: dict | None = None
    # What decides the answer: a kind of record (404 when the scenario hides it), OWNER_ONLY,
    # or None for a list, search or form (any answer, without the record's texts).
    guard: str | None = None
    owner: int | None = 200  # the owner's answer (None: any answer but a server error)
    api: bool = False
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (filename, text)
    content_type: str | None = None


def _page(w, name, *args) -> str:
    return reverse(f"casework:{name}", args=[w.cb.collab.slug, *map(str, args)])


def _api(w, name, public_id=None) -> str:
    kwargs = {"collaborative_slug": w.cb.collab.slug}
    if public_id is not None:
        kwargs["public_id"] = str(public_id)
    return reverse(f"api:casework-{name}", kwargs=kwargs)


def _log_post(w, enrolment_field: str, enrolment: Enrolment, **extra) -> dict:
    return {
        enrolment_field: str(enrolment.public_id),
        "key_area": w.cb.housing.pk,
        "delivered_on": w.cb.collab.today().isoformat(),
        "minutes": 30,
        "outcome": "completed",
        "notes": "Posted by the matrix",
        **extra,
    }


RouteRequests = Callable[[SimpleNamespace, Target], list[Req]]
ROUTES: dict[str, RouteRequests] = {}


def route(*names: str) -> Callable[[RouteRequests], RouteRequests]:
    def register(build: RouteRequests) -> RouteRequests:
        for name in names:
            ROUTES[name] = build
        return build

    return register


@route("participants")
def _participants(w, t):
    url = _page(w, "participants")
    return [
        Req("GET", url),
        Req("GET", f"{url}?tab=shared"),
        Req("GET", f"{url}?q={t.participant.code}"),
        Req("GET", f"{url}?q={t.markers.get('name', '')}"),
    ]


@route("participant_find")
def _participant_find(w, t):
    return [Req("POST", _page(w, "participant_find"), {"code": t.participant.code})]


@route("participant_add")
def _participant_add(w, t):
    url = _page(w, "participant_add")
    chosen = str(t.participant.public_id)
    return [
        Req("GET", url),
        # A participant the person may see, or one who agreed to be found.
        Req("GET", f"{url}?participant={chosen}", guard=PARTICIPANT),
        Req("POST", url, {"participant": chosen}, guard=PARTICIPANT),
    ]


@route("participant")
def _participant(w, t):
    url = _page(w, "participant", t.participant.public_id)
    return [Req("GET", url, guard=PARTICIPANT), Req("POST", url, {}, guard=PARTICIPANT)]


@route("participant_edit")
def _participant_edit(w, t):
    url = _page(w, "participant_edit", t.participant.public_id)
    return [Req("GET", url, guard=OWNER_ONLY), Req("POST", url, {}, guard=OWNER_ONLY)]


@route("participant_status")
def _participant_status(w, t):
    url = _page(w, "participant_status", t.participant.public_id)
    return [Req("POST", url, {"action": "close"}, guard=OWNER_ONLY, owner=302)]


@route("participant_link_code")
def _participant_link_code(w, t):
    url = _page(w, "participant_link_code", t.participant.public_id)
    return [Req("POST", url, {}, guard=OWNER_ONLY, owner=302)]


@route("participant_merge")
def _participant_merge(w, t):
    url = _page(w, "participant_merge", t.participant.public_id)
    return [
        Req("GET", url, guard=OWNER_ONLY),
        Req("GET", f"{url}?code={t.participant.code}", guard=OWNER_ONLY),
        Req("POST", url, {}, guard=OWNER_ONLY),
    ]


@route("link")
def _link(w, t):
    url = _page(w, "link")
    return [Req("GET", url), Req("POST", url, {"code": f"{t.participant.code}-00-AAAA-BBBB"})]


@route("consents")
def _consents(w, t):
    return [Req("GET", _page(w, "consents", t.enrolment.public_id), guard=OWNER_ONLY)]


@route("consent_create")
def _consent_create(w, t):
    url = _page(w, "consent_create", t.enrolment.public_id)
    return [Req("GET", url, guard=OWNER_ONLY), Req("POST", url, {}, guard=OWNER_ONLY)]


@route("consent")
def _consent(w, t):
    url = _page(w, "consent", t.consent.public_id)
    return [Req("GET", url, guard=CONSENT), Req("POST", url, {}, guard=CONSENT)]


@route("consent_revoke")
def _consent_revoke(w, t):
    url = _page(w, "consent_revoke", t.consent.public_id)
    return [
        Req("GET", url, guard=CONSENT),
        Req("POST", url, {"reason": "Asked by the matrix"}, guard=CONSENT, owner=302),
    ]


@route("consent_print")
def _consent_print(w, t):
    return [Req("GET", _page(w, "consent_print", t.consent.public_id), guard=OWNER_ONLY)]


@route("consent_scan")
def _consent_scan(w, t):
    # The only consent with a scan is Pat's paper consent to Org B.
    consent = w.paper if t.participant.pk == w.cb.pat.pk else t.consent
    return [Req("GET", _page(w, "consent_scan", consent.public_id), guard=OWNER_ONLY)]


def _plain(name: str, owner: int = 200) -> RouteRequests:
    def build(w, t):
        return [Req("GET", _page(w, name), owner=owner)]

    return build


for _name in (
    "logs",
    "logs_shared",
    "logs_upload_template",
    "my_record",
    "logs_export_csv",
    "indicators",  # the organization's own casework indicators (counts of its own records)
):
    ROUTES[_name] = _plain(_name)
# Outcomes are for backbone staff (counts, suppressed): the owner's caseworker gets a 404.
ROUTES["referral_outcomes"] = _plain("referral_outcomes", owner=404)


ROUTES["logs_export_xlsx"] = _plain("logs_export_xlsx")


@route("log_new")
def _log_new(w, t):
    url = _page(w, "log_new")
    return [
        Req("GET", f"{url}?enrolment={t.enrolment.public_id}&logged={t.log.public_id}"),
        Req(
            "POST",
            url,
            _log_post(w, "enrolment", t.enrolment, who=t.participant.code),
            owner=302,
        ),
    ]


@route("log_find")
def _log_find(w, t):
    url = _page(w, "log_find")
    return [
        Req("GET", f"{url}?who={t.participant.code}"),
        Req("GET", f"{url}?who={t.markers.get('name', '')}"),
    ]


@route("log_many")
def _log_many(w, t):
    url = _page(w, "log_many")
    return [
        Req("GET", f"{url}?q={t.participant.code}"),
        Req("GET", f"{url}?from={t.log.public_id}"),
        Req("POST", url, _log_post(w, "enrolments", t.enrolment), owner=302),
    ]


@route("logs_upload")
def _logs_upload(w, t):
    today = w.cb.collab.today().isoformat()
    csv = f"participant_code,date,key_area,notes\n{t.participant.code},{today},housing,Upload\n"
    return [
        Req("GET", _page(w, "logs_upload")),
        Req("POST", _page(w, "logs_upload"), owner=302, files={"file": ("logs.csv", csv)}),
    ]


@route("referrals")
def _referrals(w, t):
    url = _page(w, "referrals")
    return [Req("GET", f"{url}?tab={tab}") for tab in ("waiting", "received", "sent")]


@route("referral_new")
def _referral_new(w, t):
    url = _page(w, "referral_new")
    service = w.service_b.public_id
    return [
        Req("GET", f"{url}?q={t.participant.code}"),
        Req("GET", f"{url}?enrolment={t.enrolment.public_id}", guard=OWNER_ONLY),
        Req(
            "POST",
            url,
            {"enrolment": str(t.enrolment.public_id), "service": str(service)},
            guard=OWNER_ONLY,
        ),
    ]


@route("referral_self")
def _referral_self(w, t):
    return [Req("GET", _page(w, "referral_self", w.service_b.public_id))]


@route("referral")
def _referral_detail(w, t):
    url = _page(w, "referral", t.referral.public_id)
    return [Req("GET", url, guard=REFERRAL), Req("POST", url, {}, guard=REFERRAL)]


@route("referral_act")
def _referral_act(w, t):
    def act(action):
        return reverse(
            "casework:referral_act", args=[w.cb.collab.slug, str(t.referral.public_id), action]
        )

    return [
        Req(
            "POST", act("withdraw"), {"withdraw-note": "Found elsewhere"}, guard=REFERRAL, owner=302
        ),
        # The sender may not accept its own referral: visible, not allowed (403).
        Req("POST", act("accept"), {}, guard=REFERRAL, owner=403),
    ]


# The API, signed in (session); organization tokens in the revocation test below.


@route("casework-participant-list")
def _api_participants(w, t):
    url = _api(w, "participant-list")
    return [
        Req("GET", url, api=True),
        Req("GET", f"{url}?code={t.participant.code}", api=True),
    ]


@route("casework-participant-detail")
def _api_participant(w, t):
    url = _api(w, "participant-detail", t.participant.public_id)
    return [Req("GET", url, guard=PARTICIPANT, api=True)]


@route("casework-service-log-list")
def _api_logs(w, t):
    url = _api(w, "service-log-list")
    body = {
        "participant": str(t.participant.public_id),
        "key_area": "housing",
        "delivered_on": w.cb.collab.today().isoformat(),
        "duration_minutes": 30,
        "notes": "Posted by the matrix",
    }
    return [
        Req("GET", url, api=True),
        Req("GET", f"{url}?participant={t.participant.public_id}", api=True),
        Req("POST", url, body, owner=201, api=True, content_type="application/json"),
    ]


@route("casework-service-log-detail")
def _api_log(w, t):
    return [Req("GET", _api(w, "service-log-detail", t.log.public_id), guard=LOG, api=True)]


@route("casework-consent-list")
def _api_consents(w, t):
    url = _api(w, "consent-list")
    return [
        Req("GET", url, api=True),
        Req("GET", f"{url}?participant={t.participant.public_id}", api=True),
    ]


@route("casework-consent-detail")
def _api_consent(w, t):
    return [Req("GET", _api(w, "consent-detail", t.consent.public_id), guard=CONSENT, api=True)]


@route("casework-referral-list")
def _api_referrals(w, t):
    url = _api(w, "referral-list")
    return [Req("GET", url, api=True), Req("GET", f"{url}?direction=received", api=True)]


@route("casework-referral-detail")
def _api_referral(w, t):
    return [Req("GET", _api(w, "referral-detail", t.referral.public_id), guard=REFERRAL, api=True)]


# --- Every route is in the matrix ----------------------------------------------------------------


def casework_route_names() -> set[str]:
    """Every named route of the casework pages and of the casework API, as mounted."""
    patterns = [*casework_urls.urlpatterns, *casework_api.router.urls]
    names = [pattern.name for pattern in patterns]
    assert all(names), "every casework route has a name"
    return {name for name in names if name}


def test_every_casework_route_is_in_the_matrix():
    """A new page or endpoint without a row here fails the suite."""
    assert casework_route_names() == set(ROUTES)


# --- Asking, and reading the answer --------------------------------------------------------------


def _client(w, person: str) -> Client:
    client = Client()
    if person != "anonymous":
        client.force_login(_find(w, person).user)
    return client


def _send(client: Client, req: Req):
    if req.method == "GET":
        return client.get(req.url)
    data = req.data or {}
    if req.content_type == "application/json":
        return client.post(req.url, json.dumps(data), content_type=req.content_type)
    for name, (filename, content) in req.files.items():
        data[name] = SimpleUploadedFile(filename, content.encode(), content_type="text/csv")
    return client.post(req.url, data)


def text_of(response) -> str:
    """What the person got: the page, the JSON, the CSV, the cells of a workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join("" if v is None else str(v) for v in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return content.decode("utf-8", errors="replace")


def state() -> tuple:
    """What a request could change of casework rows (a denied one changes nothing)."""
    return (
        tuple(ServiceLog.objects.order_by("pk").values_list("pk", "notes")),
        tuple(Enrolment.objects.order_by("pk").values_list("pk", "status", "participant_id")),
        tuple(Consent.objects.order_by("pk").values_list("pk", "revoked_at")),
        tuple(Referral.objects.order_by("pk").values_list("pk", "status")),
        tuple(Participant.objects.order_by("pk").values_list("pk", "user_id", "merged_into_id")),
    )


def _leaks(text: str, target: Target, req: Req) -> list[str]:
    """The record's texts in the answer, but for those the request itself carries (a code
    searched for, a public id in the address, which a 404 page repeats)."""
    sent = " ".join(
        [req.url, *map(str, (req.data or {}).values()), *(c for _f, c in req.files.values())]
    )
    return [
        f"{name} ({value!r})"
        for name, value in target.markers.items()
        if value and value in text and value not in sent
    ]


def _turned_away(response, req: Req, person: str) -> str | None:
    """Why the answer to a request about a hidden record is wrong, or None."""
    if person == "anonymous":
        if req.api:
            return None if response.status_code in (401, 404) else "not 401/404"
        login = resolve_url(settings.LOGIN_URL)
        if response.status_code == 302 and response["Location"].startswith(login):
            return None
        return "not a redirect to sign in"
    return None if response.status_code == 404 else "not 404"


# --- The matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_matrix(casework_matrix, name, scenario):
    w = casework_matrix
    sc = SCENARIOS[scenario]
    target = target_of(w, sc)
    client = _client(w, sc.person)
    problems = []
    for req in ROUTES[name](w, target):
        before = state() if req.method == "POST" else None
        response = _send(client, req)
        status = response.status_code
        where = f"{req.method} {req.url} -> {status}"
        text = text_of(response)
        if scenario == "owner":
            if req.owner is None:
                if status >= 500:
                    problems.append(f"{where}: server error")
            elif status != req.owner:
                problems.append(f"{where}: the owner expected {req.owner}")
            continue
        if status >= 500:
            problems.append(f"{where}: server error")
        hidden = req.guard == OWNER_ONLY or req.guard in sc.hidden
        if sc.person == "anonymous" or hidden:
            why = _turned_away(response, req, sc.person)
            if why is not None:
                problems.append(f"{where}: {why}")
        if 200 <= status < 300 and req.api and req.method == "POST":
            problems.append(f"{where}: created something")
        if leaked := _leaks(text, target, req):
            problems.append(f"{where}: shows {', '.join(leaked)}")
        if before is not None and state() != before:
            problems.append(f"{where}: changed casework rows")
    assert not problems, "\n".join(problems)


# --- The right people see exactly what they may -------------------------------------------------


def _get(client: Client, url: str):
    response = client.get(url)
    return response.status_code, text_of(response)


def _api_ids(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["public_id"] for row in response.json()["results"]}


def test_the_owner_sees_the_whole_record(casework_matrix):
    w = casework_matrix
    client = _client(w, "staff_a")
    pat = w.cb.pat
    status, page = _get(client, _page(w, "participant", pat.public_id))
    assert status == 200
    for text in (pat.code, PAT_GIVEN, PAT_FAMILY, NOTES_HOUSING, NOTES_EMPLOYMENT):
        assert text in page
    for name in ("logs", "logs_export_csv", "logs_export_xlsx"):
        status, text = _get(client, _page(w, name))
        assert status == 200
        assert NOTES_HOUSING in text and NOTES_EMPLOYMENT in text and pat.code in text
    logs = _api_ids(client, _api(w, "service-log-list"))
    assert {str(w.cb.log_housing.public_id), str(w.cb.log_employment.public_id)} <= logs


def test_org_b_sees_the_housing_log_not_the_employment_log_nor_the_name(casework_matrix):
    """The consent to Org B shares enrolment facts, needs, services received and referrals
    in Housing, not identity."""
    w = casework_matrix
    client = _client(w, "staff_b")
    pat = w.cb.pat
    status, page = _get(client, _page(w, "participant", pat.public_id))
    assert status == 200
    assert pat.code in page and NOTES_HOUSING in page
    for absent in (NOTES_EMPLOYMENT, PAT_GIVEN, PAT_FAMILY, w.ref_b_employment.reason):
        assert absent not in page
    status, shared = _get(client, _page(w, "logs_shared"))
    assert status == 200
    assert NOTES_HOUSING in shared and pat.code in shared
    assert NOTES_EMPLOYMENT not in shared and PAT_FAMILY not in shared
    status, inbox = _get(client, _page(w, "referrals") + "?tab=received")
    assert str(w.ref_b_housing.public_id) in inbox
    assert str(w.ref_b_employment.public_id) not in inbox
    assert _get(client, _page(w, "referral", w.ref_b_housing.public_id))[0] == 200
    assert _get(client, _page(w, "consent", w.cb.to_b.public_id))[0] == 200
    assert _get(client, _page(w, "consent", w.paper.public_id))[0] == 200
    # The printable form and the scan (name, signature) stay with the holders.
    assert _get(client, _page(w, "consent_print", w.paper.public_id))[0] == 404
    assert _get(client, _page(w, "consent_scan", w.paper.public_id))[0] == 404
    logs = _api_ids(client, _api(w, "service-log-list"))
    assert str(w.cb.log_housing.public_id) in logs
    assert str(w.cb.log_employment.public_id) not in logs
    status, detail = _get(client, _api(w, "participant-detail", pat.public_id))
    assert status == 200 and PAT_FAMILY not in detail
    referrals = _api_ids(client, _api(w, "referral-list"))
    assert str(w.ref_b_housing.public_id) in referrals
    assert str(w.ref_b_employment.public_id) not in referrals


def test_org_k_sees_the_enrolment_but_no_service_log(casework_matrix):
    w = casework_matrix
    client = _client(w, "staff_k")
    status, page = _get(client, _page(w, "participant", w.cb.pat.public_id))
    assert status == 200 and w.cb.pat.code in page
    assert NOTES_HOUSING not in page and NOTES_EMPLOYMENT not in page
    assert _api_ids(client, _api(w, "service-log-list")) == set()


def test_a_part2_consent_shows_the_record_with_the_notice(casework_matrix):
    """Org C holds Rae's consent naming Part 2 records: it sees Rae's log, with §2.32."""
    w = casework_matrix
    client = _client(w, "staff_c")
    status, shared = _get(client, _page(w, "logs_shared"))
    assert status == 200 and NOTES_RAE in shared
    assert "redisclos" in shared.lower()
    response = client.get(_api(w, "service-log-detail", w.cb.rae_log.public_id))
    assert response.status_code == 200
    assert response.json()["part2_notice"] == PART2_NOTICE


# --- Revocation acts on the very next request ----------------------------------------------------


def test_revocation_hides_the_record_from_the_next_request(casework_matrix):
    w = casework_matrix
    cb = w.cb
    pat = cb.pat
    staff_b = _client(w, "staff_b")
    made = cast(
        Member,
        MemberFactory(
            collaborative=cb.collab, role=Member.Role.ORG_ADMIN, organization=cb.cast.org_b
        ),
    )
    admin_b = Member.objects.select_related("organization", "collaborative").get(pk=made.pk)
    _token, plain = api_token_create(actor=admin_b, name="Case system")
    token = Client(headers={"Authorization": f"Token {plain}"})
    participant_page = _page(w, "participant", pat.public_id)
    log_detail = _api(w, "service-log-detail", cb.log_housing.public_id)
    referral_page = _page(w, "referral", w.ref_b_housing.public_id)

    # Before: Org B sees the housing log, by page, by API (session and token).
    assert _get(staff_b, participant_page)[0] == 200
    assert NOTES_HOUSING in _get(staff_b, _page(w, "logs_shared"))[1]
    assert _get(staff_b, referral_page)[0] == 200
    for client in (staff_b, token):
        assert str(cb.log_housing.public_id) in _api_ids(client, _api(w, "service-log-list"))
        assert _get(client, log_detail)[0] == 200

    # The person revokes both consents naming Org B, from their own account.
    person = _client(w, "pat_member")
    for consent in (cb.to_b, w.paper):
        response = person.post(
            _page(w, "consent_revoke", consent.public_id), {"reason": "I changed my mind"}
        )
        assert response.status_code == 302
    assert Consent.objects.filter(pk__in=[cb.to_b.pk, w.paper.pk], revoked_at=None).count() == 0

    # After: the very next request shows nothing of it.
    assert _get(staff_b, participant_page)[0] == 404
    assert _get(staff_b, referral_page)[0] == 404
    assert _get(staff_b, _page(w, "consent", cb.to_b.public_id))[0] == 404
    for url in (
        _page(w, "logs_shared"),
        _page(w, "participants") + "?tab=shared",
        _page(w, "referrals") + "?tab=received",
        _page(w, "logs_export_csv"),
        _page(w, "logs_export_xlsx"),
    ):
        status, text = _get(staff_b, url)
        assert status == 200, url
        assert pat.code not in text and NOTES_HOUSING not in text, url
    for client in (staff_b, token):
        for endpoint in ("participant-list", "service-log-list", "consent-list", "referral-list"):
            status, text = _get(client, _api(w, endpoint))
            assert status == 200, endpoint
            assert str(pat.public_id) not in text and pat.code not in text, endpoint
        assert _get(client, log_detail)[0] == 404
        assert _get(client, _api(w, "participant-detail", pat.public_id))[0] == 404
        assert _get(client, _api(w, "referral-detail", w.ref_b_housing.public_id))[0] == 404
    # The owner's own record is untouched.
    assert _get(_client(w, "staff_a"), participant_page)[0] == 200
