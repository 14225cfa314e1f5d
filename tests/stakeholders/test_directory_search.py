"""The directory search page, for members (/c/<slug>/directory/) and the public
(/directory/<slug>/): isolation, every filter, sorting, open now, query counts, scale."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from stakeholders.models import KeyArea, Language, Organization, Service
from tests.caches import clear_caches
from tests.factories import KeyAreaFactory
from tests.stakeholders.directory_world import (
    c_url,
    make_public,
    make_service,
    office_hours,
    p_url,
)

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [s.name for s in response.context["page"].object_list]


@pytest.fixture
def listed(cast):
    """Org A (members only) has two services, Org B (public) one, Org X (other collab) one."""
    make_public(cast.org_b)
    return {
        "a1": make_service(cast.org_a, "Shelter beds", key_areas=[cast.key_area]),
        "a2": make_service(cast.org_a, "Job club"),
        "b1": make_service(cast.org_b, "Rent help", key_areas=[cast.key_area]),
        "x1": make_service(cast.org_x, "Other place service"),
    }


class TestWhoSeesWhat:
    def test_member_sees_every_service_of_the_collaborative_and_nothing_else(
        self, cast, listed, login
    ):
        response = login(cast.community).get(c_url("directory", cast.collab))
        assert response.status_code == 200
        assert names(response) == ["Job club", "Rent help", "Shelter beds"]

    def test_member_of_another_collaborative_gets_404(self, cast, listed, login):
        response = login(cast.outsider).get(c_url("directory", cast.collab))
        assert response.status_code == 404

    def test_anonymous_is_sent_to_sign_in_from_the_members_directory(self, cast, listed, client):
        response = client.get(c_url("directory", cast.collab))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_anonymous_sees_only_public_services_in_the_public_directory(
        self, cast, listed, client
    ):
        response = client.get(p_url("directory", cast.collab))
        assert response.status_code == 200
        assert names(response) == ["Rent help"]
        assert b"Shelter beds" not in response.content

    def test_signed_in_member_also_sees_only_public_services_in_the_public_directory(
        self, cast, listed, login
    ):
        response = login(cast.admin_a).get(p_url("directory", cast.collab))
        assert names(response) == ["Rent help"]

    def test_public_directory_is_404_without_a_public_organization(self, cast, listed, client):
        Organization.objects.filter(pk=cast.org_b.pk).update(sharing_level="collaborative")
        response = client.get(p_url("directory", cast.collab))
        assert response.status_code == 404

    def test_public_directory_of_an_unknown_collaborative_is_404(self, client, db):
        response = client.get("/directory/nowhere/")
        assert response.status_code == 404

    def test_inactive_services_are_not_listed(self, cast, listed, login):
        Service.objects.filter(pk=listed["a2"].pk).update(status=Service.Status.INACTIVE)
        response = login(cast.community).get(c_url("directory", cast.collab))
        assert "Job club" not in names(response)


class TestFilters:
    def get(self, cast, login, **params):
        return names(login(cast.community).get(c_url("directory", cast.collab), params))

    def test_search_matches_name_description_and_organization(self, cast, login):
        make_service(cast.org_a, "Alpha", description="Help with a deposit for an apartment")
        make_service(cast.org_b, "Beta")
        make_service(cast.org_c, "Gamma")
        assert self.get(cast, login, q="deposit") == ["Alpha"]
        assert self.get(cast, login, q="alpha") == ["Alpha"]
        assert self.get(cast, login, q="Org B") == ["Beta"]
        assert self.get(cast, login, q="nothing-like-this") == []

    def test_key_area_filter(self, cast, login):
        employment = KeyAreaFactory(collaborative=cast.collab, name="Employment", slug="employment")
        make_service(cast.org_a, "Beds", key_areas=[cast.key_area])
        make_service(cast.org_a, "Jobs", key_areas=[employment])
        assert self.get(cast, login, key_area="employment") == ["Jobs"]
        assert self.get(cast, login, key_area="housing") == ["Beds"]

    def test_sector_filter(self, cast, login):
        make_service(cast.org_a, "Housing sector service")
        make_service(cast.org_c, "Courts sector service")
        assert self.get(cast, login, sector="courts") == ["Courts sector service"]

    def test_language_filter(self, cast, login):
        make_service(cast.org_a, "Bilingual", languages=["English", "Spanish"])
        make_service(cast.org_a, "English only", languages=["English"])
        assert self.get(cast, login, language="es") == ["Bilingual"]
        assert self.get(cast, login, language="en") == ["Bilingual", "English only"]

    @pytest.mark.parametrize(
        ("flag", "criterion"),
        [
            ("no-state-id", ("document", "state_id", "requires")),
            ("no-social-security-card", ("document", "social_security_card", "requires")),
            ("parole", ("supervision", "parole", "excludes")),
            ("probation", ("supervision", "probation", "excludes")),
            ("sex-offense", ("conviction", "sex_offense_registry", "excludes")),
            ("violent", ("conviction", "violent", "excludes")),
            ("arson", ("conviction", "arson", "excludes")),
            ("felony", ("conviction", "any_felony", "excludes")),
        ],
    )
    def test_eligibility_flag_leaves_out_services_with_that_barrier(
        self, cast, login, flag, criterion
    ):
        make_service(cast.org_a, "Has the barrier", criteria=[criterion])
        make_service(cast.org_a, "Open to all")
        # A rule about something else does not count against the service.
        other = ("document", "dd214", "requires")
        make_service(cast.org_a, "Other rule only", criteria=[other])
        assert self.get(cast, login) == ["Has the barrier", "Open to all", "Other rule only"]
        assert self.get(cast, login, eligibility=flag) == ["Open to all", "Other rule only"]

    def test_eligibility_flags_combine(self, cast, login):
        make_service(cast.org_a, "Needs ID", criteria=[("document", "state_id", "requires")])
        make_service(cast.org_a, "No parole", criteria=[("supervision", "parole", "excludes")])
        make_service(cast.org_a, "Open door")
        assert self.get(cast, login, eligibility=["no-state-id", "parole"]) == ["Open door"]

    def test_accepts_referrals_filter(self, cast, login):
        make_service(cast.org_a, "Takes referrals", accepts_referrals=True)
        make_service(cast.org_a, "Walk in only")
        assert self.get(cast, login, referrals="on") == ["Takes referrals"]

    def test_unknown_filter_values_are_ignored_not_an_error(self, cast, login):
        make_service(cast.org_a, "Anything")
        assert self.get(cast, login, key_area="nope", eligibility="nope", sort="nope") == [
            "Anything"
        ]

    def test_sort_by_recently_verified_puts_never_verified_last(self, cast, login):
        today = timezone.localdate()
        make_service(cast.org_a, "Old", last_verified_at=today - timedelta(days=200))
        make_service(cast.org_a, "Never", last_verified_at=None)
        make_service(cast.org_a, "Fresh", last_verified_at=today)
        assert self.get(cast, login, sort="verified") == ["Fresh", "Old", "Never"]
        assert self.get(cast, login) == ["Fresh", "Never", "Old"]

    def test_more_filters_open_when_one_of_them_is_used(self, cast, login):
        client = login(cast.community)
        url = c_url("directory", cast.collab)
        assert '<details class="more-filters">' in client.get(url).content.decode()
        opened = client.get(url, {"eligibility": "parole"}).content.decode()
        assert '<details class="more-filters" open>' in opened

    def test_pages_of_25_keep_the_filters(self, cast, login):
        for n in range(30):
            make_service(cast.org_a, f"Service {n:02}", accepts_referrals=True)
        client = login(cast.community)
        first = client.get(c_url("directory", cast.collab), {"referrals": "on"})
        assert len(first.context["page"].object_list) == 25
        assert "referrals=on&amp;page=2" in first.content.decode()
        second = client.get(c_url("directory", cast.collab), {"referrals": "on", "page": 2})
        assert names(second) == [f"Service {n}" for n in range(25, 30)]


class TestOpenNow:
    """Opening hours are local times of the collaborative's time zone."""

    @pytest.fixture
    def at(self, monkeypatch):
        def _at(moment: datetime) -> None:
            monkeypatch.setattr(timezone, "now", lambda: moment)

        return _at

    # Monday 5 January 2026, 16:30 UTC: 10:30 in Chicago, 08:30 in Los Angeles.
    MONDAY_1630_UTC = datetime(2026, 1, 5, 16, 30, tzinfo=UTC)

    def test_open_now_uses_the_collaboratives_time_zone(self, cast, login, at):
        make_service(cast.org_a, "Nine to five", hours=office_hours())
        make_service(cast.org_a, "No hours")
        client = login(cast.community)
        url = c_url("directory", cast.collab)
        at(self.MONDAY_1630_UTC)
        assert names(client.get(url, {"open_now": "on"})) == ["Nine to five"]

        cast.collab.time_zone = "America/Los_Angeles"
        cast.collab.save()
        assert names(client.get(url, {"open_now": "on"})) == []
        at(self.MONDAY_1630_UTC + timedelta(hours=1))  # 09:30 in Los Angeles
        assert names(client.get(url, {"open_now": "on"})) == ["Nine to five"]

    def test_hours_past_midnight_count_on_the_next_morning(self, cast, login, at):
        make_service(cast.org_a, "Night shelter", hours={1: ("20:00", "07:00")})
        client = login(cast.community)
        url = c_url("directory", cast.collab)
        at(datetime(2026, 1, 6, 12, 0, tzinfo=UTC))  # Tuesday 06:00 in Chicago
        assert names(client.get(url, {"open_now": "on"})) == ["Night shelter"]
        at(datetime(2026, 1, 6, 14, 0, tzinfo=UTC))  # Tuesday 08:00 in Chicago
        assert names(client.get(url, {"open_now": "on"})) == []

    def test_open_now_badge_on_each_card(self, cast, login, at):
        make_service(cast.org_a, "Nine to five", hours=office_hours())
        make_service(cast.org_a, "Weekends", hours={6: ("09:00", "12:00")})
        at(self.MONDAY_1630_UTC)
        response = login(cast.community).get(c_url("directory", cast.collab))
        is_open = {s.name: s.is_open for s in response.context["page"].object_list}
        assert is_open == {"Nine to five": True, "Weekends": False}
        assert response.content.decode().count("Open now</span>") == 1


