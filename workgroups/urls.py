from django.urls import include, path

from workgroups import board, views

app_name = "workgroups"

urlpatterns = [
    # Action plans, the board and action items (workgroups/board.py).
    path("", include("workgroups.board_urls")),
    # Calendar links and feeds (workgroups/feeds.py).
    path("", include("workgroups.feed_urls")),
    path("", views.group_list, name="groups"),
    path("new/", views.group_create, name="group_create"),
    path("my-action-items/", views.my_action_items, name="my_action_items"),
    path(
        "action-items/<uuid:public_id>/status/",
        views.action_item_status,
        name="action_item_status",
    ),
    path("<uuid:public_id>/", views.group_detail, name="group"),
    path("<uuid:public_id>/edit/", views.group_edit, name="group_edit"),
    path("<uuid:public_id>/join/", views.group_join, name="group_join"),
    path("<uuid:public_id>/leave/", views.group_leave, name="group_leave"),
    path("<uuid:public_id>/members/", views.group_member_add, name="group_member_add"),
    path(
        "<uuid:public_id>/members/<uuid:membership_id>/",
        views.group_member_change,
        name="group_member_change",
    ),
    path(
        "<uuid:public_id>/requests/<uuid:request_id>/",
        views.group_request_decide,
        name="group_request_decide",
    ),
    path("<uuid:public_id>/action-items/", board.item_list, name="group_action_items"),
    path("<uuid:public_id>/gatherings/new/", views.meeting_create, name="meeting_create"),
    path("gatherings/<uuid:public_id>/", views.meeting_detail, name="meeting"),
    path("gatherings/<uuid:public_id>/agenda/", views.meeting_agenda_print, name="meeting_agenda"),
    path("gatherings/<uuid:public_id>/agenda/add/", views.agenda_item_add, name="agenda_add"),
    path(
        "gatherings/<uuid:public_id>/agenda/<uuid:item_id>/move/",
        views.agenda_item_move,
        name="agenda_move",
    ),
    path(
        "gatherings/<uuid:public_id>/attendance/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("gatherings/<uuid:public_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("gatherings/<uuid:public_id>/decisions/", views.decision_add, name="decision_add"),
    path("gatherings/<uuid:public_id>/follow-up/", views.followup_add, name="followup_add"),
]
