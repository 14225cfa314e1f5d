"""Quick wins under /c/<slug>/quick-wins/ (namespace ``quickwins``), and the public page
of completed quick wins at /quick-wins/<slug>/ (``public_urlpatterns``, namespace
``public_quickwins``)."""

from django.urls import path

from workgroups.quickwins import views

app_name = "quickwins"

urlpatterns = [
    path("", views.quickwin_list, name="list"),
    path("new/", views.quickwin_propose, name="propose"),
    path("journey/", views.quickwin_journey, name="journey"),
    path("<uuid:public_id>/", views.quickwin_detail, name="detail"),
    path("<uuid:public_id>/comments/", views.quickwin_comment, name="comment"),
    path("<uuid:public_id>/help/", views.quickwin_help, name="help"),
    path("<uuid:public_id>/status/", views.quickwin_move, name="move"),
    path("<uuid:public_id>/choose/", views.quickwin_select, name="select"),
]

public_urlpatterns = [
    path("", views.public_quickwins, name="list"),
]
