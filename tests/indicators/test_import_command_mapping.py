"""``manage.py import_observations --mapping FILE / --map COLUMN=FIELD / --save-mapping``:
a file whose column names differ from the template, mapped by hand, checked as the
mapping screen checks it."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.importing import headers_key
from indicators.models import ColumnMapping, Observation
from tests.indicators.upload_helpers import make_indicator, stored_nothing, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["Measure", "Qtr", "Race", "Gender", "Count"]
ROWS = [
    ["HOUS-1", "2025-Q2", "", "", "8"],
    ["HOUS-1", "2025-Q2", "", "female", "5"],
    ["HOUS-1", "2025-Q2", "", "male", "3"],
]
MAPPING = {
    "Measure": "indicator",
    "Qtr": "period",
    "Race": "dim:race_ethnicity",
    "Gender": "sex",  # a breakdown's code alone is fine too
    "Count": "value",
}


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("import_observations", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def odd_file(cast, tmp_path):
    make_indicator(cast)
    return write_csv(tmp_path / "export.csv", ROWS, header=HEADER)


def write_json(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_without_a_mapping_the_odd_columns_are_refused(odd_file):
    with pytest.raises(CommandError, match="could not be matched.*--mapping or --map"):
        run("collab-a", "org-a", str(odd_file))
    assert stored_nothing()


def test_a_mapping_file_imports_the_odd_columns(odd_file, tmp_path):
    mapping = write_json(tmp_path / "mapping.json", MAPPING)
    out, _err = run("collab-a", "org-a", str(odd_file), mapping=mapping)
    assert "3 rows saved as version 1" in out
    values = {tuple(sorted(o.breakdown.items())): o.value for o in Observation.objects.current()}
    assert values == {(): 8, (("sex", "female"),): 5, (("sex", "male"),): 3}
    assert not ColumnMapping.objects.exists()  # not remembered unless asked


def test_map_pairs_import_the_odd_columns(odd_file):
    pairs = [f"{column}={field}" for column, field in MAPPING.items()]
    out, _err = run("collab-a", "org-a", str(odd_file), "--check", *[f"--map={p}" for p in pairs])
    assert "3 rows checked: no problems" in out
    assert stored_nothing()


def test_map_wins_over_the_file(odd_file, tmp_path):
    mapping = write_json(tmp_path / "m.json", {**MAPPING, "Count": "numerator"})
    out, _err = run(
        "collab-a",
        "org-a",
        str(odd_file),
        "--map",
        " count = value ",  # column names match as the screen's guesses do
        mapping=mapping,
        check=True,
    )
    assert "3 rows checked: no problems" in out


def test_columns_not_named_are_left_out(odd_file):
    # Without the Gender column the breakdown rows repeat the total: the checks say so.
    pairs = [f"--map={c}={f}" for c, f in MAPPING.items() if c != "Gender"]
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("import_observations", "collab-a", "org-a", str(odd_file), *pairs, stderr=err)
    assert "row 4" in err.getvalue()
    assert stored_nothing()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({**MAPPING, "Colour": "value"}, "The file has no column “Colour”. Its columns are: "),
        ({**MAPPING, "Count": "amount"}, "“amount” \\(for column “Count”\\) is not a field"),
        ({**MAPPING, "Gender": "dim:shoe_size"}, "is not a field"),
        ({**MAPPING, "Race": "value"}, "Only one column can be “Value”"),
        ({k: v for k, v in MAPPING.items() if k != "Measure"}, "indicator code"),
        ({**MAPPING, "Qtr": ""}, "Choose the column with the period"),
        ({**MAPPING, "Count": "numerator"}, "A numerator needs its denominator column"),
    ],
)
def test_a_bad_mapping_is_refused_with_the_screens_words(odd_file, tmp_path, given, message):
    mapping = write_json(tmp_path / "m.json", given)
    with pytest.raises(CommandError, match=f"The column mapping does not work: .*{message}"):
        run("collab-a", "org-a", str(odd_file), mapping=mapping, save_mapping=True)
    assert stored_nothing()
    assert not ColumnMapping.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('["Measure", "indicator"]', "must be one JSON object"),
        ('{"Measure": 3}', "must be one JSON object"),
    ],
)
def test_a_broken_mapping_file_is_refused(odd_file, tmp_path, content, message):
    path = tmp_path / "m.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("collab-a", "org-a", str(odd_file), mapping=str(path))
    assert stored_nothing()


def test_a_missing_mapping_file_is_refused(odd_file, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the mapping file"):
        run("collab-a", "org-a", str(odd_file), mapping=str(tmp_path / "nope.json"))


def test_a_map_without_equals_is_refused(odd_file):
    with pytest.raises(CommandError, match="write it as COLUMN=FIELD"):
        run("collab-a", "org-a", str(odd_file), "--map", "Measure")


def test_save_mapping_needs_a_mapping(odd_file):
    with pytest.raises(CommandError, match="--save-mapping needs --mapping"):
        run("collab-a", "org-a", str(odd_file), save_mapping=True)


def test_save_mapping_remembers_it_for_the_next_run_and_the_screen(cast, odd_file, tmp_path):
    mapping = write_json(tmp_path / "m.json", MAPPING)
    out, _err = run(
        "collab-a",
        "org-a",
        str(odd_file),
        mapping=mapping,
        save_mapping=True,
        check=True,
        actor=cast.admin_a.user.email,
    )
    assert "Column mapping remembered for this organization." in out
    remembered = ColumnMapping.objects.get()
    assert remembered.organization == cast.org_a
    assert remembered.headers_key == headers_key(HEADER)
    assert remembered.updated_by == cast.admin_a.user
    assert remembered.mapping["Gender"] == "dim:sex"
    # The next run of the same export needs no mapping at all.
    out, _err = run("collab-a", "org-a", str(odd_file))
    assert "3 rows saved" in out
    # Another organization's run does not use it.
    with pytest.raises(CommandError, match="could not be matched"):
        run("collab-a", "org-b", str(odd_file))
