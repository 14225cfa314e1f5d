"""The directory's pages for backbone staff: the coverage grid (key area × sector), an
organization's change history, and its sector."""

from itertools import chain
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, FileField, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reentry.forms import apply_errors
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.directory.forms import OrganizationSectorForm
from stakeholders.directory.selectors import PAGE_SIZE
from stakeholders.directory.services import listings
from stakeholders.models import Contact, Location, Member, Organization, Sector, Service

Role = Member.Role

# --- Coverage grid (backbone staff) -------------------------------------------------------


@collaborative_view(roles=(Role.BACKBONE,))
def coverage(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Key area × sector: organizations with active services in the key area, and those
    services; per key area, the gaps. Four queries whatever the size: key areas, sectors,
    one grouped count per cell and one grouped count per key area."""
    collaborative = request.collaborative
    key_areas = list(collaborative.key_areas.all())
    sectors = list(collaborative.sectors.all())
    active = (
        Service.objects.visible_to(request.user)
        .in_collaborative(collaborative)
        .active()
        .filter(key_areas__isnull=False)
        .order_by()
    )
    cells = {
        (row["key_areas"], row["organization__sector"]): row
        for row in active.values("key_areas", "organization__sector").annotate(
            services=Count("pk", distinct=True),
            organizations=Count("organization", distinct=True),
        )
    }
    evenings_weekends = Q(pk__in=Service.objects.open_evenings().values("pk")) | Q(
        pk__in=Service.objects.open_weekends().values("pk")
    )
    spanish = Q(pk__in=Service.objects.speaking("es").values("pk"))
    per_area = {
        row["key_areas"]: row
        for row in active.values("key_areas").annotate(
            services=Count("pk", distinct=True),
            organizations=Count("organization", distinct=True),
            referrals=Count("pk", filter=Q(accepts_referrals=True), distinct=True),
            evenings_weekends=Count("pk", filter=evenings_weekends, distinct=True),
            spanish=Count("pk", filter=spanish, distinct=True),
        )
    }
    gap_labels = {
        "referrals": _("No service accepts referrals"),
        "evenings_weekends": _("No service open evenings or weekends"),
        "spanish": _("No Spanish-language service"),
    }
    rows = []
    for area in key_areas:
        totals = per_area.get(area.pk, {})
        empty = {"services": 0, "organizations": 0}
        rows.append(
            {
                "area": area,
                "services": totals.get("services", 0),
                "organizations": totals.get("organizations", 0),
                "checks": [(key, totals.get(key, 0)) for key in gap_labels],
                "gaps": [label for key, label in gap_labels.items() if not totals.get(key)],
                "cells": [cells.get((area.pk, sector.pk), empty) for sector in sectors],
            }
        )
    return render(
        request,
        "stakeholders/directory/coverage.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "sectors": sectors,
            "rows": rows,
            "areas_with_gaps": [r for r in rows if r["gaps"]],
        },
    )


# --- Change history (backbone staff) -------------------------------------------------------


def _display(field, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return names.get((field.name, value), str(value))
    if isinstance(field, FileField):
        return _("an image")  # not the file's random name
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _history_entries(rows, model, names: dict, kind: str) -> list[dict]:
    """One entry per saved version, with its differences from the version before."""
    entries = []
    previous: dict[int, object] = {}
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(row.id)
        previous[row.id] = row
        changes = []
        if before is not None:
            delta = row.diff_against(before, foreign_keys_are_objs=False)
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": _display(field, change.old, names),
                        "new": _display(field, change.new, names),
                    }
                )
        if row.history_type == "~" and not changes and not row.history_change_reason:
            continue
        entries.append(
            {
                "when": row.history_date,
                "who": row.history_user,
                "kind": kind,
                "label": row.name,
                "type": row.history_type,
                "changes": changes,
                "reason": row.history_change_reason or "",
            }
        )
    return entries


@collaborative_view(roles=(Role.BACKBONE,))
def organization_history(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Who changed the organization's profile, services and locations, when, and what."""
    collaborative = request.collaborative
    organization = get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.visible_to(request.user).filter(collaborative=collaborative),
        request=request,
        public_id=public_id,
    )
    names = {("sector", s.pk): s.name for s in Sector.objects.filter(collaborative=collaborative)}
    names[("collaborative", collaborative.pk)] = collaborative.name
    names[("organization", organization.pk)] = organization.name
    names.update(
        (("service", pk), name)
        for pk, name in Service.objects.filter(organization=organization).values_list("pk", "name")
    )
    entries = list(
        chain(
            _history_entries(
                organization.history.select_related("history_user"),
                Organization,
                names,
                _("Profile"),
            ),
            _history_entries(
                Service.history.filter(organization_id=organization.pk).select_related(
                    "history_user"
                ),
                Service,
                names,
                _("Service"),
            ),
            _history_entries(
                Location.history.filter(organization_id=organization.pk).select_related(
                    "history_user"
                ),
                Location,
                names,
                _("Location"),
            ),
            _history_entries(
                Contact.history.filter(organization_id=organization.pk).select_related(
                    "history_user"
                ),
                Contact,
                names,
                _("Contact person"),
            ),
        )
    )
    entries.sort(key=lambda e: e["when"], reverse=True)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stakeholders/directory/history.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "organization": organization,
            "page": page,
        },
    )


# --- An organization's sector (backbone staff) --------------------------------------------


@collaborative_view(roles=(Role.BACKBONE,))
def organization_sector(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Move an organization to another sector: its people then read that sector's
    sector-only data, so backbone staff set it, never the organization itself."""
    collaborative = request.collaborative
    organization = get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.visible_to(request.user)
        .filter(collaborative=collaborative)
        .select_related("sector"),
        request=request,
        public_id=public_id,
    )
    form = OrganizationSectorForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            listings.organization_sector_set(
                actor=request.member,
                organization=organization,
                sector=form.cleaned_data["sector"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The sector is saved."))
            return redirect(organization.get_absolute_url())
    return render(
        request,
        "stakeholders/directory/organization_sector.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "organization": organization,
            "form": form,
        },
    )
