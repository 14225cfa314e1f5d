"""Random casework worlds: the ``visible_to`` methods and ``access.grants_for`` agree with
rule 7 (the plain-Python oracle in casework_world) for every (person, record) pair, on
the day before, the day of and the day after the consents' edges, and on each
collaborative's own day.

A fixed skeleton (two collaboratives, their sectors, key areas, organizations and people
of every kind) is built once; each example draws participants on top of it, enrolled at
one to three organizations, with consents of every shape (recipients by organization
and by sector, of the right or the wrong sector, now and then one of another
collaborative slipped in behind the services' back; random key areas and kinds; not yet
started, in force, ending today, ended yesterday; revoked; Part 2 with the §2.31
elements), service logs in random key areas, referrals and self-referrals; some
organizations are Part 2 programs. Rows are written with ``bulk_create`` and rolled
back after each example."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import access
from casework.models import (
    Consent,
    Enrolment,
    Part2Program,
    Participant,
    Referral,
    ServiceLog,
)
from tests.factories import (
    CollaborativeFactory,
    KeyAreaFactory,
    MemberFactory,
    OrganizationFactory,
    SectorFactory,
    UserFactory,
)
from tests.security.casework_world import AREA_KINDS, KINDS, Oracle, R, read_facts

pytestmark = pytest.mark.django_db


@dataclass
class Skeleton:
    collabs: list
    sectors: dict  # collaborative pk -> [Sector]
    areas: dict  # collaborative pk -> [KeyArea]
    orgs: dict  # collaborative pk -> [Organization]
    users: dict  # name -> User | AnonymousUser
    people: list  # users that may be a participant's own account
    day: date
    all_orgs: list = field(default_factory=list)


@pytest.fixture
def skeleton(db) -> Skeleton:
    # B lives in UTC+14, A in UTC-6: their "today" differ most of the day.
    a = CollaborativeFactory(name="Casework A", slug="casework-a", time_zone="America/Chicago")
    b = CollaborativeFactory(name="Casework B", slug="casework-b", time_zone="Pacific/Kiritimati")
    sectors = {
        a.pk: [SectorFactory(collaborative=a, name=n) for n in ("Housing", "Courts", "Health")],
        b.pk: [SectorFactory(collaborative=b, name="Housing B")],
    }
    areas = {
        a.pk: [KeyAreaFactory(collaborative=a, name=n) for n in ("Homes", "Jobs", "Recovery")],
        b.pk: [KeyAreaFactory(collaborative=b, name="Homes B")],
    }
    s = sectors[a.pk]
    orgs = {
        a.pk: [
            OrganizationFactory(collaborative=a, sector=sector, name=f"Org {n}")
            for n, sector in (("1", s[0]), ("2", s[0]), ("3", s[1]), ("4", s[2]))
        ],
        b.pk: [
            OrganizationFactory(collaborative=b, sector=sectors[b.pk][0], name=f"Org {n}")
            for n in ("X", "Y")
        ],
    }
    o1, o2, o3, o4 = orgs[a.pk]
    ox, _oy = orgs[b.pk]
    users: dict = {}

    def person(name, collab, role, org=None, **kw):
        member = MemberFactory(collaborative=collab, role=role, organization=org, **kw)
        users[name] = member.user
        return member

    person("staff_1", a, R.PROVIDER_STAFF, o1)
    person("staff_2", a, R.PROVIDER_STAFF, o2)
    person("admin_3", a, R.ORG_ADMIN, o3)
    person("staff_4", a, R.PROVIDER_STAFF, o4)
    person("observer_of_1", a, R.OBSERVER, o1)
    person("inactive_staff_1", a, R.PROVIDER_STAFF, o1, is_active=False)
    deactivated = person("deactivated_staff_2", a, R.PROVIDER_STAFF, o2)
    deactivated.user.is_active = False
    deactivated.user.save(update_fields=["is_active"])
    person("backbone_a", a, R.BACKBONE)
    person("community_a1", a, R.COMMUNITY)
    person("inactive_community_a", a, R.COMMUNITY, is_active=False)
    person("staff_x", b, R.PROVIDER_STAFF, ox)
    person("community_b", b, R.COMMUNITY)
    # One person in both: staff of Org 3 in A, community member in B.
    both = person("staff_3_and_community_b", a, R.PROVIDER_STAFF, o3)
    MemberFactory(user=both.user, collaborative=b, role=R.COMMUNITY)
    # One caseworker in both: staff of Org 1 in A and of Org X in B (a recipient of one
    # collaborative slipped into the other's consent must still show nothing).
    twice = person("staff_1_and_staff_x", a, R.PROVIDER_STAFF, o1)
    MemberFactory(user=twice.user, collaborative=b, role=R.PROVIDER_STAFF, organization=ox)
    users["no_membership"] = UserFactory()
    users["anonymous"] = AnonymousUser()
    people = [
        users[n]
        for n in (
            "community_a1",
            "inactive_community_a",
            "community_b",
            "staff_3_and_community_b",
            "staff_1",
            "deactivated_staff_2",
            "no_membership",
        )
    ]
    return Skeleton(
        collabs=[a, b],
        sectors=sectors,
        areas=areas,
        orgs=orgs,
        users=users,
        people=people,
        day=a.today(),
        all_orgs=[*orgs[a.pk], *orgs[b.pk]],
    )


# A world is drawn as small integers: indexes into what exists, resolved at build time.
consents_drawn = st.tuples(
    st.lists(st.integers(0, 9), max_size=2),  # recipient organizations
    st.lists(st.integers(0, 9), max_size=2),  # recipient sectors (any: right or wrong)
    st.lists(st.integers(0, 9), max_size=3),  # key areas
    st.integers(0, 31),  # the kinds, as bits of KINDS
    st.booleans(),  # Part 2 records named, with the §2.31 elements
    st.sampled_from([-30, 0, 1]),  # starts: a month ago, today, tomorrow
    st.sampled_from([30, 0, -1]),  # ends: in a month, today, yesterday
    st.integers(0, 3),  # 0: revoked
    st.booleans(),  # findable
    st.integers(0, 7),  # 0, 1: an org, a sector of the other collaborative slipped in
)
enrolments_drawn = st.tuples(
    st.integers(0, 9),  # organization
    st.lists(consents_drawn, max_size=3),
    st.lists(st.integers(0, 9), max_size=3),  # service logs, by key area
)
referrals_drawn = st.tuples(
    st.integers(0, 9),  # from which enrolment (None: a self-referral, when the bit says so)
    st.integers(0, 9),  # to which organization
    st.integers(0, 9),  # key area
    st.integers(0, 9),  # which of the sender's consents
    st.sampled_from(Referral.Status.values),
    st.one_of(st.none(), consents_drawn),  # a self-referral's own consent
)
participants_drawn = st.lists(
    st.tuples(
        st.integers(0, 4),  # 0: collaborative B, else A
        st.one_of(st.none(), st.integers(0, 20)),  # the person's own account
        st.lists(enrolments_drawn, min_size=1, max_size=3),
        st.lists(referrals_drawn, max_size=2),
    ),
    min_size=1,
    max_size=5,
)
part2_drawn = st.sets(st.integers(0, 5), max_size=2)


def _pick(items: list, i: int):
    return items[i % len(items)]


# Two halves of the examples, in two classes: pytest-xdist's loadscope sends each class to
# whichever worker is free, so the two halves run side by side. Derandomized examples
# depend on the test's name, so the halves draw different worlds.
RULE_7_SETTINGS = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _example(skeleton, participants, part2) -> None:
    with transaction.atomic():
        _build(skeleton, participants, part2)
        _check(skeleton)
        transaction.set_rollback(True)  # each example starts again from the skeleton


class TestRule7FirstHalf:
    @RULE_7_SETTINGS
    @given(participants=participants_drawn, part2=part2_drawn)
    def test_random_casework_worlds_agree_with_rule_7(self, skeleton, participants, part2):
        _example(skeleton, participants, part2)


class TestRule7SecondHalf:
    @RULE_7_SETTINGS
    @given(participants=participants_drawn, part2=part2_drawn)
    def test_more_random_casework_worlds_agree_with_rule_7(self, skeleton, participants, part2):
        _example(skeleton, participants, part2)


class _Builder:
    def __init__(self, sk: Skeleton):
        self.sk = sk
        self.consents: list[tuple[Consent, dict]] = []
        self.now = timezone.now()

    def consent(self, drawn, *, collab, participant, enrolment=None, to=None) -> Consent:
        orgs, sectors, areas, kinds, part2, start, end, revoked, findable, smuggle = drawn
        sk = self.sk
        starts = sk.day + timedelta(days=start)
        ends = max(starts, sk.day + timedelta(days=end))
        here_orgs = sk.orgs[collab.pk]
        recipients = {_pick(here_orgs, i) for i in orgs}
        if to is not None:
            recipients.add(to)
        foreign = [x for x in sk.all_orgs if x.collaborative_id != collab.pk]
        foreign_sectors = [x for c, xs in sk.sectors.items() if c != collab.pk for x in xs]
        smuggled_sectors = set()
        if smuggle == 0:
            recipients.add(_pick(foreign, start + end))
        elif smuggle == 1:
            smuggled_sectors.add(_pick(foreign_sectors, start + end))
        chosen = {k: bool(kinds & (1 << n)) for n, k in enumerate(KINDS)}
        if enrolment is None:
            chosen["referrals"] = True  # a self-referral shares what the person wrote
        consent = Consent(
            collaborative=collab,
            participant=participant,
            enrolment=enrolment,
            organization=enrolment.organization if enrolment else None,
            findable=findable,
            **{f"shares_{k}": v for k, v in chosen.items()},
            shares_part2=part2 and enrolment is not None,
            purpose="To find a home",
            starts_on=starts,
            ends_on=ends,
            method=Consent.Method.ON_SCREEN,
            signed_name="Signed Name",
            signed_on=starts,
            amount_and_kind="Attendance and progress" if part2 else "",
            told_right_to_revoke=True,
            revoked_at=self.now - timedelta(hours=1) if revoked == 0 else None,
        )
        links = {
            "orgs": recipients,
            "sectors": {_pick(sk.sectors[collab.pk], i) for i in sectors} | smuggled_sectors,
            "areas": {_pick(sk.areas[collab.pk], i) for i in areas},
        }
        self.consents.append((consent, links))
        return consent

    def save_consents(self) -> None:
        Consent.objects.bulk_create([c for c, _links in self.consents])
        rows = {"orgs": [], "sectors": [], "areas": []}
        through = {
            "orgs": (Consent.recipient_organizations.through, "organization_id"),
            "sectors": (Consent.recipient_sectors.through, "sector_id"),
            "areas": (Consent.key_areas.through, "keyarea_id"),
        }
        for consent, links in self.consents:
            for name, (model, column) in through.items():
                rows[name] += [
                    model(consent_id=consent.pk, **{column: item.pk}) for item in links[name]
                ]
        for name, (model, _column) in through.items():
            model.objects.bulk_create(rows[name])


def _build(sk: Skeleton, drawn_participants, part2) -> None:
    a, b = sk.collabs
    Part2Program.objects.bulk_create(
        Part2Program(organization=_pick(sk.all_orgs, i), program_name=f"Program {i}") for i in part2
    )
    build = _Builder(sk)
    participants, linked = [], set()
    for n, (c, person, _enrolments, _referrals) in enumerate(drawn_participants):
        collab = b if c == 0 else a
        user = None
        if person is not None and (collab.pk, person % len(sk.people)) not in linked:
            linked.add((collab.pk, person % len(sk.people)))
            user = _pick(sk.people, person)
        participants.append(Participant(collaborative=collab, code=f"P-TEST-{n:04d}", user=user))
    Participant.objects.bulk_create(participants)

    enrolments: list[list[Enrolment]] = []
    for participant, (_c, _p, drawn_enrolments, _r) in zip(
        participants, drawn_participants, strict=True
    ):
        here = sk.orgs[participant.collaborative_id]
        chosen = list({_pick(here, o): None for o, _consents, _logs in drawn_enrolments})
        enrolments.append(
            [
                Enrolment(
                    collaborative_id=participant.collaborative_id,
                    participant=participant,
                    organization=org,
                    enrolled_on=sk.day - timedelta(days=60),
                )
                for org in chosen
            ]
        )
    Enrolment.objects.bulk_create([e for mine in enrolments for e in mine])

    logs, by_enrolment = [], {}
    for participant, mine, (_c, _p, drawn_enrolments, _r) in zip(
        participants, enrolments, drawn_participants, strict=True
    ):
        collab = sk.collabs[0] if participant.collaborative_id == a.pk else b
        areas = sk.areas[collab.pk]
        for enrolment, (_o, drawn_consents, drawn_logs) in zip(
            mine, drawn_enrolments, strict=False
        ):
            by_enrolment[enrolment.pk] = [
                build.consent(d, collab=collab, participant=participant, enrolment=enrolment)
                for d in drawn_consents
            ]
            logs += [
                ServiceLog(
                    collaborative=collab,
                    organization=enrolment.organization,
                    enrolment=enrolment,
                    participant=participant,
                    key_area=_pick(areas, k),
                    delivered_on=sk.day - timedelta(days=k),
                )
                for k in drawn_logs
            ]
    ServiceLog.objects.bulk_create(logs)

    referrals: list[tuple[Referral, Consent]] = []
    for participant, mine, (_c, _p, _e, drawn_referrals) in zip(
        participants, enrolments, drawn_participants, strict=True
    ):
        collab = a if participant.collaborative_id == a.pk else b
        here = sk.orgs[collab.pk]
        for from_i, to_i, area_i, consent_i, status, own_consent in drawn_referrals:
            to_org = _pick(here, to_i)
            area = _pick(sk.areas[collab.pk], area_i)
            if own_consent is not None:
                consent = build.consent(
                    own_consent, collab=collab, participant=participant, to=to_org
                )
                sender = None
            else:
                sender = _pick(mine, from_i)
                if not by_enrolment[sender.pk] or sender.organization == to_org:
                    continue
                consent = _pick(by_enrolment[sender.pk], consent_i)
            referral = Referral(
                collaborative=collab,
                participant=participant,
                from_organization=sender.organization if sender else None,
                from_enrolment=sender,
                to_organization=to_org,
                key_area=area,
                is_self_referral=sender is None,
                reason="Needs a place to live",
                status=status,
            )
            referrals.append((referral, consent))
    build.save_consents()
    for referral, consent in referrals:
        referral.consent = consent
    Referral.objects.bulk_create([r for r, _c in referrals])


def _check(sk: Skeleton) -> None:
    facts = read_facts()
    models = {
        "enrolment": (Enrolment, facts.enrolments),
        "service_log": (ServiceLog, facts.logs),
        "consent": (Consent, facts.consents),
        "referral": (Referral, facts.referrals),
        "participant": (Participant, facts.participants),
    }
    participants = list(Participant.objects.all())
    # The day itself (consents not yet started, in force, ending today, ended yesterday),
    # the next (those ending today have ended) and each collaborative's own day.
    days = [sk.day, sk.day + timedelta(days=1), None]
    for who, user in sk.users.items():
        oracles = {today: Oracle(user, facts, today) for today in days}
        for today, oracle in oracles.items():
            for name, (model, rows) in models.items():
                seen = set(model.objects.visible_to(user, today=today).values_list("pk", flat=True))
                want = {pk for pk in rows if getattr(oracle, name)(pk)}
                assert seen == want, (who, today, name)
        # grants_for: every participant on the day itself; on the other days, those the
        # person sees something of on one of them (the rest were shown hidden above).
        for participant in participants:
            seen_some_day = any(o.participant(participant.pk) for o in oracles.values())
            for today in days if seen_some_day else [sk.day]:
                _check_grants(sk, facts, oracles[today], who, user, participant, today)


def _check_grants(sk, facts, oracle, who, user, participant, today) -> None:
    grants = access.grants_for(user, participant, today=today)
    want = {
        e: oracle.grant(e)
        for e, (p, _o) in facts.enrolments.items()
        if p == participant.pk and oracle.enrolment(e)
    }
    assert set(grants) == set(want), (who, today, participant.code)
    areas = [a.pk for a in sk.areas[participant.collaborative_id]]
    for enrolment, grant in grants.items():
        expected = want[enrolment]
        where = (who, today, participant.code, enrolment)
        assert grant.owner == expected["owner"], where
        assert grant.self == expected["self"], where
        if not (grant.owner or grant.self):
            assert set(grant.consent_ids) == expected["consents"], where
            assert grant.kinds == expected["kinds"], where
            assert grant.key_area_ids == expected["key_areas"], where
        for kind in KINDS:
            for area in [None, *areas] if kind in AREA_KINDS else [None]:
                assert grant.shows(kind, area) == Oracle.shows(expected, kind, area), (
                    *where,
                    kind,
                    area,
                )
