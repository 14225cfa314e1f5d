"""Coordination across groups: title similarity, the key-area page (overlaps, orphans),
an organization's items, and partner initiatives."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from tests.factories import KeyAreaFactory, MemberFactory
from tests.workgroups.board_world import make_board_world
from tests.workgroups.conftest import make_group, seat
from workgroups import services
from workgroups.models import ActionItem, PartnerInitiative
from workgroups.selectors import (
    find_overlaps,
    key_area_overview,
    organization_items,
    title_similarity,
    title_words,
)

pytestmark = pytest.mark.django_db


def curl(name, slug="collab-a", **kw):
    return reverse(f"coordination:{name}", kwargs={"slug": slug, **kw})


@pytest.fixture
def bw(cast, wg):
    return make_board_world(cast, wg)


@pytest.fixture
def jobs_group(cast):
    """A second group, chaired by staff_c, that plans the same thing as Housing."""
    group = make_group(cast.backbone, "Jobs Group", requires_community_cochair=False)
    seat(group, cast.staff_c, "chair")
    return group


class TestSimilarity:
    def test_words_drop_small_words_punctuation_accents_and_plural_s(self):
        assert title_words("Recruit the Landlords, for Re-entry!") == {
            "recruit",
            "landlord",
            "re",
            "entry",
        }
        assert title_words("Café access") == {"cafe", "access"}

    def test_same_words_in_another_order_are_alike(self):
        assert title_similarity("Recruit landlords", "landlord recruit") == 1.0

    def test_unrelated_titles_are_not(self):
        assert title_similarity("Bus passes for the first month", "Recruit landlords") == 0.0
        assert title_similarity("the", "a") == 0.0

    def test_overlaps_are_between_different_groups_only(self, cast, wg, bw, jobs_group):
        same_group = services.action_item_create(
            actor=cast.staff_a, group=wg.housing, title="Recruit landlords fair-chance"
        )
        other = services.action_item_create(
            actor=cast.staff_c,
            group=jobs_group,
            title="Recruit fair chance landlords",
            key_area=cast.key_area,
        )
        items = list(ActionItem.objects.filter(pk__in=[bw.by_b.pk, same_group.pk, other.pk]))
        pairs = {frozenset((o.first.pk, o.second.pk)) for o in find_overlaps(items)}
        assert pairs == {frozenset((bw.by_b.pk, other.pk)), frozenset((same_group.pk, other.pk))}

    def test_pairs_that_are_both_done_are_left_out(self, cast, wg, bw, jobs_group):
        other = services.action_item_create(
            actor=cast.staff_c, group=jobs_group, title="Recruit fair-chance landlords"
        )
        for item in (other, bw.by_b):
            services.action_item_move(actor=cast.backbone, item=item, status="done")
        assert find_overlaps([bw.by_b, other]) == []


class TestKeyAreaOverview:
    def test_groups_priorities_items_overlaps_and_orphans(self, cast, wg, bw, jobs_group):
        cross = services.action_item_create(
            actor=cast.staff_c,
            group=jobs_group,
            title="Recruit landlords who are fair-chance",
            key_area=cast.key_area,
            owner_organization=cast.org_c,
        )
        elsewhere = services.action_item_create(
            actor=cast.staff_c,
            group=jobs_group,
            title="Recruit fair-chance landlords",
            key_area=KeyAreaFactory(collaborative=cast.collab, slug="jobs"),
        )
        view = key_area_overview(
            user=cast.staff_b.user, collaborative=cast.collab, area=cast.key_area
        )
        assert [s.group for s in view.sections] == [wg.housing, jobs_group]
        assert view.sections[0].in_area and not view.sections[1].in_area
        housing = view.sections[0]
        assert [(p.title, [i.title for i in items]) for p, items in housing.priorities] == [
            ("More landlords", ["Recruit fair-chance landlords", "Write a landlord guide"]),
            ("No one to the street", ["Count transitional beds"]),
        ]
        assert view.sections[1].unranked == [cross]
        assert elsewhere not in view.items  # another key area
        assert bw.other_item not in view.items  # another collaborative
        assert [(o.first, o.second) for o in view.overlaps] in (
            [(bw.by_b, cross)],
            [(cross, bw.by_b)],
        )
        assert view.overdue == [bw.orphan] and view.unowned == [bw.orphan]
        assert (view.organizations, view.sectors) == (2, 2)  # org B (housing), org C (courts)

    def test_page_explains_the_overlap_rule_and_lists_orphans(self, cast, wg, bw, login):
        page = login(cast.community).get(curl("key_area", area="housing"))
        assert page.status_code == 200
        html = page.content.decode()
        assert "at least 50% of the words in their titles are the same" in html
        assert 'id="orphans"' in html and bw.orphan.title in html

    def test_key_area_page_leaves_out_private_gathering_items_for_non_members(
        self, cast, wg, bw, login
    ):
        bw.private_item.key_area = cast.key_area
        bw.private_item.save()
        response = login(cast.staff_b).get(curl("key_area", area="housing"))
        assert response.status_code == 200
        assert bw.private_item.title.encode() not in response.content
        assert (
            bw.private_item.title.encode()
            in login(cast.staff_c).get(curl("key_area", area="housing")).content
        )

    @pytest.mark.parametrize("name", ["key_areas", "key_area"])
    def test_another_collaborative_gets_404(self, cast, wg, bw, login, name):
        kw = {"area": "housing"} if name == "key_area" else {}
        assert login(cast.outsider).get(curl(name, **kw)).status_code == 404
        assert login(cast.observer).get(curl(name, **kw)).status_code == 200

    def test_unknown_area_is_404(self, cast, login):
        assert login(cast.backbone).get(curl("key_area", area="nowhere")).status_code == 404

    def test_index_counts(self, cast, wg, bw, login):
        page = login(cast.staff_a).get(curl("key_areas"))
        area = next(a for a in page.context["areas"] if a.pk == cast.key_area.pk)
        assert (area.group_count, area.open_count, area.overdue_count, area.unowned_count) == (
            1,
            3,
            1,
            1,
        )

    def test_same_queries_at_1_and_25_items(self, cast, wg, login, count_queries, jobs_group):
        client = login(cast.staff_a)
        target = curl("key_area", area="housing")
        services.action_item_create(actor=cast.staff_a, group=wg.housing, title="One thing")
        few = count_queries(client, target)
        plan = services.action_plan_create(
            actor=cast.staff_c, group=jobs_group, period="2026", title="Jobs"
        )
        for i in range(24):
            if i % 2:
                priority = services.priority_add(actor=cast.staff_c, plan=plan, title=f"P{i}")
                services.action_item_create(
                    actor=cast.staff_c,
                    group=jobs_group,
                    title=f"Landlord outreach round {i}",
                    priority=priority,
                    key_area=cast.key_area,
                    owner_organization=cast.org_c if i % 3 else None,
                    due_date=timezone.localdate() + timedelta(days=i - 12),
                )
            else:
                services.action_item_create(
                    actor=cast.staff_a,
                    group=wg.housing,
                    title=f"Landlord outreach round {i}",
                    owner_member=MemberFactory(collaborative=cast.collab),
                )
        assert count_queries(client, target) == few <= 12


class TestOrganizationPage:
    def test_lists_the_open_items_it_owns_across_groups(self, cast, wg, bw, login, jobs_group):
        services.action_item_create(
            actor=cast.staff_c,
            group=jobs_group,
            title="Court date texts",
            owner_organization=cast.org_c,
        )
        done = services.action_item_create(
            actor=cast.staff_c, group=jobs_group, title="Old thing", owner_organization=cast.org_c
        )
        services.action_item_move(actor=cast.staff_c, item=done, status="done")
        target = reverse(
            "stakeholders:organization",
            kwargs={"slug": "collab-a", "public_id": cast.org_c.public_id},
        )
        html = login(cast.community).get(target).content.decode()
        assert "Action items it owns" in html
        assert "Write a landlord guide" in html and "Court date texts" in html
        assert "Old thing" not in html
        assert "Recruit fair-chance landlords" not in html  # organization B's

    def test_items_run_one_query(self, cast, wg, bw, django_assert_num_queries):
        with django_assert_num_queries(1):
            items = organization_items(user=cast.staff_a.user, organization=cast.org_c)
            assert [i.group.name for i in items] == ["Housing Working Group"]

    def test_private_gathering_items_are_left_out_for_non_members(self, cast, wg, bw):
        bw.private_item.owner_organization = cast.org_c
        bw.private_item.save()
        assert bw.private_item not in organization_items(
            user=cast.staff_b.user, organization=cast.org_c
        )
        assert bw.private_item in organization_items(
            user=cast.staff_c.user, organization=cast.org_c
        )


@pytest.fixture
def initiative(cast, wg, bw):
    return services.partner_initiative_create(
        actor=cast.backbone,
        name="Cradle to Career",
        focus=PartnerInitiative.Focus.EDUCATION,
        contact_name="Monique",
        groups=[wg.housing],
        priorities=[bw.first],
        action_items=[bw.by_b, bw.private_item],
    )


class TestPartnerInitiatives:
    @pytest.mark.parametrize("name", ["partners", "partner", "partner_create", "partner_edit"])
    def test_another_collaborative_gets_404(self, cast, initiative, login, name):
        kw = {"public_id": initiative.public_id} if name in ("partner", "partner_edit") else {}
        assert login(cast.outsider).get(curl(name, **kw)).status_code == 404
        assert login(cast.backbone).get(curl(name, **kw)).status_code == 200
        other = curl(name, slug="collab-b", **kw)
        assert login(cast.outsider).get(other).status_code == (404 if kw else 200)

    @pytest.mark.parametrize("name", ["partner_create", "partner_edit"])
    def test_only_backbone_edit(self, cast, initiative, login, name):
        kw = {"public_id": initiative.public_id} if name == "partner_edit" else {}
        assert login(cast.admin_a).get(curl(name, **kw)).status_code == 403
        assert login(cast.community).post(curl(name, **kw), {"name": "X"}).status_code == 403

    def test_detail_shows_where_reentry_work_touches_it(self, cast, wg, bw, initiative, login):
        html = login(cast.staff_b).get(curl("partner", public_id=initiative.public_id)).content
        html = html.decode()
        assert wg.housing.name in html and bw.first.title in html and bw.by_b.title in html
        assert bw.private_item.title not in html  # from a gathering staff_b may not read
        member_view = login(cast.staff_c).get(curl("partner", public_id=initiative.public_id))
        assert bw.private_item.title in member_view.content.decode()

    def test_backbone_adds_one_with_links(self, cast, wg, bw, login):
        response = login(cast.backbone).post(
            curl("partner_create"),
            {
                "name": "Youth Works",
                "focus": "youth_employment",
                "contact_email": "dan@example.org",
                "is_active": "on",
                "groups": [wg.housing.pk],
                "priorities": [bw.second.pk],
                "action_items": [bw.orphan.pk],
            },
        )
        initiative = PartnerInitiative.objects.get(name="Youth Works")
        assert response["Location"] == initiative.get_absolute_url()
        assert list(initiative.groups.all()) == [wg.housing]
        assert list(initiative.action_items.all()) == [bw.orphan]
        assert AuditEvent.objects.filter(action="partner_initiative.created").exists()

    def test_links_to_another_collaborative_are_refused(self, cast, wg, bw, login):
        response = login(cast.backbone).post(
            curl("partner_create"),
            {
                "name": "Elsewhere",
                "focus": "poverty",
                "groups": [wg.other_group.pk],
                "action_items": [bw.other_item.pk],
            },
        )
        assert response.status_code == 200
        assert {"groups", "action_items"} <= set(response.context["form"].errors)
        with pytest.raises(Exception, match="priorities"):
            services.partner_initiative_create(
                actor=cast.backbone, name="Y", focus="poverty", priorities=[bw.other_priority]
            )

    def test_key_area_page_lists_linked_partners(self, cast, wg, bw, initiative, login):
        page = login(cast.observer).get(curl("key_area", area="housing"))
        assert page.context["overview"].partners == [initiative]

    def test_list_same_queries_at_1_and_25(self, cast, wg, bw, login, count_queries):
        client = login(cast.community)
        services.partner_initiative_create(
            actor=cast.backbone, name="P0", focus="poverty", groups=[wg.housing]
        )
        few = count_queries(client, curl("partners"))
        for i in range(1, 25):
            services.partner_initiative_create(
                actor=cast.backbone,
                name=f"P{i}",
                focus="health",
                groups=[wg.housing],
                priorities=[bw.first],
                action_items=[bw.by_b],
            )
        assert count_queries(client, curl("partners")) == few <= 8


class TestKeyAreaPageStaysTheSameSize:
    """The key-area page shows a few items under each priority and in each short list,
    with links to the whole lists: ten times the items, the same rows and queries."""

    def _add(self, cast, wg, jobs_group, priority, n, start=0):
        today = timezone.localdate()
        for group, owner in ((wg.housing, None), (jobs_group, cast.org_c)):
            ActionItem.objects.bulk_create(
                ActionItem(
                    collaborative=cast.collab,
                    group=group,
                    priority=priority if group == jobs_group else None,
                    key_area=cast.key_area,
                    title=f"Landlord outreach round {start + i}",
                    owner_organization=owner,
                    due_date=today + timedelta(days=(start + i) % 40 - 20),
                )
                for i in range(n)
            )

    def test_same_rows_and_queries_at_1x_and_10x(self, cast, wg, login, count_queries, jobs_group):
        from workgroups.views.coordination import KEY_AREA_ATTENTION

        client = login(cast.staff_a)
        target = curl("key_area", area="housing")
        plan = services.action_plan_create(
            actor=cast.staff_c, group=jobs_group, period="2026", title="Jobs"
        )
        priority = services.priority_add(actor=cast.staff_c, plan=plan, title="Landlords")
        self._add(cast, wg, jobs_group, priority, 2 * KEY_AREA_ATTENTION)
        few = count_queries(client, target)
        rows_1x = count_queries.page.count("<li>")
        self._add(cast, wg, jobs_group, priority, 18 * KEY_AREA_ATTENTION, start=1000)
        assert count_queries(client, target) == few
        page = count_queries.page
        assert page.count("<li>") == rows_1x
        assert "See all 100 under this priority" not in page  # 200 of Jobs's are under it
        assert "See all 200 under this priority" in page
        unowned = client.get(curl("key_area_items", area="housing"), {"show": "unowned"})
        assert unowned.status_code == 200
        assert unowned.context["page"].paginator.count == 200
        assert unowned.context["page"].object_list[0].owner_organization_id is None
        assert (
            client.get(curl("key_area_items", area="housing"), {"show": "unowned", "page": 8})
            .context["page"]
            .number
            == 8
        )

    def test_the_whole_list_filters_and_keeps_to_what_the_person_may_see(self, cast, wg, bw, login):
        client = login(cast.staff_b)
        target = curl("key_area_items", area="housing")
        everything = client.get(target, {"show": "all"})
        titles = {i.title for i in everything.context["page"].object_list}
        assert bw.by_b.title in titles and bw.orphan.title in titles
        overdue = client.get(target, {"show": "overdue"}).context["page"].object_list
        assert [i.title for i in overdue] == [bw.orphan.title]
        one_group = client.get(target, {"show": "all", "group": str(wg.housing.public_id)})
        assert one_group.status_code == 200
        assert client.get(target, {"group": "nonsense"}).status_code == 404
        assert client.get(target, {"group": str(wg.other_group.public_id)}).status_code == 404
        assert client.get(target, {"show": "whatever"}).context["show"] == "open"

    def test_another_collaborative_gets_404(self, cast, wg, bw, login):
        target = curl("key_area_items", area="housing")
        assert login(cast.outsider).get(target).status_code == 404
        assert login(cast.observer).get(target).status_code == 200
