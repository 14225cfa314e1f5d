"""The owner's "Who can see this dataset" page (views.datasets.dataset_sharing, with
reentry/sharing/forms.py): who may open it, each level and its grants, chosen partners,
bad input, the audit log, and the page's query count."""

import uuid

import pytest
from django.urls import reverse

from indicators.models import Dataset
from reentry.audit.models import AuditEvent
from reentry.sharing.services import share_targets, sharing_set
from tests.factories import OrganizationFactory, SectorFactory
from tests.indicators.dashboard_world import indicator_of, make_dataset, observe, year
from workgroups.models import GroupMembership, WorkingGroup

pytestmark = pytest.mark.django_db

TITLE = "Org A housing figures"


def url(name, cast, **kwargs):
    return reverse(f"indicators:{name}", kwargs={"slug": cast.collab.slug, **kwargs})


@pytest.fixture
def world(cast):
    indicator = indicator_of(cast, "HOUS-1", name="People housed")
    dataset = make_dataset(cast, cast.org_a, level="private", title=TITLE)
    observe(dataset, indicator, year(2024), 4321)
    return indicator, dataset


def sharing_url(cast, dataset):
    return url("dataset_sharing", cast, public_id=dataset.public_id)


def sees(client, cast, indicator, dataset) -> bool:
    """Whether the signed-in person finds the dataset on the list and the indicator page,
    and may open it (the three must agree)."""
    listed = TITLE in client.get(url("datasets", cast)).content.decode()
    page = client.get(url("indicator", cast, public_id=indicator.public_id)).content.decode()
    detail = client.get(url("dataset", cast, public_id=dataset.public_id)).status_code
    assert listed == (TITLE in page) == (detail == 200), (listed, TITLE in page, detail)
    return listed


def post(client, cast, dataset, level, **targets):
    data = {"level": level}
    if level == "public":  # the licence question (TestLicenceWhenPublic): an open licence
        data["public_licence"] = "cc-by-4.0"
    for name in ("organizations", "sectors", "groups"):
        data[name] = [str(t.public_id) for t in targets.get(name, [])]
    return client.post(sharing_url(cast, dataset), data)


def saved(client, cast, dataset, level, **targets):
    """Post and read the page it leads to, so the confirmation is not left in the
    test client's cookies for the next person it signs in."""
    response = post(client, cast, dataset, level, **targets)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


class TestWhoMayOpenIt:
    @pytest.mark.parametrize("who", ["admin_a", "staff_a"])
    def test_owner_org_editors_see_the_form_prefilled(self, cast, login, world, who):
        _indicator, dataset = world
        response = login(getattr(cast, who)).get(sharing_url(cast, dataset))
        assert response.status_code == 200
        text = response.content.decode()
        assert "Who can see this dataset" in text
        assert response.context["form"]["level"].value() == "private"
        assert 'value="private"' in text and "checked" in text
        assert "Every organization in the Housing sector." in text
        assert "Org B (Housing)" in text and "Org C (Courts)" in text

    def test_form_offers_only_this_collaboratives_targets(self, cast, login, world):
        _indicator, dataset = world
        WorkingGroup.objects.create(collaborative=cast.collab, name="Housing table", slug="ht")
        WorkingGroup.objects.create(collaborative=cast.other_collab, name="Secret B", slug="sb")
        form = login(cast.admin_a).get(sharing_url(cast, dataset)).context["form"]
        orgs = set(form.fields["organizations"].queryset)
        assert orgs == {cast.org_b, cast.org_c}  # never the owner, never Org X
        assert set(form.fields["sectors"].queryset) == {cast.sector1, cast.sector2}
        assert [g.name for g in form.fields["groups"].queryset] == ["Housing table"]

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community"])
    def test_others_who_can_see_it_get_404_and_change_nothing(self, cast, login, world, who):
        _indicator, dataset = world
        sharing_set(actor=cast.admin_a, obj=dataset, level="collaborative")
        client = login(getattr(cast, who))
        assert client.get(url("dataset", cast, public_id=dataset.public_id)).status_code == 200
        assert client.get(sharing_url(cast, dataset)).status_code == 404
        assert post(client, cast, dataset, "private").status_code == 404
        assert post(client, cast, dataset, "public").status_code == 404
        dataset.refresh_from_db()
        assert dataset.sharing_level == "collaborative"
        assert AuditEvent.objects.filter(action="access.not_found").count() == 3

    def test_the_dataset_page_links_to_it_for_editors_only(self, cast, login, world):
        _indicator, dataset = world
        sharing_set(actor=cast.admin_a, obj=dataset, level="collaborative")
        link = sharing_url(cast, dataset)
        mine = login(cast.admin_a).get(url("dataset", cast, public_id=dataset.public_id))
        assert link in mine.content.decode()
        theirs = login(cast.staff_b).get(url("dataset", cast, public_id=dataset.public_id))
        assert theirs.status_code == 200 and link not in theirs.content.decode()

    def test_other_collaborative_gets_404(self, cast, login, world):
        _indicator, dataset = world
        client = login(cast.outsider)
        assert client.get(sharing_url(cast, dataset)).status_code == 404
        assert post(client, cast, dataset, "public").status_code == 404
        # Its own collaborative's address, with this dataset's id: still nothing.
        theirs = reverse(
            "indicators:dataset_sharing",
            kwargs={"slug": cast.other_collab.slug, "public_id": dataset.public_id},
        )
        assert client.get(theirs).status_code == 404
        dataset.refresh_from_db()
        assert dataset.sharing_level == "private"

    def test_missing_dataset_gets_404(self, cast, login, world):
        missing = url("dataset_sharing", cast, public_id=uuid.uuid4())
        assert login(cast.admin_a).get(missing).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, client, cast, world):
        _indicator, dataset = world
        response = client.get(sharing_url(cast, dataset))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert post(client, cast, dataset, "public").status_code == 302
        dataset.refresh_from_db()
        assert dataset.sharing_level == "private"


