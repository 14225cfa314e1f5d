"""Action plans, the board and action items, included by workgroups/urls.py under
/c/<slug>/groups/ (names in the ``workgroups`` namespace)."""

from django.urls import path

from workgroups import board

urlpatterns = [
    path("<uuid:public_id>/board/", board.group_board, name="board"),
    path("<uuid:public_id>/plans/", board.plan_list, name="plans"),
    path("<uuid:public_id>/plans/new/", board.plan_create, name="plan_create"),
    path("<uuid:public_id>/action-items/new/", board.item_create, name="action_item_create"),
    path("plans/<uuid:public_id>/", board.plan_detail, name="plan"),
    path("plans/<uuid:public_id>/edit/", board.plan_edit, name="plan_edit"),
    path("plans/<uuid:public_id>/priorities/", board.priority_add, name="priority_add"),
    path("priorities/<uuid:public_id>/move/", board.priority_move, name="priority_move"),
    path("priorities/<uuid:public_id>/", board.priority_change, name="priority_change"),
    path("action-items/<uuid:public_id>/", board.item_detail, name="action_item"),
    path("action-items/<uuid:public_id>/edit/", board.item_edit, name="action_item_edit"),
    path("action-items/<uuid:public_id>/move/", board.item_move, name="action_item_move"),
    path("action-items/<uuid:public_id>/progress/", board.progress_add, name="progress_add"),
]
