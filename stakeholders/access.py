"""Load the collaborative and the person's membership once per request, or 404."""

import functools
import zoneinfo
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from reentry.sharing.access import get_visible_or_404
from stakeholders.models import Collaborative, Member


def access_collaborative(request: HttpRequest, slug: str) -> tuple[Collaborative, Member]:
    """The collaborative and the person's active membership; 404 for everyone else."""
    collaborative = get_visible_or_404(
        Collaborative.objects.all(),
        Collaborative.objects.visible_to(request.user),
        request=request,
        slug=slug,
    )
    member = (
        Member.objects.select_related("organization", "organization__sector")
        .filter(user_id=request.user.pk, collaborative=collaborative, is_active=True)
        .first()
    )
    assert member is not None  # visible_to guarantees it  # noqa: S101
    member.collaborative = collaborative
    return collaborative, member


def collaborative_view(*, staff_only: bool = False, roles: tuple[str, ...] = ()) -> Callable:
    """Decorate a view taking (request, slug, ...): sets request.collaborative and
    request.member, shows every time in the collaborative's time zone. Not signed in:
    the sign-in page. Not a member: 404. A member without the needed role: 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            collaborative, member = access_collaborative(request, slug)
            if staff_only and not member.is_staff_role:
                raise PermissionDenied
            if roles and member.role not in roles:
                raise PermissionDenied
            request.collaborative = collaborative
            request.member = member
            with timezone.override(zoneinfo.ZoneInfo(collaborative.time_zone)):
                return view(request, slug, *args, **kwargs)

        return wrapper

    return decorator
