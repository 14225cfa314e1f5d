"""The dashboards (indicators/views/dashboards.py): who sees what, small numbers hidden
from everyone but their owner, accepted-only, stories and comments, query counts."""

import re

import pytest
from django.urls import reverse

from indicators.models import Indicator, IndicatorComment, StoryNote
from reentry.audit.models import AuditEvent
from tests.indicators.dashboard_world import (
    figures_of,
    indicator_of,
    make_dataset,
    observe,
    race_breakdown,
    year,
)

pytestmark = pytest.mark.django_db

# Org A's 2024 figures: Asian 7 is under the threshold; White 517 is hidden with it so
# that 1234 - 710 cannot give the 7 back.
GROUPS = {"white": 517, "black": 710, "asian": 7}


def url(name, cast, indicator=None, **kwargs):
    kwargs["slug"] = cast.collab.slug
    if indicator is not None:
        kwargs["public_id"] = indicator.public_id
    return reverse(f"indicators:{name}", kwargs=kwargs)


@pytest.fixture
def world(cast):
    indicator = indicator_of(cast, "HOUS-1", name="People housed", is_headline=True)
    indicator.baseline_value = 1000
    indicator.target_value = 1500
    indicator.target_date = "2027-12-31"
    indicator.save()
    a = make_dataset(cast, cast.org_a, level="collaborative")
    observe(a, indicator, year(2023), 1100)
    race_breakdown(a, indicator, year(2024), 1234, GROUPS)
    c = make_dataset(cast, cast.org_c, level="private", title="Court private figures")
    observe(c, indicator, year(2024), 333)
    return indicator, a, c


def asian_cell(page):
    match = re.search(r"Asian</td><td[^>]*>(.*?)</td>", page, re.S)
    assert match, "the breakdown table has an Asian row"
    return match.group(1)


class TestIndicatorPage:
    def test_member_of_another_organization_sees_small_numbers_hidden(self, cast, login, world):
        indicator, _a, _c = world
        page = figures_of(
            login(cast.staff_b).get(url("indicator", cast, indicator)).content.decode()
        )

        assert "1,234" in page
        assert "710" in page
        assert "hidden" in asian_cell(page)
        assert "517" not in page
        assert "Asian: hidden" in page  # the chart's text alternative
        assert "Court private figures" not in page and "333" not in page

    def test_the_owner_sees_its_exact_figures_marked_hidden_from_others(self, cast, login, world):
        indicator, _a, _c = world
        page = figures_of(
            login(cast.staff_a).get(url("indicator", cast, indicator)).content.decode()
        )

        cell = asian_cell(page)
        assert "7" in cell and "hidden from others" in cell
        assert "517" in page

    def test_a_private_dataset_is_seen_by_its_own_organization_only(self, cast, login, world):
        indicator, _a, _c = world
        page = figures_of(
            login(cast.staff_c).get(url("indicator", cast, indicator)).content.decode()
        )

        assert "Court private figures" in page
        assert "333" in page
        assert "1,567" in page  # 1234 + 333 combined, for the one who may see both
        assert "517" not in page

    def test_an_owner_cannot_subtract_its_figure_from_the_combined_one(self, cast, login):
        # Combined 4508 = A's 4501 + C's 7. Others see 4508 but not 4501 (or 4508 - 4501
        # gives C's 7); A sees 4501, so A must not see 4508.
        indicator = indicator_of(cast, "EMP-1", dims=())
        observe(make_dataset(cast, cast.org_a), indicator, year(2024), 4501)
        observe(make_dataset(cast, cast.org_c), indicator, year(2024), 7)

        others = figures_of(
            login(cast.staff_b).get(url("indicator", cast, indicator)).content.decode()
        )
        assert "4,508" in others and "4,501" not in others

        owner = figures_of(
            login(cast.staff_a).get(url("indicator", cast, indicator)).content.decode()
        )
        assert "4,501" in owner and "4,508" not in owner

    @pytest.mark.parametrize("who", ["backbone", "staff_c", "community", "observer"])
    def test_every_member_gets_the_page(self, cast, login, world, who):
        indicator, _a, _c = world
        assert login(getattr(cast, who)).get(url("indicator", cast, indicator)).status_code == 200

    def test_other_collaborative_gets_404(self, cast, login, world):
        indicator, _a, _c = world
        client = login(cast.outsider)
        assert client.get(url("indicator", cast, indicator)).status_code == 404
        other = reverse(
            "indicators:indicator", kwargs={"slug": "collab-b", "public_id": indicator.public_id}
        )
        assert client.get(other).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, client, world):
        indicator, _a, _c = world
        response = client.get(url("indicator", cast, indicator))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_accepted_only_leaves_out_drafts(self, cast, login, world):
        indicator, _a, _c = world
        draft = make_dataset(cast, cast.org_b, accepted=False, title="Org B draft")
        observe(draft, indicator, year(2024), 444)
        client = login(cast.staff_c)

        assert "Org B draft" in client.get(url("indicator", cast, indicator)).content.decode()
        page = figures_of(
            client.get(url("indicator", cast, indicator), {"accepted": "1"}).content.decode()
        )
        assert "Org B draft" not in page and "444" not in page

    def test_shows_local_definitions_beside_the_data_and_the_datasets(self, cast, login, world):
        indicator, _a, _c = world
        from indicators.models import LocalDefinition

        LocalDefinition.objects.create(
            organization=cast.org_a, indicator=indicator, includes="Rapid rehousing too"
        )
        page = figures_of(
            login(cast.staff_b).get(url("indicator", cast, indicator)).content.decode()
        )
        assert "Rapid rehousing too" in page
        assert "Org A figures" in page

    def test_query_count_is_the_same_with_one_and_many_observations(
        self, cast, login, count_queries
    ):
        indicator = indicator_of(cast, "HOUS-9")
        a = make_dataset(cast, cast.org_a)
        b = make_dataset(cast, cast.org_b)
        observe(a, indicator, year(2020), 50)
        client = login(cast.staff_c)
        target = url("indicator", cast, indicator)
        one = count_queries(client, target)
        for y in range(2021, 2026):
            race_breakdown(a, indicator, year(y), 1234, GROUPS)
            race_breakdown(b, indicator, year(y), 300, {"white": 150, "black": 145, "asian": 5})
        assert count_queries(client, target) == one