class TestChangingTheLevel:
    def test_each_way_and_the_grants_follow(self, cast, login, client, world):
        indicator, dataset = world
        owner = login(cast.admin_a)

        def check(level, *, b, c):
            response = post(login(cast.admin_a), cast, dataset, level)
            assert response.status_code == 302, response.content.decode()[:2000]
            owner.get(response["Location"])  # reads the confirmation (kept in a cookie)
            dataset.refresh_from_db()
            assert dataset.sharing_level == level
            assert sees(login(cast.staff_b), cast, indicator, dataset) is b
            assert sees(login(cast.staff_c), cast, indicator, dataset) is c

        assert sees(login(cast.staff_b), cast, indicator, dataset) is False
        check("sector", b=True, c=False)
        check("collaborative", b=True, c=True)
        check("public", b=True, c=True)
        check("sector", b=True, c=False)
        check("private", b=False, c=False)
        check("collaborative", b=True, c=True)
        check("private", b=False, c=False)
        assert owner  # the owner kept seeing it throughout
        assert sees(login(cast.admin_a), cast, indicator, dataset) is True

    def test_confirmation_says_who_sees_it(self, cast, login, world):
        _indicator, dataset = world
        client = login(cast.admin_a)
        page = saved(client, cast, dataset, "sector")
        assert "Saved. Who can see “Org A housing figures” now:" in page
        assert "Every organization in the Housing sector." in page

    def test_public_says_plainly_it_goes_on_the_public_dashboard(self, cast, login, world):
        _indicator, dataset = world
        client = login(cast.admin_a)
        form_page = client.get(sharing_url(cast, dataset)).content.decode()
        assert "appear on the public dashboard; small numbers stay hidden" in form_page
        page = saved(client, cast, dataset, "public")
        assert "will appear on the public dashboard" in page
        assert "Small numbers stay hidden." in page

    def test_the_same_choice_again_changes_nothing_and_logs_nothing(self, cast, login, world):
        _indicator, dataset = world
        response = post(login(cast.admin_a), cast, dataset, "private")
        assert response.status_code == 302
        assert not AuditEvent.objects.filter(action="sharing.changed").exists()

    def test_audit_event_written(self, cast, login, world):
        _indicator, dataset = world
        post(login(cast.admin_a), cast, dataset, "shared", organizations=[cast.org_c])
        event = AuditEvent.objects.filter(action="sharing.changed").latest("pk")
        assert event.actor == cast.admin_a.user
        assert event.collaborative == cast.collab
        text = str(event.__dict__)
        assert "private" in text and "shared" in text and "Org C" in text


