"""The directory's pages, mounted inside ``stakeholders.urls`` (namespace "stakeholders") and,
for the public directory, at /directory/<slug>/ (namespace "directory")."""

from django.urls import path

from stakeholders.directory.hsds import views as hsds_views
from stakeholders.directory.views import backbone, editing, pages

urlpatterns = [
    path("directory/", pages.member_directory, name="directory"),
    path("directory/sheet/<slug:area>/", pages.member_sheet, name="sheet"),
    path("coverage/", backbone.coverage, name="coverage"),
    path("services/<uuid:public_id>/", pages.member_service, name="service"),
    path("services/<uuid:public_id>/edit/", editing.service_edit, name="service_edit"),
    path("services/<uuid:public_id>/verify/", editing.service_verify, name="service_verify"),
    path(
        "organizations/<uuid:public_id>/edit/",
        editing.organization_edit,
        name="organization_edit",
    ),
    path(
        "organizations/<uuid:public_id>/services/new/",
        editing.service_create,
        name="service_create",
    ),
    path(
        "organizations/<uuid:public_id>/locations/new/",
        editing.location_create,
        name="location_create",
    ),
    path(
        "organizations/<uuid:public_id>/history/",
        backbone.organization_history,
        name="organization_history",
    ),
    path(
        "organizations/<uuid:public_id>/sector/",
        backbone.organization_sector,
        name="organization_sector",
    ),
    path("locations/<uuid:public_id>/edit/", editing.location_edit, name="location_edit"),
    path(
        "organizations/<uuid:public_id>/logo",
        pages.member_logo,
        name="organization_logo",
    ),
    path(
        "organizations/<uuid:public_id>/contacts/new/",
        editing.contact_create,
        name="contact_create",
    ),
    path("contacts/<uuid:public_id>/edit/", editing.contact_edit, name="contact_edit"),
    path("contacts/<uuid:public_id>/remove/", editing.contact_delete, name="contact_delete"),
    # HSDS import and export for backbone staff.
    path("directory/import/", hsds_views.hsds_import_page, name="hsds_import"),
    path("directory/import/confirm/", hsds_views.hsds_import_confirm, name="hsds_import_confirm"),
    path("directory/export.zip", hsds_views.hsds_export_zip, name="hsds_export"),
]

# The public directory, mounted at /directory/<slug>/ (namespace "directory"): only what is
# shared `public`, for anyone.
public_urlpatterns = [
    path("", pages.public_directory, name="directory"),
    path("sheet/<slug:area>/", pages.public_sheet, name="sheet"),
    path("services/<uuid:public_id>/", pages.public_service, name="service"),
    path(
        "organizations/<uuid:public_id>/",
        pages.public_organization_page,
        name="organization",
    ),
    path(
        "organizations/<uuid:public_id>/logo",
        pages.public_logo,
        name="organization_logo",
    ),
]