class TestScorecardAndOverview:
    def test_scorecard_lists_indicators_with_latest_and_comparisons(self, cast, login, world):
        page = figures_of(
            login(cast.staff_b).get(url("scorecard", cast, area="housing")).content.decode()
        )

        assert "People housed" in page
        assert "1,234" in page
        assert "better" in page  # 1234 > 1100, higher is better
        assert "<svg" in page and 'role="img"' in page

    def test_a_hidden_latest_value_is_hidden_on_the_scorecard(self, cast, login):
        indicator = indicator_of(cast, "SMALL-1", dims=())
        observe(make_dataset(cast, cast.org_a), indicator, year(2024), 6)
        others = figures_of(
            login(cast.staff_b).get(url("scorecard", cast, area="housing")).content.decode()
        )
        assert "hidden" in others
        owner = figures_of(
            login(cast.staff_a).get(url("scorecard", cast, area="housing")).content.decode()
        )
        assert "hidden from others" in owner

    def test_lower_is_better_turns_a_rise_into_worse(self, cast, login):
        indicator = indicator_of(cast, "RET-1", dims=(), direction=Indicator.Direction.DOWN)
        dataset = make_dataset(cast, cast.org_a)
        observe(dataset, indicator, year(2023), 100)
        observe(dataset, indicator, year(2024), 120)
        page = figures_of(
            login(cast.staff_b).get(url("scorecard", cast, area="housing")).content.decode()
        )
        assert "worse" in page

    def test_unknown_key_area_gets_404(self, cast, login, world):
        assert login(cast.staff_a).get(url("scorecard", cast, area="nope")).status_code == 404

    def test_other_collaborative_gets_404(self, cast, login, world):
        client = login(cast.outsider)
        assert client.get(url("scorecard", cast, area="housing")).status_code == 404
        assert client.get(url("overview", cast)).status_code == 404

    def test_overview_shows_each_key_area(self, cast, login, world):
        page = figures_of(login(cast.community).get(url("overview", cast)).content.decode())
        assert "People housed" in page and "1,234" in page and "517" not in page

    def test_overview_without_indicators_says_so(self, cast, login):
        page = figures_of(login(cast.staff_a).get(url("overview", cast)).content.decode())
        assert "No indicator is adopted yet" in page

    @pytest.mark.parametrize("name", ["scorecard", "overview"])
    def test_query_count_is_the_same_with_one_and_many_rows(self, cast, login, count_queries, name):
        kwargs = {"area": "housing"} if name == "scorecard" else {}
        first = indicator_of(cast, "Q-0", is_headline=True)
        a = make_dataset(cast, cast.org_a)
        observe(a, first, year(2020), 50)
        client = login(cast.staff_b)
        one = count_queries(client, url(name, cast, **kwargs))
        for i in range(1, 25):
            indicator = indicator_of(cast, f"Q-{i}", is_headline=True)
            for y in range(2020, 2025):
                race_breakdown(a, indicator, year(y), 1234, GROUPS)
        assert count_queries(client, url(name, cast, **kwargs)) == one


