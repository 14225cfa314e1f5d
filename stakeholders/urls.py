from django.urls import include, path

from stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    # "/c/<slug>/" itself is the person's home (reentry.site.homes, routed first); the
    # name stays here so that every link to the collaborative lands there.
    path("", views.collaborative_home, name="home"),
    path("overview/", views.collaborative_home, name="overview"),
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
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("join/", views.join, name="join"),
    path("join/<uuid:public_id>/withdraw/", views.join_withdraw, name="join_withdraw"),
    path("join-requests/", views.join_request_list, name="join_requests"),
    path(
        "join-requests/<uuid:public_id>/decide/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("", include("stakeholders.directory.urls")),
]
