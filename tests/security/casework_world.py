"""A small casework world, and DESIGN.md rule 7 written once in plain Python as the
oracle that ``casework.access`` (the ``visible_to`` methods and ``grants_for``) is
checked against.

Rule 7, as the oracle reads it:

- A participant's records belong to the organization that enrolled them (the owner);
  the owner's active admins and staff read them. Backbone staff, observers and
  community members read nothing person-level as such.
- Another organization reads a record only under a consent on that record that is in
  force on the day (started, not ended, not revoked) and names it or its sector, and
  only the kinds of record the consent covers, and for the kinds that belong to a key
  area (needs, services received, referrals) only in the key areas that same consent
  names.
- A Part 2 program's records (and the consents that disclose them) are never shown
  beyond the program without a consent that names Part 2 records explicitly.
- The person reads everything held about them (their account is linked to the
  participant).
- Nobody reads anything of a collaborative they are not an active member of, with an
  active account (rule 1), whatever a row says.

The oracle reads the world's facts (memberships, rows and their links, read once with
``values_list``) and never the mechanism (no ``visible_to``, no ``casework.access``), so
it cannot agree with a bug by construction.
"""

from dataclasses import dataclass, field
from datetime import date

from casework.models import Consent, Enrolment, Part2Program, Participant, Referral, ServiceLog
from stakeholders.models import Collaborative, Member, Organization, User

R = Member.Role
CASEWORKER_ROLES = (R.ORG_ADMIN, R.PROVIDER_STAFF)
KINDS = ("identity", "enrolment", "needs", "service_logs", "referrals")
# The kinds of record that belong to a key area: a consent shows them only in its areas.
AREA_KINDS = ("needs", "service_logs", "referrals")


@dataclass(frozen=True)
class ConsentFacts:
    collaborative: int
    participant: int
    enrolment: int | None
    organization: int | None
    public_id: str
    orgs: frozenset[int]
    sectors: frozenset[int]
    key_areas: frozenset[int]
    kinds: frozenset[str]
    part2: bool
    starts_on: date
    ends_on: date
    revoked: bool


@dataclass
class Facts:
    """Everything the oracle knows, read once per world."""

    users: dict  # user pk -> is_active
    memberships: dict  # user pk -> [(collaborative, organization | None, role)], active only
    orgs: dict  # organization pk -> (collaborative, sector)
    part2: set  # organization pks that are Part 2 programs
    days: dict  # collaborative pk -> its own today
    participants: dict  # pk -> (collaborative, user pk | None)
    enrolments: dict  # pk -> (participant, organization)
    consents: dict  # pk -> ConsentFacts
    logs: dict  # pk -> (enrolment, participant, organization, key area)
    referrals: dict  # pk -> (participant, from organization | None, to organization, area, consent)
    consents_of: dict = field(default_factory=dict)  # enrolment pk -> [consent pk]


def read_facts() -> Facts:
    memberships: dict = {}
    for user, collab, org, role in Member.objects.filter(is_active=True).values_list(
        "user_id", "collaborative_id", "organization_id", "role"
    ):
        memberships.setdefault(user, []).append((collab, org, role))
    through = Consent.recipient_organizations.through.objects
    orgs_of: dict = {}
    for consent, org in through.values_list("consent_id", "organization_id"):
        orgs_of.setdefault(consent, set()).add(org)
    sectors_of: dict = {}
    for consent, sector in Consent.recipient_sectors.through.objects.values_list(
        "consent_id", "sector_id"
    ):
        sectors_of.setdefault(consent, set()).add(sector)
    areas_of: dict = {}
    for consent, area in Consent.key_areas.through.objects.values_list("consent_id", "keyarea_id"):
        areas_of.setdefault(consent, set()).add(area)
    consents = {}
    for c in Consent.objects.all():
        consents[c.pk] = ConsentFacts(
            collaborative=c.collaborative_id,
            participant=c.participant_id,
            enrolment=c.enrolment_id,
            organization=c.organization_id,
            public_id=str(c.public_id),
            orgs=frozenset(orgs_of.get(c.pk, ())),
            sectors=frozenset(sectors_of.get(c.pk, ())),
            key_areas=frozenset(areas_of.get(c.pk, ())),
            kinds=frozenset(k for k in KINDS if getattr(c, f"shares_{k}")),
            part2=c.shares_part2,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            revoked=c.revoked_at is not None,
        )
    facts = Facts(
        users=dict(User.objects.values_list("pk", "is_active")),
        memberships=memberships,
        orgs={
            pk: (collab, sector)
            for pk, collab, sector in Organization.objects.values_list(
                "pk", "collaborative_id", "sector_id"
            )
        },
        part2=set(Part2Program.objects.values_list("organization_id", flat=True)),
        days={c.pk: c.today() for c in Collaborative.objects.all()},
        participants={
            pk: (collab, user)
            for pk, collab, user in Participant.objects.values_list(
                "pk", "collaborative_id", "user_id"
            )
        },
        enrolments={
            pk: (participant, org)
            for pk, participant, org in Enrolment.objects.values_list(
                "pk", "participant_id", "organization_id"
            )
        },
        consents=consents,
        logs={
            pk: rest
            for pk, *rest in ServiceLog.objects.values_list(
                "pk", "enrolment_id", "participant_id", "organization_id", "key_area_id"
            )
        },
        referrals={
            pk: rest
            for pk, *rest in Referral.objects.values_list(
                "pk",
                "participant_id",
                "from_organization_id",
                "to_organization_id",
                "key_area_id",
                "consent_id",
            )
        },
    )
    for pk, known in consents.items():
        if known.enrolment is not None:
            facts.consents_of.setdefault(known.enrolment, []).append(pk)
    return facts


