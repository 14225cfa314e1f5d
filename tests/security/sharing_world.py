"""A world of collaboratives, sectors, organizations, people and Folders at every
sharing level, and the rules of DESIGN.md ("Tenancy and sharing", 1-6) written
once in plain Python as the oracle the mechanism is checked against.

The oracle reads the world's facts (memberships, owners, sectors, levels, the share
lists we asked for) and never the mechanism's own state (groups, guardian rows,
visible_to), so it cannot agree with a bug by construction.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from guardian.shortcuts import assign_perm

from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import sharing_set
from stakeholders.models import Member, Organization, Sector
from tests.factories import (
    CollaborativeFactory,
    MemberFactory,
    OrganizationFactory,
    SectorFactory,
    UserFactory,
)
from tests.sharingapp.models import Folder

L = SharingLevel
R = Member.Role


@dataclass
class World:
    collabs: dict = field(default_factory=dict)
    sectors: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)  # name -> User or AnonymousUser
    members: dict = field(default_factory=dict)  # name -> Member (the acting person)
    folders: dict = field(default_factory=dict)  # name -> Folder
    shares: dict = field(default_factory=dict)  # folder pk -> [Organization | Sector]
    change_shares: dict = field(default_factory=dict)  # folder pk -> [Organization | Sector]
    editors: dict = field(default_factory=dict)  # org pk -> a Member who may edit its folders

    def folder(self, name: str) -> Folder:
        return self.folders[name]

    def all_folders(self) -> list[Folder]:
        return list(Folder.objects.select_related("owner"))

    def make_folder(
        self, name: str, owner: Organization, level: str, share_with=(), *, actor=None
    ) -> Folder:
        """Create a Folder and set its level through the real service, as the owner's editor."""
        folder = Folder.objects.create(owner=owner, title=name)
        if level != L.PRIVATE:
            sharing_set(
                actor=actor or self.editors[owner.pk],
                obj=folder,
                level=level,
                share_with=list(share_with),
            )
        self.folders[name] = folder
        self.shares[folder.pk] = list(share_with) if level == L.SHARED else []
        return folder


def add_member(world: World, name: str, collab, role, org=None, **kw) -> Member:
    member = MemberFactory(collaborative=collab, role=role, organization=org, **kw)
    world.users[name] = member.user
    world.members[name] = member
    if org is not None and role in Member.EDITOR_ROLES and member.is_active:
        world.editors.setdefault(org.pk, member)
    return member


def build_world() -> World:
    """The fixed matrix: three collaboratives, people of every role, Folders at every level."""
    w = World()
    a = w.collabs["a"] = CollaborativeFactory(name="Collaborative A", slug="collab-a")
    b = w.collabs["b"] = CollaborativeFactory(name="Collaborative B", slug="collab-b")
    c = w.collabs["c"] = CollaborativeFactory(name="Collaborative C", slug="collab-c")
    s = w.sectors
    s["housing"] = SectorFactory(collaborative=a, name="Housing", slug="housing")
    s["courts"] = SectorFactory(collaborative=a, name="Courts", slug="courts")
    s["health"] = SectorFactory(collaborative=a, name="Health", slug="health")
    s["b_housing"] = SectorFactory(collaborative=b, name="Housing", slug="housing")
    s["c_jobs"] = SectorFactory(collaborative=c, name="Jobs", slug="jobs")
    o = w.orgs
    o["A"] = OrganizationFactory(collaborative=a, sector=s["housing"], name="Org A", slug="a")
    o["B"] = OrganizationFactory(collaborative=a, sector=s["housing"], name="Org B", slug="b")
    o["C"] = OrganizationFactory(collaborative=a, sector=s["courts"], name="Org C", slug="c")
    o["D"] = OrganizationFactory(collaborative=a, sector=s["health"], name="Org D", slug="d")
    o["X"] = OrganizationFactory(collaborative=b, sector=s["b_housing"], name="Org X", slug="x")
    o["Y"] = OrganizationFactory(collaborative=c, sector=s["c_jobs"], name="Org Y", slug="y")

    add_member(w, "backbone", a, R.BACKBONE)
    add_member(w, "admin_a", a, R.ORG_ADMIN, o["A"])
    add_member(w, "staff_a", a, R.PROVIDER_STAFF, o["A"])
    add_member(w, "staff_b", a, R.PROVIDER_STAFF, o["B"])
    add_member(w, "staff_c", a, R.PROVIDER_STAFF, o["C"])
    add_member(w, "admin_d", a, R.ORG_ADMIN, o["D"])
    add_member(w, "community", a, R.COMMUNITY)
    add_member(w, "observer", a, R.OBSERVER)
    add_member(w, "observer_of_a", a, R.OBSERVER, o["A"])
    add_member(w, "inactive_staff_a", a, R.PROVIDER_STAFF, o["A"], is_active=False)
    deactivated = add_member(w, "deactivated_account_a", a, R.PROVIDER_STAFF, o["A"])
    deactivated.user.is_active = False
    deactivated.user.save(update_fields=["is_active"])
    add_member(w, "outsider_backbone", b, R.BACKBONE, o["X"])
    add_member(w, "staff_x", b, R.PROVIDER_STAFF, o["X"])
    add_member(w, "staff_y", c, R.ORG_ADMIN, o["Y"])
    # One person in two collaboratives: staff of C in A, community member in B.
    both = add_member(w, "staff_c_and_community_b", a, R.PROVIDER_STAFF, o["C"])
    MemberFactory(user=both.user, collaborative=b, role=R.COMMUNITY)
    w.users["no_membership"] = UserFactory()
    w.users["anonymous"] = AnonymousUser()

    f = w.make_folder
    f("a_private", o["A"], L.PRIVATE)
    f("a_sector", o["A"], L.SECTOR)
    f("a_shared_org_c", o["A"], L.SHARED, [o["C"]])
    f("a_shared_sector_courts", o["A"], L.SHARED, [s["courts"]])
    f("a_shared_b_and_health", o["A"], L.SHARED, [o["B"], s["health"]])
    f("a_collaborative", o["A"], L.COLLABORATIVE)
    f("a_public", o["A"], L.PUBLIC)
    f("b_private", o["B"], L.PRIVATE)
    f("b_sector", o["B"], L.SECTOR)
    f("c_private", o["C"], L.PRIVATE)
    f("c_sector", o["C"], L.SECTOR)
    f("c_shared_sector_housing", o["C"], L.SHARED, [s["housing"]])
    f("d_shared_org_a", o["D"], L.SHARED, [o["A"]])
    f("d_collaborative", o["D"], L.COLLABORATIVE)
    f("x_private", o["X"], L.PRIVATE)
    f("x_sector", o["X"], L.SECTOR)
    f("x_collaborative", o["X"], L.COLLABORATIVE)
    f("x_public", o["X"], L.PUBLIC)
    f("y_collaborative", o["Y"], L.COLLABORATIVE)
    f("y_public", o["Y"], L.PUBLIC)
    # Shared once with Org C, then made private: no grant may survive the level change.
    was_shared = f("a_was_shared_now_private", o["A"], L.SHARED, [o["C"]])
    sharing_set(actor=w.editors[o["A"].pk], obj=was_shared, level=L.PRIVATE)
    w.shares[was_shared.pk] = []
    # Edit rights beyond the owner: a `change` grant to Org C on a folder shared with C,
    # and a leftover `change` grant on a private folder (must give nothing).
    co_edited = f("a_shared_and_editable_by_c", o["A"], L.SHARED, [o["C"]])
    assign_perm("change_folder", o["C"].group, co_edited)
    w.change_shares[co_edited.pk] = [o["C"]]
    leftover = f("a_private_with_leftover_change_grant", o["A"], L.PRIVATE)
    assign_perm("change_folder", o["C"].group, leftover)
    w.change_shares[leftover.pk] = [o["C"]]
    return w