class TestStoryAndComments:
    def test_backbone_tells_the_story_and_it_is_audited(self, cast, login, world):
        indicator, _a, _c = world
        response = login(cast.backbone).post(
            url("story_add", cast, indicator), {"body": "Rents rose faster than wages."}
        )
        assert response.status_code == 302
        assert StoryNote.objects.get(indicator=indicator).body == "Rents rose faster than wages."
        assert AuditEvent.objects.filter(action="indicator.story_added").exists()
        page = figures_of(
            login(cast.staff_b).get(url("indicator", cast, indicator)).content.decode()
        )
        assert "Rents rose faster than wages." in page

    def test_staff_cannot_tell_the_story(self, cast, login, world):
        indicator, _a, _c = world
        response = login(cast.staff_a).post(url("story_add", cast, indicator), {"body": "x"})
        assert response.status_code == 403
        assert not StoryNote.objects.exists()

    def test_an_empty_story_is_refused_beside_the_field(self, cast, login, world):
        indicator, _a, _c = world
        response = login(cast.backbone).post(url("story_add", cast, indicator), {"body": "   "})
        assert response.status_code == 400
        assert "This field is required." in response.content.decode() or "Write the story" in (
            response.content.decode()
        )

    def test_a_partner_comments_and_keeps_the_text_on_error(self, cast, login, world):
        indicator, _a, _c = world
        client = login(cast.staff_b)
        response = client.post(url("comment_add", cast, indicator), {"body": "x" * 4001})
        assert response.status_code == 400
        assert "x" * 4001 in response.content.decode()
        response = client.post(url("comment_add", cast, indicator), {"body": "Shelter beds fell."})
        assert response.status_code == 302
        comment = IndicatorComment.objects.get()
        assert comment.author == cast.staff_b
        assert AuditEvent.objects.filter(action="indicator.comment_added").exists()

    def test_observer_cannot_comment(self, cast, login, world):
        indicator, _a, _c = world
        response = login(cast.observer).post(url("comment_add", cast, indicator), {"body": "Hi"})
        assert response.status_code == 403

    def test_other_collaborative_cannot_comment(self, cast, login, world):
        indicator, _a, _c = world
        response = login(cast.outsider).post(url("comment_add", cast, indicator), {"body": "Hi"})
        assert response.status_code == 404
        assert not IndicatorComment.objects.exists()

    def test_backbone_hides_a_comment_and_others_no_longer_see_it(self, cast, login, world):
        indicator, _a, _c = world
        comment = IndicatorComment.objects.create(
            indicator=indicator, author=cast.staff_b, body="Off-topic remark"
        )
        hide = url("comment_hide", cast, indicator, comment_id=comment.public_id)
        assert login(cast.staff_a).post(hide).status_code == 403
        assert login(cast.backbone).post(hide).status_code == 302
        comment.refresh_from_db()
        assert comment.is_hidden
        page = figures_of(
            login(cast.staff_a).get(url("indicator", cast, indicator)).content.decode()
        )
        assert "Off-topic remark" not in page