class Oracle:
    """Rule 7 for one person on one day (``today=None``: each collaborative's own day)."""

    def __init__(self, user, facts: Facts, today: date | None):
        self.f = facts
        self.today = today
        signed_in = user is not None and user.is_authenticated and facts.users.get(user.pk, False)
        self.user_pk = user.pk if signed_in else None
        mine = facts.memberships.get(user.pk, []) if signed_in else []
        # Rule 1: the collaboratives the person is an active member of.
        self.collabs = {collab for collab, _org, _role in mine}
        # Readers of person-level records: an active admin or staff member of an org.
        self.orgs = {org for _c, org, role in mine if org is not None and role in CASEWORKER_ROLES}
        self.sectors = {facts.orgs[org][1] for org in self.orgs}

    def day(self, collaborative: int) -> date:
        return self.today if self.today is not None else self.f.days[collaborative]

    def owns(self, org: int | None) -> bool:
        return org is not None and org in self.orgs

    def is_self(self, participant: int) -> bool:
        collab, user = self.f.participants[participant]
        return user is not None and user == self.user_pk and collab in self.collabs

    def in_force(self, c: ConsentFacts) -> bool:
        return not c.revoked and c.starts_on <= self.day(c.collaborative) <= c.ends_on

    def names_me(self, c: ConsentFacts) -> bool:
        # Only organizations of the consent's own collaborative are ever named (rule 1).
        here = {org for org in self.orgs if self.f.orgs[org][0] == c.collaborative}
        sectors = {self.f.orgs[org][1] for org in here}
        return bool(c.orgs & here or c.sectors & sectors)

    def covers_me(self, consent: int) -> bool:
        """The consent is in force and names me, and names Part 2 records explicitly when
        the record it discloses is a Part 2 program's."""
        c = self.f.consents[consent]
        if not (self.in_force(c) and self.names_me(c)):
            return False
        return c.part2 or c.organization not in self.f.part2

    def covering(self, enrolment: int) -> list[int]:
        return [pk for pk in self.f.consents_of.get(enrolment, []) if self.covers_me(pk)]

    # --- what the person sees ---------------------------------------------------------

    def enrolment(self, pk: int) -> bool:
        participant, org = self.f.enrolments[pk]
        return self.owns(org) or self.is_self(participant) or bool(self.covering(pk))

    def service_log(self, pk: int) -> bool:
        enrolment, participant, org, area = self.f.logs[pk]
        if self.owns(org) or self.is_self(participant):
            return True
        return any(
            "service_logs" in self.f.consents[c].kinds and area in self.f.consents[c].key_areas
            for c in self.covering(enrolment)
        )

    def consent(self, pk: int) -> bool:
        c = self.f.consents[pk]
        return self.owns(c.organization) or self.is_self(c.participant) or self.covers_me(pk)

    def referral(self, pk: int) -> bool:
        participant, from_org, to_org, area, consent = self.f.referrals[pk]
        if self.owns(from_org) or self.is_self(participant):
            return True
        if not self.owns(to_org) or not self.covers_me(consent):
            return False
        c = self.f.consents[consent]
        # The receiver, under a consent that names it, referrals and the referral's area.
        here = {to_org} if to_org in c.orgs else set()
        in_sector = self.f.orgs[to_org][1] in c.sectors
        return bool(here or in_sector) and "referrals" in c.kinds and area in c.key_areas

    def participant(self, pk: int) -> bool:
        f = self.f
        return (
            self.is_self(pk)
            or any(self.enrolment(e) for e, (p, _o) in f.enrolments.items() if p == pk)
            or any(self.consent(c) for c, cf in f.consents.items() if cf.participant == pk)
            or any(self.referral(r) for r, (p, *_rest) in f.referrals.items() if p == pk)
        )

    def grant(self, enrolment: int) -> dict | None:
        """What ``grants_for`` must say of one enrolment: None when it is not shown."""
        if not self.enrolment(enrolment):
            return None
        participant, org = self.f.enrolments[enrolment]
        covering = [self.f.consents[c] for c in self.covering(enrolment)]
        return {
            "owner": self.owns(org),
            "self": self.is_self(participant),
            "consents": {c.public_id for c in covering},
            "kinds": set().union(*(c.kinds for c in covering)),
            "key_areas": set().union(*(c.key_areas for c in covering)),
            "covering": covering,
        }

    @staticmethod
    def shows(grant: dict, kind: str, area: int | None) -> bool:
        """A kind (in a key area, for the kinds that have one) is shown when one and the
        same consent covers both: two consents never add up to more than either gives."""
        if grant["owner"] or grant["self"]:
            return True
        return any(
            kind in c.kinds and (area is None or area in c.key_areas) for c in grant["covering"]
        )
