"""The directory's pages, mounted inside ``stakeholders.urls`` (namespace "stakeholders") and,
for the public directory, at /directory/<slug>/ (namespace "directory")."""

from django.urls import path

from stakeholders.directory import views
from stakeholders.directory.hsds import views as hsds_views

urlpatterns = [
    path("directory/", views.member_directory, name="directory"),
    path("directory/sheet/<slug:area>/", views.member_sheet, name="sheet"),
    path("coverage/", views.coverage, name="coverage"),
    path("services/<uuid:public_id>/", views.member_service, name="service"),
    path("services/<uuid:public_id>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:public_id>/verify/", views.service_verify, name="service_verify"),
    path(
        "organizations/<uuid:public_id>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
    path(
        "organizations/<uuid:public_id>/services/new/",
        views.service_create,
        name="service_create",
    ),
    path(
        "organizations/<uuid:public_id>/locations/new/",
        views.location_create,
        name="location_create",
    ),
    path(
        "organizations/<uuid:public_id>/history/",
        views.organization_history,
        name="organization_history",
    ),
    path("locations/<uuid:public_id>/edit/", views.location_edit, name="location_edit"),
    path(
        "organizations/<uuid:public_id>/logo",
        views.member_logo,
        name="organization_logo",
    ),
    path(
        "organizations/<uuid:public_id>/contacts/new/",
        views.contact_create,
        name="contact_create",
    ),
    path("contacts/<uuid:public_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<uuid:public_id>/remove/", views.contact_delete, name="contact_delete"),
    # HSDS import and export for backbone staff.
    path("directory/import/", hsds_views.hsds_import_page, name="hsds_import"),
    path("directory/import/confirm/", hsds_views.hsds_import_confirm, name="hsds_import_confirm"),
    path("directory/export.zip", hsds_views.hsds_export_zip, name="hsds_export"),
]

# The public directory, mounted at /directory/<slug>/ (namespace "directory"): only what is
# shared `public`, for anyone.
public_urlpatterns = [
    path("", views.public_directory, name="directory"),
    path("sheet/<slug:area>/", views.public_sheet, name="sheet"),
    path("services/<uuid:public_id>/", views.public_service, name="service"),
    path(
        "organizations/<uuid:public_id>/",
        views.public_organization_page,
        name="organization",
    ),
    path(
        "organizations/<uuid:public_id>/logo",
        views.public_logo,
        name="organization_logo",
    ),
]
