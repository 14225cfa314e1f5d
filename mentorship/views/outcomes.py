"""The outcomes export for the indicators app: a CSV in the indicators upload format, for
the program's managers (backbone staff and coordinators, ``selectors.programs_managed_by``);
other members of the collaborative get 403, anyone else 404.

The file is only downloaded here; the coordinator uploads it through Indicators → Upload
data as their organization, so the dataset is owned, checked, versioned, shared and
approved like any other."""

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from indicators.models import Indicator
from mentorship import access, outcomes_export
from mentorship.models import Program
from reentry.downloads import csv_response
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Collaborative


def active_choices(collaborative: Collaborative) -> QuerySet[Indicator]:
    """Indicators that can hold the active-matches count."""
    return (
        Indicator.objects.filter(collaborative=collaborative, unit=Indicator.Unit.COUNT)
        .exclude(status=Indicator.Status.RETIRED)
        .order_by("code")
    )


def retention_choices(collaborative: Collaborative) -> QuerySet[Indicator]:
    """Indicators that can hold the six-month retention percent."""
    return (
        Indicator.objects.filter(collaborative=collaborative, unit=Indicator.Unit.PERCENT)
        .exclude(status=Indicator.Status.RETIRED)
        .order_by("code")
    )


def export_context(collaborative: Collaborative, params: Any) -> dict[str, Any]:
    """What the funder report's outcomes-export form needs (its template names the
    form "feed")."""
    return {
        "feed_active": list(active_choices(collaborative).only("code", "name")),
        "feed_retention": list(retention_choices(collaborative).only("code", "name")),
        "feed_active_code": params.get("active", ""),
        "feed_retention_code": params.get("retention", ""),
        "feed_months": params.get("months", "") or outcomes_export.DEFAULT_MONTHS,
    }


def _pick(choices: QuerySet[Indicator], code: str) -> Indicator | None:
    code = code.strip()
    if not code:
        return None
    return choices.filter(code__iexact=code).first()


@collaborative_view()
def outcomes_csv(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID
) -> HttpResponseBase:
    program: Program = access.access_program(request, program_id, action="manage")
    params = request.GET
    active_code, retention_code = params.get("active", ""), params.get("retention", "")
    problems = []
    active = _pick(active_choices(request.collaborative), active_code)
    retention = _pick(retention_choices(request.collaborative), retention_code)
    if active is None:
        problems.append(
            _(
                "Choose the indicator for active matches: one of this collaborative's "
                "indicators counted as a number (“%(code)s” is not one)."
            )
            % {"code": active_code.strip()[:40]}
            if active_code.strip()
            else _("Choose the indicator for active matches.")
        )
    if retention is None:
        problems.append(
            _(
                "Choose the indicator for six-month retention: one of this collaborative's "
                "indicators measured as a percent (“%(code)s” is not one)."
            )
            % {"code": retention_code.strip()[:40]}
            if retention_code.strip()
            else _("Choose the indicator for six-month retention.")
        )
    try:
        months = int(params.get("months", "") or outcomes_export.DEFAULT_MONTHS)
    except ValueError:
        months = 0
    if not 1 <= months <= outcomes_export.MAX_MONTHS:
        problems.append(
            _("Months must be a whole number from 1 to %(max)s.")
            % {"max": outcomes_export.MAX_MONTHS}
        )
    if problems or active is None or retention is None:
        for problem in problems:
            messages.error(request, problem)
        back = reverse(
            "mentorship:funder_report", kwargs={"slug": slug, "program_id": program.public_id}
        )
        keep = {k: params.get(k, "") for k in ("active", "retention", "months", "grant")}
        return redirect(f"{back}?{urlencode({k: v for k, v in keep.items() if v})}#feed")
    rows = outcomes_export.outcomes_rows(
        program, active_code=active.code, retention_code=retention.code, months=months
    )
    return csv_response(
        [outcomes_export.HEADER, *rows], f"outcomes-{program.slug}.csv", stream=False
    )
