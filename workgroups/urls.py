"""Working-group pages under /c/<slug>/groups/ (namespace ``workgroups``), and the
coordination pages across groups under /c/<slug>/ (``coordination_patterns``, namespace
``coordination``)."""

from django.urls import path

from workgroups.views import coordination, feeds, gatherings, groups, plans

app_name = "workgroups"

urlpatterns = [
    # Action plans, the board and action items.
    path("<uuid:public_id>/board/", plans.group_board, name="board"),
    path("<uuid:public_id>/plans/", plans.plan_list, name="plans"),
    path("<uuid:public_id>/plans/new/", plans.plan_create, name="plan_create"),
    path("<uuid:public_id>/action-items/new/", plans.item_create, name="action_item_create"),
    path("plans/<uuid:public_id>/", plans.plan_detail, name="plan"),
    path("plans/<uuid:public_id>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<uuid:public_id>/priorities/", plans.priority_add, name="priority_add"),
    path("priorities/<uuid:public_id>/move/", plans.priority_move, name="priority_move"),
    path("priorities/<uuid:public_id>/", plans.priority_change, name="priority_change"),
    path("action-items/<uuid:public_id>/", plans.item_detail, name="action_item"),
    path("action-items/<uuid:public_id>/edit/", plans.item_edit, name="action_item_edit"),
    path("action-items/<uuid:public_id>/move/", plans.item_move, name="action_item_move"),
    path("action-items/<uuid:public_id>/progress/", plans.progress_add, name="progress_add"),
    # Calendar links and feeds.
    path("calendar/", feeds.calendar_links, name="calendar_links"),
    path("calendar/new/", feeds.calendar_link_create, name="calendar_link_create"),
    path(
        "calendar/<uuid:public_id>/change/",
        feeds.calendar_link_change,
        name="calendar_link_change",
    ),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    # Groups.
    path("", groups.group_list, name="groups"),
    path("new/", groups.group_create, name="group_create"),
    path("my-action-items/", plans.my_action_items, name="my_action_items"),
    path(
        "action-items/<uuid:public_id>/status/",
        plans.action_item_status,
        name="action_item_status",
    ),
    path("<uuid:public_id>/", groups.group_detail, name="group"),
    path("<uuid:public_id>/edit/", groups.group_edit, name="group_edit"),
    path("<uuid:public_id>/join/", groups.group_join, name="group_join"),
    path("<uuid:public_id>/leave/", groups.group_leave, name="group_leave"),
    path("<uuid:public_id>/members/", groups.group_member_add, name="group_member_add"),
    path(
        "<uuid:public_id>/members/<uuid:membership_id>/",
        groups.group_member_change,
        name="group_member_change",
    ),
    path(
        "<uuid:public_id>/requests/<uuid:request_id>/",
        groups.group_request_decide,
        name="group_request_decide",
    ),
    path("<uuid:public_id>/action-items/", plans.item_list, name="group_action_items"),
    # Gatherings.
    path("<uuid:public_id>/gatherings/new/", gatherings.meeting_create, name="meeting_create"),
    path("gatherings/<uuid:public_id>/", gatherings.meeting_detail, name="meeting"),
    path(
        "gatherings/<uuid:public_id>/agenda/",
        gatherings.meeting_agenda_print,
        name="meeting_agenda",
    ),
    path("gatherings/<uuid:public_id>/agenda/add/", gatherings.agenda_item_add, name="agenda_add"),
    path(
        "gatherings/<uuid:public_id>/agenda/<uuid:item_id>/move/",
        gatherings.agenda_item_move,
        name="agenda_move",
    ),
    path(
        "gatherings/<uuid:public_id>/agenda/<uuid:item_id>/edit/",
        gatherings.agenda_item_edit,
        name="agenda_edit",
    ),
    path(
        "gatherings/<uuid:public_id>/agenda/<uuid:item_id>/remove/",
        gatherings.agenda_item_remove,
        name="agenda_remove",
    ),
    path(
        "gatherings/<uuid:public_id>/attendance/",
        gatherings.meeting_attendance,
        name="meeting_attendance",
    ),
    path(
        "gatherings/<uuid:public_id>/minutes/", gatherings.meeting_minutes, name="meeting_minutes"
    ),
    path("gatherings/<uuid:public_id>/decisions/", gatherings.decision_add, name="decision_add"),
    path(
        "gatherings/<uuid:public_id>/reschedule/",
        gatherings.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("gatherings/<uuid:public_id>/cancel/", gatherings.meeting_cancel, name="meeting_cancel"),
    path(
        "gatherings/<uuid:public_id>/walk-ins/<int:attendance_id>/invite/",
        gatherings.walk_in_invite,
        name="walk_in_invite",
    ),
    path("gatherings/<uuid:public_id>/follow-up/", gatherings.followup_add, name="followup_add"),
]

# Coordination across groups, mounted at /c/<slug>/ by reentry/urls.py.
coordination_patterns = [
    path("key-areas/", coordination.key_area_list, name="key_areas"),
    path("key-areas/<slug:area>/", coordination.key_area_detail, name="key_area"),
    path("partners/", coordination.partner_list, name="partners"),
    path("partners/new/", coordination.partner_create, name="partner_create"),
    path("partners/<uuid:public_id>/", coordination.partner_detail, name="partner"),
    path("partners/<uuid:public_id>/edit/", coordination.partner_edit, name="partner_edit"),
]
