"""The directory's access: who is looking at a page (a member, or anyone on the public
directory), and the listings an organization's own admins and staff open to edit (404 for
everyone else; the rule itself is ``stakeholders.access.may_edit_organization``)."""

import functools
from collections.abc import Callable
from typing import Concatenate, cast
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone

from reentry.sharing.access import get_visible_or_404
from reentry.sharing.levels import SharingLevel
from stakeholders.access import CollaborativeRequest, SlugView, collaborative_view
from stakeholders.models import (
    Collaborative,
    Contact,
    Location,
    Member,
    Organization,
    Service,
    User,
)

# --- Who is looking -------------------------------------------------------------------------


class DirectoryRequest(HttpRequest):
    """The request a directory page receives from ``public_view`` or ``member_view``: who
    is looking (``viewer``), their membership (None on the public directory) and the URL
    namespace to link within. Only for type checking, like ``CollaborativeRequest``."""

    collaborative: Collaborative
    member: Member | None
    viewer: User | AnonymousUser
    namespace: str


type DirectoryView[**P] = Callable[Concatenate[DirectoryRequest, str, P], HttpResponseBase]


def public_view[**P](view: DirectoryView[P]) -> SlugView[P]:
    """The public twin of a page: the collaborative's public directory, as anyone sees it.

    404 unless the collaborative has at least one public organization. The viewer is
    always anonymous here, signed in or not: this is the public directory.
    """

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, slug: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponseBase:
        public = Organization.objects.filter(
            collaborative=OuterRef("pk"), sharing_level=SharingLevel.PUBLIC
        )
        collaborative = Collaborative.objects.filter(slug=slug).filter(Exists(public)).first()
        if collaborative is None:
            raise Http404
        loaded = cast(DirectoryRequest, request)
        loaded.collaborative = collaborative
        loaded.member = None
        loaded.viewer = AnonymousUser()
        loaded.namespace = "directory"
        with timezone.override(collaborative.zone):
            return view(loaded, slug, *args, **kwargs)

    return wrapper


def member_view[**P](view: DirectoryView[P]) -> SlugView[P]:
    """The members' page: everything the person's collaborative lets them see."""

    @collaborative_view()
    @functools.wraps(view)
    def wrapper(
        request: CollaborativeRequest, slug: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponseBase:
        loaded = cast(DirectoryRequest, request)
        loaded.viewer = request.user
        loaded.namespace = "stakeholders"
        return view(loaded, slug, *args, **kwargs)

    return wrapper


# --- What an organization's own admins and staff open to edit ---------------------------------


def access_organization(request: CollaborativeRequest, public_id: UUID) -> Organization:
    """An organization whose listing this person keeps; 404 for everyone else."""
    collaborative = request.collaborative
    return get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.editable_by(request.user).filter(collaborative=collaborative),
        request=request,
        public_id=public_id,
    )


def access_service(request: CollaborativeRequest, public_id: UUID) -> Service:
    collaborative = request.collaborative
    return get_visible_or_404(
        Service.objects.in_collaborative(collaborative),
        Service.objects.editable_by(request.user)
        .in_collaborative(collaborative)
        .select_related("organization"),
        request=request,
        public_id=public_id,
    )


def access_contact(request: CollaborativeRequest, public_id: UUID) -> Contact:
    collaborative = request.collaborative
    return get_visible_or_404(
        Contact.objects.in_collaborative(collaborative),
        Contact.objects.editable_by(request.user)
        .in_collaborative(collaborative)
        .select_related("organization"),
        request=request,
        public_id=public_id,
    )


def access_location(request: CollaborativeRequest, public_id: UUID) -> Location:
    collaborative = request.collaborative
    return get_visible_or_404(
        Location.objects.in_collaborative(collaborative),
        Location.objects.editable_by(request.user)
        .in_collaborative(collaborative)
        .select_related("organization"),
        request=request,
        public_id=public_id,
    )
