"""Record-level uploads on the web (issue 14): the choice of kind, the check that profiles
every column (no column mapping), the all-or-nothing save that derives every defined
indicator again, the profile page, the records dataset's page and removing a derived
indicator. The figure uploads' own pages are tested in test_upload_views.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import (
    Dataset,
    DatasetVersion,
    DerivedIndicator,
    ImportJob,
    Observation,
    Record,
)
from indicators.records.spec import parse_indicator
from indicators.services.records import derived_indicator_save
from tests.indicators.upload_helpers import make_indicator

pytestmark = pytest.mark.django_db

# One row per person; the values carry what the profile must point out: an en dash and
# a hyphen twin, a value cut short, one that means "not recorded", and blanks.
RECORDS = (
    "Year Released,Race - Ethnicity,Release Type,Returned,Sex\n"
    "2012,White - Non-Hispanic,Parole,Yes,Male\n"
    "2012,White -,Discharged – End of Sentence,No,Female\n"
    "2012,N/A -,Discharged - End of Sentence,No,\n"
    "2013,Black - Non-Hispanic,Parole,Yes,Male\n"
    "2013,White - Non-Hispanic,Parole,No,Male\n"
)
SHORT_ROW = "Year Released,Returned,Sex\n2012,Yes,Male\n2012,No\n2013,Yes,Female\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def post_and_run(django_capture_on_commit_callbacks):
    """POST, then run the tasks the request queued on commit (as the worker would)."""

    def _post(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)

    return _post


def url(name, cast, obj=None, **more):
    kwargs = {"slug": cast.collab.slug, **more}
    if obj is not None:
        kwargs["public_id"] = obj.public_id
    return reverse(f"indicators:{name}", kwargs=kwargs)


def upload_records(client, post_and_run, cast, text=RECORDS, name="releases.csv", **fields):
    data = {
        "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
        "kind": "records",
        "title": "Releases",
        "licence": "agreement",
        "sharing_level": "private",
        **fields,
    }
    return post_and_run(client, url("upload_new", cast), data)


def saved_records_dataset(client, post_and_run, cast, **fields) -> Dataset:
    upload_records(client, post_and_run, cast, **fields)
    job = ImportJob.objects.latest("pk")
    post_and_run(client, url("upload_commit", cast, job))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.report
    return job.dataset


def define_count_by_sex(cast, dataset, member=None) -> DerivedIndicator:
    indicator = make_indicator(cast, "REL-1", name="People released", dims=("sex",))
    spec = parse_indicator(
        {
            "code": "REL-1",
            "measure": "count",
            "period": {"column": "Year Released", "kind": "year"},
            "breakdowns": [
                {
                    "column": "Sex",
                    "dimension": "sex",
                    "map": {"Male": "male", "Female": "female"},
                    "blank": "unknown",
                }
            ],
        }
    )
    return derived_indicator_save(
        actor=member or cast.staff_a, dataset=dataset, indicator=indicator, spec=spec
    )


class TestUploadRecords:
    def test_records_are_checked_and_profiled_at_once_with_no_columns_to_choose(
        self, cast, login, post_and_run
    ):
        client = login(cast.staff_a)
        response = upload_records(client, post_and_run, cast)
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == url("upload", cast, job)
        assert job.kind == Dataset.Kind.RECORDS
        assert job.status == ImportJob.Status.VALID
        assert job.report["rows"] == 5 and job.error_count == 0
        profile = job.report["profile"]
        assert [c["name"] for c in profile["columns"]][:2] == ["Year Released", "Race - Ethnicity"]
        # Nothing is stored before the person says so.
        assert not Dataset.objects.exists() and not Record.objects.exists()

        page = client.get(url("upload", cast, job)).content.decode()
        assert "there are no columns to choose" in page
        assert "Save 5 records" in page
        assert "Change the columns" not in page
        # The profile, in plain words.
        assert "Written two ways:" in page
        assert "Discharged – End of Sentence" in page and "Discharged - End of Sentence" in page
        assert "Looks cut short:" in page and "<q>White -</q>" in page
        assert "Means not recorded:" in page and "<q>N/A -</q>" in page
        # The mapping step does not apply.
        assert client.get(url("upload_map", cast, job))["Location"] == url("upload", cast, job)

    def test_the_columns_step_is_refused_by_the_service_too(self, cast, login, post_and_run):
        from django.core.exceptions import ValidationError

        from indicators.services.uploads import import_job_map

        upload_records(login(cast.staff_a), post_and_run, cast)
        job = ImportJob.objects.get()
        with pytest.raises(ValidationError, match="no columns to choose"):
            import_job_map(actor=cast.staff_a, job=job, mapping={})

    def test_saving_keeps_every_row_for_the_owner_as_a_new_version(self, cast, login, post_and_run):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        assert dataset.kind == Dataset.Kind.RECORDS
        version = dataset.current_version
        assert version.row_count == 5 and version.columns[0] == "Year Released"
        assert version.profile["rows"] == 5
        assert Record.objects.filter(version=version).count() == 5
        page = client.get(url("upload", cast, ImportJob.objects.get())).content.decode()
        assert "5 records are saved" in page
        assert "New dataset" in page and "New version of" not in page
        assert "define the indicators to share from them" in page
        # A new version is offered with the dataset's kind in its name.
        form = client.get(url("upload_new", cast)).content.decode()
        assert "Releases (records: one row per person)" in form

    def test_a_new_version_keeps_its_kind_and_derives_again(self, cast, login, post_and_run):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        define_count_by_sex(cast, dataset)
        more = RECORDS + "2013,Black - Non-Hispanic,Parole,No,Female\n"
        upload_records(
            client,
            post_and_run,
            cast,
            text=more,
            kind="figures",  # ignored: the dataset holds records
            dataset=str(dataset.public_id),
            reason="One more release",
        )
        job = ImportJob.objects.latest("pk")
        assert job.kind == Dataset.Kind.RECORDS and job.status == ImportJob.Status.VALID
        post_and_run(client, url("upload_commit", cast, job))
        dataset.refresh_from_db()
        assert dataset.current_version.number == 2
        assert Record.objects.filter(version=dataset.current_version).count() == 6
        definition = DerivedIndicator.objects.get()
        assert definition.derived_version_id == dataset.current_version_id
        female_2013 = Observation.objects.get(
            version=dataset.current_version, period_start__year=2013, breakdown={"sex": "female"}
        )
        assert female_2013.value == 1

    def test_a_bad_file_gives_a_row_by_row_report_and_saves_nothing(
        self, cast, login, post_and_run
    ):
        client = login(cast.staff_a)
        upload_records(client, post_and_run, cast, text=SHORT_ROW)
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.INVALID
        page = client.get(url("upload", cast, job)).content.decode()
        assert "Problems, row by row" in page
        assert "This row has 2 cells; the column names have 3." in page
        assert '<td data-label="Row">3</td>' in page
        # It cannot be saved anyway.
        response = post_and_run(client, url("upload_commit", cast, job))
        assert response.status_code == 302
        assert not Dataset.objects.exists() and not Record.objects.exists()
        assert not DatasetVersion.objects.exists()

    def test_a_definition_that_no_longer_fits_saves_nothing_and_says_why(
        self, cast, login, post_and_run
    ):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        define_count_by_sex(cast, dataset)
        # The new file has no "Sex" column: the definition cannot be derived from it.
        without_sex = "Year Released,Returned\n2014,Yes\n2014,No\n"
        upload_records(
            client,
            post_and_run,
            cast,
            text=without_sex,
            dataset=str(dataset.public_id),
            reason="New year",
        )
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.VALID  # the file itself is fine
        post_and_run(client, url("upload_commit", cast, job))
        job.refresh_from_db()
        assert job.status == ImportJob.Status.INVALID
        assert job.report["by_code"] == {"definition": job.error_count}
        page = client.get(url("upload", cast, job)).content.decode()
        assert "Sex" in page and "Derived indicators that no longer fit" in page
        dataset.refresh_from_db()
        assert dataset.current_version.number == 1
        assert not Record.objects.filter(version__number=2).exists()

    def test_figures_uploads_still_go_to_the_columns(self, cast, login, post_and_run):
        client = login(cast.staff_a)
        data = {
            "file": SimpleUploadedFile("f.csv", b"indicator,period,value\nHOUS-1,2025,3\n"),
            "title": "Figures",
            "licence": "agreement",
            "sharing_level": "private",
        }
        response = client.post(url("upload_new", cast), data)
        job = ImportJob.objects.get()
        assert job.kind == Dataset.Kind.FIGURES
        assert response["Location"] == url("upload_map", cast, job)

    def test_the_upload_page_offers_both_kinds(self, cast, login):
        page = login(cast.staff_a).get(url("upload_new", cast)).content.decode()
        assert 'value="records"' in page and 'value="figures"' in page
        assert "one row per person" in page


class TestProfilePage:
    def test_the_owner_sees_every_column_with_its_values(self, cast, login, post_and_run):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        response = client.get(url("dataset_profile", cast, dataset))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Version 1: 5 records." in page
        assert "Race - Ethnicity" in page and "White - Non-Hispanic" in page
        assert "1 blank (20%)" in page  # the Sex column
        assert "Means not recorded:" in page

    def test_the_admin_of_the_owner_sees_it_too(self, cast, login, post_and_run):
        dataset = saved_records_dataset(login(cast.staff_a), post_and_run, cast)
        assert login(cast.admin_a).get(url("dataset_profile", cast, dataset)).status_code == 200

    def test_long_lists_of_values_are_folded(self, cast, login, post_and_run):
        many = "Person,Year\n" + "".join(f"P{i:03d},2012\n" for i in range(30))
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast, text=many)
        page = client.get(url("dataset_profile", cast, dataset)).content.decode()
        assert "<details" in page and "Show 22 more values" in page

    def test_a_dataset_of_figures_has_no_profile(self, cast, login):
        from tests.indicators.dashboard_world import make_dataset

        dataset = make_dataset(cast, cast.org_a, level="private")
        assert login(cast.staff_a).get(url("dataset_profile", cast, dataset)).status_code == 404

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "community", "outsider"])
    def test_nobody_else_sees_the_profile_even_when_the_dataset_is_shared(
        self, cast, login, post_and_run, who
    ):
        dataset = saved_records_dataset(
            login(cast.staff_a), post_and_run, cast, sharing_level="collaborative"
        )
        client = login(getattr(cast, who))
        assert client.get(url("dataset_profile", cast, dataset)).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, cast, client, login, post_and_run):
        dataset = saved_records_dataset(login(cast.staff_a), post_and_run, cast)
        client.logout()
        response = client.get(url("dataset_profile", cast, dataset))
        assert response.status_code == 302 and "login" in response["Location"]


class TestRecordsDatasetPage:
    def test_it_says_the_rows_stay_and_lists_the_derived_indicators(
        self, cast, login, post_and_run
    ):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        page = client.get(dataset.get_absolute_url()).content.decode()
        assert "No indicator is derived from these records yet." in page
        define_count_by_sex(cast, dataset)
        page = client.get(dataset.get_absolute_url()).content.decode()
        assert "never shown to anyone outside Org A" in page
        assert "Only the figures derived from them are shared" in page
        assert "People released" in page and "Derived from version 1" in page
        assert "Stop deriving it" in page
        assert url("dataset_profile", cast, dataset) in page
        # No row of the records on the owner's page either.
        assert "White - Non-Hispanic" not in page

    def test_others_who_see_it_get_the_words_not_the_values_nor_the_controls(
        self, cast, login, post_and_run
    ):
        dataset = saved_records_dataset(
            login(cast.staff_a), post_and_run, cast, sharing_level="collaborative"
        )
        define_count_by_sex(cast, dataset)
        page = login(cast.staff_b).get(dataset.get_absolute_url()).content.decode()
        assert "People released" in page
        assert "Stop deriving it" not in page
        assert "dataset_profile" not in page and "/profile/" not in page
        assert "White - Non-Hispanic" not in page and "N/A -" not in page

    def test_the_same_queries_with_one_and_with_many_derived_indicators(
        self, cast, login, post_and_run, count_queries
    ):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        define_count_by_sex(cast, dataset)
        one = count_queries(client, dataset.get_absolute_url())
        for n in range(2, 6):
            indicator = make_indicator(cast, f"REL-{n}", name=f"Released {n}", dims=("sex",))
            spec = parse_indicator(
                {
                    "code": indicator.code,
                    "measure": "count",
                    "period": {"column": "Year Released", "kind": "year"},
                }
            )
            derived_indicator_save(
                actor=cast.staff_a, dataset=dataset, indicator=indicator, spec=spec
            )
        assert count_queries(client, dataset.get_absolute_url()) == one
        assert count_queries.page.count("Stop deriving it") == 5


class TestRemoveDerived:
    def test_the_owner_stops_deriving_an_indicator(self, cast, login, post_and_run):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        definition = define_count_by_sex(cast, dataset)
        assert Observation.objects.filter(version=dataset.current_version).exists()
        response = client.post(
            url("derived_remove", cast, dataset, derived_id=definition.public_id)
        )
        assert response.status_code == 302
        assert not DerivedIndicator.objects.exists()
        assert not Observation.objects.filter(version=dataset.current_version).exists()

    @pytest.mark.parametrize("who", ["staff_b", "staff_c", "backbone", "outsider"])
    def test_nobody_else_can(self, cast, login, post_and_run, who):
        dataset = saved_records_dataset(
            login(cast.staff_a), post_and_run, cast, sharing_level="collaborative"
        )
        definition = define_count_by_sex(cast, dataset)
        client = login(getattr(cast, who))
        response = client.post(
            url("derived_remove", cast, dataset, derived_id=definition.public_id)
        )
        assert response.status_code == 404
        assert DerivedIndicator.objects.filter(pk=definition.pk).exists()

    def test_get_is_not_allowed(self, cast, login, post_and_run):
        client = login(cast.staff_a)
        dataset = saved_records_dataset(client, post_and_run, cast)
        definition = define_count_by_sex(cast, dataset)
        response = client.get(url("derived_remove", cast, dataset, derived_id=definition.public_id))
        assert response.status_code == 405


class TestDatasetList:
    def test_records_datasets_are_marked_and_cost_no_more_queries(
        self, cast, login, post_and_run, count_queries
    ):
        client = login(cast.staff_a)
        saved_records_dataset(client, post_and_run, cast)
        list_url = url("datasets", cast)
        one = count_queries(client, list_url)
        assert count_queries.page.count(">Records</span>") == 1
        first = Dataset.objects.get()
        for n in range(24):
            Dataset.objects.create(
                owner=cast.org_a,
                kind=Dataset.Kind.RECORDS,
                title=f"Releases {n}",
                period_start=first.period_start,
                period_end=first.period_end,
                current_version=None,
            )
        assert count_queries(client, list_url) == one
        assert count_queries.page.count(">Records</span>") == 25


def test_a_few_blanks_among_many_read_as_under_one_percent():
    from indicators.views.records import profile_columns

    profile = {
        "rows": 1000,
        "columns": [
            {
                "name": "Sex",
                "index": 0,
                "type": "text",
                "blanks": 3,
                "filled": 997,
                "distinct": 1,
                "values": [["Male", 997]],
                "twins": [],
                "cut_short": [],
                "means_unknown": [],
            },
            {
                "name": "Race ",
                "index": 1,
                "type": "text",
                "blanks": 0,
                "filled": 1000,
                "distinct": 2,
                "values": [["N/A -", 600], ["White -", 400]],
                "twins": [],
                "cut_short": ["N/A -", "White -"],
                "means_unknown": ["N/A -"],
            },
        ],
    }
    sex, race = profile_columns(profile)
    assert sex["blank_share"] == "<1"
    assert race["padded"] is True
    # "N/A -" is said once, as not recorded; "White -" is cut short.
    assert race["cut_short"] == ["White -"] and race["means_unknown"] == ["N/A -"]
    assert profile_columns({}) is None and profile_columns(None) is None


def test_a_new_public_dataset_under_the_agreement_licence_asks_which_is_meant(cast, login):
    data = {
        "file": SimpleUploadedFile("r.csv", RECORDS.encode(), content_type="text/csv"),
        "kind": "records",
        "title": "Releases",
        "licence": "agreement",
        "sharing_level": "public",
    }
    response = login(cast.staff_a).post(url("upload_new", cast), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Which do you mean?" in page and 'value="Releases"' in page
    assert not ImportJob.objects.exists()


class TestPublicDashboardVersion:
    """Saving records, defining and removing a derived indicator give the public dashboard
    a new version (reentry/pagecache.py), so its cached page shows the change at once."""

    def test_each_step_gives_the_dashboard_a_new_version(
        self, cast, login, post_and_run, django_capture_on_commit_callbacks
    ):
        from indicators.services.records import derived_indicator_delete
        from reentry.pagecache import DASHBOARD, page_version

        def version():
            return page_version(DASHBOARD, cast.collab.slug)

        before = version()
        with django_capture_on_commit_callbacks(execute=True):
            dataset = saved_records_dataset(login(cast.staff_a), post_and_run, cast)
        saved = version()
        assert saved != before
        with django_capture_on_commit_callbacks(execute=True):
            definition = define_count_by_sex(cast, dataset)
        defined = version()
        assert defined != saved
        with django_capture_on_commit_callbacks(execute=True):
            derived_indicator_delete(actor=cast.staff_a, definition=definition)
        assert version() != defined