# --- The oracle: DESIGN.md rules 1-6, in plain Python ------------------------------


@dataclass
class Facts:
    """The world's facts, read once: active memberships per person, each org's place."""

    memberships: dict  # user pk -> [(collaborative id, organization id | None, role)]
    orgs: dict  # organization pk -> (collaborative id, sector id)


def read_facts() -> Facts:
    orgs = {o.pk: (o.collaborative_id, o.sector_id) for o in Organization.objects.all()}
    memberships: dict = {}
    for m in Member.objects.filter(is_active=True):
        memberships.setdefault(m.user_id, []).append(
            (m.collaborative_id, m.organization_id, m.role)
        )
    return Facts(memberships=memberships, orgs=orgs)


def _places(user, collaborative_id: int, facts: Facts) -> tuple[list, set[int], set[int]]:
    """The person's active memberships in one collaborative, their orgs and their sectors."""
    if user is None or not user.is_authenticated or not user.is_active:
        return [], set(), set()
    mine = [m for m in facts.memberships.get(user.pk, []) if m[0] == collaborative_id]
    orgs = {org for _c, org, _r in mine if org is not None}
    sectors = {facts.orgs[org][1] for org in orgs}
    return mine, orgs, sectors


def _names_me(targets, orgs: set[int], sectors: set[int]) -> bool:
    for target in targets:
        if isinstance(target, Organization) and target.pk in orgs:
            return True
        if isinstance(target, Sector) and target.pk in sectors:
            return True
    return False


def expected_visible(user, folder: Folder, world: World, facts: Facts) -> bool:
    level = folder.sharing_level
    if level == L.PUBLIC:  # rule 2: anyone, signed in or not
        return True
    collaborative_id, sector_id = facts.orgs[folder.owner_id]
    mine, orgs, sectors = _places(user, collaborative_id, facts)
    if not mine:  # rule 1: nothing of a collaborative you are not (actively) in
        return False
    if folder.owner_id in orgs:  # rule 3: the owner's own access is structural
        return True
    if level == L.COLLABORATIVE:
        return True
    if level == L.SECTOR:
        return sector_id in sectors
    if level == L.SHARED:
        return _names_me(world.shares.get(folder.pk, []), orgs, sectors)
    return False  # private: the owner only


def expected_editable(user, folder: Folder, world: World, facts: Facts) -> bool:
    if not expected_visible(user, folder, world, facts):
        return False
    mine, orgs, sectors = _places(user, facts.orgs[folder.owner_id][0], facts)
    if any(org == folder.owner_id and role in Member.EDITOR_ROLES for _c, org, role in mine):
        return True
    return _names_me(world.change_shares.get(folder.pk, []), orgs, sectors)
