"""The permission matrix: for every (person, Folder) pair, the list page, the detail
page and the API agree exactly with DESIGN.md's rules (the oracle in sharing_world),
and visible_to / is_visible_to / editable_by / is_editable_by agree with each other.
"""

import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reentry.audit.models import AuditEvent
from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import share_targets, sharing_set
from stakeholders.models import Member
from tests import worlds
from tests.factories import MemberFactory, OrganizationFactory
from tests.security.sharing_world import (
    L,
    R,
    build_world,
    expected_editable,
    expected_visible,
    read_facts,
)
from tests.sharingapp.models import Folder, FolderGroupObjectPermission, Note

pytestmark = pytest.mark.django_db

PEOPLE = [
    "backbone",
    "admin_a",
    "staff_a",
    "staff_b",
    "staff_c",
    "admin_d",
    "community",
    "observer",
    "observer_of_a",
    "inactive_staff_a",
    "deactivated_account_a",
    "outsider_backbone",
    "staff_x",
    "staff_y",
    "staff_c_and_community_b",
    "no_membership",
    "anonymous",
]

UUID_IN_PAGE = re.compile(rb'data-folder="([0-9a-f-]{36})"')


@worlds.world()
def build_sharing_matrix():
    """The fixed matrix, built once for the tests here that use it (tests/worlds.py)."""
    return build_world()


@pytest.fixture
def sharing_matrix(request, db, _worlds):
    return worlds.get(request, "sharing_matrix")


@pytest.fixture
def world(sharing_matrix):
    return sharing_matrix


def _client_for(client, world, who):
    user = world.users[who]
    if user.is_authenticated:
        client.force_login(user)
    return client


def _expected(world, user, facts=None) -> set[str]:
    facts = facts or read_facts()
    return {
        str(f.public_id) for f in world.all_folders() if expected_visible(user, f, world, facts)
    }


def _listed_on_pages(client, world) -> set[str]:
    found: set[str] = set()
    for collab in world.collabs.values():
        response = client.get(reverse("sharingapp:folders", args=[collab.slug]))
        assert response.status_code == 200
        found |= {m.decode() for m in UUID_IN_PAGE.findall(response.content)}
    return found


def _listed_by_api(client) -> set[str]:
    response = client.get(reverse("sharingapp:api_folders"))
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None  # the whole matrix fits on one API page
    return {row["public_id"] for row in body["results"]}


class TestMatrix:
    def test_the_world_has_every_level_and_hides_something_from_everyone_signed_in(self, world):
        levels = {f.sharing_level for f in world.all_folders()}
        assert levels == set(SharingLevel.values)
        facts = read_facts()
        for who in PEOPLE:
            user = world.users[who]
            seen = _expected(world, user, facts)
            assert seen, who  # everyone sees at least the public folders
            assert len(seen) < len(world.folders), who  # and nobody sees everything

    @pytest.mark.parametrize("who", PEOPLE)
    def test_pages_and_api_agree_with_the_rules(self, world, client, who):
        user = world.users[who]
        expected = _expected(world, user)
        client = _client_for(client, world, who)
        names = {str(f.public_id): name for name, f in world.folders.items()}
        assert {names[u] for u in _listed_on_pages(client, world)} == {names[u] for u in expected}
        assert {names[u] for u in _listed_by_api(client)} == {names[u] for u in expected}
        for name, folder in world.folders.items():
            slug = folder.owner.collaborative.slug
            page = client.get(reverse("sharingapp:folder", args=[slug, folder.public_id]))
            api = client.get(reverse("sharingapp:api_folder", args=[folder.public_id]))
            want = 200 if str(folder.public_id) in expected else 404
            assert (page.status_code, api.status_code) == (want, want), (who, name)

    @pytest.mark.parametrize("who", PEOPLE)
    def test_visible_to_and_is_visible_to_agree_with_the_rules(self, world, who):
        user = world.users[who]
        listed = set(Folder.objects.visible_to(user).values_list("public_id", flat=True))
        facts = read_facts()
        for name, folder in world.folders.items():
            want = expected_visible(user, folder, world, facts)
            assert (folder.public_id in listed, folder.is_visible_to(user)) == (want, want), (
                who,
                name,
            )

    @pytest.mark.parametrize("who", PEOPLE)
    def test_editable_by_and_is_editable_by_agree_with_the_rules(self, world, who):
        user = world.users[who]
        editable = set(Folder.objects.editable_by(user).values_list("public_id", flat=True))
        facts = read_facts()
        for name, folder in world.folders.items():
            want = expected_editable(user, folder, world, facts)
            assert (folder.public_id in editable, folder.is_editable_by(user)) == (want, want), (
                who,
                name,
            )

    def test_editable_is_always_a_subset_of_visible(self, world):
        for who in PEOPLE:
            user = world.users[who]
            assert set(Folder.objects.editable_by(user)) <= set(Folder.objects.visible_to(user))

    def test_notes_are_visible_only_through_their_folder(self, world):
        for folder in world.folders.values():
            Note.objects.create(folder=folder, body=f"note in {folder.title}")
        facts = read_facts()
        for who in PEOPLE:
            user = world.users[who]
            seen = set(
                Note.objects.visible_through("folder", user).values_list("folder_id", flat=True)
            )
            assert seen == set(Folder.objects.visible_to(user).values_list("pk", flat=True))
            assert seen == {
                f.pk for f in world.folders.values() if expected_visible(user, f, world, facts)
            }


