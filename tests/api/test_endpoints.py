"""Every /api/v1/ endpoint: who gets 404, 401 or 403, and the right person gets the right rows."""

import pytest
from django.test import Client

from reentry.audit.models import AuditEvent
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Member, Organization
from tests.factories import KeyAreaFactory, MemberFactory, OrganizationFactory, SectorFactory

pytestmark = pytest.mark.django_db

V1 = "/api/v1/collaboratives"


def endpoints(cast) -> dict[str, str]:
    """Every endpoint under collaborative A, list and detail."""
    base = f"{V1}/{cast.collab.slug}"
    return {
        "collaborative": f"{base}/",
        "key-areas": f"{base}/key-areas/",
        "key-area": f"{base}/key-areas/{cast.key_area.public_id}/",
        "sectors": f"{base}/sectors/",
        "sector": f"{base}/sectors/{cast.sector1.public_id}/",
        "organizations": f"{base}/organizations/",
        "organization": f"{base}/organizations/{cast.org_a.public_id}/",
        "members": f"{base}/members/",
        "member": f"{base}/members/{cast.staff_a.public_id}/",
    }


NAMES = [
    "collaborative",
    "key-areas",
    "key-area",
    "sectors",
    "sector",
    "organizations",
    "organization",
    "members",
    "member",
]


@pytest.mark.parametrize("name", NAMES)
def test_member_of_another_collaborative_gets_404(cast, login, name):
    response = login(cast.outsider).get(endpoints(cast)[name])
    assert response.status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_token_of_another_collaborative_gets_404(cast, make_token, token_client, name):
    _t, plain = make_token(
        MemberFactory(
            collaborative=cast.other_collab, role=Member.Role.ORG_ADMIN, organization=cast.org_x
        )
    )
    assert token_client(plain).get(endpoints(cast)[name]).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_token_is_confined_to_its_collaborative_even_where_its_creator_is_a_member(
    cast, make_token, token_client, login, name
):
    """admin_a is also a member of collaborative B: with a session they see B, with
    A's token they do not."""
    MemberFactory(
        user=cast.admin_a.user, collaborative=cast.other_collab, role=Member.Role.BACKBONE
    )
    url = endpoints(cast)[name].replace(cast.collab.slug, cast.other_collab.slug)
    url = (
        url.replace(
            str(cast.key_area.public_id),
            str(KeyAreaFactory(collaborative=cast.other_collab).public_id),
        )
        .replace(str(cast.sector1.public_id), str(cast.org_x.sector.public_id))
        .replace(str(cast.org_a.public_id), str(cast.org_x.public_id))
        .replace(str(cast.staff_a.public_id), str(cast.outsider.public_id))
    )
    assert login(cast.admin_a).get(url).status_code == 200
    _t, plain = make_token(cast.admin_a)
    assert token_client(plain).get(url).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_staff_member_gets_200_with_session_and_with_token(
    cast, login, make_token, token_client, name
):
    url = endpoints(cast)[name]
    assert login(cast.staff_a).get(url).status_code == 200
    _t, plain = make_token(cast.admin_a)
    assert token_client(plain).get(url).status_code == 200


@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith("organization")])
def test_anonymous_gets_401(cast, client, name):
    response = client.get(endpoints(cast)[name])
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_collaborative_gets_404_without_audit(cast, login):
    assert login(cast.backbone).get(f"{V1}/nowhere/sectors/").status_code == 404
    assert not AuditEvent.objects.filter(action="access.not_found").exists()


def test_hidden_collaborative_404_is_audited(cast, login):
    login(cast.outsider).get(endpoints(cast)["sectors"])
    event = AuditEvent.objects.get(action="access.not_found")
    assert event.actor == cast.outsider.user
    assert event.object_id == str(cast.collab.public_id)


def test_integer_ids_are_not_routes(cast, login):
    client = login(cast.backbone)
    assert client.get(f"{V1}/{cast.collab.slug}/organizations/{cast.org_a.pk}/").status_code == 404


def test_object_of_another_collaborative_under_my_slug_gets_404(cast, login):
    client = login(cast.backbone)
    base = f"{V1}/{cast.collab.slug}"
    assert client.get(f"{base}/organizations/{cast.org_x.public_id}/").status_code == 404
    assert client.get(f"{base}/sectors/{cast.org_x.sector.public_id}/").status_code == 404
    assert client.get(f"{base}/members/{cast.outsider.public_id}/").status_code == 404


