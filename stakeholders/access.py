"""The people side's access: load the collaborative and the person's membership once per
request (or 404), and the policies for who may invite, manage members and change an
organization's profile. Services and views both ask here."""

import functools
import uuid
from collections.abc import Callable
from typing import Concatenate, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from reentry.sharing.access import get_visible_or_404
from stakeholders.models import Collaborative, Invitation, Member, Organization, User


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


# --- Policies ---------------------------------------------------------------------------------


def may_edit_organization(member: Member | None, organization_id: int | None) -> bool:
    """An organization's profile and its directory listing (services, locations, contact
    people) are changed by its own admins and staff only: not backbone staff, not other
    organizations."""
    return member is not None and member.works_for(organization_id)


def require_organization_editor(actor: Member, organization: Organization) -> None:
    if not may_edit_organization(actor, organization.pk):
        raise PermissionDenied(
            _("Only this organization's own admins and staff can change its listing.")
        )


def may_change_organization_sharing(member: Member, organization_id: int | None) -> bool:
    """Who may see the profile: only the organization's admins change it."""
    return member.works_for(organization_id) and member.role == Member.Role.ORG_ADMIN


def may_change_organization_sector(member: Member) -> bool:
    """An organization's sector decides whose sector-only data its people read: a trust
    boundary, so only backbone staff set it (never the organization itself)."""
    return member.role == Member.Role.BACKBONE


def assignable_roles(member: Member) -> tuple[str, ...]:
    """The roles this person may give by invitation or by changing a membership: backbone
    staff any role; an organization admin staff and admins of their own organization."""
    if member.role == Member.Role.BACKBONE:
        return tuple(Member.Role.values)
    if member.role == Member.Role.ORG_ADMIN:
        return tuple(Member.ORG_ROLES)
    return ()


def require_inviter(inviter: Member, role: str, organization: Organization | None) -> None:
    """Backbone staff invite anyone; an organization admin invites staff and admins to their
    own organization; nobody else invites."""
    if inviter.role == Member.Role.BACKBONE:
        return
    if inviter.role == Member.Role.ORG_ADMIN:
        if organization is None or organization.pk != inviter.organization_id:
            raise PermissionDenied(
                _("Organization admins invite people to their own organization.")
            )
        if role not in assignable_roles(inviter):
            raise PermissionDenied(_("Organization admins invite staff and admins only."))
        return
    raise PermissionDenied(_("Only backbone staff and organization admins can invite people."))


def require_member_manager(actor: Member, role: str, organization: Organization | None) -> None:
    """Backbone staff change any membership; an organization admin only within their own
    organization, to staff or admin."""
    if actor.role == Member.Role.ORG_ADMIN and (
        role not in assignable_roles(actor)
        or organization is None
        or organization.pk != actor.organization_id
    ):
        raise PermissionDenied(_("Organization admins manage their own organization's staff."))


# Who must sign in with a second factor (settings.MFA_REQUIRED_FOR lists these).


def has_django_admin_access(user: User) -> bool:
    """Site administrators: the Django admin reads every collaborative's rows."""
    return bool(user.is_staff or user.is_superuser)


def holds_privileged_role(user: User) -> bool:
    """Backbone staff and organization admins, in any collaborative they are active in:
    they invite people, manage members and read what their organization holds."""
    return (
        Member.objects.of_user(user)
        .filter(role__in=(Member.Role.BACKBONE, Member.Role.ORG_ADMIN))
        .exists()
    )


def is_invited_address(user: User, invitation: Invitation) -> bool:
    """Whether ``user`` signed in with the address ``invitation`` was sent to: their
    account's address, or another address of theirs that they have verified."""
    from allauth.account.models import EmailAddress

    email = invitation.email.strip().lower()
    return (user.email or "").strip().lower() == email or (
        EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
    )


def may_accept_invitation(user: User, invitation: Invitation) -> bool:
    """A backbone-staff or organization invitation only for the invited address; the
    others (community member, observer) for whoever holds the link."""
    return not invitation.is_bound_to_address or is_invited_address(user, invitation)


# --- One-click unsubscribe (RFC 8058) -------------------------------------------------

UNSUBSCRIBE_SALT = "stakeholders.unsubscribe"


def unsubscribe_url(member: Member, kind: str, *, slug: str) -> str:
    """The https link a bulk notice carries in ``List-Unsubscribe``: signed for this person
    and this kind of mail, so a mail client can unsubscribe them with one POST and no
    session. It never expires; the person can turn email back on in My settings. ``slug``
    is the member's collaborative's (the caller has it: no query per email)."""
    token = signing.dumps({"m": str(member.public_id), "k": kind}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse(
        "stakeholders:unsubscribe",
        kwargs={"slug": slug, "token": token},
    )


def access_unsubscribe(slug: str, token: str) -> tuple[Member, str]:
    """The person and the kind of mail a link names; 404 for a forged or altered token, a
    kind the token was not made for, or another collaborative's slug."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        raise Http404
    try:
        public_id = uuid.UUID(str(data.get("m")))
    except ValueError:
        raise Http404 from None
    member = (
        Member.objects.select_related("collaborative", "user")
        .filter(public_id=public_id, collaborative__slug=slug)
        .first()
    )
    if member is None:
        raise Http404
    return member, data["k"]
