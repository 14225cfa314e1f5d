"""Editing an organization's listing, by its own admins and staff: the profile, contact
people, services and locations. Access → service → render."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.directory.access import (
    access_contact,
    access_location,
    access_organization,
    access_service,
)
from stakeholders.directory.forms import (
    ContactForm,
    LocationForm,
    OrganizationProfileForm,
    ServiceForm,
)
from stakeholders.directory.selectors import organization_contacts
from stakeholders.directory.services import listings
from stakeholders.models import Contact, Location, Member, Organization, Service


def _write_posted[T](
    request: CollaborativeRequest,
    form: BaseForm,
    write: Callable[..., T],
    data: Callable[[], dict],
    **kwargs: Any,
) -> T | None:
    """On a valid POST, call the service ``write`` as the acting person with the form's
    ``data()`` and ``kwargs``, and return what it saved. None when there is nothing to
    save yet (not a POST, or the form is not valid) or the service refuses: its message
    then goes next to its field and the form keeps what was typed."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write(actor=request.member, request=request, **kwargs, **data())
    except ValidationError as exc:
        apply_errors(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You cannot make that change."))
    return None


def _editor_page(request: CollaborativeRequest, template: str, **context) -> HttpResponse:
    return render(
        request,
        f"stakeholders/directory/{template}",
        {"collaborative": request.collaborative, "member": request.member, **context},
    )


def _profile_page(
    request: CollaborativeRequest, organization: Organization, form: OrganizationProfileForm
) -> HttpResponse:
    """The profile form, and below it the contact people with a form to add one."""
    return _editor_page(
        request,
        "organization_edit.html",
        organization=organization,
        form=form,
        contacts=organization_contacts(organization),
        contact_form=ContactForm(organization=organization),
    )


@collaborative_view(roles=Member.EDITOR_ROLES)
def organization_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    organization = access_organization(request, public_id)
    form = OrganizationProfileForm(
        request.POST or None,
        request.FILES or None,
        instance=organization,
        editor=request.member,
    )
    saved = _write_posted(
        request,
        form,
        listings.organization_profile_update,
        form.profile_data,
        organization=organization,
    )
    if saved is not None:
        messages.success(request, _("Your organization's profile is saved."))
        return redirect("stakeholders:organization", slug=slug, public_id=public_id)
    return _profile_page(request, organization, form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def contact_create(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    """Add a contact person. The form sits on the profile page; with errors it comes back
    on a page of its own, with what was typed."""
    organization = access_organization(request, public_id)
    if request.method != "POST":
        return redirect(
            reverse("stakeholders:organization_edit", args=[slug, public_id]) + "#contacts"
        )
    form = ContactForm(
        request.POST, instance=Contact(organization=organization), organization=organization
    )
    contact = _write_posted(
        request, form, listings.contact_create, form.contact_data, organization=organization
    )
    if contact is not None:
        messages.success(request, _("%(name)s is added.") % {"name": contact.name})
        return redirect(
            reverse("stakeholders:organization_edit", args=[slug, public_id]) + "#contacts"
        )
    return _editor_page(request, "contact_form.html", organization=organization, form=form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def contact_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    contact = access_contact(request, public_id)
    organization = contact.organization
    form = ContactForm(request.POST or None, instance=contact, organization=organization)
    back = (
        reverse("stakeholders:organization_edit", args=[slug, organization.public_id]) + "#contacts"
    )
    saved = _write_posted(
        request, form, listings.contact_update, form.contact_data, contact=contact
    )
    if saved is not None:
        messages.success(request, _("Saved changes to %(name)s.") % {"name": saved})
        return redirect(back)
    return _editor_page(
        request, "contact_form.html", organization=organization, contact=contact, form=form
    )


@require_POST
@collaborative_view(roles=Member.EDITOR_ROLES)
def contact_delete(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    contact = access_contact(request, public_id)
    organization = contact.organization
    listings.contact_delete(actor=request.member, contact=contact, request=request)
    messages.success(request, _("%(name)s is removed.") % {"name": contact.name})
    return redirect(
        reverse("stakeholders:organization_edit", args=[slug, organization.public_id]) + "#contacts"
    )


@collaborative_view(roles=Member.EDITOR_ROLES)
def service_create(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    organization = access_organization(request, public_id)
    form = ServiceForm(
        request.POST or None, instance=Service(organization=organization), organization=organization
    )
    service = _write_posted(
        request, form, listings.service_create, form.service_data, organization=organization
    )
    if service is not None:
        messages.success(request, _("The service is listed."))
        return redirect("stakeholders:service", slug=slug, public_id=service.public_id)
    return _editor_page(request, "service_form.html", organization=organization, form=form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def service_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    service = access_service(request, public_id)
    form = ServiceForm(request.POST or None, instance=service, organization=service.organization)
    saved = _write_posted(
        request, form, listings.service_update, form.service_data, service=service
    )
    if saved is not None:
        messages.success(request, _("Saved changes to %(name)s.") % {"name": service.name})
        return redirect("stakeholders:service", slug=slug, public_id=public_id)
    return _editor_page(
        request, "service_form.html", organization=service.organization, service=service, form=form
    )


@require_POST
@collaborative_view(roles=Member.EDITOR_ROLES)
def service_verify(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    service = access_service(request, public_id)
    listings.service_verify(actor=request.member, service=service, request=request)
    messages.success(request, _("Marked as verified today. Thank you."))
    return redirect("stakeholders:service", slug=slug, public_id=public_id)


@collaborative_view(roles=Member.EDITOR_ROLES)
def location_create(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    organization = access_organization(request, public_id)
    form = LocationForm(request.POST or None, instance=Location(organization=organization))
    saved = _write_posted(
        request, form, listings.location_create, form.location_data, organization=organization
    )
    if saved is not None:
        messages.success(request, _("The location is added."))
        return redirect("stakeholders:organization", slug=slug, public_id=public_id)
    return _editor_page(request, "location_form.html", organization=organization, form=form)


@collaborative_view(roles=Member.EDITOR_ROLES)
def location_edit(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    location = access_location(request, public_id)
    organization = location.organization
    form = LocationForm(request.POST or None, instance=location)
    saved = _write_posted(
        request, form, listings.location_update, form.location_data, location=location
    )
    if saved is not None:
        messages.success(request, _("Saved changes to %(name)s.") % {"name": location.name})
        return redirect(organization.get_absolute_url())
    return _editor_page(
        request, "location_form.html", organization=organization, location=location, form=form
    )
