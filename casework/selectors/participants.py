"""Reads for the participants pages, already scoped to the person (rule 7 is decided in
``casework.access``; these only narrow and shape what it lets through)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery

from casework import access
from casework.models import (
    Consent,
    Enrolment,
    Identity,
    Participant,
    Referral,
    ServiceLog,
)
from reentry import rowsecurity
from stakeholders.models import KeyArea, Organization


def our_enrolments(user, collaborative, *, search: str = "", status: str = "") -> QuerySet:
    """Our organization's own records in this collaborative, with the last service date,
    searchable by code or by name (our own identities only: the search never reaches
    another organization's record)."""
    last_service = (
        ServiceLog.objects.filter(enrolment=OuterRef("pk"))
        .order_by("-delivered_on")
        .values("delivered_on")[:1]
    )
    rows = (
        Enrolment.objects.owned_by(user)
        .filter(collaborative=collaborative, participant__merged_into__isnull=True)
        .select_related("participant", "identity")
        .annotate(last_service_on=Subquery(last_service))
    )
    if status in Enrolment.Status.values:
        rows = rows.filter(status=status)
    search = " ".join(search.split())
    if search:
        rows = rows.filter(
            Q(participant__code__icontains=search.upper())
            | Q(identity__search_name__contains=search.casefold())
        )
    return rows.order_by("-enrolled_on", "-pk")


def shared_with_us(user, collaborative, *, today: date) -> QuerySet:
    """Other organizations' records a consent in force shares with ours."""
    return (
        Enrolment.objects.visible_to(user, today=today)
        .filter(collaborative=collaborative, participant__merged_into__isnull=True)
        .exclude(access.owner_q(user))
        .select_related("participant", "organization")
        .order_by("participant__code", "pk")
    )


def identity_shared(user, enrolment_ids, *, today: date) -> dict[int, Identity]:
    """The identities of these enrolments that a consent in force shares with the person
    (one query for a page of rows)."""
    granted = access.recipient_consents(user, today=today, shares="shares_identity").filter(
        enrolment_id__in=enrolment_ids
    )
    return {
        identity.enrolment_id: identity
        for identity in Identity.objects.filter(enrolment_id__in=granted.values("enrolment_id"))
    }


def find_participants(
    user,
    collaborative,
    *,
    today: date,
    code: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
) -> list[Participant]:
    """Participants a caseworker may find: by code (exact), or by first and last name and
    date of birth (exact, any case), among those whose findable consent is in force, and
    among the name and birth date recorded on the very enrolment that consent is about.
    Only the code comes back."""
    findable = access.findable_participants(user, today=today).filter(collaborative=collaborative)
    if code:
        return list(findable.filter(code=code.strip().upper()))
    if not (given_name.strip() and family_name.strip() and date_of_birth):
        return []
    consents = access.findable_consents(user, today=today).filter(collaborative=collaborative)
    matches = Identity.objects.filter(
        enrolment_id__in=consents.values("enrolment_id"),
        given_name__iexact=given_name.strip(),
        family_name__iexact=family_name.strip(),
        date_of_birth=date_of_birth,
    ).values("enrolment__participant_id")
    # Matched against other organizations' identities (row-level security hides them
    # from the caseworker), under the findable consents above; only codes come back.
    with rowsecurity.system():
        return list(findable.filter(pk__in=matches).order_by("code"))


def our_participant(user, collaborative, code: str) -> Enrolment | None:
    """Our own record of the participant with this code, if we serve them."""
    return (
        Enrolment.objects.owned_by(user)
        .filter(collaborative=collaborative, participant__code=code.strip().upper())
        .select_related("participant")
        .first()
    )


def enrollable(user, collaborative, public_id, *, today: date) -> Participant | None:
    """A participant the person's organization may enrol: one it may see or find."""
    visible = Participant.objects.visible_to(user, today=today).values("pk")
    findable = access.findable_participants(user, today=today).values("pk")
    return (
        Participant.objects.filter(
            collaborative=collaborative, public_id=public_id, merged_into__isnull=True
        )
        .filter(Q(pk__in=visible) | Q(pk__in=findable))
        .first()
    )


@dataclass
class Section:
    """One enrolment as the viewer may see it: only what its grant shows."""

    enrolment: Enrolment
    grant: access.Grant
    consents_why: list[Consent] = field(default_factory=list)
    identity: Identity | None = None
    needs: list[KeyArea] = field(default_factory=list)
    logs: list[ServiceLog] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    own_consents: list[Consent] = field(default_factory=list)
    shows_enrolment: bool = False
    shows_needs: bool = False
    shows_logs: bool = False
    shows_referrals: bool = False
    part2: bool = False

    @property
    def organization(self) -> Organization:
        return self.enrolment.organization


LOGS_SHOWN = 50


def participant_sections(
    user, participant: Participant, grants: dict[int, access.Grant], *, today: date
) -> list[Section]:
    """What the person may see of each enrolment of ``participant``: a fixed number of
    queries, whatever the number of enrolments, logs and referrals."""
    enrolments = (
        Enrolment.objects.visible_to(user, today=today)
        .filter(participant=participant, pk__in=list(grants))
        .select_related("organization", "organization__part2_program")
        .prefetch_related("needs")
        .order_by("enrolled_on", "pk")
    )
    sections = [Section(enrolment=e, grant=grants[e.pk]) for e in enrolments]
    by_id = {s.enrolment.pk: s for s in sections}
    if not sections:
        return sections
    consent_ids = {c for s in sections for c in s.grant.consent_ids}
    why = {
        str(c.public_id): c
        for c in Consent.objects.visible_to(user, today=today).filter(public_id__in=consent_ids)
    }
    identity_ids = [pk for pk, s in by_id.items() if s.grant.shows("identity")]
    identities = {i.enrolment_id: i for i in Identity.objects.filter(enrolment_id__in=identity_ids)}
    logs = (
        ServiceLog.objects.visible_to(user, today=today)
        .filter(participant=participant, enrolment_id__in=list(by_id))
        .select_related("key_area", "service")
        .order_by("-delivered_on", "-pk")
    )
    referrals = (
        Referral.objects.visible_to(user, today=today)
        .filter(participant=participant)
        .filter(Q(from_enrolment_id__in=list(by_id)) | Q(to_enrolment_id__in=list(by_id)))
        .select_related("from_organization", "to_organization", "key_area")
    )
    owned = [pk for pk, s in by_id.items() if s.grant.owner]
    own_consents = (
        Consent.objects.visible_to(user, today=today)
        .filter(enrolment_id__in=owned)
        .prefetch_related("recipient_organizations", "recipient_sectors", "key_areas")
    )
    for section in sections:
        grant, enrolment = section.grant, section.enrolment
        section.consents_why = [why[c] for c in grant.consent_ids if c in why]
        section.identity = identities.get(enrolment.pk)
        section.shows_enrolment = grant.shows("enrolment")
        section.shows_needs = "needs" in grant.kinds or grant.owner or grant.self
        section.needs = [a for a in enrolment.needs.all() if grant.shows("needs", a.pk)]
        section.shows_logs = grant.owner or grant.self or "service_logs" in grant.kinds
        section.shows_referrals = grant.owner or grant.self or "referrals" in grant.kinds
        section.part2 = (
            not grant.owner and not grant.self and hasattr(enrolment.organization, "part2_program")
        )
    for log in logs[: LOGS_SHOWN * len(sections)]:
        section = by_id[log.enrolment_id]
        if section.grant.shows("service_logs", log.key_area_id) and len(section.logs) < LOGS_SHOWN:
            section.logs.append(log)
    for referral in referrals:
        for enrolment_id in (referral.from_enrolment_id, referral.to_enrolment_id):
            shown = by_id.get(enrolment_id) if enrolment_id is not None else None
            if shown is not None and shown.grant.shows("referrals", referral.key_area_id):
                shown.referrals.append(referral)
                break
    for consent in own_consents:
        consent.kind_labels = [str(Consent.Kind(kind).label) for kind in consent.kinds()]
        if consent.enrolment_id is not None:
            by_id[consent.enrolment_id].own_consents.append(consent)
    return sections