class TestCollaboratives:
    def test_lists_only_mine(self, cast, login):
        data = login(cast.staff_a).get(f"{V1}/").json()
        assert data["count"] == 1
        assert data["results"][0] == {
            "public_id": str(cast.collab.public_id),
            "slug": "collab-a",
            "name": "Collaborative A",
            "region": cast.collab.region,
            "time_zone": cast.collab.time_zone,
            "description": "",
        }

    def test_inactive_member_sees_none(self, cast, login):
        Member.objects.filter(pk=cast.staff_a.pk).update(is_active=False)
        client = login(cast.staff_a)
        assert client.get(f"{V1}/").json()["count"] == 0
        assert client.get(endpoints(cast)["collaborative"]).status_code == 404


class TestKeyAreasAndSectors:
    def test_key_areas_of_this_collaborative_only(self, cast, login):
        KeyAreaFactory(collaborative=cast.other_collab, name="Elsewhere")
        data = login(cast.community).get(endpoints(cast)["key-areas"]).json()
        assert [k["public_id"] for k in data["results"]] == [str(cast.key_area.public_id)]

    def test_sectors_of_this_collaborative_only(self, cast, login):
        data = login(cast.observer).get(endpoints(cast)["sectors"]).json()
        assert [s["slug"] for s in data["results"]] == ["courts", "housing"]
        assert str(cast.org_x.sector.public_id) not in str(data)


class TestOrganizations:
    def test_members_see_every_organization_of_the_collaborative(self, cast, login):
        data = login(cast.community).get(endpoints(cast)["organizations"]).json()
        assert [o["name"] for o in data["results"]] == ["Org A", "Org B", "Org C"]
        org_a = data["results"][0]
        assert org_a["public_id"] == str(cast.org_a.public_id)
        assert org_a["sector"] == {
            "public_id": str(cast.sector1.public_id),
            "slug": "housing",
            "name": "Housing",
        }
        assert "id" not in org_a

    def test_filter_by_sector(self, cast, login):
        url = endpoints(cast)["organizations"]
        data = login(cast.community).get(url, {"sector": "courts"}).json()
        assert [o["name"] for o in data["results"]] == ["Org C"]

    def test_key_areas_are_given_by_slug(self, cast, login):
        cast.org_a.key_areas.add(cast.key_area)
        data = login(cast.community).get(endpoints(cast)["organization"]).json()
        assert data["key_areas"] == ["housing"]

    def test_anonymous_sees_only_public_profiles(self, cast, client):
        Organization.objects.filter(pk=cast.org_b.pk).update(sharing_level=SharingLevel.PUBLIC)
        data = client.get(endpoints(cast)["organizations"]).json()
        assert [o["name"] for o in data["results"]] == ["Org B"]
        base = endpoints(cast)["organizations"]
        assert client.get(f"{base}{cast.org_b.public_id}/").status_code == 200
        assert client.get(f"{base}{cast.org_a.public_id}/").status_code == 404

    def test_outsider_sees_only_public_profiles(self, cast, login):
        Organization.objects.filter(pk=cast.org_c.pk).update(sharing_level=SharingLevel.PUBLIC)
        client = login(cast.outsider)
        data = client.get(endpoints(cast)["organizations"]).json()
        assert [o["name"] for o in data["results"]] == ["Org C"]
        assert client.get(endpoints(cast)["organization"]).status_code == 404

    def test_anonymous_gets_404_where_nothing_is_public(self, cast, client):
        assert client.get(endpoints(cast)["organizations"]).status_code == 404
        assert client.get(endpoints(cast)["organization"]).status_code == 404

    def test_token_of_another_collaborative_gets_404_even_with_public_profiles(
        self, cast, make_token, token_client
    ):
        Organization.objects.filter(collaborative=cast.collab).update(
            sharing_level=SharingLevel.PUBLIC
        )
        outsider_admin = MemberFactory(
            collaborative=cast.other_collab, role=Member.Role.ORG_ADMIN, organization=cast.org_x
        )
        _t, plain = make_token(outsider_admin)
        assert token_client(plain).get(endpoints(cast)["organizations"]).status_code == 404

    def test_bad_token_is_401_even_on_the_public_directory(self, cast, client):
        Organization.objects.filter(pk=cast.org_b.pk).update(sharing_level=SharingLevel.PUBLIC)
        response = client.get(
            endpoints(cast)["organizations"], headers={"Authorization": "Token rc_x_y"}
        )
        assert response.status_code == 401


