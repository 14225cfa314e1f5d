import contextlib
from typing import cast
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from reentry import second_factor
from reentry.audit.models import AuditEvent
from reentry.forms import apply_errors
from reentry.pagecache import kept_page
from reentry.sharing.access import get_visible_or_404
from reentry.suppression import TOTAL, suppress_parts
from stakeholders import selectors, services
from stakeholders.access import (
    CollaborativeRequest,
    access_unsubscribe,
    collaborative_view,
    may_accept_invitation,
)
from stakeholders.adapters import PENDING_INVITATION_KEY
from stakeholders.directory.views.pages import directory_section
from stakeholders.forms import (
    AccountForm,
    InvitationForm,
    JoinDecisionForm,
    JoinRequestForm,
    MemberRoleForm,
    ProfileForm,
)
from stakeholders.models import Collaborative, Invitation, JoinRequest, Member, Organization

PAGE_SIZE = 25
Role = Member.Role


@collaborative_view()
def collaborative_home(request: CollaborativeRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    key_areas = collaborative.key_areas.annotate(org_count=Count("organizations"))
    organizations = selectors.collaborative_organizations(request.member)
    members = Member.objects.filter(collaborative=collaborative, is_active=True)
    member_count = members.count()
    # Only answers this person may see are counted, so the figure cannot move with an
    # answer kept from them (shared with backbone staff only, or "only me").
    lived_count = members.lived_experience_shared_with(request.member).count()
    # Members who share lived experience beside everyone else, through the small-number
    # rule (DESIGN.md rule 8); the member count is known (the directory lists them).
    lived_experience = suppress_parts(
        member_count,
        {"lived_experience": lived_count, "others": member_count - lived_count},
        threshold=collaborative.small_cell_threshold,
        known=(TOTAL,),
    )["lived_experience"]
    # The actor's name is read for "… joined": one join, not one query per event.
    recent = (
        AuditEvent.objects.filter(
            collaborative=collaborative,
            action__in=["invitation.accepted", "collaborative.created", "organization.created"],
        )
        .select_related("actor")
        .order_by("-at")[:8]
    )
    return render(
        request,
        "stakeholders/collaborative_home.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "key_areas": key_areas,
            "organizations": organizations[:12],
            "organization_count": organizations.count(),
            "member_count": member_count,
            "lived_experience": lived_experience,
            "recent": recent,
        },
    )


@kept_page()
@collaborative_view()
def organization_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    sector = request.GET.get("sector", "")
    organizations = selectors.organization_directory(request.member, sector=sector)
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stakeholders/organization_list.html",
        {
            "collaborative": collaborative,
            "page": page,
            "sectors": collaborative.sectors.all(),
            "sector": sector,
        },
    )


