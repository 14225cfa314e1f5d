"""Data requests: ask an organization to share a dataset (from the indicator page),
the list of one's requests and of those to one's organization, and the answer."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators.access import access_data_request, access_indicator, can_decide_request
from indicators.forms import DataRequestDecisionForm, DataRequestForm
from indicators.models import DataRequest
from indicators.selectors import data_requests_for, requestable_datasets
from indicators.services import requests as services
from indicators.views.dashboards import indicator_page_context
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25


@require_POST
@collaborative_view()
def data_request_new(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Ask for a dataset that reports this indicator and is not shared with you."""
    indicator = access_indicator(request, public_id)
    form = DataRequestForm(request.POST, datasets=requestable_datasets(request.user, indicator))
    if form.is_valid():
        try:
            services.data_request_create(
                actor=request.member,
                dataset=form.cleaned_data["dataset"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Your request is sent. The organization's admins will answer.")
            )
            return redirect(indicator.get_absolute_url() + "#requests")
    return render(
        request,
        "indicators/dashboard/indicator.html",
        indicator_page_context(request, indicator, request_form=form),
        status=400,
    )


@collaborative_view()
def data_request_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    rows = (
        data_requests_for(request.member)
        .select_related(
            "dataset__owner",
            "dataset__collaborative",
            "requested_by__user",
            "requesting_organization",
            "decided_by__user",
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "request": r,
            "can_decide": r.status == DataRequest.Status.PENDING
            and can_decide_request(request.member, r),
        }
        for r in page
    ]
    return render(
        request,
        "indicators/dashboard/data_requests.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "page": page,
            "items": items,
            "decision_form": DataRequestDecisionForm(),
        },
    )


@require_POST
@collaborative_view()
def data_request_decide(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    data_request = access_data_request(request, public_id)
    form = DataRequestDecisionForm(request.POST)
    back = reverse("indicators:data_requests", kwargs={"slug": slug})
    if not form.is_valid():
        messages.error(request, _("Choose whether to share the dataset."))
        return redirect(back)
    try:
        services.data_request_decide(
            actor=request.member,
            data_request=data_request,
            approve=form.cleaned_data["decision"] == "approve",
            response=form.cleaned_data["response"],
            scope=form.cleaned_data["scope"] or services.ORGANIZATION,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The dataset is shared.")
            if form.cleaned_data["decision"] == "approve"
            else _("The request is declined."),
        )
    return redirect(back)