class TestChosenPartners:
    def test_shared_with_a_sector(self, cast, login, world):
        indicator, dataset = world
        saved(login(cast.admin_a), cast, dataset, "shared", sectors=[cast.sector2])
        assert share_targets(Dataset.objects.get(pk=dataset.pk)) == [cast.sector2]
        assert sees(login(cast.staff_c), cast, indicator, dataset) is True
        assert sees(login(cast.staff_b), cast, indicator, dataset) is False

    def test_shared_with_an_organization(self, cast, login, world):
        indicator, dataset = world
        client = login(cast.admin_a)
        page = saved(client, cast, dataset, "shared", organizations=[cast.org_b])
        assert "Besides Org A, only these can see “Org A housing figures” now: Org B." in page
        assert sees(login(cast.staff_b), cast, indicator, dataset) is True
        assert sees(login(cast.staff_c), cast, indicator, dataset) is False

    def test_shared_with_a_working_group(self, cast, login, world):
        indicator, dataset = world
        group = WorkingGroup.objects.create(
            collaborative=cast.collab, name="Housing table", slug="ht"
        )
        GroupMembership.objects.create(group=group, member=cast.community)
        saved(login(cast.admin_a), cast, dataset, "shared", groups=[group])
        assert sees(login(cast.community), cast, indicator, dataset) is True
        assert sees(login(cast.staff_b), cast, indicator, dataset) is False

    def test_the_form_and_the_dataset_page_name_the_current_partners(self, cast, login, world):
        _indicator, dataset = world
        client = login(cast.admin_a)
        saved(client, cast, dataset, "shared", organizations=[cast.org_c], sectors=[cast.sector1])
        form = client.get(sharing_url(cast, dataset)).context["form"]
        assert form["level"].value() == "shared"
        assert [str(v) for v in form["organizations"].value()] == [str(cast.org_c.public_id)]
        assert [str(v) for v in form["sectors"].value()] == [str(cast.sector1.public_id)]
        page = client.get(url("dataset", cast, public_id=dataset.public_id)).content.decode()
        assert "Org C" in page and "the Housing sector" in page
        # Someone it is shared with sees the level, not the list of partners.
        theirs = login(cast.staff_c).get(url("dataset", cast, public_id=dataset.public_id))
        assert "the Housing sector" not in theirs.content.decode()

    def test_moving_away_from_shared_drops_the_partners(self, cast, login, world):
        indicator, dataset = world
        saved(login(cast.admin_a), cast, dataset, "shared", organizations=[cast.org_c])
        saved(login(cast.admin_a), cast, dataset, "private", organizations=[cast.org_c])
        dataset.refresh_from_db()
        assert dataset.sharing_level == "private" and share_targets(dataset) == []
        assert sees(login(cast.staff_c), cast, indicator, dataset) is False


class TestBadInput:
    def test_shared_with_nobody_is_refused_and_keeps_the_choice(self, cast, login, world):
        _indicator, dataset = world
        response = post(login(cast.admin_a), cast, dataset, "shared")
        assert response.status_code == 400
        text = response.content.decode()
        assert "Choose at least one organization, sector or group to share with." in text
        assert response.context["form"]["level"].value() == "shared"
        dataset.refresh_from_db()
        assert dataset.sharing_level == "private"
        assert not AuditEvent.objects.filter(action="sharing.changed").exists()

    @pytest.mark.parametrize("field", ["organizations", "sectors", "groups"])
    def test_a_target_of_another_collaborative_is_refused(self, cast, login, world, field):
        indicator, dataset = world
        foreign = {
            "organizations": cast.org_x,
            "sectors": cast.org_x.sector,
            "groups": WorkingGroup.objects.create(
                collaborative=cast.other_collab, name="Secret B", slug="sb"
            ),
        }[field]
        targets = {"organizations": [cast.org_b]}
        targets[field] = [*targets.get(field, []), foreign]
        response = post(login(cast.admin_a), cast, dataset, "shared", **targets)
        assert response.status_code == 400
        text = response.content.decode()
        assert "That choice is not part of this collaborative." in text
        assert foreign.name not in text or field == "sectors"  # never offered back
        dataset.refresh_from_db()
        assert dataset.sharing_level == "private" and share_targets(dataset) == []
        assert sees(login(cast.staff_b), cast, indicator, dataset) is False
        assert not AuditEvent.objects.filter(action="sharing.changed").exists()
        # What was typed stays: "shared" and Org B are still chosen.
        form = response.context["form"]
        assert form["level"].value() == "shared"
        assert str(cast.org_b.public_id) in [str(v) for v in form["organizations"].value()]

    @pytest.mark.parametrize(
        "data",
        [
            {"level": "everyone"},
            {},
            {"level": "shared", "organizations": "not-a-uuid"},
            {"level": "shared", "sectors": str(uuid.uuid4())},
        ],
    )
    def test_nonsense_is_a_clear_error_not_a_500(self, cast, login, world, data):
        _indicator, dataset = world
        response = login(cast.admin_a).post(sharing_url(cast, dataset), data)
        assert response.status_code == 400
        assert 'class="errorlist' in response.content.decode()
        dataset.refresh_from_db()
        assert dataset.sharing_level == "private"


