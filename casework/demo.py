"""Demo casework for seed_demo: 60 participants of Cedar River, known by code, served by
fourteen of its provider organizations (a third of them at two or three); Cedar River
Treatment Alliance is a 42 CFR Part 2 program. Each organization keeps its own record
(enrolment, needs, the person's name as it took it down) and a year of services logged
in its own key areas. Consents of every kind: in force, expired, revoked, not yet
started, verbal with a witness, on paper, on screen, findable, to organizations and to
sectors, and Part 2 consents with the §2.31 elements. Referrals at every step (sent,
more information asked, accepted, declined with a reason, delivered with the service
logged, closed, withdrawn, and one self-referral), each with its steps.

The community member with lived experience (community@) is a participant too, served by
Second Step Housing (housing@), Fair Chance Works (staff@, orgadmin@) and New Leaf: their
"my record" page has three records, consents in every state (one they revoked
themselves), a referral that went all the way, and staff who looked at it.

Idempotent: nothing is added when the collaborative already has participants.
Deterministic: one seeded random generator (names from fixed lists, not Faker, which is
a development dependency and absent from the production image). Fast: rows are written
with ``bulk_create``; only the community member's revocation and the reads of their
record go through the services, for their audit log."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction

from casework import access
from casework.models import (
    Consent,
    Enrolment,
    Identity,
    Part2Program,
    Participant,
    Referral,
    ReferralEvent,
    ServiceLog,
)
from casework.models.people import CODE_ALPHABET
from casework.services import consents as consent_services
from casework.services import participants as participant_services
from stakeholders.models import Collaborative, KeyArea, Member, Organization, Sector, Service

PARTICIPANTS = 60
PART2_SLUG = "cedar-river-treatment-alliance"
PART2_NAME = "Cedar River Treatment Alliance Outpatient and Residential Program"
# The organizations that keep casework, and how many of the participants each tends to see.
PROVIDERS = {
    "second-step-housing": 9,
    "fair-chance-works": 9,
    "cedar-river-community-corrections": 7,
    "cedar-river-county-jail-reentry-unit": 5,
    "harbor-house-recovery-residences": 4,
    "cedar-river-workforce-center": 4,
    "riverbend-community-health-center": 4,
    "cedar-river-treatment-alliance": 4,
    "new-leaf-recovery-community": 3,
    "northside-behavioral-health": 3,
    "cedar-river-housing-authority": 3,
    "families-reunited": 2,
    "legal-aid-of-cedar-river": 2,
    "cedar-river-drug-treatment-court": 2,
}
# The community member's own record: where they are served.
OWN_ORGS = ["second-step-housing", "fair-chance-works", "new-leaf-recovery-community"]

GIVEN_NAMES = [
    "Antoine", "Bianca", "Cedric", "Dana", "Elijah", "Fernanda", "Gabe", "Harold", "Ines",
    "Jermaine", "Kendra", "Lonnie", "Marisol", "Nathan", "Odessa", "Percy", "Quentin",
    "Rhonda", "Santiago", "Tonya", "Ulysses", "Vanessa", "Wendell", "Ximena", "Yusuf",
    "Zora", "Reginald", "Lakisha", "Dominic", "Graciela", "Mel", "Shawna",
]  # fmt: skip
FAMILY_NAMES = [
    "Abernathy", "Boone", "Castellano", "Dawson", "Ellison", "Fuentes", "Gaines", "Holloway",
    "Ibarra", "Jefferson", "Kowalski", "Lindqvist", "McBride", "Navarro", "Oyelaran",
    "Pruitt", "Quintero", "Rollins", "Salazar", "Thibodeaux", "Underwood", "Valdez",
    "Whitfield", "Yazzie", "Zamora", "Beckett", "Crenshaw", "Delacroix",
]  # fmt: skip
STREETS = ["Elm Street", "3rd Avenue SE", "Oak Hill Road", "Mount Vernon Road", "B Avenue NE"]
FACILITIES = [
    "Anamosa State Penitentiary",
    "Iowa Medical and Classification Center",
    "Cedar River County Jail",
    "Newton Correctional Facility",
    "Mount Pleasant Correctional Facility",
]
# Short notes a caseworker types, by key area.
NOTES = {
    "housing": ["Apartment search", "Lease signed", "Deposit help applied for", "Landlord call"],
    "employment": ["Résumé done", "Mock interview", "Job fair", "Started at the warehouse"],
    "rehabilitation-and-recovery": ["Group session", "Check-in with counselor", "Peer meeting"],
    "mental-health": ["Counseling session", "Medication review", "Crisis plan updated"],
    "healthcare": ["Medicaid application", "Clinic visit", "Dental referral"],
    "pre-release-preparation": ["ID application", "Release plan", "Birth certificate ordered"],
    "family-support": ["Parenting class", "Supervised visit", "Child support hearing prep"],
    "transportation": ["Bus pass", "Ride to appointment"],
    "mentorship-and-self-actualization": ["Tutoring", "Peer coaching"],
    "prevention": ["Community meeting"],
}
PURPOSES = {
    "housing": "To find a place to live after release",
    "employment": "To find work and keep it",
    "rehabilitation-and-recovery": "To coordinate recovery support",
    "mental-health": "To coordinate mental health care",
    "healthcare": "To get health care and Medicaid in place",
    "pre-release-preparation": "To plan for release",
    "family-support": "To reconnect with family",
    "transportation": "To get to work and appointments",
}
DECLINE_REASONS = [
    "No openings until next month; we added them to the waiting list.",
    "Our program is for people under supervision only.",
    "They live outside the area we serve.",
]
WITNESSES = ["Teresa Gomez, case aide", "Paul Whitaker, front desk", "Imani Scott, peer mentor"]


@dataclass
class _Plan:
    """Rows built in memory, then written with a few ``bulk_create`` calls."""

    enrolments: list = field(default_factory=list)
    needs: list = field(default_factory=list)  # (enrolment, key area pk)
    identities: list = field(default_factory=list)
    logs: list = field(default_factory=list)
    consents: list = field(default_factory=list)  # (Consent, orgs, sectors, key area pks)
    # (Referral, Consent, [(status, note, by organization, by user, days after sent)], sent on)
    referrals: list = field(default_factory=list)


def _at(collab: Collaborative, day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=collab.zone)


@transaction.atomic
def seed_casework(collab: Collaborative) -> int:
    """Returns how many participants were added (0 when the demo already has some, or
    when the collaborative lacks the demo's provider organizations)."""
    if Participant.objects.filter(collaborative=collab).exists():
        return 0
    orgs = {
        o.slug: o
        for o in Organization.objects.filter(collaborative=collab, slug__in=PROVIDERS).order_by(
            "pk"
        )
    }
    workers: dict[int, Member] = {}
    for m in (
        Member.objects.filter(
            collaborative=collab,
            organization__in=orgs.values(),
            role__in=Member.EDITOR_ROLES,
            is_active=True,
        )
        .select_related("user", "organization")
        .order_by("role", "pk")
    ):
        # Each organization's caseworker in the demo: a staff member, else its admin.
        if m.organization_id is None:
            continue
        if m.organization_id not in workers or m.role == Member.Role.PROVIDER_STAFF:
            workers[m.organization_id] = m
    orgs = {slug: o for slug, o in orgs.items() if o.pk in workers}
    if len(orgs) < 2:
        return 0
    rng = random.Random(f"{collab.slug}-casework")  # noqa: S311 - demo data, not security
    today = collab.today()
    backbone = (
        Member.objects.filter(collaborative=collab, role=Member.Role.BACKBONE, is_active=True)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    if PART2_SLUG in orgs:
        Part2Program.objects.get_or_create(
            organization=orgs[PART2_SLUG],
            defaults={
                "program_name": PART2_NAME,
                "designated_by": backbone.user if backbone else None,
            },
        )
    demo = _Demo(collab, rng, today, orgs, workers)
    demo.plan()
    demo.write()
    demo.own_record_history()
    return len(demo.participants)


class _Demo:
    def __init__(self, collab, rng, today, orgs, workers):
        self.collab = collab
        self.rng = rng
        self.today = today
        self.orgs = orgs
        self.workers = workers
        self.sectors = {s.pk: s for s in Sector.objects.filter(collaborative=collab)}
        self.services: dict[int, list[tuple[Service, list[int]]]] = {}
        for service in Service.objects.filter(organization__in=orgs.values()).prefetch_related(
            "key_areas"
        ):
            areas = sorted(a.pk for a in service.key_areas.all())
            self.services.setdefault(service.organization_id, []).append((service, areas))
        self.org_areas = {
            o.pk: sorted(o.key_areas.values_list("pk", flat=True)) for o in orgs.values()
        }
        self.area_slugs = dict(
            KeyArea.objects.filter(collaborative=collab).values_list("pk", "slug")
        )
        self.participants: list[Participant] = []
        self.own: Participant | None = None
        self.own_revocable: Consent | None = None  # revoked by the person, after writing
        self.plan_rows = _Plan()
        self.enrolment_of: dict[tuple[int, int], Enrolment] = {}  # (participant #, org pk)
        self.names: dict[int, tuple[str, str]] = {}  # participant # -> name

    # --- planning ----------------------------------------------------------------------

    def code(self, taken: set[str]) -> str:
        while True:
            body = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(8))
            code = f"P-{body[:4]}-{body[4:]}"
            if code not in taken:
                taken.add(code)
                return code

    def plan(self) -> None:
        rng = self.rng
        # community@ (their "my record" page), and community1@ (who refers themselves).
        accounts = {
            m.user.email.partition("@")[0]: m
            for m in Member.objects.filter(
                collaborative=self.collab,
                role=Member.Role.COMMUNITY,
                is_active=True,
                user__email__regex=r"^community1?@",
            ).select_related("user")
        }
        taken: set[str] = set()
        slugs = list(self.orgs)
        weights = [PROVIDERS[s] for s in slugs]
        for n in range(PARTICIPANTS):
            participant = Participant(collaborative=self.collab, code=self.code(taken))
            account = accounts.get(["community", "community1"][n] if n < 2 else "")
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            if account is not None:
                participant.user = account.user
                given, _sep, family = account.user.name.partition(" ")
            if n == 0 and account is not None:
                self.own = participant
                places = [s for s in OWN_ORGS if s in self.orgs] or slugs[:2]
            else:
                places = [rng.choices(slugs, weights)[0]]
                for chance in (0.35, 0.1):
                    if rng.random() < chance:
                        places.append(rng.choice([s for s in slugs if s not in places]))
            self.participants.append(participant)
            self.names[n] = (given, family)
            born = date(rng.randint(1962, 2003), rng.randint(1, 12), rng.randint(1, 28))
            released = self.today - timedelta(days=rng.randint(20, 420))
            language = "es" if rng.random() < 0.15 else "en"
            phone = f"(319) 555-{rng.randint(1000, 9999)}"
            for slug in places:
                self.enrol(n, participant, self.orgs[slug], released, language, born, phone)
        for n, participant in enumerate(self.participants):
            self.plan_consents(n, participant)
        self.plan_referrals()
        for enrolment in self.plan_rows.enrolments:
            self.plan_logs(enrolment)

    def enrol(self, n, participant, org, released, language, born, phone) -> Enrolment:
        rng = self.rng
        pre_release = org.slug.endswith("jail-reentry-unit") and rng.random() < 0.5
        enrolled = released - timedelta(days=rng.randint(10, 40)) if pre_release else None
        enrolled = enrolled or released + timedelta(days=rng.randint(0, 60))
        enrolled = min(enrolled, self.today)
        closed = None
        if rng.random() < 0.15 and (self.today - enrolled).days > 90:
            closed = enrolled + timedelta(days=rng.randint(60, (self.today - enrolled).days))
        enrolment = Enrolment(
            collaborative=self.collab,
            participant=participant,
            organization=org,
            status=Enrolment.Status.CLOSED if closed else Enrolment.Status.ACTIVE,
            enrolled_on=enrolled,
            closed_on=closed,
            release_date=released,
            facility=rng.choice(FACILITIES),
            supervision=rng.choice(["parole", "probation", "none", "parole", ""]),
            preferred_language=language,
            created_by=self.workers[org.pk].user,
        )
        self.plan_rows.enrolments.append(enrolment)
        self.enrolment_of[(n, org.pk)] = enrolment
        areas = set(self.org_areas[org.pk][:1])
        areas |= set(rng.sample(sorted(self.area_slugs), k=2))
        self.plan_rows.needs += [(enrolment, a) for a in sorted(areas)]
        given, family = self.names[n]
        self.plan_rows.identities.append(
            Identity(
                enrolment=enrolment,
                given_name=given,
                family_name=family,
                date_of_birth=born,
                phone=phone,
                address=f"{rng.randint(100, 2999)} {rng.choice(STREETS)}, Riverton, IA",
                search_name=f"{given} {family}".strip().casefold(),
            )
        )
        return enrolment

    def consent(
        self,
        enrolment: Enrolment | None,
        participant: Participant,
        *,
        state: str,
        kinds: set[str],
        areas: list[int],
        orgs=(),
        sectors=(),
        part2: bool = False,
        findable: bool = False,
        method: str = "",
        name: str = "",
        self_referral: bool = False,
        starts_by: date | None = None,
    ) -> Consent:
        rng = self.rng
        starts, ends = self.dates(state)
        if starts_by is not None:
            starts = min(starts, starts_by)
        method = method or rng.choice(["paper", "on_screen", "verbal", "paper"])
        if part2 and method == "verbal":
            method = "paper"
        area_slug = self.area_slugs[areas[0]] if areas else "housing"
        worker = self.workers[enrolment.organization_id] if enrolment else None
        consent = Consent(
            collaborative=self.collab,
            participant=participant,
            enrolment=enrolment,
            organization=enrolment.organization if enrolment else None,
            findable=findable,
            shares_identity="identity" in kinds,
            shares_enrolment="enrolment" in kinds,
            shares_needs="needs" in kinds,
            shares_service_logs="service_logs" in kinds,
            shares_referrals="referrals" in kinds,
            shares_part2=part2,
            purpose=(
                "To report attendance and progress in treatment to the court and probation"
                if part2
                else PURPOSES.get(area_slug, "To coordinate services after release")
            ),
            starts_on=starts,
            ends_on=ends,
            method=method,
            witness_name=rng.choice(WITNESSES) if method == "verbal" else "",
            signed_name=name if method != "verbal" else "",
            signed_on=starts if method != "verbal" else None,
            amount_and_kind=(
                "Attendance, drug screen results and progress in treatment since intake"
                if part2
                else ""
            ),
            told_right_to_revoke=True,
            language=rng.choice(["en", "en", "en", "es"]),
            taken_by=worker.user if worker else participant.user,
        )
        if self_referral:
            consent.taken_by = participant.user
        if state == "revoked":
            revoked_on = starts + timedelta(days=rng.randint(1, max(1, (self.today - starts).days)))
            consent.revoked_at = _at(self.collab, min(revoked_on, self.today), 15)
            consent.revoked_by = worker.user if worker else None
            consent.revoked_reason = rng.choice(
                ["The person asked to stop sharing.", "Sent to the wrong organization."]
            )
        if state == "expired":
            consent.expiry_recorded_at = _at(self.collab, ends + timedelta(days=1), 2)
        consent.clean()
        self.plan_rows.consents.append(
            (consent, [*dict.fromkeys(orgs)], [*dict.fromkeys(sectors)], [*dict.fromkeys(areas)])
        )
        return consent

    def dates(self, state: str) -> tuple[date, date]:
        """When a consent in this state starts and ends (three years at most)."""
        rng, today = self.rng, self.today

        def days(a: int, b: int) -> timedelta:
            return timedelta(days=rng.randint(a, b))

        if state == "in_force":
            return today - days(5, 200), today + days(30, 500)
        if state == "ending_soon":  # for the expiry job to find next week
            return today - days(150, 360), today + days(1, 6)
        if state == "expired":
            ends = today - days(1, 120)
            return ends - days(90, 365), ends
        if state == "revoked":
            starts = today - days(30, 250)
            return starts, starts + timedelta(days=365)
        starts = today + days(3, 20)  # not yet started
        return starts, starts + timedelta(days=365)

    def plan_consents(self, n: int, participant: Participant) -> None:
        if participant is self.own:
            return  # planned with care in plan_own
        rng = self.rng
        mine = [e for (p, _o), e in self.enrolment_of.items() if p == n]
        states = ["in_force"] * 6 + ["expired", "revoked", "not_started", "ending_soon"]
        all_kinds = ["identity", "enrolment", "needs", "service_logs", "referrals"]
        for enrolment in mine:
            org = enrolment.organization
            others = [e.organization for e in mine if e is not enrolment]
            part2 = org.slug == PART2_SLUG
            name = " ".join(self.names[n])
            count = 2 if part2 or others else rng.choice([0, 1, 1, 2])
            for i in range(count):
                state = rng.choice(states) if i else "in_force"
                kinds = set(rng.sample(all_kinds, k=rng.randint(2, 4)))
                if part2:
                    court = [o for s, o in self.orgs.items() if "court" in s or "correct" in s]
                    recipients = court[:2] or others
                    self.consent(
                        enrolment,
                        participant,
                        state=state,
                        kinds=kinds | {"service_logs"},
                        areas=self.org_areas[org.pk],
                        orgs=recipients,
                        part2=i == 0 or rng.random() < 0.7,
                        name=name,
                    )
                elif others and i == 0:
                    self.consent(
                        enrolment,
                        participant,
                        state=state,
                        kinds=kinds,
                        areas=sorted(
                            set(self.org_areas[org.pk]) | set(self.org_areas[others[0].pk])
                        ),
                        orgs=others,
                        findable=rng.random() < 0.5,
                        name=name,
                    )
                else:
                    sector = rng.choice(sorted({o.sector_id for o in self.orgs.values()}))
                    self.consent(
                        enrolment,
                        participant,
                        state=state,
                        kinds=kinds,
                        areas=self.org_areas[org.pk] + rng.sample(sorted(self.area_slugs), k=1),
                        sectors=[self.sectors[sector]],
                        findable=rng.random() < 0.3,
                        name=name,
                    )

    def receivers(self, sender: Organization | None) -> list[tuple[Service, int]]:
        """Services of (other) demo providers that accept referrals, with a key area."""
        return [
            (service, areas[0])
            for org in self.orgs.values()
            if sender is None or org.pk != sender.pk
            for service, areas in self.services.get(org.pk, [])
            if service.accepts_referrals and areas
        ]

    def plan_referrals(self) -> None:
        rng = self.rng
        steps = {
            "sent": ["sent"],
            "info_requested": ["sent", "info_requested"],
            "accepted": ["sent", "accepted"],
            "declined": ["sent", "declined"],
            "delivered": ["sent", "accepted", "delivered"],
            "closed": ["sent", "accepted", "delivered", "closed"],
            "withdrawn": ["sent", "withdrawn"],
        }
        wanted = (
            ["sent"] * 4
            + ["info_requested"] * 3
            + ["accepted"] * 4
            + ["declined"] * 3
            + ["delivered"] * 3
            + ["closed"] * 7
            + ["withdrawn"] * 2
        )
        candidates = [n for n in range(1, len(self.participants))]
        rng.shuffle(candidates)
        if self.own is not None:
            self.plan_own()
        for status, n in zip(wanted, candidates, strict=False):
            participant = self.participants[n]
            sender = rng.choice([e for (p, _o), e in self.enrolment_of.items() if p == n])
            options = self.receivers(sender.organization)
            if not options:
                continue
            service, area = rng.choice(options)
            days_ago = 2 if status == "sent" else rng.randint(5, 300)
            if status == "sent" and n % 2:
                days_ago = 12  # unanswered for longer than the reminder setting
            self.referral(n, sender, service, area, steps[status], days_ago)
        # A self-referral from the public directory, with the person's own consent.
        n = 1
        participant = self.participants[n]
        if participant.user is None:
            return
        service, area = rng.choice(self.receivers(None))
        consent = self.consent(
            None,
            participant,
            state="in_force",
            kinds={"referrals"},
            areas=[area],
            orgs=[service.organization],
            method="on_screen",
            name=" ".join(self.names[n]),
            self_referral=True,
        )
        referral = Referral(
            collaborative=self.collab,
            participant=participant,
            to_organization=service.organization,
            to_service=service,
            key_area_id=area,
            is_self_referral=True,
            reason="I saw your program in the directory and would like to sign up.",
            status=Referral.Status.SENT,
        )
        self.plan_rows.referrals.append(
            (referral, consent, [("sent", "", None, None, 1)], self.today - timedelta(days=1))
        )

    def referral(self, n, sender, service, area, statuses, days_ago, *, consent=None):
        rng = self.rng
        participant = self.participants[n]
        receiver = service.organization
        sent_on = self.today - timedelta(days=days_ago)
        if consent is None:
            consent = self.consent(
                sender,
                participant,
                state="in_force",
                kinds={"referrals", "enrolment", "needs"},
                areas=[area],
                orgs=[receiver],
                name=" ".join(self.names[n]),
                starts_by=sent_on,
                part2=sender.organization.slug == PART2_SLUG,
            )
        referral = Referral(
            collaborative=self.collab,
            participant=participant,
            from_organization=sender.organization,
            from_enrolment=sender,
            to_organization=receiver,
            to_service=service,
            key_area_id=area,
            reason=rng.choice(
                [
                    "Needs help right away; released last week.",
                    "Ready to start as soon as there is a place.",
                    "Asked for this service at intake.",
                ]
            ),
            status=statuses[-1],
        )
        sender_user = self.workers[sender.organization_id].user
        receiver_user = self.workers[receiver.pk].user
        events, day = [], 0
        for status in statuses:
            by_sender = status in ("sent", "withdrawn", "closed")
            note = {
                "info_requested": "Can you send the release date and the supervision officer?",
                "declined": rng.choice(DECLINE_REASONS),
                "accepted": "We can see them this week.",
                "delivered": "First appointment done.",
                "closed": "Thank you, closing the loop.",
                "withdrawn": "They found help elsewhere, so we are withdrawing this referral.",
            }.get(status, "")
            org = sender.organization if by_sender else receiver
            events.append((status, note, org, sender_user if by_sender else receiver_user, day))
            day += rng.randint(1, 3)
        if set(statuses) & {"accepted", "delivered", "closed"}:
            to_enrolment = self.enrolment_of.get((n, receiver.pk))
            if to_enrolment is None:
                to_enrolment = self.enrol(
                    n,
                    participant,
                    receiver,
                    sender.release_date,
                    sender.preferred_language,
                    None,
                    "",
                )
                to_enrolment.enrolled_on = min(sent_on + timedelta(days=2), self.today)
            referral.to_enrolment = to_enrolment
            if "delivered" in statuses:
                delivered = min(sent_on + timedelta(days=events[2][4]), self.today)
                log = self.log(to_enrolment, delivered, area=area, service=service)
                referral.service_log = log
        self.plan_rows.referrals.append((referral, consent, events, sent_on))
        return referral

    def plan_own(self) -> None:
        """The community member's record: consents in every state and a full referral."""
        own = self.own
        if own is None:
            return
        n = 0
        name = " ".join(self.names[n])
        at = {e.organization.slug: e for (p, _o), e in self.enrolment_of.items() if p == n}
        housing, jobs = at.get("second-step-housing"), at.get("fair-chance-works")
        recovery = at.get("new-leaf-recovery-community")
        slug_area = {slug: pk for pk, slug in self.area_slugs.items()}
        employment, home = slug_area.get("employment"), slug_area.get("housing")
        if not (housing and jobs and employment and home):
            return
        workforce = self.orgs.get("cedar-river-workforce-center")
        legal = self.orgs.get("legal-aid-of-cedar-river")
        employment_sector = jobs.organization.sector
        plan = [
            (jobs, "in_force", {"enrolment", "service_logs", "referrals"}, [employment],
             [housing.organization], [], True, "on_screen"),
            (housing, "in_force", {"identity", "needs", "referrals", "enrolment"},
             [home, employment], [], [employment_sector], False, "paper"),
            (housing, "expired", {"identity", "service_logs"}, [home],
             [legal] if legal else [], [], False, "verbal"),
            (jobs, "not_started", {"enrolment", "needs"}, [employment],
             [workforce] if workforce else [], [], False, "on_screen"),
        ]  # fmt: skip
        for enrolment, state, kinds, areas, orgs, sectors, findable, method in plan:
            self.consent(
                enrolment,
                own,
                state=state,
                kinds=kinds,
                areas=areas,
                orgs=orgs,
                sectors=sectors,
                findable=findable,
                method=method,
                name=name,
            )
        if recovery is not None:
            # In force until they revoke it themselves, after seeding (own_record_history).
            self.own_revocable = self.consent(
                recovery,
                own,
                state="in_force",
                kinds={"service_logs", "needs"},
                areas=self.org_areas[recovery.organization_id],
                orgs=[housing.organization],
                method="on_screen",
                name=name,
            )
        job_services = [
            s for s, a in self.services.get(jobs.organization_id, []) if employment in a
        ]
        if job_services:
            consent = self.consent(
                housing,
                own,
                state="in_force",
                kinds={"referrals", "enrolment", "needs"},
                areas=[employment],
                orgs=[jobs.organization],
                method="on_screen",
                name=name,
            )
            self.referral(
                n,
                housing,
                job_services[0],
                employment,
                ["sent", "accepted", "delivered", "closed"],
                40,
                consent=consent,
            )

    def log(self, enrolment, day, *, area=None, service=None) -> ServiceLog:
        rng = self.rng
        options: list[tuple[Service | None, int]] = [
            (s, a) for s, areas in self.services.get(enrolment.organization_id, []) for a in areas
        ]
        options = options or [(None, a) for a in self.org_areas[enrolment.organization_id]]
        if area is None:
            service, area = rng.choice(options)
        log = ServiceLog(
            collaborative=self.collab,
            organization_id=enrolment.organization_id,
            enrolment=enrolment,
            participant=enrolment.participant,
            service=service,
            key_area_id=area,
            delivered_on=day,
            duration_minutes=rng.choice([15, 30, 30, 45, 60, 60, 90, 120]),
            outcome=rng.choices(["completed", "partial", "no_show", "follow_up"], [14, 2, 2, 2])[0],
            notes=rng.choice(NOTES.get(self.area_slugs.get(area, ""), ["Check-in"])),
            created_by=self.workers[enrolment.organization_id].user,
        )
        self.plan_rows.logs.append(log)
        return log

    def plan_logs(self, enrolment: Enrolment) -> None:
        rng = self.rng
        first = max(enrolment.enrolled_on, self.today - timedelta(days=365))
        last = min(enrolment.closed_on or self.today, self.today)
        span = (last - first).days
        if span < 0:
            return
        per_week = rng.choice([0.5, 1, 1, 1.5, 2, 3])
        for _ in range(max(1, round(span / 7 * per_week))):
            self.log(enrolment, first + timedelta(days=rng.randint(0, span)))

    # --- writing -----------------------------------------------------------------------

    def write(self) -> None:
        rows = self.plan_rows
        # bulk_create fills each foreign key from the row it points at, saved just before.
        Participant.objects.bulk_create(self.participants)
        Enrolment.objects.bulk_create(rows.enrolments)
        Enrolment.needs.through.objects.bulk_create(
            Enrolment.needs.through(enrolment_id=e.pk, keyarea_id=a) for e, a in rows.needs
        )
        Identity.objects.bulk_create(rows.identities)
        ServiceLog.objects.bulk_create(rows.logs, batch_size=1000)
        Consent.objects.bulk_create([c for c, *_links in rows.consents])
        to_orgs = Consent.recipient_organizations.through
        to_orgs.objects.bulk_create(
            to_orgs(consent_id=c.pk, organization_id=o.pk)
            for c, orgs, _s, _a in rows.consents
            for o in orgs
        )
        to_sectors = Consent.recipient_sectors.through
        to_sectors.objects.bulk_create(
            to_sectors(consent_id=c.pk, sector_id=s.pk)
            for c, _o, sectors, _a in rows.consents
            for s in sectors
        )
        about = Consent.key_areas.through
        about.objects.bulk_create(
            about(consent_id=c.pk, keyarea_id=a)
            for c, _o, _s, areas in rows.consents
            for a in areas
        )
        referrals = []
        for referral, consent, _events, _sent_on in rows.referrals:
            referral.consent = consent
            referral.sent_by = (
                self.workers[referral.from_organization_id].user
                if referral.from_organization_id
                else referral.participant.user
            )
            referrals.append(referral)
        Referral.objects.bulk_create(referrals)
        events, moments = [], []
        for referral, _consent, steps, sent_on in rows.referrals:
            for status, note, org, user, day in steps:
                events.append(
                    ReferralEvent(
                        referral=referral, status=status, note=note, by=user, by_organization=org
                    )
                )
                moments.append(_at(self.collab, sent_on + timedelta(days=day), 9 + day % 8))
        ReferralEvent.objects.bulk_create(events)
        # auto_now(_add) stamped them "now" on insert: give them their days back.
        for referral, _consent, steps, sent_on in rows.referrals:
            referral.sent_at = _at(self.collab, sent_on, 9)
            referral.updated_at = _at(self.collab, sent_on + timedelta(days=steps[-1][4]), 16)
        for event, moment in zip(events, moments, strict=True):
            event.at = moment
        Referral.objects.bulk_update(referrals, ["sent_at", "updated_at"])
        ReferralEvent.objects.bulk_update(events, ["at"])

    def own_record_history(self) -> None:
        """Through the services, for the audit log: the person revokes one consent; two
        caseworkers open their record."""
        own = self.own
        if own is None or own.pk is None:
            return
        if self.own_revocable is not None:
            consent_services.consent_revoke(
                user=own.user,
                consent=self.own_revocable,
                reason="I want to keep my recovery private.",
            )
        for slug in ("second-step-housing", "fair-chance-works"):
            org = self.orgs.get(slug)
            if org is None:
                continue
            user = self.workers[org.pk].user
            grants = access.grants_for(user, own, today=self.today)
            if grants:
                participant_services.record_read(
                    user=user, participant=own, grants=grants, what="record"
                )
