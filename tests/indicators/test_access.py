"""The indicators app's policies (indicators/access.py): who may do what, for every
member of the fixed cast, on organization A's dataset."""

import pytest

from indicators import access
from tests.indicators.dashboard_world import make_dataset

EVERYONE = ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer"]


@pytest.fixture
def dataset(cast):
    return make_dataset(cast, cast.org_a, level="collaborative", title="Org A beds")


def allowed(cast, policy, *args) -> set[str]:
    return {who for who in EVERYONE if policy(getattr(cast, who), *args)}


def test_only_the_owners_admins_and_staff_upload_and_change_its_data(cast, dataset):
    assert allowed(cast, access.can_change_dataset, dataset) == {"admin_a", "staff_a"}
    assert allowed(cast, lambda m: access.can_upload_for(m, cast.org_a.pk)) == {
        "admin_a",
        "staff_a",
    }
    assert not access.can_upload_for(cast.community, None)


def test_only_the_owners_admin_submits_and_backbone_staff_accept(cast, dataset):
    assert allowed(cast, access.can_submit_dataset, dataset) == {"admin_a"}
    assert allowed(cast, access.can_accept_dataset, dataset) == {"backbone"}
    assert not access.can_accept_dataset(cast.outsider, dataset)


def test_catalog_and_comment_rules(cast):
    assert allowed(cast, access.can_create_indicator) == {"backbone"}
    assert allowed(cast, access.can_define_locally) == {"admin_a", "staff_a", "staff_b", "staff_c"}
    assert allowed(cast, access.can_comment) == set(EVERYONE) - {"observer"}
    assert allowed(cast, access.can_moderate_comments) == {"backbone"}


def test_an_inactive_member_may_do_nothing(cast, dataset):
    cast.admin_a.is_active = False
    assert not access.can_change_dataset(cast.admin_a, dataset)
    assert not access.can_submit_dataset(cast.admin_a, dataset)
    assert not access.can_define_locally(cast.admin_a)
