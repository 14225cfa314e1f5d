"""Helpers for the upload, catalog and import tests (test_upload*, test_catalog*,
test_import*). Plain functions, not fixtures, so they do not collide with other fixtures
in this folder."""

import csv
from decimal import Decimal
from pathlib import Path

from indicators.importing import read_headers
from indicators.importing.jobs import import_file
from indicators.models import Dataset, DatasetVersion, Dimension, Indicator, Observation
from indicators.seeds import indicator_settings_for

HEADER = ["indicator", "period", "race_ethnicity", "sex", "value", "numerator", "denominator"]


def make_indicator(
    cast, code="HOUS-1", *, unit=Indicator.Unit.COUNT, dims=("race_ethnicity", "sex"), **kw
):
    indicator_settings_for(cast.collab)
    fields = {
        "collaborative": cast.collab,
        "key_area": cast.key_area,
        "code": code,
        "name": kw.pop("name", f"Indicator {code}"),
        "question": kw.pop("question", "How many people have a home?"),
        "unit": unit,
        "status": kw.pop("status", Indicator.Status.ADOPTED),
    }
    if unit in Indicator.SCALE:
        fields["denominator_definition"] = "Everyone released"
    fields.update(kw)
    indicator = Indicator.objects.create(**fields)
    indicator.dimensions.set(Dimension.objects.filter(collaborative=cast.collab, code__in=dims))
    return indicator


def write_csv(path: Path, rows, header=HEADER, encoding="utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def default_mapping(headers):
    return {
        h: (f"dim:{h}" if h in ("race_ethnicity", "sex", "age_group", "geography") else h)
        for h in headers
    }


def run_import(cast, path, *, fmt="csv", dataset=None, reason="", actor=None, fields=None):
    headers = read_headers(path, fmt)
    return import_file(
        collaborative=cast.collab,
        organization=cast.org_a,
        path=path,
        fmt=fmt,
        headers=headers,
        mapping=default_mapping(headers),
        created_by=actor.user if actor is not None else cast.admin_a.user,
        dataset=dataset,
        dataset_fields=fields or {"title": "Housing 2025"},
        reason=reason,
        filename=Path(path).name,
    )


def stored_nothing() -> bool:
    return not (
        Observation.objects.exists() or DatasetVersion.objects.exists() or Dataset.objects.exists()
    )


def d(text) -> Decimal:
    return Decimal(str(text))
