"""Data requests: ask an organization to share a dataset (from the indicator page),
the list of one's requests and of those to one's organization, and the answer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import data_requests as services
from indicators.access import access_indicator
from indicators.dashboard_views import indicator_page_context
from indicators.forms_dashboard import DataRequestDecisionForm, DataRequestForm
from indicators.models import DataRequest
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 25


def _errors(form, exc: ValidationError) -> None:
    form.add_error(None, exc.messages)


@require_POST
@collaborative_view()
def data_request_new(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """Ask for a dataset that reports this indicator and is not shared with you."""
    indicator = access_indicator(request, public_id)
    form = DataRequestForm(
        request.POST, datasets=services.requestable_datasets(request.user, indicator)
    )
    if form.is_valid():
        try:
            services.data_request_create(
                actor=request.member,
                dataset=form.cleaned_data["dataset"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as exc:
            _errors(form, exc)
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


def _requests_for(request: CollaborativeRequest):
    """Requests this person made, and those to their organization if they are its admin."""
    member = request.member
    mine = Q(requested_by=member)
    if member.role == member.Role.ORG_ADMIN and member.organization_id:
        mine |= Q(dataset__owner_id=member.organization_id)
    return DataRequest.objects.filter(mine, collaborative=request.collaborative)


@collaborative_view()
def data_request_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    rows = (
        _requests_for(request)
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
            and services.can_decide(request.member, r),
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
def data_request_decide(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    data_request = (
        _requests_for(request).select_related("dataset__owner").filter(public_id=public_id).first()
    )
    if data_request is None:
        raise Http404
    if not services.can_decide(request.member, data_request):
        raise PermissionDenied
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