class TestHiddenFolders:
    def test_other_sector_gets_404_and_is_audited_with_the_collaborative(self, world, client):
        folder = world.folder("b_private")
        client.force_login(world.users["staff_c"])
        response = client.get(reverse("sharingapp:folder", args=["collab-a", folder.public_id]))
        assert response.status_code == 404
        event = AuditEvent.objects.get(action="access.not_found")
        assert event.object_id == str(folder.public_id)
        assert event.collaborative == world.collabs["a"]
        assert event.actor == world.users["staff_c"]

    def test_right_person_sees_the_folder(self, world, client):
        folder = world.folder("b_private")
        client.force_login(world.users["staff_b"])
        response = client.get(reverse("sharingapp:folder", args=["collab-a", folder.public_id]))
        assert response.status_code == 200
        assert folder.title.encode() in response.content

    def test_folder_under_the_wrong_collaborative_slug_gets_404(self, world, client):
        folder = world.folder("x_public")
        response = client.get(reverse("sharingapp:folder", args=["collab-a", folder.public_id]))
        assert response.status_code == 404


class TestQueryCounts:
    def test_visible_to_is_one_query_however_many_rows_and_grants(
        self, world, django_assert_num_queries, django_assert_max_num_queries
    ):
        small = 0
        for who in PEOPLE:
            with django_assert_num_queries(1):
                small += len(Folder.objects.visible_to(world.users[who]))
        owner, editor = world.orgs["A"], world.members["admin_a"]
        targets = [world.orgs["B"], world.orgs["C"], world.orgs["D"], world.sectors["courts"]]
        for i in range(40):
            level = [L.SECTOR, L.SHARED, L.COLLABORATIVE, L.PRIVATE][i % 4]
            world.make_folder(f"more {i}", owner, level, targets[: 1 + i % 4], actor=editor)
        large = 0
        for who in PEOPLE:
            with django_assert_num_queries(1):
                large += len(Folder.objects.visible_to(world.users[who]))
            with django_assert_max_num_queries(1):  # none() for anonymous: no query
                list(Folder.objects.editable_by(world.users[who]))
            with django_assert_num_queries(1):
                Note.objects.visible_through("folder", world.users[who]).count()
        assert large > small

    def test_list_page_runs_the_same_queries_at_1_and_25_rows(self, db, client, count_queries):
        from tests.security.sharing_world import World, add_member

        w = World()
        collab = OrganizationFactory().collaborative
        org = OrganizationFactory(collaborative=collab)
        other = OrganizationFactory(collaborative=collab)
        add_member(w, "staff", collab, R.PROVIDER_STAFF, org)
        add_member(w, "viewer", collab, R.PROVIDER_STAFF, other)
        client.force_login(w.users["viewer"])
        url = reverse("sharingapp:folders", args=[collab.slug])
        w.make_folder("f0", org, L.SHARED, [other])
        one = count_queries(client, url)
        for i in range(1, 25):
            w.make_folder(f"f{i}", org, [L.SHARED, L.COLLABORATIVE][i % 2], [other])
        response = client.get(url)
        assert len(UUID_IN_PAGE.findall(response.content)) == 25
        assert count_queries(client, url) == one

    def test_api_list_runs_the_same_queries_at_1_and_25_rows(self, world, client, count_queries):
        client.force_login(world.users["staff_y"])
        url = reverse("sharingapp:api_folders")
        before = count_queries(client, url)
        for i in range(24):
            world.make_folder(f"y {i}", world.orgs["Y"], L.COLLABORATIVE)
        assert count_queries(client, url) == before