class TestQueryCounts:
    def fill(self, cast, n: int) -> None:
        for i in range(n):
            make_service(
                cast.org_a if i % 2 else cast.org_b,
                f"Service {i:02}",
                key_areas=[cast.key_area],
                languages=["English", "Spanish"],
                accepts_referrals=True,
                hours={day: ("00:00", "00:00") for day in range(1, 8)},  # always open
            )

    @pytest.mark.parametrize(
        "params",
        [{}, {"q": "service", "referrals": "on", "open_now": "on", "eligibility": "parole"}],
    )
    def test_members_directory_runs_the_same_queries_for_1_and_25_results(
        self, cast, login, count_queries, params
    ):
        make_public(cast.org_b)
        client = login(cast.community)
        url = c_url("directory", cast.collab)
        self.fill(cast, 1)
        one = count_queries(client, url, **params)
        self.fill(cast, 24)
        assert len(client.get(url, params).context["page"].object_list) == 25
        assert count_queries(client, url, **params) == one
        assert one <= 12

    def test_public_directory_runs_the_same_queries_for_1_and_25_results(
        self, cast, client, count_queries
    ):
        make_public(cast.org_b)
        make_public(cast.org_a)
        url = p_url("directory", cast.collab)
        self.fill(cast, 1)
        one = count_queries(client, url)
        self.fill(cast, 24)  # straight into the tables: the page kept whole is not told
        assert count_queries(client, url) == 0  # served whole (reentry/pagecache.py)
        clear_caches()
        assert count_queries(client, url) == one
        assert one <= 9


