"""The API token pages for organization admins (and backbone staff, who may revoke)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reentry.api import services
from reentry.api.forms import ApiTokenForm
from reentry.api.models import ApiToken
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

PAGE_SIZE = 25
MANAGERS = (Member.Role.BACKBONE, Member.Role.ORG_ADMIN)


@never_cache
@collaborative_view(roles=MANAGERS)
def api_token_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """List tokens; organization admins also create one here. The new token is in this
    response only: it is rendered, never stored, and the page is not cached."""
    member = request.member
    can_create = member.role == Member.Role.ORG_ADMIN
    form = ApiTokenForm(request.POST or None) if can_create else None
    new_token = created = None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                created, new_token = services.api_token_create(
                    actor=member,
                    name=form.cleaned_data["name"],
                    expires_at=form.expires_at(),
                    request=request,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                form = ApiTokenForm()
    tokens = (
        ApiToken.objects.managed_by(member)
        .with_creator_status()
        .select_related("organization", "created_by")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(tokens, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "api/token_list.html",
        {
            "collaborative": request.collaborative,
            "member": member,
            "page": page,
            "form": form,
            "created": created,
            "new_token": new_token,
            "docs_url": request.build_absolute_uri(reverse("api:docs")),
            "api_url": request.build_absolute_uri(reverse("api:collaborative-list")),
        },
    )


@require_POST
@collaborative_view(roles=MANAGERS)
def api_token_revoke(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    token = get_visible_or_404(
        ApiToken.objects.filter(organization__collaborative=request.collaborative),
        ApiToken.objects.managed_by(request.member).select_related("organization"),
        request=request,
        public_id=public_id,
    )
    try:
        services.api_token_revoke(actor=request.member, token=token, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("The token “%(name)s” is revoked. Systems using it can no longer connect.")
            % {"name": token.name},
        )
    return redirect("api_tokens:list", slug=slug)