class TestSharingSet:
    def _grant_groups(self, folder) -> set[int]:
        return set(
            FolderGroupObjectPermission.objects.filter(
                content_object=folder, permission__codename="view_folder"
            ).values_list("group_id", flat=True)
        )

    def test_level_change_replaces_the_grants(self, world):
        folder, actor = world.folder("a_private"), world.members["admin_a"]
        o, s = world.orgs, world.sectors
        sharing_set(actor=actor, obj=folder, level=L.SHARED, share_with=[o["C"], s["health"]])
        assert self._grant_groups(folder) == {o["C"].group_id, s["health"].group_id}
        assert set(share_targets(folder)) == {o["C"], s["health"]}
        sharing_set(actor=actor, obj=folder, level=L.SECTOR)
        assert self._grant_groups(folder) == {s["housing"].group_id}
        sharing_set(actor=actor, obj=folder, level=L.COLLABORATIVE)
        assert self._grant_groups(folder) == set()
        sharing_set(actor=actor, obj=folder, level=L.SHARED, share_with=iter([o["D"]]))
        assert self._grant_groups(folder) == {o["D"].group_id}
        sharing_set(actor=actor, obj=folder, level=L.PRIVATE)
        assert self._grant_groups(folder) == set()
        folder.refresh_from_db()
        assert folder.sharing_level == L.PRIVATE

    def test_failure_midway_keeps_the_old_level_and_grants(self, world):
        folder, actor = world.folder("a_shared_org_c"), world.members["admin_a"]
        before = self._grant_groups(folder)
        with (
            mock.patch("reentry.sharing.services.record", side_effect=RuntimeError("disk full")),
            pytest.raises(RuntimeError),
        ):
            sharing_set(actor=actor, obj=folder, level=L.SHARED, share_with=[world.orgs["D"]])
        assert self._grant_groups(folder) == before
        assert folder.sharing_level == L.SHARED
        folder.refresh_from_db()
        assert folder.sharing_level == L.SHARED
        assert folder.is_visible_to(world.users["staff_c"])
        assert not folder.is_visible_to(world.users["admin_d"])

    def test_sharing_with_an_organization_of_another_collaborative_is_refused(self, world):
        folder, actor = world.folder("a_private"), world.members["admin_a"]
        for target in [world.orgs["X"], world.sectors["b_housing"], world.collabs["a"]]:
            with pytest.raises(ValidationError):
                sharing_set(actor=actor, obj=folder, level=L.SHARED, share_with=[target])
        with pytest.raises(ValidationError):
            sharing_set(
                actor=actor,
                obj=folder,
                level=L.SHARED,
                share_with=[world.orgs["B"], world.orgs["X"]],
            )
        folder.refresh_from_db()
        assert folder.sharing_level == L.PRIVATE
        assert self._grant_groups(folder) == set()
        assert not folder.is_visible_to(world.users["staff_x"])
        assert not AuditEvent.objects.filter(
            action="sharing.changed", object_id=str(folder.public_id)
        ).exists()

    def test_shared_needs_someone_to_share_with(self, world):
        with pytest.raises(ValidationError):
            sharing_set(
                actor=world.members["admin_a"], obj=world.folder("a_private"), level=L.SHARED
            )

    @pytest.mark.parametrize(
        "who", ["staff_b", "observer_of_a", "backbone", "community", "inactive_staff_a"]
    )
    def test_only_an_editor_may_change_sharing(self, world, who):
        folder = world.folder("a_collaborative")
        with pytest.raises(PermissionDenied):
            sharing_set(actor=world.members[who], obj=folder, level=L.PUBLIC)
        folder.refresh_from_db()
        assert folder.sharing_level == L.COLLABORATIVE

    def test_a_change_grant_lets_another_organization_change_sharing(self, world):
        folder = world.folder("a_shared_and_editable_by_c")
        sharing_set(actor=world.members["staff_c"], obj=folder, level=L.COLLABORATIVE)
        folder.refresh_from_db()
        assert folder.sharing_level == L.COLLABORATIVE

    def test_every_sharing_change_is_audit_logged(self, world):
        folder, actor = world.folder("a_private"), world.users["admin_a"]
        start = AuditEvent.objects.filter(action="sharing.changed").count()
        sharing_set(
            actor=world.members["admin_a"],
            obj=folder,
            level=L.SHARED,
            share_with=iter([world.orgs["C"]]),
        )
        sharing_set(actor=world.members["admin_a"], obj=folder, level=L.PUBLIC)
        events = list(
            AuditEvent.objects.filter(
                action="sharing.changed", object_id=str(folder.public_id)
            ).order_by("id")
        )
        assert AuditEvent.objects.filter(action="sharing.changed").count() == start + 2
        first, second = events
        assert first.actor == actor
        assert first.collaborative == world.collabs["a"]
        assert first.object_type == "sharingapp.Folder"
        assert first.details["before"] == {"level": "private", "with": []}
        assert first.details["after"] == {"level": "shared", "with": ["Org C"]}
        assert second.details["before"] == {"level": "shared", "with": ["Org C"]}
        assert second.details["after"] == {"level": "public", "with": []}


