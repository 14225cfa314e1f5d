"""Random worlds on top of the fixed matrix: visible_to and editable_by agree with the
rules (the oracle in sharing_world) for every (person, Folder) pair."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import sharing_set
from tests.factories import MemberFactory, OrganizationFactory, SectorFactory, UserFactory
from tests.security.sharing_world import (
    R,
    add_member,
    build_world,
    expected_editable,
    expected_visible,
    read_facts,
)
from tests.sharingapp.models import Folder

pytestmark = pytest.mark.django_db

ROLES = [R.BACKBONE, R.ORG_ADMIN, R.PROVIDER_STAFF, R.COMMUNITY, R.OBSERVER]

# A world is drawn as small integers: indexes into what exists, resolved at build time.
new_sectors = st.lists(st.integers(0, 2), max_size=3)  # collaborative index of each
new_orgs = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30)), max_size=5)
new_people = st.lists(
    st.tuples(
        st.integers(0, 2),  # collaborative
        st.sampled_from(ROLES),
        st.integers(0, 30),  # organization (within that collaborative)
        st.booleans(),  # active membership
        st.one_of(st.none(), st.tuples(st.integers(0, 2), st.sampled_from(ROLES))),  # a 2nd
    ),
    max_size=6,
)
new_folders = st.lists(
    st.tuples(
        st.integers(0, 60),  # owner organization
        st.sampled_from(SharingLevel.values),
        st.lists(st.tuples(st.booleans(), st.integers(0, 60)), min_size=1, max_size=3),
        st.booleans(),  # slip in a target from another collaborative (must be refused)
    ),
    min_size=1,
    max_size=8,
)


@pytest.fixture
def world(db):
    return build_world()


def _pick(items: list, i: int):
    return items[i % len(items)]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sectors=new_sectors, orgs=new_orgs, people=new_people, folders=new_folders)
def test_random_worlds_agree_with_the_rules(world, sectors, orgs, people, folders):
    saved = {k: dict(v) for k, v in vars(world).items()}
    try:
        with transaction.atomic():
            _check_random_world(world, sectors, orgs, people, folders)
            transaction.set_rollback(True)  # each example starts again from the fixed matrix
    finally:
        for k, v in saved.items():
            setattr(world, k, v)


def _check_random_world(world, sectors, orgs, people, folders):
    collabs = list(world.collabs.values())
    sector_list = list(world.sectors.values())
    sector_list += [SectorFactory(collaborative=_pick(collabs, c)) for c in sectors]
    org_list = list(world.orgs.values())
    for c, s in orgs:
        collab = _pick(collabs, c)
        here = [x for x in sector_list if x.collaborative_id == collab.pk]
        org = OrganizationFactory(collaborative=collab, sector=_pick(here, s))
        world.editors[org.pk] = add_member(world, f"admin {org.pk}", collab, R.ORG_ADMIN, org)
        org_list.append(org)
    users = dict(world.users)
    for n, (c, role, o, active, second) in enumerate(people):
        collab = _pick(collabs, c)
        here = [x for x in org_list if x.collaborative_id == collab.pk]
        needs_org = role in (R.ORG_ADMIN, R.PROVIDER_STAFF) or o % 3 == 0
        member = MemberFactory(
            user=UserFactory(),
            collaborative=collab,
            role=role,
            organization=_pick(here, o) if needs_org else None,
            is_active=active,
        )
        users[f"random {n}"] = member.user
        if second is not None and _pick(collabs, second[0]) != collab:
            other = _pick(collabs, second[0])
            there = [x for x in org_list if x.collaborative_id == other.pk]
            MemberFactory(
                user=member.user,
                collaborative=other,
                role=second[1],
                organization=_pick(there, o)
                if second[1] in (R.ORG_ADMIN, R.PROVIDER_STAFF)
                else None,
            )
    for n, (o, level, picks, smuggle) in enumerate(folders):
        owner = _pick(org_list, o)
        same = [x for x in org_list + sector_list if x.collaborative_id == owner.collaborative_id]
        foreign = [x for x in org_list if x.collaborative_id != owner.collaborative_id]
        targets = list({_pick(same, i): None for _, i in picks})
        if smuggle and level == SharingLevel.SHARED:
            folder = world.make_folder(f"random {n}", owner, SharingLevel.PRIVATE)
            with pytest.raises(ValidationError):
                sharing_set(
                    actor=world.editors[owner.pk],
                    obj=folder,
                    level=level,
                    share_with=[*targets, _pick(foreign, o)],
                )
            folder.refresh_from_db()
            assert folder.sharing_level == SharingLevel.PRIVATE
        else:
            world.make_folder(f"random {n}", owner, level, targets)

    all_folders = list(Folder.objects.all())
    facts = read_facts()
    for who, user in users.items():
        visible = set(Folder.objects.visible_to(user).values_list("pk", flat=True))
        editable = set(Folder.objects.editable_by(user).values_list("pk", flat=True))
        want_visible = {f.pk for f in all_folders if expected_visible(user, f, world, facts)}
        want_editable = {f.pk for f in all_folders if expected_editable(user, f, world, facts)}
        assert visible == want_visible, who
        assert editable == want_editable, who
