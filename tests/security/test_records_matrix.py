"""Record-level datasets in the isolation matrix (issue 14, "Done means"): the record rows,
and the column profile that counts their values, are unreachable outside the owning
organization's admins and staff — on pages, in the API, in exports, in the admin and in
search — whatever the dataset's sharing. Only the description and the derived figures
(suppressed, rule 8) go further.

The world: Org A's records dataset, shared with the whole collaborative and submitted
(so backbone staff review it too), with an indicator derived from it and a checked
upload of a new version. One value in the records cannot turn up by chance (MARKER);
the owner's profile page shows it (the control), nowhere else may.

| scenario      | person                         | expected                                   |
|---------------|--------------------------------|--------------------------------------------|
| owner_staff   | Org A staff                    | profile 200, upload 200                    |
| owner_admin   | Org A admin                    | profile 200, upload 200                    |
| same_sector   | Org B staff (Housing, like A)  | sees the description; profile, upload 404  |
| other_sector  | Org C staff (Courts)           | the same                                   |
| backbone      | backbone staff of A's collab   | sees the description; profile, upload 404  |
| community     | community member               | the same                                   |
| other_collab  | Org X (another collaborative)  | 404 everywhere in collaborative A          |
| anonymous     | nobody signed in               | the sign-in page; 401/403 on the API       |
"""

from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from indicators import api as indicators_api
from indicators.models import (
    DatasetVersion,
    DerivedIndicator,
    ImportJob,
    Record,
)
from indicators.records.load import load_version
from indicators.records.spec import parse_indicator
from indicators.services.records import derived_indicator_save
from tests.factories import UserFactory
from tests.indicators.upload_helpers import make_indicator

pytestmark = pytest.mark.django_db

MARKER = "Zephyrine Halfway House"
HEADER = "Year Released,Sex,Release Type,Returned\n"
ROWS = "".join(
    f"{2012 + i % 2},{'Male' if i % 3 else 'Female'},"
    f"{MARKER if i % 4 == 0 else 'Parole'},{'Yes' if i % 5 == 0 else 'No'}\n"
    for i in range(60)
)

OWNERS = ("owner_staff", "owner_admin")
OTHERS = ("same_sector", "other_sector", "backbone", "community", "other_collab")
PEOPLE = {
    "owner_staff": "staff_a",
    "owner_admin": "admin_a",
    "same_sector": "staff_b",
    "other_sector": "staff_c",
    "backbone": "backbone",
    "community": "community",
    "other_collab": "outsider",
    "anonymous": None,
}


@pytest.fixture
def world(cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = Path(tmp_path) / "releases.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    report, profile, dataset, version = load_version(
        collaborative=cast.collab,
        organization=cast.org_a,
        path=path,
        fmt="csv",
        created_by=cast.admin_a.user,
        dataset=None,
        dataset_fields={"title": "Org A releases", "sharing_level": "collaborative"},
        reason="",
        filename="releases.csv",
    )
    assert dataset is not None, report.as_dict()
    DatasetVersion.objects.filter(pk=version.pk).update(status=DatasetVersion.Status.SUBMITTED)
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
    definition = derived_indicator_save(
        actor=cast.staff_a, dataset=dataset, indicator=indicator, spec=spec
    )
    job = ImportJob.objects.create(
        kind="records",
        collaborative=cast.collab,
        organization=cast.org_a,
        dataset=dataset,
        reason="Next year",
        original_filename="releases-2.csv",
        file_format="csv",
        headers=HEADER.strip().split(","),
        status=ImportJob.Status.VALID,
        report={"rows": 60, "errors": [], "by_code": {}, "profile": profile},
        rows_total=60,
        created_by=cast.staff_a.user,
    )
    dataset.refresh_from_db()
    return dataset, indicator, definition, job


def _client(client, cast, who):
    name = PEOPLE[who]
    if name is not None:
        client.force_login(getattr(cast, name).user)
    return client


def _owner_only_urls(cast, world) -> dict[str, tuple[str, str]]:
    dataset, _indicator, definition, job = world
    slug = cast.collab.slug
    ds = {"slug": slug, "public_id": dataset.public_id}
    up = {"slug": slug, "public_id": job.public_id}
    return {
        "profile": ("get", reverse("indicators:dataset_profile", kwargs=ds)),
        "profile_v1": ("get", reverse("indicators:dataset_profile", kwargs=ds) + "?version=1"),
        "upload": ("get", reverse("indicators:upload", kwargs=up)),
        "upload_progress": ("get", reverse("indicators:upload_progress", kwargs=up)),
        "upload_columns": ("get", reverse("indicators:upload_map", kwargs=up)),
        "upload_save": ("post", reverse("indicators:upload_commit", kwargs=up)),
        "derived_remove": (
            "post",
            reverse("indicators:derived_remove", kwargs={**ds, "derived_id": definition.public_id}),
        ),
    }