@collaborative_view()
def organization_detail(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    collaborative = request.collaborative
    organization = get_visible_or_404(
        Organization.objects.filter(collaborative=collaborative),
        Organization.objects.visible_to(request.user)
        .filter(collaborative=collaborative)
        .select_related("sector"),
        request=request,
        public_id=public_id,
    )
    staff = selectors.organization_staff(request.member, organization)
    return render(
        request,
        "stakeholders/organization_detail.html",
        {
            "collaborative": collaborative,
            "member": request.member,
            "organization": organization,
            "key_areas": organization.key_areas.all(),
            "staff": staff,
            # The directory: services, locations and whether this person keeps them.
            **directory_section(request, organization),
        },
    )


@kept_page()
@collaborative_view()
def member_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    members = selectors.member_search(
        request.member, query=query, role=role, inactive=request.GET.get("inactive") == "1"
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    editable = set(
        Member.objects.editable_by(request.user)
        .filter(pk__in=[m.pk for m in page])
        .values_list("pk", flat=True)
    )
    rows = [
        {
            "member": m,
            "lived_experience": m.lived_experience_shown_to(request.member),
            "can_edit": m.pk in editable,
        }
        for m in page
    ]
    return render(
        request,
        "stakeholders/member_list.html",
        {
            "collaborative": collaborative,
            "page": page,
            "rows": rows,
            "query": query,
            "role": role,
            "roles": Role.choices,
            "show_inactive": request.GET.get("inactive") == "1",
            "show_contact": request.member.is_staff_role,
        },
    )


@collaborative_view(roles=(Role.BACKBONE, Role.ORG_ADMIN))
def member_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    collaborative = request.collaborative
    member = get_visible_or_404(
        Member.objects.filter(collaborative=collaborative),
        Member.objects.editable_by(request.user)
        .filter(collaborative=collaborative)
        .select_related("user", "organization"),
        request=request,
        public_id=public_id,
    )
    form = MemberRoleForm(request.POST or None, instance=member, editor=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.member,
                member=Member.objects.get(pk=member.pk),
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You cannot make that change."))
        else:
            messages.success(request, _("Saved changes for %(name)s.") % {"name": member.user})
            return redirect("stakeholders:members", slug=slug)
    return render(
        request,
        "stakeholders/member_edit.html",
        {"collaborative": collaborative, "target": member, "form": form},
    )


@collaborative_view(roles=(Role.BACKBONE, Role.ORG_ADMIN))
def invitation_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    form = InvitationForm(request.POST or None, inviter=request.member)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.member, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You cannot send that invitation."))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("stakeholders:invitations", slug=slug)
    invitations = (
        Invitation.objects.managed_by(request.member)
        .select_related("organization", "invited_by", "accepted_member__user")
        .order_by("-created_at")
    )
    status = request.GET.get("status", "pending")
    if status == "pending":
        invitations = invitations.pending()
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stakeholders/invitation_list.html",
        {"collaborative": collaborative, "form": form, "page": page, "status": status},
    )


def _managed_invitation(request: CollaborativeRequest, public_id: UUID) -> Invitation:
    return get_visible_or_404(
        Invitation.objects.filter(collaborative=request.collaborative),
        Invitation.objects.managed_by(request.member),
        request=request,
        public_id=public_id,
    )


@require_POST
@collaborative_view(roles=(Role.BACKBONE, Role.ORG_ADMIN))
def invitation_resend(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    invitation = _managed_invitation(request, public_id)
    try:
        services.invitation_resend(actor=request.member, invitation=invitation, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Sent again to %(email)s.") % {"email": invitation.email})
    return redirect("stakeholders:invitations", slug=slug)


@require_POST
@collaborative_view(roles=(Role.BACKBONE, Role.ORG_ADMIN))
def invitation_revoke(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    invitation = _managed_invitation(request, public_id)
    try:
        services.invitation_revoke(actor=request.member, invitation=invitation, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("stakeholders:invitations", slug=slug)


@collaborative_view()
def profile(request: CollaborativeRequest, slug: str) -> HttpResponse:
    member = request.member
    form = ProfileForm(request.POST or None, instance=member, prefix="member")
    account_form = AccountForm(request.POST or None, instance=request.user, prefix="account")
    if request.method == "POST" and form.is_valid() and account_form.is_valid():
        account_form.save()
        services.member_update_profile(
            actor=member,
            member=Member.objects.get(pk=member.pk),
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, _("Your settings are saved."))
        response = redirect("stakeholders:profile", slug=slug)
        from django.conf import settings

        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            request.user.preferred_language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )
        return response
    return render(
        request,
        "stakeholders/profile.html",
        {"collaborative": request.collaborative, "form": form, "account_form": account_form},
    )


@csrf_exempt  # RFC 8058: the mail client POSTs with no session; the signed token is the key
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A notice's unsubscribe link. GET asks (link checkers and previews fetch it, and
    must not unsubscribe anyone); POST, from the page's button or the mail client's
    one-click ``List-Unsubscribe=One-Click``, turns email off."""
    member, kind = access_unsubscribe(slug, token)
    done = False
    if request.method == "POST":
        services.member_unsubscribe(actor=member, kind=kind, request=request)
        done = True
    response = render(
        request,
        "stakeholders/unsubscribe.html",
        # "person", not "member": the page is for whoever holds the link, signed in or
        # not, so the base layout must not show the members' navigation.
        {"collaborative": member.collaborative, "person": member, "done": done},
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: shows the invitation, lets the person sign up or in, then join."""
    invitation = (
        Invitation.objects.by_token(token)
        .select_related("collaborative", "organization", "invited_by")
        .first()
    )
    if invitation is None or invitation.status != "pending":
        request.session.pop(PENDING_INVITATION_KEY, None)
        return render(request, "stakeholders/invitation_invalid.html", status=404)
    if not request.user.is_authenticated:
        request.session[PENDING_INVITATION_KEY] = token
        from allauth.account.adapter import get_adapter

        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "stakeholders/invitation_accept.html", {"invitation": invitation})
    if not may_accept_invitation(request.user, invitation):
        # A backbone or organization invitation, and someone signed in with another address.
        if request.method == "POST":
            with contextlib.suppress(PermissionDenied):  # refused, and audit-logged, there
                services.invitation_accept(user=request.user, token=token, request=request)
        return render(
            request,
            "stakeholders/invitation_wrong_address.html",
            {"invitation": invitation, "accept_url": request.path},
            status=403,
        )
    if request.method == "POST":
        try:
            member = services.invitation_accept(user=request.user, token=token, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("home")
        request.session.pop(PENDING_INVITATION_KEY, None)
        # Their role may now need a second factor: ask on the very next page.
        second_factor.forget(request)
        messages.success(request, _("Welcome to %(name)s.") % {"name": member.collaborative.name})
        return redirect(member.collaborative.get_absolute_url())
    return render(request, "stakeholders/invitation_accept.html", {"invitation": invitation})


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    return redirect("home")


def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask to join a collaborative that takes requests. Members go straight home."""
    collaborative = Collaborative.objects.filter(slug=slug, accepts_join_requests=True).first()
    if collaborative is None:
        raise Http404
    form = None
    pending = None
    if request.user.is_authenticated:
        if Member.objects.of_user(request.user).filter(collaborative=collaborative).exists():
            return redirect(collaborative.get_absolute_url())
        pending = (
            JoinRequest.objects.pending()
            .filter(collaborative=collaborative, user=request.user)
            .first()
        )
        form = JoinRequestForm(request.POST or None)
        if request.method == "POST" and pending is None and form.is_valid():
            try:
                services.join_request_create(
                    user=request.user,
                    collaborative=collaborative,
                    request=request,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Thank you. Backbone staff will answer by email."))
                return redirect("stakeholders:join", slug=slug)
    return render(
        request,
        "stakeholders/join.html",
        {"about": collaborative, "form": form, "pending": pending},
    )


@require_POST
def join_withdraw(request: HttpRequest, slug: str, public_id: UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    join_request = get_visible_or_404(
        JoinRequest.objects.filter(collaborative__slug=slug),
        JoinRequest.objects.filter(collaborative__slug=slug, user=request.user),
        request=request,
        public_id=public_id,
    )
    try:
        services.join_request_withdraw(
            user=request.user, join_request=join_request, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("home")


@collaborative_view(roles=(Role.BACKBONE,))
def join_request_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    status = request.GET.get("status", "pending")
    requests_qs = (
        JoinRequest.objects.filter(collaborative=collaborative)
        .select_related("user", "decided_by", "member__organization")
        .order_by("-created_at")
    )
    if status == "pending":
        requests_qs = requests_qs.pending()
    page = Paginator(requests_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # One form per request: share one evaluated list of organizations between them.
    organization = cast(
        forms.ModelChoiceField, JoinDecisionForm(collaborative=collaborative).fields["organization"]
    )
    # The stub types the getter like the setter; it returns a ModelChoiceIterator.
    choices = list(organization.choices)  # type: ignore[arg-type]
    rows = [
        (
            jr,
            JoinDecisionForm(
                collaborative=collaborative,
                organization_choices=choices,
                prefix=str(jr.public_id),
            ),
        )
        for jr in page
    ]
    return render(
        request,
        "stakeholders/join_request_list.html",
        {"collaborative": collaborative, "page": page, "rows": rows, "status": status},
    )


@require_POST
@collaborative_view(roles=(Role.BACKBONE,))
def join_request_decide(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    collaborative = request.collaborative
    join_request = get_visible_or_404(
        JoinRequest.objects.all(),
        JoinRequest.objects.filter(collaborative=collaborative).select_related("user"),
        request=request,
        public_id=public_id,
    )
    form = JoinDecisionForm(request.POST, collaborative=collaborative, prefix=str(public_id))
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.join_request_approve(
                actor=request.member,
                join_request=join_request,
                request=request,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("%(name)s is now a member.") % {"name": join_request.user})
        elif decision == "decline":
            services.join_request_decline(
                actor=request.member,
                join_request=join_request,
                request=request,
                note=request.POST.get(f"{public_id}-note", ""),
            )
            messages.success(request, _("Request declined. We let the person know."))
        else:
            messages.error(request, _("Choose approve or decline."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("stakeholders:join_requests", slug=slug)
