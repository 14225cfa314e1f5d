"""The catalog pages (indicators/views/catalog.py): who sees, who changes, query counts."""

import csv
import io

import pytest
from django.urls import reverse

from indicators.models import Indicator, LocalDefinition
from stakeholders.models import KeyArea
from tests.indicators.upload_helpers import make_indicator
from workgroups.models import GroupMembership, WorkingGroup

pytestmark = pytest.mark.django_db


def url(name, cast, indicator=None, slug=None):
    kwargs = {"slug": slug or cast.collab.slug}
    if indicator is not None:
        kwargs["public_id"] = indicator.public_id
    return reverse(f"indicators:{name}", kwargs=kwargs)


class TestCatalog:
    @pytest.mark.parametrize(
        "who", ["backbone", "admin_a", "staff_a", "staff_b", "staff_c", "community", "observer"]
    )
    def test_every_member_reads_the_catalog(self, cast, login, who):
        ind = make_indicator(cast, name="Stable housing at 90 days")
        response = login(getattr(cast, who)).get(url("catalog", cast))
        assert response.status_code == 200
        assert ind.name in response.content.decode()

    def test_other_collaborative_gets_404(self, cast, login):
        make_indicator(cast)
        assert login(cast.outsider).get(url("catalog", cast)).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, client):
        response = client.get(url("catalog", cast))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_filters_by_key_area_and_status(self, cast, login):
        other_area = KeyArea.objects.create(collaborative=cast.collab, name="Jobs", slug="jobs")
        make_indicator(cast, "HOUS-1", name="Housed")
        make_indicator(cast, "EMP-1", name="Employed", key_area=other_area)
        make_indicator(cast, "OLD-1", name="Old measure", status=Indicator.Status.RETIRED)
        client = login(cast.staff_a)
        page = client.get(url("catalog", cast), {"key_area": "jobs"}).content.decode()
        assert "Employed" in page and "Housed" not in page
        fetched = client.get(url("catalog", cast))
        assert fetched.status_code == 200
        page = fetched.content.decode()
        assert "Old measure" not in page
        page = client.get(url("catalog", cast), {"status": "retired"}).content.decode()
        assert "Old measure" in page and "Housed" not in page

    def test_query_count_does_not_grow_with_rows(self, cast, login, count_queries):
        client = login(cast.staff_a)
        make_indicator(cast, "A-0")
        one = count_queries(client, url("catalog", cast))
        for i in range(1, 25):
            make_indicator(cast, f"A-{i}")
        assert count_queries(client, url("catalog", cast)) == one


class TestDefinitionPage:
    def test_member_sees_definition_and_local_definitions(self, cast, login):
        ind = make_indicator(cast)
        LocalDefinition.objects.create(
            organization=cast.org_b, indicator=ind, includes="County jail releases too"
        )
        page = login(cast.community).get(url("indicator_definition", cast, ind)).content.decode()
        assert ind.question in page and "County jail releases too" in page and "Org B" in page

    def test_other_collaborative_gets_404_even_under_its_own_slug(self, cast, login):
        ind = make_indicator(cast)
        client = login(cast.outsider)
        assert client.get(url("indicator_definition", cast, ind)).status_code == 404
        other_slug = url("indicator_definition", cast, ind, slug="collab-b")
        assert client.get(other_slug).status_code == 404


