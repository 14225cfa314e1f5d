import pytest
from django.contrib.auth.models import Group

from reentry.sharing.groups import GROUP_PREFIX
from stakeholders.models import KeyArea, Member, Sector
from stakeholders.services import collaborative_create, collaborative_seed_defaults
from tests.factories import CollaborativeFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_new_collaborative_gets_ten_key_areas_and_sectors_and_its_founder():
    founder = UserFactory()
    collab = collaborative_create(user=founder, name="River County Reentry")
    assert collab.slug == "river-county-reentry"
    assert KeyArea.objects.filter(collaborative=collab).count() == 10
    assert list(collab.key_areas.values_list("name", flat=True)[:2]) == [
        "Pre-release Preparation",
        "Rehabilitation and Recovery",
    ]
    assert Sector.objects.filter(collaborative=collab).count() == 10
    assert Member.objects.get(collaborative=collab).role == Member.Role.BACKBONE


def test_seeding_defaults_twice_adds_nothing():
    collab = CollaborativeFactory()
    collaborative_seed_defaults(collaborative=collab)
    collaborative_seed_defaults(collaborative=collab)
    assert collab.key_areas.count() == 10
    assert collab.sectors.count() == 10


def test_every_sector_has_its_own_backing_group():
    collab = collaborative_create(user=UserFactory(), name="Groups County")
    group_ids = list(collab.sectors.values_list("group_id", flat=True))
    assert None not in group_ids
    assert len(set(group_ids)) == 10


def test_deleting_an_organization_removes_its_group():
    org = OrganizationFactory()
    group_id = org.group_id
    org.delete()
    assert not Group.objects.filter(pk=group_id).exists()


def test_member_is_in_collaborative_organization_and_sector_groups(cast):
    names = set(cast.staff_a.user.groups.values_list("name", flat=True))
    assert names == {
        f"{GROUP_PREFIX}collaborative:{cast.collab.public_id}",
        f"{GROUP_PREFIX}organization:{cast.org_a.public_id}",
        f"{GROUP_PREFIX}sector:{cast.sector1.public_id}",
    }
