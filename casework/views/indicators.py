"""The organization's casework indicators: what it works out from its own records
(``casework.indicators``), when, and a button to work them out again. For the admins and
staff of an organization (``access.is_caseworker``), about their own organization only;
anyone else gets a 404. The figures are shared through the organization's casework
dataset, whose page sets who sees them (small numbers hidden, rule 8)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework import access
from casework.services.indicators import (
    casework_dataset,
    casework_indicators_derive,
    casework_indicators_setup,
)
from indicators.models import DerivedIndicator
from stakeholders.access import CollaborativeRequest, collaborative_view


@collaborative_view()
@require_http_methods(["GET", "POST"])
def indicator_list(request: CollaborativeRequest, slug: str) -> HttpResponseBase:
    member = request.member
    organization = member.organization
    if not access.is_caseworker(member) or organization is None:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("action") == "standard":
                casework_indicators_setup(actor=member, organization=organization, request=request)
                messages.success(request, _("The standard indicators are set up and worked out."))
            else:
                result = casework_indicators_derive(
                    actor=member, organization=organization, request=request
                )
                if result is not None and result.changed:
                    messages.success(
                        request,
                        _("Worked out again: the figures changed, saved as version %(n)s.")
                        % {"n": result.version.number if result.version else ""},
                    )
                else:
                    messages.info(request, _("Worked out again: no figure changed."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:  # pragma: no cover - checked above
            raise Http404 from exc
        return redirect(reverse("casework:indicators", kwargs={"slug": slug}))
    dataset = casework_dataset(organization)
    definitions = (
        list(
            DerivedIndicator.objects.filter(dataset=dataset)
            .select_related("indicator", "derived_version")
            .order_by("indicator__code")
        )
        if dataset is not None
        else []
    )
    return render(
        request,
        "casework/indicators.html",
        {
            "collaborative": request.collaborative,
            "member": member,
            "organization": organization,
            "dataset": dataset,
            "definitions": definitions,
            "section": "indicators",
        },
    )


urlpatterns = [
    path("indicators/", indicator_list, name="indicators"),
]
