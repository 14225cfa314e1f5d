"""One date format per kind (reentry/formats/<language>/formats.py), used by name.

Templates show dates through the named formats only (``|date``, ``|date:"DATETIME_FORMAT"``,
``|date:"YEAR_MONTH_FORMAT"``, ``|time`` ...); machine formats (``<time datetime>``, input
values, addresses) stay ISO. A page reads the same kind the same way, in each language."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from workgroups import services

TEMPLATES = Path(settings.BASE_DIR) / "templates"
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
}
# ISO 8601 and friends, for machines: datetime attributes, input values, URLs.
MACHINE = {"c", "U", "Y-m-d", "Y-m", "Y-m-d\\TH:i"}
FILTER = re.compile(r"""\|(date|time):(["'])(.*?)\2""")


def display_formats_written_by_hand() -> list[str]:
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".txt"):
            continue
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            for match in FILTER.finditer(line):
                fmt = match.group(3)
                # One letter is one part of a date (a calendar tile's day, a chart tick's
                # month), not a way of writing a date.
                if fmt in NAMED or fmt in MACHINE or len(fmt) == 1:
                    continue
                found.append(f"{path.relative_to(TEMPLATES)}:{n}: {match.group(0)}")
    return found


def test_templates_use_the_named_formats_only():
    assert display_formats_written_by_hand() == []


def test_the_check_finds_a_format_written_by_hand(tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text('{{ day|date:"j M Y" }} {{ at|time:"H:i" }}')
    monkeypatch.setattr(f"{__name__}.TEMPLATES", tmp_path)
    assert display_formats_written_by_hand() == [
        'page.html:1: |date:"j M Y"',
        'page.html:1: |time:"H:i"',
    ]


@pytest.mark.parametrize(
    ("language", "kinds"),
    [
        ("en", {"DATE_FORMAT": "31 Dec 2027", "YEAR_MONTH_FORMAT": "December 2027"}),
        ("es", {"DATE_FORMAT": "31 dic 2027", "YEAR_MONTH_FORMAT": "diciembre de 2027"}),
    ],
)
def test_each_kind_reads_one_way_per_language(language, kinds):
    with translation.override(language):
        for kind, text in kinds.items():
            assert formats.date_format(date(2027, 12, 31), kind) == text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("en", "31 Dec 2027", ["2027-12-31", "Dec. 31, 2027", "31 dic 2027"]),
        ("es", "31 dic 2027", ["2027-12-31", "Dec. 31, 2027", "31 Dec 2027"]),
    ],
)
def test_a_due_date_reads_the_same_on_the_page_in_each_language(
    cast, login, language, shown, not_shown
):
    group = services.group_create(actor=cast.backbone, name="Housing Working Group", chairs=[])
    item = services.action_item_create(
        actor=cast.backbone, group=group, title="Invite landlords", due_date=date(2027, 12, 31)
    )
    client = login(cast.backbone)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(
        reverse("workgroups:action_item", args=[cast.collab.slug, item.public_id])
    )
    assert response.status_code == 200
    assert shown in response.text
    for other in not_shown:
        assert other not in response.text