def _shared_urls(cast, world) -> list[str]:
    """Every page, export, API answer and search that could carry a record's value."""
    dataset, indicator, _definition, _job = world
    slug = cast.collab.slug
    ind = {"slug": slug, "public_id": indicator.public_id}
    api = f"/api/v1/collaboratives/{slug}"
    return [
        reverse("indicators:datasets", kwargs={"slug": slug}),
        reverse("indicators:datasets", kwargs={"slug": slug}) + "?show=review",
        dataset.get_absolute_url(),
        reverse("indicators:indicator", kwargs=ind),
        reverse("indicators:indicator_export", kwargs=ind) + "?format=csv",
        reverse("indicators:indicator_export", kwargs=ind) + "?format=xlsx",
        reverse("indicators:overview", kwargs={"slug": slug}),
        reverse("indicators:dashboard_export", kwargs={"slug": slug}) + "?format=csv",
        reverse("public_indicators:csv", kwargs={"slug": slug}),
        f"{api}/datasets/",
        f"{api}/datasets/{dataset.public_id}/",
        f"{api}/observations/?indicator=REL-1",
        f"{api}/indicators/",
        reverse("stakeholders:members", kwargs={"slug": slug}) + f"?q={MARKER[:8]}",
        reverse("stakeholders:directory", kwargs={"slug": slug}) + f"?q={MARKER[:8]}",
        "/api/schema/",
    ]


def _body(response) -> str:
    content = getattr(response, "content", None)
    if content is None:  # a streamed export
        content = b"".join(response.streaming_content)
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_owner_only_pages_answer_only_the_owner(cast, client, world, who):
    client = _client(client, cast, who)
    for name, (method, url) in _owner_only_urls(cast, world).items():
        response = getattr(client, method)(url)
        if who in OWNERS:
            if name in ("profile", "profile_v1"):
                assert response.status_code == 200, name
                assert MARKER in _body(response), name  # the control: the owner sees it
            continue
        if who == "anonymous":
            assert response.status_code == 302, name
            assert "/accounts/login/" in response["Location"], name
        else:
            assert response.status_code == 404, (who, name, response.status_code)
            assert MARKER not in _body(response), (who, name)
    # Nothing was removed or saved by anyone turned away.
    assert DerivedIndicator.objects.filter(pk=world[2].pk).exists() or who in OWNERS
    assert ImportJob.objects.get(pk=world[3].pk).status in (
        ImportJob.Status.VALID,
        *(
            (ImportJob.Status.QUEUED, ImportJob.Status.INVALID, ImportJob.Status.DONE)
            if who in OWNERS
            else ()
        ),
    )


@pytest.mark.parametrize("who", list(PEOPLE))
def test_no_page_export_api_or_search_carries_a_record(cast, client, world, who):
    client = _client(client, cast, who)
    for url in _shared_urls(cast, world):
        response = client.get(url)
        assert response.status_code < 500, url
        assert MARKER not in _body(response), (who, url)


@pytest.mark.parametrize(
    ("who", "sees_description"),
    [
        ("owner_staff", True),
        ("same_sector", True),
        ("other_sector", True),
        ("backbone", True),
        ("community", True),
        ("other_collab", False),
    ],
)
def test_others_see_the_description_and_the_derived_indicators_only(
    cast, client, world, who, sees_description
):
    dataset, indicator, _definition, _job = world
    client = _client(client, cast, who)
    response = client.get(dataset.get_absolute_url())
    assert response.status_code == (200 if sees_description else 404)
    if not sees_description:
        return
    page = _body(response)
    assert "never shown to anyone outside Org A" in page
    assert indicator.name in page
    profile_url = reverse(
        "indicators:dataset_profile",
        kwargs={"slug": cast.collab.slug, "public_id": dataset.public_id},
    )
    assert (profile_url in page) is (who in OWNERS)
    assert ("Stop deriving it" in page) is (who in OWNERS)


@pytest.mark.parametrize("who", list(PEOPLE))
def test_the_rows_read_path_admits_only_the_owner(cast, world, who):
    name = PEOPLE[who]
    if name is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    else:
        user = getattr(cast, name).user
    expected = Record.objects.filter(dataset=world[0]).count() if who in OWNERS else 0
    assert expected in (0, 60)
    assert Record.objects.visible_to(user).count() == expected


def test_the_api_has_no_records_endpoint():
    prefixes = [prefix for prefix, _viewset, _basename in indicators_api.router.registry]
    assert prefixes and not [p for p in prefixes if "record" in p.lower()]


def test_the_admin_shows_no_record_nor_profile(cast, client, world):
    dataset, _indicator, _definition, job = world
    assert Record not in admin.site._registry
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    version = dataset.current_version
    for url in (
        reverse("admin:indicators_dataset_change", args=[dataset.pk]),
        reverse("admin:indicators_datasetversion_change", args=[version.pk]),
        reverse("admin:indicators_datasetversion_changelist"),
        reverse("admin:indicators_importjob_change", args=[job.pk]),
        reverse("admin:indicators_importjob_changelist") + f"?q={MARKER[:8]}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in _body(response), url
