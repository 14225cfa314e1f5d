"""Load the collaborative and the person's membership once per request, or 404."""

import functools
from collections.abc import Callable
from typing import Concatenate, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from reentry.sharing.access import get_visible_or_404
from stakeholders.models import Collaborative, Member, User


class CollaborativeRequest(HttpRequest):
    """The request a ``collaborative_view`` receives: signed in, with the collaborative and
    the person's active membership already loaded. Only for type checking; at run time it
    is Django's own request with the two attributes set."""

    user: User
    collaborative: Collaborative
    member: Member
    htmx: HtmxDetails  # set on every request by django_htmx's middleware


type CollaborativeView[**P] = Callable[Concatenate[CollaborativeRequest, str, P], HttpResponseBase]
type SlugView[**P] = Callable[Concatenate[HttpRequest, str, P], HttpResponseBase]


def access_collaborative(request: HttpRequest, slug: str) -> tuple[Collaborative, Member]:
    """The collaborative and the person's active membership; 404 for everyone else."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    collaborative = get_visible_or_404(
        Collaborative.objects.all(),
        Collaborative.objects.visible_to(user),
        request=request,
        slug=slug,
    )
    member = (
        Member.objects.of_user(user)
        .filter(collaborative=collaborative)
        .select_related("organization", "organization__sector")
        .first()
    )
    assert member is not None  # visible_to guarantees it  # noqa: S101
    member.collaborative = collaborative
    return collaborative, member


def collaborative_view[**P](
    *, staff_only: bool = False, roles: tuple[str, ...] = ()
) -> Callable[[CollaborativeView[P]], SlugView[P]]:
    """Decorate a view taking (request, slug, ...): sets request.collaborative and
    request.member, shows every time in the collaborative's time zone. Not signed in:
    the sign-in page. Not a member: 404. A member without the needed role: 403."""

    def decorator(view: CollaborativeView[P]) -> SlugView[P]:
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            collaborative, member = access_collaborative(request, slug)
            if staff_only and not member.is_staff_role:
                raise PermissionDenied
            if roles and member.role not in roles:
                raise PermissionDenied
            loaded = cast(CollaborativeRequest, request)
            loaded.collaborative = collaborative
            loaded.member = member
            with timezone.override(collaborative.zone):
                return view(loaded, slug, *args, **kwargs)

        return wrapper

    return decorator
