"""Writes for record-level datasets: define (or change, or remove) how an indicator is
derived from a dataset's records, and load a file with a spec (``import_records``).
Atomic and audited, like every service."""

import difflib
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.access import can_change_dataset
from indicators.importing.checks import Problem, Report
from indicators.models import Dataset, DerivedIndicator, Indicator, Observation
from indicators.records.derive import derive
from indicators.records.describe import describe
from indicators.records.load import load_version
from indicators.records.spec import Dimensions, IndicatorSpec, SpecError, SpecFile
from reentry.audit.log import record
from reentry.pagecache import DASHBOARD, page_changed
from reentry.sharing.levels import SharingLevel
from stakeholders.models import Collaborative, KeyArea, Member, Organization, User

SHARE = {
    "private": SharingLevel.PRIVATE,
    "sector": SharingLevel.SECTOR,
    "collaborative": SharingLevel.COLLABORATIVE,
    "public": SharingLevel.PUBLIC,
}


def similar_names(collaborative_id: int, name: str, *, exclude_pk: int | None = None) -> list[str]:
    """Catalog names that nearly match ``name`` ("Returned to prison within 3 years"
    beside "Returned to prison within three years"), to ask before adding a twin."""
    wanted = " ".join(name.casefold().split())
    if not wanted:
        return []
    names = Indicator.objects.filter(collaborative_id=collaborative_id)
    if exclude_pk is not None:
        names = names.exclude(pk=exclude_pk)
    found = []
    for other in names.values_list("name", flat=True):
        folded = " ".join(other.casefold().split())
        if folded == wanted or difflib.SequenceMatcher(None, wanted, folded).ratio() >= 0.85:
            found.append(other)
    return found


def _refresh_period(dataset: Dataset) -> None:
    if dataset.current_version_id is None:
        return
    span = Observation.objects.filter(version_id=dataset.current_version_id).aggregate(
        start=Min("period_start"), end=Max("period_end")
    )
    if span["start"] and span["end"]:
        Dataset.objects.filter(pk=dataset.pk).update(
            period_start=span["start"], period_end=span["end"]
        )


@transaction.atomic
def derived_indicator_save(
    *,
    actor: Member,
    dataset: Dataset,
    indicator: Indicator,
    spec: IndicatorSpec,
    request=None,
) -> DerivedIndicator:
    """Define (or redefine) how ``indicator`` is derived from ``dataset``'s records, and
    derive it into the current version at once. The owner's admins and staff only."""
    dataset = Dataset.objects.select_for_update().select_related("collaborative").get(pk=dataset.pk)
    if not can_change_dataset(actor, dataset) or not dataset.is_records:
        raise PermissionDenied
    if indicator.collaborative_id != dataset.collaborative_id:
        raise PermissionDenied
    version = dataset.current_version
    if version is None:
        raise ValidationError(_("Upload the records first."))
    spec = IndicatorSpec(
        indicator.code,
        spec.measure,
        spec.period,
        spec.numerator,
        spec.denominator,
        spec.breakdowns,
        {},
    )
    dimensions = Dimensions.load(dataset.collaborative)
    try:
        result = derive(indicator, spec, version, dimensions=dimensions)
    except SpecError as exc:
        raise ValidationError(exc.problems) from exc
    definition, created = DerivedIndicator.objects.get_or_create(
        dataset=dataset,
        indicator=indicator,
        defaults={"created_by": actor.user},
    )
    _allow_breakdowns(indicator, spec)
    definition.spec = spec.as_json()
    definition.description = describe(spec, dimensions)
    definition.derived_version = version
    definition.derived_at = timezone.now()
    definition.report = result.as_dict()
    definition.save()
    _refresh_period(dataset)
    page_changed(DASHBOARD, dataset.collaborative)
    record(
        "indicator.derivation_saved",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        indicator=indicator.code,
        version=version.number,
        created=created,
        observations=result.observations,
    )
    return definition


def _allow_breakdowns(indicator: Indicator, spec: IndicatorSpec) -> None:
    """The indicator allows the breakdowns its derived figures carry, so the pages and
    uploads offer them."""
    from indicators.models import Dimension
    from indicators.seeds import indicator_settings_for

    wanted = {b.dimension for b in spec.breakdowns}
    if wanted:
        indicator_settings_for(indicator.collaborative)  # the default dimensions, once
        indicator.dimensions.add(
            *Dimension.objects.filter(collaborative_id=indicator.collaborative_id, code__in=wanted)
        )


@transaction.atomic
def derived_indicator_delete(*, actor: Member, definition: DerivedIndicator, request=None) -> None:
    """Stop deriving an indicator from a dataset; its figures in the current version go
    too (earlier versions keep theirs, as history)."""
    dataset = Dataset.objects.select_for_update().get(pk=definition.dataset_id)
    if not can_change_dataset(actor, dataset):
        raise PermissionDenied
    if dataset.current_version_id:
        Observation.objects.filter(
            version_id=dataset.current_version_id, indicator_id=definition.indicator_id
        ).delete()
    code = definition.indicator.code
    definition.delete()
    page_changed(DASHBOARD, dataset.collaborative)
    record(
        "indicator.derivation_removed",
        actor=actor.user,
        request=request,
        collaborative=dataset.collaborative,
        obj=dataset,
        indicator=code,
    )


# --- manage.py import_records ---------------------------------------------------------------


