from django.urls import path

from stakeholders import directory_views, hsds_views, views

app_name = "stakeholders"

urlpatterns = [
    path("", views.collaborative_home, name="home"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<uuid:public_id>/", views.organization_detail, name="organization"),
    path("members/", views.member_list, name="members"),
    path("members/<uuid:public_id>/", views.member_edit, name="member_edit"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<uuid:public_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path(
        "invitations/<uuid:public_id>/withdraw/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("me/", views.profile, name="profile"),
    path("join/", views.join, name="join"),
    path("join/<uuid:public_id>/withdraw/", views.join_withdraw, name="join_withdraw"),
    path("join-requests/", views.join_request_list, name="join_requests"),
    path(
        "join-requests/<uuid:public_id>/decide/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    # The directory (stakeholders/directory_views.py).
    path("directory/", directory_views.member_directory, name="directory"),
    path("directory/sheet/<slug:area>/", directory_views.member_sheet, name="sheet"),
    path("coverage/", directory_views.coverage, name="coverage"),
    path("services/<uuid:public_id>/", directory_views.member_service, name="service"),
    path("services/<uuid:public_id>/edit/", directory_views.service_edit, name="service_edit"),
    path(
        "services/<uuid:public_id>/verify/", directory_views.service_verify, name="service_verify"
    ),
    path(
        "organizations/<uuid:public_id>/edit/",
        directory_views.organization_edit,
        name="organization_edit",
    ),
    path(
        "organizations/<uuid:public_id>/services/new/",
        directory_views.service_create,
        name="service_create",
    ),
    path(
        "organizations/<uuid:public_id>/locations/new/",
        directory_views.location_create,
        name="location_create",
    ),
    path(
        "organizations/<uuid:public_id>/history/",
        directory_views.organization_history,
        name="organization_history",
    ),
    path("locations/<uuid:public_id>/edit/", directory_views.location_edit, name="location_edit"),
    path(
        "organizations/<uuid:public_id>/logo",
        directory_views.member_logo,
        name="organization_logo",
    ),
    path(
        "organizations/<uuid:public_id>/contacts/new/",
        directory_views.contact_create,
        name="contact_create",
    ),
    path("contacts/<uuid:public_id>/edit/", directory_views.contact_edit, name="contact_edit"),
    path(
        "contacts/<uuid:public_id>/remove/", directory_views.contact_delete, name="contact_delete"
    ),
    # HSDS import and export for backbone staff (stakeholders/hsds_views.py).
    path("directory/import/", hsds_views.hsds_import_page, name="hsds_import"),
    path("directory/import/confirm/", hsds_views.hsds_import_confirm, name="hsds_import_confirm"),
    path("directory/export.zip", hsds_views.hsds_export_zip, name="hsds_export"),
]

# The public directory, mounted at /directory/<slug>/ (namespace "directory"): only what is
# shared `public`, for anyone.
public_urlpatterns = [
    path("", directory_views.public_directory, name="directory"),
    path("sheet/<slug:area>/", directory_views.public_sheet, name="sheet"),
    path("services/<uuid:public_id>/", directory_views.public_service, name="service"),
    path(
        "organizations/<uuid:public_id>/",
        directory_views.public_organization_page,
        name="organization",
    ),
    path(
        "organizations/<uuid:public_id>/logo",
        directory_views.public_logo,
        name="organization_logo",
    ),
]
