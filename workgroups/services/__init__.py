"""Writes for working groups, one module per part: ``<entity>_<verb>(*, actor, ...)``.

``actor`` is the acting person's ``Member`` in the collaborative (``request.member``);
every service runs in one transaction and re-checks the policy in workgroups.access.
Listed here, as ``workgroups.models`` lists its models, so callers write
``from workgroups import services`` and ``services.meeting_create(...)``.
"""

from workgroups.services.gatherings import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_reorder,
    agenda_item_update,
    attendance_record,
    calendar_feed_get_or_create,
    calendar_feed_regenerate,
    calendar_feed_revoke,
    check_changeable,
    decision_record,
    followup_to_action_item,
    meeting_cancel,
    meeting_create,
    meeting_record_minutes,
    meeting_reschedule,
    walk_in_invite,
    walk_in_joined,
)
from workgroups.services.groups import (
    group_create,
    group_join,
    group_join_request_decide,
    group_membership_add,
    group_membership_end,
    group_membership_set_role,
    group_set_minutes_sharing,
    group_update,
    whole_collaborative_group,
)
from workgroups.services.notices import gathering_notice_send
from workgroups.services.partners import (
    partner_initiative_create,
    partner_initiative_update,
)
from workgroups.services.plans import (
    action_item_create,
    action_item_move,
    action_item_set_status,
    action_item_update,
    action_plan_create,
    action_plan_update,
    priority_add,
    priority_move,
    priority_remove,
    priority_update,
    progress_update_add,
)
from workgroups.services.reminders import (
    gathering_reminder_send,
    gathering_reminders_due,
    overdue_digest_send,
)

__all__ = [
    "action_item_create",
    "action_item_move",
    "action_item_set_status",
    "action_item_update",
    "action_plan_create",
    "action_plan_update",
    "agenda_item_add",
    "agenda_item_move",
    "agenda_item_remove",
    "agenda_item_reorder",
    "agenda_item_update",
    "attendance_record",
    "calendar_feed_get_or_create",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "decision_record",
    "followup_to_action_item",
    "gathering_notice_send",
    "gathering_reminder_send",
    "gathering_reminders_due",
    "group_create",
    "group_join",
    "group_join_request_decide",
    "group_membership_add",
    "group_membership_end",
    "group_membership_set_role",
    "group_set_minutes_sharing",
    "group_update",
    "check_changeable",
    "meeting_cancel",
    "meeting_create",
    "meeting_record_minutes",
    "meeting_reschedule",
    "overdue_digest_send",
    "partner_initiative_create",
    "partner_initiative_update",
    "priority_add",
    "priority_move",
    "priority_remove",
    "priority_update",
    "progress_update_add",
    "walk_in_invite",
    "walk_in_joined",
    "whole_collaborative_group",
]