class TestSectorMove:
    def test_moving_an_organization_to_another_sector_moves_its_grants_and_people(self, world):
        org_a = world.orgs["A"]
        org_a.sector = world.sectors["courts"]
        org_a.save()
        a_sector, b_sector, c_sector = (
            world.folder(n) for n in ("a_sector", "b_sector", "c_sector")
        )
        u = world.users
        assert a_sector.is_visible_to(u["staff_c"])  # new sector sees A's sector folder
        assert not a_sector.is_visible_to(u["staff_b"])  # the old sector no longer does
        assert c_sector.is_visible_to(u["staff_a"])  # A's people are in the new sector
        assert not b_sector.is_visible_to(u["staff_a"])  # and out of the old one
        facts = read_facts()
        for who in PEOPLE:
            user = u[who]
            listed = set(Folder.objects.visible_to(user))
            assert listed == {
                f for f in world.all_folders() if expected_visible(user, f, world, facts)
            }

    def test_the_move_is_audit_logged(self, world):
        org_a = world.orgs["A"]
        org_a.sector = world.sectors["health"]
        org_a.save()
        event = AuditEvent.objects.get(action="sharing.regranted")
        assert event.object_id == str(org_a.public_id)
        assert event.collaborative == world.collabs["a"]
        assert event.details["objects"] == {
            "sharingapp.Folder": [str(world.folder("a_sector").public_id)]
        }

    def test_saving_without_a_move_changes_nothing(self, world):
        org_a = world.orgs["A"]
        org_a.name = "Org A renamed"
        org_a.save()
        assert not AuditEvent.objects.filter(action="sharing.regranted").exists()
        assert world.folder("a_sector").is_visible_to(world.users["staff_b"])


