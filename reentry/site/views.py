from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from reentry.site import landing
from stakeholders.models import Collaborative, JoinRequest, Member


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: straight into my collaborative when I have one, else a chooser
    (``?all`` shows the chooser anyway: pending requests, others to ask to join).
    Signed out: what this is, how to sign in, and the public pages."""
    open_to_requests = Collaborative.objects.filter(accepts_join_requests=True).order_by("name")
    if not request.user.is_authenticated:
        return render(
            request,
            "home_public.html",
            {
                "open_collaboratives": open_to_requests,
                "public_collaboratives": landing.public_collaboratives(),
            },
        )
    memberships = list(
        Member.objects.of_user(request.user)
        .select_related("collaborative", "organization")
        .order_by("collaborative__name")
    )
    if len(memberships) == 1 and "all" not in request.GET:
        return redirect(memberships[0].collaborative.get_absolute_url())
    pending = (
        JoinRequest.objects.pending().filter(user=request.user).select_related("collaborative")
    )
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "pending_requests": pending,
            "open_collaboratives": open_to_requests.exclude(
                pk__in=[m.collaborative_id for m in memberships]
            ).exclude(pk__in=pending.values("collaborative_id")),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), and remembered on the account when signed in."""
    language = request.POST.get("language", "")
    known = check_for_language(language) and language in dict(settings.LANGUAGES)
    if request.user.is_authenticated and known:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return django_set_language(request)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer and compose healthcheck."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        Collaborative.objects.exists()
    except Exception as exc:  # noqa: BLE001 - report any database failure as unhealthy
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok"})


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin's sign-in goes through the site's own sign-in: the same rate
    limits and the same second factor. This page never takes a password itself."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("account_login"))
    if admin.site.has_permission(request):
        return redirect(next_url)
    raise PermissionDenied