class TestQueries:
    def test_page_queries_do_not_grow_with_partners_and_choices(
        self, cast, login, world, count_queries
    ):
        _indicator, dataset = world
        client = login(cast.admin_a)
        post(client, cast, dataset, "shared", organizations=[cast.org_b])
        few = count_queries(client, sharing_url(cast, dataset))
        sectors = [
            SectorFactory(collaborative=cast.collab, name=f"S{i}", slug=f"s{i}") for i in range(8)
        ]
        orgs = [
            OrganizationFactory(
                collaborative=cast.collab, sector=sectors[i % 8], name=f"O{i}", slug=f"o{i}"
            )
            for i in range(25)
        ]
        groups = [
            WorkingGroup.objects.create(collaborative=cast.collab, name=f"G{i}", slug=f"g{i}")
            for i in range(10)
        ]
        response = post(
            client, cast, dataset, "shared", organizations=orgs, sectors=sectors, groups=groups
        )
        assert response.status_code == 302
        many = count_queries(client, sharing_url(cast, dataset))
        assert many == few
        assert many <= 20


class TestLicenceWhenPublic:
    """A dataset made public while its licence still says "Collaborative data-sharing
    agreement only" asks which is meant (issue 14): an open licence, or keeping it
    within the collaborative."""

    def ask(self, client, cast, dataset, **extra):
        return client.post(sharing_url(cast, dataset), {"level": "public", **extra})

    def test_public_under_the_agreement_licence_asks_and_changes_nothing(self, cast, login, world):
        _indicator, dataset = world
        assert dataset.licence == "agreement"
        response = self.ask(login(cast.admin_a), cast, dataset)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Public, or within the collaborative?" in page
        assert "Choose which you mean." in page
        assert "change its licence to “Creative Commons Attribution 4.0”" in page
        assert "Keep it shared within the collaborative only" in page
        assert page.count('name="public_licence"') == 4  # asked once, four choices
        # What was chosen is kept.
        assert response.context["form"]["level"].value() == "public"
        dataset.refresh_from_db()
        assert (dataset.sharing_level, dataset.licence) == ("private", "agreement")

    def test_choosing_an_open_licence_makes_it_public_under_it(self, cast, login, world):
        _indicator, dataset = world
        client = login(cast.admin_a)
        response = self.ask(client, cast, dataset, public_licence="cc0-1.0")
        assert response.status_code == 302
        client.get(response["Location"])
        dataset.refresh_from_db()
        assert (dataset.sharing_level, dataset.licence) == ("public", "cc0-1.0")
        changed = AuditEvent.objects.filter(action="dataset.changed").latest("pk")
        assert changed.details["licence_to"] == "cc0-1.0"

    def test_keeping_it_in_the_collaborative_shares_it_there_and_keeps_the_licence(
        self, cast, login, world
    ):
        _indicator, dataset = world
        client = login(cast.admin_a)
        response = self.ask(client, cast, dataset, public_licence="keep")
        assert response.status_code == 302
        client.get(response["Location"])
        dataset.refresh_from_db()
        assert (dataset.sharing_level, dataset.licence) == ("collaborative", "agreement")

    def test_an_open_licence_is_not_asked_about(self, cast, login, world):
        _indicator, dataset = world
        Dataset.objects.filter(pk=dataset.pk).update(licence="cc-by-4.0")
        response = self.ask(login(cast.admin_a), cast, dataset)
        assert response.status_code == 302
        dataset.refresh_from_db()
        assert (dataset.sharing_level, dataset.licence) == ("public", "cc-by-4.0")

    def test_a_public_dataset_still_under_the_agreement_can_take_an_open_licence(
        self, cast, login, world
    ):
        _indicator, dataset = world
        Dataset.objects.filter(pk=dataset.pk).update(sharing_level="public")
        dataset.refresh_from_db()
        response = self.ask(login(cast.admin_a), cast, dataset, public_licence="odbl-1.0")
        assert response.status_code == 302
        dataset.refresh_from_db()
        assert (dataset.sharing_level, dataset.licence) == ("public", "odbl-1.0")

    def test_an_accepted_and_locked_dataset_can_still_be_published(self, cast, login, world):
        _indicator, dataset = world
        assert dataset.is_locked
        response = self.ask(login(cast.admin_a), cast, dataset, public_licence="cc-by-4.0")
        assert response.status_code == 302
        dataset.refresh_from_db()
        assert dataset.licence == "cc-by-4.0"

    def test_a_made_up_choice_is_refused(self, cast, login, world):
        _indicator, dataset = world
        response = self.ask(login(cast.admin_a), cast, dataset, public_licence="mine-all-mine")
        assert response.status_code == 400
        dataset.refresh_from_db()
        assert (dataset.sharing_level, dataset.licence) == ("private", "agreement")
