"""Deriving an organization's casework indicators (``casework.indicators``) into a
dataset it owns, so that the figures, never the rows, are shared like any other figure
(DESIGN.md rules 7 and 8).

One dataset of kind "casework" per organization holds them. Each derivation computes
every definition on the dataset from the organization's own records, in one grouped query
each; when the figures differ from the current version's, they become a new version (the
history of what was published stays), otherwise nothing is written. Atomic and audited.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import indicators as source
from indicators.models import Dataset, DatasetVersion, DerivedIndicator, Indicator, Observation
from indicators.records.derive import Derivation, cells, check_unit, grouped, observations
from indicators.records.spec import Dimensions, SpecError
from reentry.audit.log import record
from reentry.pagecache import DASHBOARD, page_changed
from stakeholders.models import KeyArea, Member, Organization

DATASET_TITLE = "Casework outcomes"


@dataclass
class CaseworkDerivation:
    """What one run did: the version written (None when nothing changed)."""

    dataset: Dataset
    version: DatasetVersion | None
    results: dict[str, Derivation] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.version is not None


def may_derive(actor: Member | None, organization: Organization) -> bool:
    """The organization's own admins and staff (``actor`` None: a job at the server)."""
    if actor is None:
        return True
    return actor.collaborative_id == organization.collaborative_id and actor.works_for(
        organization.pk
    )


def casework_dataset(organization: Organization) -> Dataset | None:
    return (
        Dataset.objects.filter(owner=organization, kind=Dataset.Kind.CASEWORK)
        .order_by("pk")
        .first()
    )


def _dataset_for(organization: Organization, actor: Member | None) -> Dataset:
    dataset = casework_dataset(organization)
    if dataset is not None:
        return Dataset.objects.select_for_update().get(pk=dataset.pk)
    today = timezone.localdate()
    dataset = Dataset(
        owner=organization,
        kind=Dataset.Kind.CASEWORK,
        title=DATASET_TITLE,
        source=_("Casework records of %(org)s") % {"org": organization.name},
        methodology=_(
            "Worked out from the organization's own casework records (release dates, "
            "services it logged, referrals it sent); no other organization's records are "
            "read. Each indicator says how it is computed."
        ),
        period_start=today,
        period_end=today,
        created_by=actor.user if actor else None,
    )
    dataset.full_clean(exclude=["current_version", "accepted_version"])
    dataset.save()
    return dataset


def _check_actor(actor: Member | None, organization: Organization) -> None:
    if not may_derive(actor, organization):
        raise PermissionDenied


@transaction.atomic
def casework_indicator_define(
    *,
    actor: Member | None,
    organization: Organization,
    indicator: Indicator,
    spec: source.CaseworkSpec,
    request=None,
    derive: bool = True,
) -> DerivedIndicator:
    """Define (or redefine) how ``indicator`` is derived from the organization's casework
    records, then (unless ``derive`` is false) derive every definition at once. Raises
    ``ValidationError`` with the definition's problems (nothing saved)."""
    _check_actor(actor, organization)
    if indicator.collaborative_id != organization.collaborative_id:
        raise PermissionDenied
    spec = source.parse(spec.as_json(), indicator.code)
    dimensions = Dimensions.load(organization.collaborative)
    try:
        source.check(spec, organization, dimensions)
        check_unit(spec.engine_spec(), indicator)
    except (source.CaseworkSpecError, SpecError) as exc:
        raise ValidationError(exc.problems) from exc
    dataset = _dataset_for(organization, actor)
    definition, created = DerivedIndicator.objects.get_or_create(
        dataset=dataset,
        indicator=indicator,
        defaults={"created_by": actor.user if actor else None},
    )
    definition.spec = spec.as_json()
    definition.description = source.describe(spec, organization, dimensions)
    definition.save()
    record(
        "indicator.derivation_saved",
        actor=actor.user if actor else None,
        request=request,
        collaborative=organization.collaborative,
        obj=dataset,
        indicator=indicator.code,
        created=created,
        source="casework",
    )
    if derive:
        casework_indicators_derive(actor=actor, organization=organization, request=request)
        definition.refresh_from_db()
    return definition


@transaction.atomic
def casework_indicators_setup(
    *, actor: Member | None, organization: Organization, request=None
) -> list[DerivedIndicator]:
    """Define the three standard casework indicators (housed within 30 days of release,
    an employment service within 90 days, referrals closed with a service delivered) for
    the organization, adding them to the catalog as candidates when the collaborative has
    no indicator of that code yet. A standard indicator whose key area the collaborative
    does not have is left out."""
    _check_actor(actor, organization)
    collaborative = organization.collaborative
    areas = {a.slug: a for a in KeyArea.objects.filter(collaborative=collaborative)}
    if not areas:
        raise ValidationError(_("The collaborative has no key areas yet."))
    first_area = min(areas.values(), key=lambda a: (a.order, a.name))
    defined = []
    for standard in source.STANDARD:
        spec = source.parse(standard["spec"])
        catalog = standard["catalog"]
        if spec.key_area and spec.key_area not in areas:
            continue
        indicator = Indicator.objects.filter(collaborative=collaborative, code=spec.code).first()
        if indicator is None:
            indicator = Indicator.objects.create(
                collaborative=collaborative,
                code=spec.code,
                name=_(catalog["name"]),
                question=_(catalog["question"]),
                key_area=areas.get(catalog["key_area"] or "", first_area),
                kind=catalog["kind"],
                unit=Indicator.Unit.PERCENT,
                numerator_definition=_("People (or referrals) for whom the event happened."),
                denominator_definition=_("People released (or referrals sent)."),
                source=_("Casework records of each organization"),
            )
            record(
                "indicator.created",
                actor=actor.user if actor else None,
                request=request,
                collaborative=collaborative,
                obj=indicator,
                status=indicator.status,
            )
        defined.append(
            casework_indicator_define(
                actor=actor, organization=organization, indicator=indicator, spec=spec, derive=False
            )
        )
    # One derivation (one new version) for the three.
    casework_indicators_derive(actor=actor, organization=organization, request=request)
    return [DerivedIndicator.objects.select_related("indicator").get(pk=d.pk) for d in defined]