class TestGroupSync:
    def _groups(self, user) -> set[int]:
        return set(user.groups.values_list("id", flat=True))

    def test_joining_adds_the_groups_and_what_they_see(self, world):
        user = world.users["no_membership"]
        assert not world.folder("c_sector").is_visible_to(user)
        MemberFactory(
            user=user,
            collaborative=world.collabs["a"],
            role=R.PROVIDER_STAFF,
            organization=world.orgs["C"],
        )
        o, s, c = world.orgs["C"], world.sectors["courts"], world.collabs["a"]
        assert self._groups(user) == {o.group_id, s.group_id, c.group_id}
        assert world.folder("c_sector").is_visible_to(user)
        assert world.folder("a_shared_org_c").is_visible_to(user)

    def test_leaving_removes_them(self, world):
        user = world.users["staff_c"]
        assert world.folder("a_shared_sector_courts").is_visible_to(user)
        Member.objects.get(user=user).delete()
        assert self._groups(user) == set()
        assert set(Folder.objects.visible_to(user)) == {
            f for f in world.all_folders() if f.sharing_level == L.PUBLIC
        }

    def test_changing_organization_moves_the_groups(self, world):
        user = world.users["staff_c"]
        member = Member.objects.get(user=user)
        member.organization = world.orgs["D"]
        member.save()
        d, health, a = world.orgs["D"], world.sectors["health"], world.collabs["a"]
        assert self._groups(user) == {d.group_id, health.group_id, a.group_id}
        assert not world.folder("a_shared_org_c").is_visible_to(user)
        assert world.folder("a_shared_b_and_health").is_visible_to(user)

    def test_deactivating_a_member_removes_the_groups(self, world):
        user = world.users["staff_b"]
        member = Member.objects.get(user=user)
        member.is_active = False
        member.save()
        assert self._groups(user) == set()
        assert set(Folder.objects.visible_to(user)) == {
            f for f in world.all_folders() if f.sharing_level == L.PUBLIC
        }

    def test_membership_in_another_collaborative_keeps_its_own_groups(self, world):
        user = world.users["staff_c_and_community_b"]
        assert world.collabs["b"].group_id in self._groups(user)
        assert world.folder("x_collaborative").is_visible_to(user)
        assert not world.folder("x_sector").is_visible_to(user)


class TestAdmin:
    @pytest.fixture
    def admin_client(self, world, client):
        from stakeholders.models import User

        client.force_login(User.objects.create_superuser(email="root@example.org"))
        return client

    def test_changelist_and_object_permissions_page_render(self, world, admin_client):
        folder = world.folder("a_shared_org_c")
        changelist = admin_client.get(reverse("admin:sharingapp_folder_changelist"))
        assert changelist.status_code == 200
        assert folder.title.encode() in changelist.content
        change = admin_client.get(reverse("admin:sharingapp_folder_change", args=[folder.pk]))
        assert change.status_code == 200
        perms = admin_client.get(reverse("admin:sharingapp_folder_permissions", args=[folder.pk]))
        assert perms.status_code == 200
        assert world.orgs["C"].group.name.encode() in perms.content

    def test_grants_go_to_groups_not_single_people(self, world, admin_client):
        folder = world.folder("a_private")
        url = reverse(
            "admin:sharingapp_folder_permissions_manage_user",
            args=[folder.pk, world.users["staff_c"].pk],
        )
        assert admin_client.get(url).status_code == 404

    def test_a_grant_changed_in_the_admin_is_audit_logged(self, world, admin_client):
        folder = world.folder("a_private")
        group = world.orgs["C"].group
        url = reverse(
            "admin:sharingapp_folder_permissions_manage_group", args=[folder.pk, group.pk]
        )
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(url, {"permissions": ["change_folder"]})
        assert response.status_code == 302
        event = AuditEvent.objects.get(action="sharing.admin_changed")
        assert event.object_id == str(folder.public_id)
        assert event.details["permissions"] == ["change_folder"]
        assert event.collaborative == world.collabs["a"]

    def test_staff_without_superuser_cannot_open_the_admin(self, world, client):
        client.force_login(world.users["admin_a"])
        response = client.get(reverse("admin:sharingapp_folder_changelist"))
        assert response.status_code == 302
