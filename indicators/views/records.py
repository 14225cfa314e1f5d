"""Record-level datasets: the column profile (for the owner's admins and staff only: it
holds person-level values with their counts) and the indicators derived from the
records. There is no page, anywhere, that shows the records row by row."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.access import access_dataset, can_change_dataset
from indicators.models import Dataset, DatasetVersion, DerivedIndicator
from indicators.records.profile import TYPE_LABELS
from indicators.services.records import derived_indicator_delete
from stakeholders.access import CollaborativeRequest, collaborative_view

#: Values shown before the rest of a column's list is folded away.
VALUES_SHOWN = 8


def profile_columns(profile: dict[str, Any] | None) -> list[dict[str, Any]] | None:
    """A profile (``indicators.records.profile``) as the page shows it: each column with
    its type in words, blanks, distinct values, the most common values first (the rest
    to unfold), and what to look at before defining anything, in plain words."""
    if not profile or not profile.get("columns"):
        return None
    rows = profile.get("rows") or 0
    shown = []
    for column in profile["columns"]:
        values = [(value, count) for value, count in column.get("values", [])]
        twins = [list(group) for group in column.get("twins", [])]
        twin_values = {value for group in twins for value in group}
        unknown = set(column.get("means_unknown", []))
        # "N/A -" ends in a dash too; it is said once, as "means not recorded".
        cut_short = set(column.get("cut_short", [])) - unknown

        def flags(value: str, *, twin_values=twin_values, cut_short=cut_short, unknown=unknown):
            found = []
            if value in twin_values:
                found.append(_("written two ways"))
            if value in cut_short:
                found.append(_("looks cut short"))
            if value in unknown:
                found.append(_("means not recorded"))
            return found

        listed = [
            {"value": value, "count": count, "flags": flags(value)} for value, count in values
        ]
        shown.append(
            {
                "name": column["name"],
                "padded": column["name"] != column["name"].strip(),
                "type": TYPE_LABELS.get(column["type"], column["type"]),
                "kind": column["type"],
                "blanks": column.get("blanks", 0),
                "blank_share": _share(column.get("blanks", 0), rows),
                "filled": column.get("filled", 0),
                "distinct": column.get("distinct", 0),
                "more_values": column.get("more_values", False),
                "min": column.get("min"),
                "max": column.get("max"),
                "top": listed[:VALUES_SHOWN],
                "rest": listed[VALUES_SHOWN:],
                "twins": twins,
                "cut_short": sorted(cut_short),
                "means_unknown": sorted(unknown),
                "has_flags": bool(twins or cut_short or unknown),
            }
        )
    return shown


def _share(part: int, whole: int) -> str:
    """A percentage for reading: "37", or "<1" for a few among many (never "0")."""
    if not whole or not part:
        return "0"
    share = 100 * part / whole
    return "<1" if share < 1 else str(round(share))


def derived_indicators(dataset: Dataset) -> list[DerivedIndicator]:
    """What is derived from a records dataset, with its indicator and version (one
    query)."""
    return list(
        DerivedIndicator.objects.filter(dataset=dataset)
        .select_related("indicator", "derived_version")
        .order_by("indicator__code", "pk")
    )


def _owner_only(request: CollaborativeRequest, public_id: UUID) -> Dataset:
    """A records dataset, for its owner's admins and staff only: 404 for everyone else,
    even those who may see the dataset's description (the profile and the definitions'
    controls are the owner's)."""
    dataset = access_dataset(request, public_id, action="review")
    if not dataset.is_records or not can_change_dataset(request.member, dataset):
        raise Http404
    return dataset


@collaborative_view()
def dataset_profile(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Each column of a version of the records: its type, blanks, distinct values with
    counts, and the values to look at before defining an indicator. Never the rows."""
    dataset = _owner_only(request, public_id)
    versions = list(dataset.versions.order_by("-number").only("pk", "number", "row_count"))
    shown: DatasetVersion | None = dataset.current_version
    chosen = request.GET.get("version")
    if chosen:
        shown = next((v for v in versions if str(v.number) == chosen), shown)
    if shown is not None and shown.pk != getattr(dataset.current_version, "pk", None):
        shown = DatasetVersion.objects.get(pk=shown.pk)
    return render(
        request,
        "indicators/dataset_profile.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "dataset": dataset,
            "shown": shown,
            "versions": versions,
            "profile": profile_columns(shown.profile) if shown is not None else None,
            "rows": (shown.profile or {}).get("rows", shown.row_count) if shown else 0,
        },
    )


@require_POST
@collaborative_view()
def derived_indicator_remove(
    request: CollaborativeRequest, slug: str, public_id: UUID, derived_id: UUID
) -> HttpResponse:
    """Stop deriving an indicator from the records (its figures in the current version
    go; earlier versions keep theirs)."""
    dataset = _owner_only(request, public_id)
    definition = (
        DerivedIndicator.objects.filter(dataset=dataset, public_id=derived_id)
        .select_related("indicator")
        .first()
    )
    if definition is None:
        raise Http404
    try:
        derived_indicator_delete(actor=request.member, definition=definition, request=request)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("“%(name)s” is no longer derived from these records.")
            % {"name": definition.indicator.name},
        )
    return redirect(dataset.get_absolute_url())
