"""Gatherings that close the loop (issue 16): attendance says who was never marked, the
"From" choice keeps whole words, and an action item made from a decision joins the
group's action plan and links back to the decision."""

import pytest
from django.urls import reverse

from tests.workgroups.conftest import make_group, make_meeting, seat
from workgroups import services
from workgroups.forms import FollowUpForm, short_label
from workgroups.models import ActionItem, GroupMembership

pytestmark = pytest.mark.django_db

LONG = "Ask the county housing authority to reserve ten beds for people coming home in spring"


def url(name, slug="collab-a", **kw):
    return reverse(f"workgroups:{name}", kwargs={"slug": slug, **kw})


def _priority(cast, group, title="More beds"):
    plan = services.action_plan_create(actor=cast.backbone, group=group, period="2027", title="P")
    return services.priority_add(actor=cast.backbone, plan=plan, title=title)


class TestNotMarked:
    def test_unmarked_members_are_counted_apart_from_absent(self, cast, wg, login):
        services.attendance_record(
            actor=cast.staff_a,
            meeting=wg.meeting,
            statuses={str(cast.staff_a.public_id): "present"},
        )
        page = login(cast.staff_a).get(url("meeting", public_id=wg.meeting.public_id))
        counts = page.context["counts"]
        # Housing has staff_a, the community co-chair and staff_b: two never marked.
        assert (counts["present"], counts["absent"], counts["not_marked"]) == (1, 0, 2)
        assert b"not marked" in page.content

    def test_everyone_marked_shows_no_not_marked(self, cast, wg, login):
        services.attendance_record(
            actor=cast.staff_a,
            meeting=wg.meeting,
            statuses={
                str(cast.staff_a.public_id): "present",
                str(cast.community.public_id): "absent",
                str(cast.staff_b.public_id): "excused",
            },
        )
        page = login(cast.staff_a).get(url("meeting", public_id=wg.meeting.public_id))
        assert page.context["counts"]["not_marked"] == 0
        assert b"not marked" not in page.content


class TestFromChoice:
    def test_short_label_cuts_between_words(self):
        label = short_label(LONG)
        assert label == "Ask the county housing authority to reserve ten beds for…"
        assert len(label) <= 60
        assert short_label("Open more beds") == "Open more beds"
        assert short_label("x" * 70) == "x" * 59 + "…"

    def test_decision_choice_keeps_whole_words(self, cast, wg):
        decision = services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text=LONG)
        form = FollowUpForm(meeting=wg.meeting, decisions=[decision])
        labels = dict(form.fields["source"].choices)
        label = str(labels[f"d:{decision.public_id}"])
        assert label.endswith("beds for…")
        assert LONG.startswith(label.removeprefix("Decision: ").removesuffix("…"))


class TestDecisionJoinsThePlan:
    def _post(self, client, meeting, decision, **extra):
        return client.post(
            url("followup_add", public_id=meeting.public_id),
            {
                "followup-source": f"d:{decision.public_id}",
                "followup-title": "Call three landlords",
                "followup-owner_member": extra.pop("owner", None),
                **{f"followup-{k}": v for k, v in extra.items()},
            },
        )

    def test_item_joins_the_chosen_priority(self, cast, wg, login):
        priority = _priority(cast, wg.housing)
        decision = services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Beds")
        client = login(cast.staff_a)
        page = client.get(url("meeting", public_id=wg.meeting.public_id))
        assert "More beds" in page.content.decode()  # the priority is offered
        response = self._post(
            client, wg.meeting, decision, owner=cast.staff_b.pk, priority=priority.pk
        )
        assert response.status_code == 302
        item = ActionItem.objects.get()
        assert (item.priority, item.source_decision) == (priority, decision)
        assert priority.action_items.count() == 1  # the plan counts it

    def test_priority_is_optional(self, cast, wg, login):
        _priority(cast, wg.housing)
        decision = services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Beds")
        self._post(login(cast.staff_a), wg.meeting, decision, owner=cast.staff_b.pk)
        assert ActionItem.objects.get().priority is None

    def test_priority_of_another_group_is_refused(self, cast, wg, login):
        other = _priority(cast, make_group(cast.backbone, "Jobs"), title="Jobs first")
        decision = services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Beds")
        self._post(
            login(cast.staff_a), wg.meeting, decision, owner=cast.staff_b.pk, priority=other.pk
        )
        assert not ActionItem.objects.exists()

    def test_decision_and_item_link_to_each_other(self, cast, wg, login):
        decision = services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Beds")
        item = services.followup_to_action_item(
            actor=cast.staff_a,
            meeting=wg.meeting,
            title="Call three landlords",
            decision=decision,
            owner_member=cast.staff_b,
        )
        client = login(cast.staff_b)
        meeting_page = client.get(url("meeting", public_id=wg.meeting.public_id)).content.decode()
        item_url = url("action_item", public_id=item.public_id)
        decisions_part = meeting_page.split('id="decisions"')[1].split('id="follow-up"')[0]
        assert f'href="{item_url}"' in decisions_part
        item_page = client.get(item_url).content.decode()
        assert f"#decision-{decision.public_id}" in item_page
        assert "From the decision:" in item_page

    def test_owner_who_may_not_read_the_minutes_does_not_see_the_decision(self, cast, wg, login):
        # staff_b owns an item from the private group's gathering, whose minutes are
        # closed to them: they see their item, not the decision's words.
        decision = services.decision_record(
            actor=cast.admin_a, meeting=wg.private_meeting, text="Secret words"
        )
        item = services.followup_to_action_item(
            actor=cast.admin_a,
            meeting=wg.private_meeting,
            title="Follow the case",
            decision=decision,
            owner_member=cast.staff_b,
        )
        page = login(cast.staff_b).get(url("action_item", public_id=item.public_id))
        assert page.status_code == 200
        assert b"Secret words" not in page.content
        assert b"Secret words" in login(cast.staff_c).get(page.wsgi_request.path).content

    def test_another_collaborative_gets_404(self, cast, wg, login):
        decision = services.decision_record(actor=cast.staff_a, meeting=wg.meeting, text="Beds")
        item = services.followup_to_action_item(
            actor=cast.staff_a,
            meeting=wg.meeting,
            title="Call",
            decision=decision,
            owner_member=cast.staff_b,
        )
        client = login(cast.outsider)
        assert client.get(url("action_item", public_id=item.public_id)).status_code == 404
        assert client.get(url("meeting", public_id=wg.meeting.public_id)).status_code == 404
        response = self._post(client, wg.meeting, decision, owner=cast.staff_b.pk)
        assert response.status_code == 404
        # collab-b's backbone, in collab-b, offering collab-a's priority: refused.
        own = make_meeting(cast.outsider, wg.other_group)
        seat(wg.other_group, cast.outsider, GroupMembership.Role.CHAIR)
        mine = services.decision_record(actor=cast.outsider, meeting=own, text="Ours")
        priority = _priority(cast, wg.housing)
        client.post(
            url("followup_add", slug="collab-b", public_id=own.public_id),
            {
                "followup-source": f"d:{mine.public_id}",
                "followup-title": "Ours",
                "followup-owner_member": cast.outsider.pk,
                "followup-priority": priority.pk,
            },
        )
        assert not ActionItem.objects.filter(title="Ours").exists()
