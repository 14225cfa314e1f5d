"""``manage.py import_observations``: same checks and report as the pages, non-zero exit on
errors, nothing saved unless every row is good."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Dataset, DatasetVersion, Observation
from tests.indicators.upload_helpers import make_indicator, stored_nothing, write_csv

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("import_observations", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_imports_a_good_file_as_a_private_draft(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(tmp_path / "housing.csv", [["HOUS-1", "2025-Q2", "", "", "8", "", ""]])
    out, _err = run("collab-a", "org-a", str(path), title="Housing placements")
    dataset = Dataset.objects.get()
    assert "1 rows saved as version 1 of “Housing placements”" in out
    assert dataset.owner == cast.org_a and dataset.sharing_level == "private"
    assert dataset.current_version.status == DatasetVersion.Status.DRAFT


def test_errors_are_reported_and_exit_non_zero(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(
        tmp_path / "bad.csv",
        [["HOUS-1", "2025-Q2", "", "", "8", "", ""], ["HOUS-1", "2025-Q5", "", "", "x", "", ""]],
    )
    err = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_observations", "collab-a", "org-a", str(path), stderr=err)
    assert "row 3, period" in err.getvalue() and "row 3, value" in err.getvalue()
    assert stored_nothing()


def test_check_only_saves_nothing(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "8", "", ""]])
    out, _err = run("collab-a", "org-a", str(path), check=True)
    assert "1 rows checked: no problems" in out and stored_nothing()


def test_new_version_with_reason_and_sharing_as_a_member(cast, tmp_path):
    make_indicator(cast)
    first = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "8", "", ""]])
    run("collab-a", "org-a", str(first), sharing="sector", actor=cast.admin_a.user.email)
    dataset = Dataset.objects.get()
    assert dataset.sharing_level == "sector"
    second = write_csv(tmp_path / "b.csv", [["HOUS-1", "2025", "", "", "9", "", ""]])
    with pytest.raises(CommandError, match="--reason"):
        run("collab-a", "org-a", str(second), dataset=str(dataset.public_id))
    run("collab-a", "org-a", str(second), dataset=str(dataset.public_id), reason="Recount")
    assert Observation.objects.current().get().value == 9


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (("collab-x", "org-a"), {}, "No collaborative"),
        (("collab-a", "org-x"), {}, "No organization"),
        (("collab-b", "org-a"), {}, "No organization"),
        (("collab-a", "org-a"), {"actor": "nobody@example.org"}, "is not an admin or staff"),
        (("collab-a", "org-a"), {"sharing": "public"}, "needs --as"),
    ],
)
def test_refuses_wrong_tenant_or_person(cast, tmp_path, args, options, message):
    make_indicator(cast)
    path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "8", "", ""]])
    with pytest.raises(CommandError, match=message):
        run(*args, str(path), **options)
    assert stored_nothing()


def test_staff_of_another_organization_cannot_import_for_this_one(cast, tmp_path):
    make_indicator(cast)
    path = write_csv(tmp_path / "a.csv", [["HOUS-1", "2025", "", "", "8", "", ""]])
    with pytest.raises(CommandError, match="is not an admin or staff"):
        run("collab-a", "org-a", str(path), actor=cast.staff_b.user.email)


def test_unmatched_columns_are_explained(cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["x", "y"]], header=["what", "when"])
    with pytest.raises(CommandError, match="could not be matched"):
        run("collab-a", "org-a", str(path))