@transaction.atomic
def casework_indicators_derive(
    *, actor: Member | None, organization: Organization, request=None
) -> CaseworkDerivation | None:
    """Derive every casework indicator the organization defined, from its own records.
    A new dataset version when the figures changed; nothing written otherwise. None when
    the organization defined none. Raises ``ValidationError`` naming every definition that
    no longer fits (a key area or dimension value removed): nothing is saved then."""
    _check_actor(actor, organization)
    dataset = casework_dataset(organization)
    if dataset is None:
        return None
    dataset = Dataset.objects.select_for_update().select_related("collaborative").get(pk=dataset.pk)
    definitions = list(DerivedIndicator.objects.filter(dataset=dataset).select_related("indicator"))
    if not definitions:
        return None
    from indicators.dashboards import fiscal_start_month

    collaborative = dataset.collaborative
    dimensions = Dimensions.load(collaborative)
    month = fiscal_start_month(collaborative)
    draft = DatasetVersion(dataset=dataset)
    problems: list[str] = []
    found: list[Observation] = []
    done: dict[str, Derivation] = {}
    words: dict[int, str] = {}
    for definition in definitions:
        code = definition.indicator.code
        try:
            spec = source.parse(definition.spec, code)
            key_area_id = source.check(spec, organization, dimensions)
            engine = spec.engine_spec()
            check_unit(engine, definition.indicator)
            groups = grouped(
                source.inner_select(spec, organization, key_area_id), len(spec.breakdowns)
            )
        except (source.CaseworkSpecError, SpecError) as exc:
            problems += [f"{code}: {p}" for p in exc.problems]
            continue
        sums, result = cells(groups, engine, month)
        rows = observations(sums, engine, definition.indicator, draft)
        result.observations = len(rows)
        found += rows
        done[code] = result
        words[definition.pk] = source.describe(spec, organization, dimensions)
    if problems:
        raise ValidationError(problems)

    def key(o: Observation) -> tuple:
        return (
            o.indicator_id,
            o.period_kind,
            o.period_start,
            o.period_end,
            o.breakdown_key,
            o.value,
            o.numerator,
            o.denominator,
        )

    current = (
        Observation.objects.filter(version_id=dataset.current_version_id)
        if dataset.current_version_id
        else Observation.objects.none()
    )
    same = dataset.current_version_id is not None and sorted(map(key, current)) == sorted(
        map(key, found)
    )
    version = None
    now = timezone.now()
    if not same:
        version = DatasetVersion.objects.create(
            dataset=dataset,
            number=dataset.next_version_number(),
            reason=_("Worked out again from the casework records on %(day)s.")
            % {"day": timezone.localdate().isoformat()},
            row_count=len(found),
            source_filename="",
            created_by=actor.user if actor else None,
        )
        for row in found:
            row.version_id = version.pk
        Observation.objects.bulk_create(found)
        dataset.current_version = version
        span = Observation.objects.filter(version=version).aggregate(
            start=Min("period_start"), end=Max("period_end")
        )
        if span["start"] and span["end"]:
            dataset.period_start, dataset.period_end = span["start"], span["end"]
        dataset.save(update_fields=["current_version", "period_start", "period_end", "updated_at"])
    for definition in definitions:
        definition.derived_version = dataset.current_version
        definition.derived_at = now
        definition.report = done[definition.indicator.code].as_dict()
        definition.description = words[definition.pk]
        definition.save(update_fields=["derived_version", "derived_at", "report", "description"])
    page_changed(DASHBOARD, collaborative)
    record(
        "casework.indicators_derived",
        actor=actor.user if actor else None,
        request=request,
        collaborative=collaborative,
        obj=dataset,
        version=version.number if version else None,
        changed=version is not None,
        observations=len(found),
    )
    return CaseworkDerivation(dataset, version, done)


def casework_indicators_derive_all() -> int:
    """Daily job: every organization that defined casework indicators derives them again.
    One organization's broken definition does not stop the others (it is logged)."""
    import logging

    log = logging.getLogger(__name__)
    count = 0
    owners = Dataset.objects.filter(kind=Dataset.Kind.CASEWORK).values_list("owner_id", flat=True)
    for organization in Organization.objects.filter(pk__in=owners).select_related("collaborative"):
        try:
            if casework_indicators_derive(actor=None, organization=organization):
                count += 1
        except ValidationError as exc:
            log.warning("casework indicators of %s not derived: %s", organization.pk, exc.messages)
    return count
