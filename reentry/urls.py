from django.contrib import admin
from django.urls import include, path

from mentorship import urls as mentorship_urls
from reentry.site import homes, landing, views
from stakeholders import views as stakeholder_views
from stakeholders.directory import urls as directory_urls
from workgroups import inclusion
from workgroups import urls as workgroups_urls
from workgroups.quickwins import urls as quickwin_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("accounts/profile/", stakeholder_views.account_home, name="account_home"),
    path("invitations/<str:token>/", stakeholder_views.invitation_accept, name="invitation_accept"),
    # A person's home in a collaborative: what needs them now (reentry.site.homes). Ahead
    # of stakeholders' own "" pattern, whose name ("stakeholders:home") still reverses
    # here; the collaborative at a glance is stakeholders:overview.
    path("c/<slug:slug>/", homes.collaborative_home, name="collaborative_home"),
    path("about/<slug:slug>/", landing.public_landing, name="public_landing"),
    path("c/<slug:slug>/api-tokens/", include("reentry.api.token_urls")),
    path("c/<slug:slug>/groups/", include("workgroups.urls")),
    path("c/<slug:slug>/stipends/", include("reentry.stipends.urls")),
    path("c/<slug:slug>/inclusion/", inclusion.inclusion_report, name="inclusion_report"),
    path("c/<slug:slug>/indicators/", include("indicators.urls")),
    path("c/<slug:slug>/mentoring/", include("mentorship.urls")),
    path("c/<slug:slug>/casework/", include("casework.urls")),
    path(
        "apply/<slug:collab_slug>/<slug:program_slug>/",
        include(mentorship_urls.public_urlpatterns),
    ),
    path("c/<slug:slug>/quick-wins/", include("workgroups.quickwins.urls")),
    path("c/<slug:slug>/polls/", include("workgroups.polls.urls")),
    path(
        "c/<slug:slug>/",
        include((workgroups_urls.coordination_patterns, "coordination"), namespace="coordination"),
    ),
    path("c/<slug:slug>/", include("stakeholders.urls")),
    path(
        "directory/<slug:slug>/",
        include((directory_urls.public_urlpatterns, "directory"), namespace="directory"),
    ),
    path(
        "dashboard/<slug:slug>/",
        include("indicators.public_urls", namespace="public_indicators"),
    ),
    path(
        "quick-wins/<slug:slug>/",
        include(
            (quickwin_urls.public_urlpatterns, "public_quickwins"), namespace="public_quickwins"
        ),
    ),
    path("c/<slug:slug>/", include("reentry.audit.urls")),
    path("api/", include("reentry.api.urls")),
    # Before the admin's own: its sign-in page sends people to the site's sign-in.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
]

handler404 = "reentry.site.views.not_found"
handler403 = "reentry.site.views.permission_denied"
handler500 = "reentry.site.views.server_error"