class TestCreateAndEdit:
    def form(self, cast, **over):
        data = {
            "code": "HOUS-90",
            "name": "Housed at 90 days",
            "question": "How many people have stable housing 90 days after release?",
            "key_area": cast.key_area.pk,
            "kind": "better_off",
            "unit": "percent",
            "direction": "up",
            "denominator_definition": "People released in the quarter",
            "frequency": "quarterly",
            "status": "candidate",
            "target_value": "60",
            "target_date": "2027-12-31",
        }
        data.update(over)
        return data

    def test_backbone_adds_an_indicator(self, cast, login):
        response = login(cast.backbone).post(url("indicator_create", cast), self.form(cast))
        ind = Indicator.objects.get(code="HOUS-90")
        assert response.status_code == 302 and response["Location"] == ind.get_absolute_url()
        assert ind.collaborative == cast.collab and ind.target_value == 60

    def test_a_percent_needs_a_denominator_and_the_form_keeps_what_was_typed(self, cast, login):
        response = login(cast.backbone).post(
            url("indicator_create", cast), self.form(cast, denominator_definition="")
        )
        page = response.content.decode()
        assert response.status_code == 200 and "needs a denominator" in page
        assert "Housed at 90 days" in page and not Indicator.objects.exists()

    def test_duplicate_code_is_refused(self, cast, login):
        make_indicator(cast, "HOUS-90")
        response = login(cast.backbone).post(
            url("indicator_create", cast), self.form(cast, code="hous-90")
        )
        assert "already has this code" in response.content.decode()

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "community"])
    def test_others_may_not_add(self, cast, login, who):
        assert login(getattr(cast, who)).get(url("indicator_create", cast)).status_code == 403

    def test_outsider_gets_404(self, cast, login):
        assert login(cast.outsider).get(url("indicator_create", cast)).status_code == 404

    def test_chair_of_the_owning_group_edits(self, cast, login):
        group = WorkingGroup.objects.create(
            collaborative=cast.collab, name="Housing", slug="housing"
        )
        GroupMembership.objects.create(group=group, member=cast.staff_a, role="chair")
        ind = make_indicator(cast, "HOUS-90", unit="percent", working_group=group)
        data = self.form(cast, name="Renamed", working_group=group.pk)
        response = login(cast.staff_a).post(url("indicator_edit", cast, ind), data)
        assert response.status_code == 302
        ind.refresh_from_db()
        assert ind.name == "Renamed"
        assert login(cast.staff_b).get(url("indicator_edit", cast, ind)).status_code == 403

    def test_outsider_cannot_edit(self, cast, login):
        ind = make_indicator(cast)
        assert login(cast.outsider).get(url("indicator_edit", cast, ind)).status_code == 404


class TestTemplate:
    def test_template_has_the_columns_and_a_row_per_breakdown(self, cast, login):
        ind = make_indicator(cast, "EMP-2", unit="percent", dims=("sex",))
        response = login(cast.staff_c).get(url("template", cast, ind))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["indicator", "period", "sex", "numerator", "denominator"]
        assert [r[2] for r in rows[1:]] == ["", "female", "male", "another", "unknown"]
        assert all(r[0] == "EMP-2" and r[1] for r in rows[1:])

    def test_outsider_gets_404(self, cast, login):
        ind = make_indicator(cast)
        assert login(cast.outsider).get(url("template", cast, ind)).status_code == 404


class TestLocalDefinitions:
    def test_staff_state_their_organizations_definition(self, cast, login):
        ind = make_indicator(cast)
        client = login(cast.staff_a)
        response = client.post(
            url("local_definition_edit", cast, ind),
            {"includes": "People from county jail", "excludes": "Stays under 30 days"},
        )
        assert response.status_code == 302
        found = LocalDefinition.objects.get()
        assert found.organization == cast.org_a and found.excludes == "Stays under 30 days"
        page = client.get(url("local_definitions", cast)).content.decode()
        assert "People from county jail" in page

    @pytest.mark.parametrize("who", ["community", "observer", "backbone"])
    def test_people_without_an_organization_role_get_403(self, cast, login, who):
        ind = make_indicator(cast)
        client = login(getattr(cast, who))
        assert client.get(url("local_definitions", cast)).status_code == 403
        assert client.get(url("local_definition_edit", cast, ind)).status_code == 403

    def test_outsider_gets_404(self, cast, login):
        ind = make_indicator(cast)
        client = login(cast.outsider)
        assert client.get(url("local_definition_edit", cast, ind)).status_code == 404
        assert client.get(url("local_definitions", cast)).status_code == 404

    def test_list_query_count_does_not_grow(self, cast, login, count_queries):
        client = login(cast.staff_a)
        make_indicator(cast, "A-0")
        one = count_queries(client, url("local_definitions", cast))
        for i in range(1, 25):
            ind = make_indicator(cast, f"A-{i}")
            LocalDefinition.objects.create(organization=cast.org_a, indicator=ind, includes="x")
        assert count_queries(client, url("local_definitions", cast)) == one
