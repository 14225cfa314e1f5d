"""Rule 7 in one room: who may read which person-level record, and why.

Every read of casework data goes through the ``visible_to`` queryset methods, which are
built from the ``*_visible_q`` conditions here, and every page that shows a record asks
``grants_for`` what it may show of each enrolment and why (for the audit log).

Who reads person-level records: the active admins and staff of an organization
(``Organization.editor_owner_ids``, the same rule as ``Member.works_for``), for that
organization's records (the owner) and for what a consent in force names that
organization, or its sector, for; and the person, for everything held about them
(their account is linked to the participant). Backbone staff, community members and
observers read nothing person-level as such; backbone staff see suppressed counts.

A consent is in force on a day when it has started, has not ended and is not revoked
(``in_force_q``), decided at every request, so revocation and expiry act on the very
next one. A record of a Part 2 program is covered only by a consent that names Part 2
records explicitly (``shares_part2``, which ``Consent.clean`` allows only with every
§2.31 element). Every condition is an uncorrelated ``IN`` subquery (DESIGN.md rule 5).
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone

from stakeholders.models import Member, Organization


def _model(name: str):
    """Casework's models, looked up rather than imported: the models' ``visible_to``
    methods call this module, so it must not import them back (no import cycles)."""
    return apps.get_model("casework", name)


def in_force_q(today: date, prefix: str = "") -> Q:
    """A consent in force on ``today``: started, not ended, not revoked."""
    return Q(
        **{
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}starts_on__lte": today,
            f"{prefix}ends_on__gte": today,
        }
    )


def default_day(today: date | None) -> date:
    """The day for jobs that span collaboratives (the expiry job checks each
    collaborative's own day on top): the UTC date."""
    return today if today is not None else timezone.now().date()


def in_force_for(user, today: date | None = None, prefix: str = "") -> Q:
    """Consents in force for ``user``'s requests: on ``today`` if given (views pass
    ``collaborative.today()``), else on each of the person's collaboratives' own day, so a
    consent starts and ends at midnight where the collaborative is, never a few hours
    early or late because the server runs on UTC. One query per person, kept on the user
    object for the request."""
    if today is not None:
        mine = Q(**{f"{prefix}collaborative_id__in": Member.objects.collaborative_ids_of(user)})
        return mine & in_force_q(today, prefix)
    days = getattr(user, "_casework_days", None)
    if days is None:
        days = {}
        zones = Member.objects.of_user(user).values_list(
            "collaborative_id", "collaborative__time_zone"
        )
        now = timezone.now()
        for collaborative_id, zone in zones:
            day = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
            days.setdefault(day, []).append(collaborative_id)
        user._casework_days = days
    condition = Q(pk__in=[])
    for day, collaborative_ids in days.items():
        condition |= Q(**{f"{prefix}collaborative_id__in": collaborative_ids}) & in_force_q(
            day, prefix
        )
    return condition


def signed_in(user) -> bool:
    """Anonymous visitors and deactivated accounts read nothing person-level (as in the
    sharing mechanism: a deactivated account is nobody)."""
    return user is not None and user.is_authenticated and user.is_active


def reader_org_ids(user) -> QuerySet:
    """The organizations whose person-level records this person reads as staff."""
    return Organization.editor_owner_ids(user)


def reader_sector_ids(user) -> QuerySet:
    return Organization.objects.filter(pk__in=reader_org_ids(user)).values("sector_id")


def is_caseworker(member: Member | None) -> bool:
    """May this membership record and read its organization's participants?"""
    return member is not None and member.works_for(member.organization_id)


def owner_q(user, prefix: str = "") -> Q:
    """Records owned by one of the person's organizations (``organization`` field)."""
    if not signed_in(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}organization_id__in": reader_org_ids(user)})


def self_q(user, prefix: str = "participant__", *, as_organization: bool = False) -> Q:
    """Records about the person themselves, in the collaboratives they are an active
    member of (rule 1: nothing of a collaborative one has left); none when the person acts
    for their organization (an organization's API token, the "shared with us" pages):
    what an organization's system or page sees is the organization's, never what its
    staff member sees of their own record."""
    if not signed_in(user) or as_organization:
        return Q(pk__in=[])
    return Q(
        **{
            f"{prefix}user_id": user.pk,
            f"{prefix}collaborative_id__in": Member.objects.collaborative_ids_of(user),
        }
    )


def recipient_consents(user, *, today: date | None = None, shares: str | None = None) -> QuerySet:
    """Consents in force that name one of the person's organizations or its sector; only
    those that cover Part 2 explicitly when the record is a Part 2 program's; narrowed to
    those that share the kind ``shares`` (a ``Consent.shares_*`` field name) if given."""
    if not signed_in(user):
        return _model("Consent").objects.none()
    # A recipient counts only in the consent's own collaborative (rule 1), even should a
    # row name an organization or sector of another one that the person also works in.
    names_me = Q(
        recipient_organizations__in=reader_org_ids(user),
        recipient_organizations__collaborative_id=F("collaborative_id"),
    ) | Q(
        recipient_sectors__in=reader_sector_ids(user),
        recipient_sectors__collaborative_id=F("collaborative_id"),
    )
    part2_ok = Q(organization__part2_program__isnull=True) | Q(shares_part2=True)
    # in_force_for also keeps to the person's own collaboratives.
    condition = in_force_for(user, today) & names_me & part2_ok
    if shares is not None:
        condition &= Q(**{shares: True})
    return _model("Consent").objects.filter(condition)


def enrolments_visible_q(user, *, today: date | None = None, as_organization: bool = False) -> Q:
    """Enrolments: the owner's, the person's own, and those a consent in force names the
    person's organization for (any kind of record: the recipient learns the record exists
    and sees, on it, only the kinds the consent covers)."""
    if not signed_in(user):
        return Q(pk__in=[])
    granted = recipient_consents(user, today=today).values("enrolment_id")
    return owner_q(user) | self_q(user, as_organization=as_organization) | Q(pk__in=granted)


def service_logs_visible_q(user, *, today: date | None = None, as_organization: bool = False) -> Q:
    """Service logs: the owner's, the person's own, and those on an enrolment whose
    consent in force covers services received in the log's key area."""
    if not signed_in(user):
        return Q(pk__in=[])
    consents = recipient_consents(user, today=today, shares="shares_service_logs")
    granted = (
        _model("ServiceLog")
        .objects.filter(
            enrolment__consents__in=consents.values("pk"),
            enrolment__consents__key_areas=F("key_area"),
        )
        .values("pk")
    )
    return owner_q(user) | self_q(user, as_organization=as_organization) | Q(pk__in=granted)


def referrals_visible_q(user, *, today: date | None = None, as_organization: bool = False) -> Q:
    """Referrals: the sender's (its own record), the person's own, and the receiver's
    while the consent the referral was sent under is in force and covers it: names the
    receiver (or its sector), referrals, and the referral's key area (and Part 2
    records, when the sender is a Part 2 program).

    The receiver's condition reads the referral's own consent through its foreign key,
    and the consent's recipients and key areas by primary-key lookups on that one consent
    (correlated on purpose, one index probe each): the inbox walks its index (receiver, waiting,
    newest first) and checks each row until it has a page. The uncorrelated forms hashed
    every consent in force (``consent_id IN …``, 350 ms at 200,000 consents) or every
    referral the organization ever received (``pk IN …``, 460 ms);
    ``bench/casework_logs.py``."""
    if not signed_in(user):
        return Q(pk__in=[])
    orgs = reader_org_ids(user)
    # The person's organizations and sectors as values (one small query, kept for the
    # request): with constants the planner probes each consent's recipients by index
    # instead of hashing every recipient row of the organization.
    mine = getattr(user, "_casework_orgs", None)
    if mine is None:
        rows = Organization.objects.filter(pk__in=orgs).values_list("pk", "sector_id")
        mine = ([pk for pk, _sector in rows], sorted({sector for _pk, sector in rows}))
        user._casework_orgs = mine
    org_ids, sector_ids = mine
    Consent = _model("Consent")

    def probe(through, **condition) -> Q:
        # A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL turns an EXISTS inside an
        # OR into a hashed subplan over the whole table (every key area of every consent:
        # 50 ms at 200,000 consents), where this is one index probe per referral looked at.
        rows = through.objects.filter(consent_id=OuterRef("consent_id"), **condition)
        return Q(IsNull(Subquery(rows.values("pk")[:1]), False))

    names_receiver = probe(
        Consent.recipient_organizations.through, organization_id__in=org_ids
    ) | probe(Consent.recipient_sectors.through, sector_id__in=sector_ids)
    covers_area = probe(Consent.key_areas.through, keyarea_id=OuterRef("key_area_id"))
    part2_ok = Q(consent__organization__part2_program__isnull=True) | Q(consent__shares_part2=True)
    received = (
        Q(to_organization_id__in=org_ids, consent__shares_referrals=True)
        & in_force_for(user, today, prefix="consent__")
        & part2_ok
        & Q(names_receiver)
        & Q(covers_area)
    )
    return (
        Q(from_organization_id__in=orgs) | self_q(user, as_organization=as_organization) | received
    )


def consents_visible_q(user, *, today: date | None = None, as_organization: bool = False) -> Q:
    """Consents: the organization that took it, the person who gave it, and, while it is
    in force, the recipients it names."""
    if not signed_in(user):
        return Q(pk__in=[])
    granted = recipient_consents(user, today=today).values("pk")
    return owner_q(user) | self_q(user, as_organization=as_organization) | Q(pk__in=granted)


def consent_holders_q(user) -> Q:
    """Consents as their holders keep them: the organization that took it and the person
    who gave it, never its recipients. The scan of the signed form and the printable form
    (which carry the person's name and signature) are theirs alone."""
    if not signed_in(user):
        return Q(pk__in=[])
    return owner_q(user) | self_q(user)


def participants_visible_q(user, *, today: date | None = None, as_organization: bool = False) -> Q:
    """Participants (the code only): those with an enrolment, referral or consent the
    person may see, and the person's own."""
    if not signed_in(user):
        return Q(pk__in=[])
    enrolments = _model("Enrolment").objects.filter(
        enrolments_visible_q(user, today=today, as_organization=as_organization)
    )
    referrals = _model("Referral").objects.filter(
        referrals_visible_q(user, today=today, as_organization=as_organization)
    )
    consents = recipient_consents(user, today=today)
    return (
        self_q(user, prefix="", as_organization=as_organization)
        | Q(pk__in=enrolments.values("participant_id"))
        | Q(pk__in=referrals.values("participant_id"))
        | Q(pk__in=consents.values("participant_id"))
    )


@dataclass
class Grant:
    """What a person may see of one enrolment, and why (for the audit log)."""

    owner: bool = False
    self: bool = False
    kinds: set[str] = field(default_factory=set)
    key_area_ids: set[int] = field(default_factory=set)
    consent_ids: list[str] = field(default_factory=list)
    # For each kind, the key areas of the consents that share that kind: a kind is shown
    # in a key area only when one and the same consent covers both (two consents, one
    # sharing services received in Housing and one sharing needs in Employment, never
    # show services received in Employment). ``kinds`` and ``key_area_ids`` are the
    # unions, for saying in words what is shared.
    key_area_ids_by_kind: dict[str, set[int]] = field(default_factory=dict)

    def add(self, consent) -> None:
        """Add what one consent in force shares (its key areas prefetched)."""
        areas = {area.pk for area in consent.key_areas.all()}
        for kind in consent.kinds():
            self.kinds.add(kind)
            self.key_area_ids_by_kind.setdefault(kind, set()).update(areas)
        self.key_area_ids.update(areas)
        self.consent_ids.append(str(consent.public_id))

    def shows(self, kind: str, key_area_id: int | None = None) -> bool:
        if self.owner or self.self:
            return True
        if kind not in self.kinds:
            return False
        return key_area_id is None or key_area_id in self.key_area_ids_by_kind.get(kind, ())

    @property
    def why(self) -> str:
        if self.owner:
            return "owner"
        if self.self:
            return "self"
        return "consent"


def grants_for(user, participant, *, today: date | None = None) -> dict[int, Grant]:
    """For each enrolment of ``participant`` the person may see: a ``Grant``. Four
    queries (the person's memberships, the participant's enrolments, the consents in
    force naming the person's organizations, their key areas), whatever the number of
    enrolments and consents."""
    grants: dict[int, Grant] = {}
    if not signed_in(user):
        return grants
    # One query for both: the person's collaboratives (rule 1) and the organizations
    # they read as staff (Organization.editor_owner_ids: active admins and staff).
    places = list(
        Member.objects.of_user(user).values_list("collaborative_id", "organization_id", "role")
    )
    own_orgs = {org for _c, org, role in places if org is not None and role in Member.EDITOR_ROLES}
    is_self = (
        participant.user_id is not None
        and participant.user_id == user.pk
        and participant.collaborative_id in {c for c, _o, _r in places}
    )
    for enrolment_id, organization_id in participant.enrolments.values_list(
        "pk", "organization_id"
    ):
        if organization_id in own_orgs or is_self:
            grants[enrolment_id] = Grant(owner=organization_id in own_orgs, self=is_self)
    consents = (
        recipient_consents(user, today=today)
        .filter(participant=participant, enrolment__isnull=False)
        .distinct()
        .prefetch_related("key_areas")
    )
    for consent in consents:
        grants.setdefault(consent.enrolment_id, Grant()).add(consent)
    return grants


def caseworker_collaborative_ids(user) -> QuerySet:
    """The collaboratives where the person keeps casework (admin or staff of an
    organization there)."""
    return (
        Member.objects.of_user(user)
        .filter(role__in=Member.EDITOR_ROLES, organization__isnull=False)
        .values("collaborative_id")
    )


def findable_consents(user, *, today: date | None = None) -> QuerySet:
    """Consents in force in which the person agreed to be found (``findable``). They are
    collaborative-wide: any caseworker of the same collaborative may find the person, by
    code or by name and date of birth, and learns only the code (never the record: what
    the record shows is still decided by ``grants_for``)."""
    if not user.is_authenticated:
        return _model("Consent").objects.none()
    condition = (
        in_force_for(user, today)
        & Q(findable=True, enrolment__isnull=False)
        & Q(collaborative_id__in=caseworker_collaborative_ids(user))
    )
    return _model("Consent").objects.filter(condition)


def findable_participants(user, *, today: date | None = None) -> QuerySet:
    """Participants a caseworker may find and enrol without starting a second record:
    those with a findable consent in force in one of the person's collaboratives."""
    consents = findable_consents(user, today=today).values("participant_id")
    return _model("Participant").objects.filter(pk__in=consents, merged_into__isnull=True)


def reads_person_level_records(user) -> bool:
    """Does this person read person-level records as staff anywhere (an active admin or
    staff member of an organization)? Named in ``settings.MFA_REQUIRED_FOR``: caseworkers
    sign in with a second factor; and the admin shows identity fields only to them (and
    to superusers), and only of their own organizations' records."""
    if not user.is_authenticated:
        return False
    return reader_org_ids(user).filter(organization_id__isnull=False).exists()


# --- Referrals --------------------------------------------------------------------------------


def consents_covering_referral(enrolment, receiver_org, key_area, today: date) -> QuerySet:
    """The consents that let ``receiver_org`` see a referral of the person on the sender's
    ``enrolment`` in ``key_area``: in force on ``today``, given on that enrolment, naming
    the receiver or its sector, the key area, and referrals; and, when the sender is a
    Part 2 program, naming Part 2 records explicitly."""
    consents = (
        _model("Consent")
        .objects.filter(
            in_force_q(today),
            enrolment=enrolment,
            shares_referrals=True,
            key_areas=key_area,
        )
        .filter(
            Q(recipient_organizations=receiver_org) | Q(recipient_sectors=receiver_org.sector_id)
        )
    )
    if _model("Part2Program").objects.filter(organization_id=enrolment.organization_id).exists():
        consents = consents.filter(shares_part2=True)
    return consents.distinct()


def consent_covering_referral(enrolment, receiver_org, key_area, today: date):
    """The covering consent (``consents_covering_referral``) that lasts longest, or None."""
    return (
        consents_covering_referral(enrolment, receiver_org, key_area, today)
        .order_by("-ends_on", "-id")
        .first()
    )


def is_referral_receiver(member: Member | None, referral) -> bool:
    """The receiving organization's admins and staff answer a referral."""
    return member is not None and member.works_for(referral.to_organization_id)


def is_referral_sender(member: Member | None, referral) -> bool:
    """The sending organization's admins and staff, or, for a self-referral, the person."""
    if member is None:
        return False
    if referral.is_self_referral:
        return referral.participant.user_id is not None and (
            referral.participant.user_id == member.user_id
        )
    return member.works_for(referral.from_organization_id)