def test_search_at_2000_organizations_and_10000_services_runs_as_few_queries_as_at_one(
    cast, login, count_queries
):
    client = login(cast.community)
    url = c_url("directory", cast.collab)
    params = {"q": "help", "key_area": "housing", "language": "es", "referrals": "on"}
    make_service(
        cast.org_a,
        "Help with rent",
        key_areas=[cast.key_area],
        languages=["Spanish"],
        accepts_referrals=True,
    )
    small = count_queries(client, url, **params)

    collab, sector = cast.collab, cast.sector1
    orgs = Organization.objects.bulk_create(
        Organization(collaborative=collab, sector=sector, name=f"Bulk {i}", slug=f"bulk-{i}")
        for i in range(2000)
    )
    services = Service.objects.bulk_create(
        Service(
            organization=orgs[i % 2000],
            collaborative=collab,
            name=f"Help number {i}" if i % 3 else f"Service {i}",
            description="Rent, deposits and first month" if i % 2 else "",
            accepts_referrals=bool(i % 5),
        )
        for i in range(10_000)
    )
    through = Service.key_areas.through
    through.objects.bulk_create(
        through(service_id=s.pk, keyarea_id=cast.key_area.pk) for s in services[::2]
    )
    Language.objects.bulk_create(
        Language(
            service=s,
            organization_id=s.organization_id,
            collaborative=collab,
            language="Spanish",
            code="es",
        )
        for s in services[::4]
    )
    assert Service.objects.count() == 10_001
    assert KeyArea.objects.filter(collaborative=collab).count() == 1

    response = client.get(url, params)
    assert response.context["page"].paginator.count > 25
    assert count_queries(client, url, **params) == small