def _catalog_entry(
    collaborative: Collaborative, spec: IndicatorSpec, problems: list[str]
) -> Indicator | None:
    """The catalog indicator a spec names, created from the spec's catalog fields when
    its code is new (checked, not saved: saved with the records)."""
    existing = Indicator.objects.filter(collaborative=collaborative, code__iexact=spec.code).first()
    if existing is not None:
        return existing
    fields: dict[str, Any] = dict(spec.catalog)
    area_name = str(fields.pop("key_area", "") or "")
    areas = KeyArea.objects.filter(collaborative=collaborative)
    area = areas.filter(slug=area_name).first() or areas.filter(name__iexact=area_name).first()
    if area is None:
        problems.append(
            _("%(code)s is not in the catalog yet: give its key_area (one of %(areas)s) to add it.")
            % {"code": spec.code, "areas": ", ".join(areas.values_list("slug", flat=True))}
        )
        return None
    unit_default = Indicator.Unit.PERCENT if spec.measure == "rate" else Indicator.Unit.COUNT
    frequency = {
        "fiscal_year": Indicator.Frequency.FISCAL_YEARLY,
        "year": Indicator.Frequency.YEARLY,
    }.get(spec.period.cut or spec.period.kind, Indicator.Frequency.OTHER)
    if spec.period.cut == "month":
        frequency = Indicator.Frequency.MONTHLY
    elif spec.period.cut == "quarter":
        frequency = Indicator.Frequency.QUARTERLY
    indicator = Indicator(
        collaborative=collaborative,
        key_area=area,
        code=spec.code,
        name=fields.pop("name", spec.code),
        question=fields.pop("question", "") or fields.get("description", "") or spec.code,
        unit=fields.pop("unit", unit_default),
        frequency=fields.pop("frequency", frequency),
        **{k: v for k, v in fields.items() if k in _INDICATOR_FIELDS},
    )
    if spec.measure == "rate" and not indicator.denominator_definition:
        indicator.denominator_definition = describe(spec).split(". ")[0]
    try:
        indicator.full_clean(exclude=["collaborative"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems += [f"{spec.code} › {field}: {m}" for m in messages]
        return None
    return indicator


_INDICATOR_FIELDS = {
    "description",
    "direction",
    "kind",
    "numerator_definition",
    "denominator_definition",
    "source",
    "status",
    "is_public",
}


def records_import(
    *,
    collaborative: Collaborative,
    organization: Organization,
    path: str | Path,
    fmt: str,
    spec_file: SpecFile,
    share: str | None = None,
    actor: User | None = None,
    reason: str = "",
) -> tuple[Report, Dataset | None, list[DerivedIndicator], list[str]]:
    """Load a file as a new version of the organization's record-level dataset (the one
    with the spec's title, or a new one) and derive every indicator the spec defines,
    creating catalog entries for new codes. All of it, or nothing: (report, None, [],
    warnings) on any problem."""
    if organization.collaborative_id != collaborative.pk:
        raise PermissionDenied
    warnings: list[str] = []
    problems: list[str] = []
    indicators: list[Indicator] = []
    for spec in spec_file.indicators:
        entry = _catalog_entry(collaborative, spec, problems)
        if entry is not None:
            if entry.pk is None:
                warnings.extend(
                    _("%(code)s: the catalog already has “%(name)s”, a similar name.")
                    % {"code": spec.code, "name": name}
                    for name in similar_names(collaborative.pk, entry.name)
                )
            indicators.append(entry)
    if problems:
        report = Report()
        for message in problems:
            report.add(Problem(0, "", "definition", message))
        return report, None, [], warnings
    fields = spec_file.dataset
    title = str(fields.get("title") or Path(path).stem)[:200]
    dataset = Dataset.objects.filter(
        owner=organization, kind=Dataset.Kind.RECORDS, title=title
    ).first()
    if dataset is not None and share is not None:
        warnings.append(
            _("The dataset exists: its sharing stays as it is (change it on its page).")
        )
    dataset_fields = {
        "title": title,
        "source": str(fields.get("source", ""))[:300],
        "methodology": str(fields.get("methodology", "")),
        "licence": fields.get("licence") or "",
        "sharing_level": SHARE[share or fields.get("share") or "private"],
    }
    definitions: list[DerivedIndicator] = []

    def before_derive(saved: Dataset, version) -> None:
        for spec, indicator in zip(spec_file.indicators, indicators, strict=True):
            if indicator.pk is None:
                indicator.save()
                record(
                    "indicator.created",
                    actor=actor,
                    collaborative=collaborative,
                    obj=indicator,
                    status=indicator.status,
                )
            _allow_breakdowns(indicator, spec)
            stored = IndicatorSpec(
                indicator.code,
                spec.measure,
                spec.period,
                spec.numerator,
                spec.denominator,
                spec.breakdowns,
            )
            definition, _created = DerivedIndicator.objects.update_or_create(
                dataset=saved,
                indicator=indicator,
                defaults={"spec": stored.as_json()},
            )
            if definition.created_by_id is None and actor is not None:
                definition.created_by = actor
                definition.save(update_fields=["created_by"])
            definitions.append(definition)

    with transaction.atomic():
        report, _profile, saved, version = load_version(
            collaborative=collaborative,
            organization=organization,
            path=path,
            fmt=fmt,
            created_by=actor,
            dataset=dataset,
            dataset_fields=dataset_fields,
            reason=reason or (_("Loaded again from %(file)s") % {"file": Path(path).name}),
            filename=Path(path).name,
            before_derive=before_derive,
        )
    if saved is None:
        return report, None, [], warnings
    return report, saved, [DerivedIndicator.objects.get(pk=d.pk) for d in definitions], warnings