class TestMembers:
    @pytest.mark.parametrize("role", ["community", "observer"])
    def test_non_staff_get_403(self, cast, login, role):
        client = login(getattr(cast, role))
        assert client.get(endpoints(cast)["members"]).status_code == 403
        assert client.get(endpoints(cast)["member"]).status_code == 403

    def test_staff_see_active_members_without_internal_ids(self, cast, login):
        Member.objects.filter(pk=cast.observer.pk).update(is_active=False)
        data = login(cast.staff_b).get(endpoints(cast)["members"]).json()
        ids = {m["public_id"] for m in data["results"]}
        expected = Member.objects.filter(collaborative=cast.collab, is_active=True)
        assert ids == {str(m.public_id) for m in expected}
        assert str(cast.observer.public_id) not in ids
        assert str(cast.outsider.public_id) not in ids
        row = next(m for m in data["results"] if m["public_id"] == str(cast.staff_a.public_id))
        assert row["organization"]["public_id"] == str(cast.org_a.public_id)
        assert "id" not in row and "user" not in row

    @pytest.mark.parametrize(
        ("visibility", "backbone_sees", "staff_sees", "token_sees"),
        [
            (Member.Visibility.ONLY_ME, None, None, None),
            (Member.Visibility.BACKBONE, "yes", None, None),
            (Member.Visibility.COLLABORATIVE, "yes", "yes", "yes"),
        ],
    )
    def test_lived_experience_honours_the_members_choice(
        self,
        cast,
        login,
        make_token,
        token_client,
        admin_b,
        visibility,
        backbone_sees,
        staff_sees,
        token_sees,
    ):
        Member.objects.filter(pk=cast.staff_a.pk).update(
            lived_experience=Member.LivedExperience.YES, lived_experience_visibility=visibility
        )
        url = endpoints(cast)["member"]

        def shown(client):
            return client.get(url).json()["lived_experience"]

        assert shown(login(cast.backbone)) == backbone_sees
        assert shown(login(cast.staff_b)) == staff_sees
        _t, plain = make_token(admin_b)
        assert shown(token_client(plain)) == token_sees
        # In the list too, not only the detail.
        listed = login(cast.staff_c).get(endpoints(cast)["members"]).json()["results"]
        row = next(m for m in listed if m["public_id"] == str(cast.staff_a.public_id))
        assert row["lived_experience"] == staff_sees

    def test_a_member_sees_their_own_answer(self, cast, login):
        Member.objects.filter(pk=cast.staff_a.pk).update(
            lived_experience=Member.LivedExperience.FAMILY,
            lived_experience_visibility=Member.Visibility.ONLY_ME,
        )
        assert (
            login(cast.staff_a).get(endpoints(cast)["member"]).json()["lived_experience"]
            == "family"
        )


LISTS = ["key-areas", "sectors", "organizations", "members"]


def _grow(cast, name: str, n: int) -> None:
    """Add rows to one list until collaborative A's list has about n rows."""
    for i in range(n):
        if name == "key-areas":
            KeyAreaFactory(collaborative=cast.collab)
        elif name == "sectors":
            SectorFactory(collaborative=cast.collab)
        elif name == "organizations":
            org = OrganizationFactory(collaborative=cast.collab, sector=cast.sector2)
            org.key_areas.add(cast.key_area)
        elif name == "members":
            MemberFactory(
                collaborative=cast.collab,
                role=Member.Role.PROVIDER_STAFF,
                organization=cast.org_c,
                lived_experience="yes",
                lived_experience_visibility=Member.Visibility.COLLABORATIVE
                if i % 2
                else "backbone",
            )


@pytest.mark.parametrize("name", LISTS)
def test_list_query_count_is_the_same_for_1_and_25_rows(cast, login, count_queries, name):
    client = login(cast.backbone)
    url = endpoints(cast)[name]
    small = count_queries(client, url)
    _grow(cast, name, 25)
    assert client.get(url).json()["count"] >= 25
    assert count_queries(client, url) == small


def test_collaborative_list_query_count_is_the_same_for_1_and_25_rows(cast, login, count_queries):
    from tests.factories import CollaborativeFactory

    client = login(cast.staff_a)
    small = count_queries(client, f"{V1}/")
    for _ in range(24):
        MemberFactory(user=cast.staff_a.user, collaborative=CollaborativeFactory())
    assert client.get(f"{V1}/").json()["count"] == 25
    assert count_queries(client, f"{V1}/") == small


@pytest.mark.parametrize("name", LISTS)
def test_list_query_count_with_a_token_is_the_same_for_1_and_25_rows(
    cast, make_token, count_queries, name
):
    _t, plain = make_token(cast.admin_a)
    client = Client(headers={"Authorization": f"Token {plain}"})
    client.get(f"{V1}/")  # records last use: later requests within the minute do not write
    url = endpoints(cast)[name]
    small = count_queries(client, url)
    _grow(cast, name, 25)
    assert count_queries(client, url) == small


def test_lists_are_paginated(cast, login):
    client = login(cast.community)
    data = client.get(endpoints(cast)["organizations"], {"page_size": 2}).json()
    assert data["count"] == 3
    assert len(data["results"]) == 2
    assert data["next"]
    second = client.get(data["next"]).json()
    assert [o["name"] for o in second["results"]] == ["Org C"]
