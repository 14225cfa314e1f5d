"""Gatherings that close the loop (issue 16): attendance says who was never marked, the
"From" choice keeps whole words, and an action item made from a decision joins the
group's action plan and links back to the decision."""

import pytest
from django.urls import reverse

from reentry.audit.models import AuditEvent
from tests.workgroups.conftest import make_group, make_meeting, seat
from workgroups import services
from workgroups.forms import FollowUpForm, short_label
from workgroups.models import ActionItem, AgendaItem, GroupMembership

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


class TestAgendaEditRemove:
    def _targets(self, cast, wg, slug="collab-a", meeting=None):
        meeting = meeting or wg.meeting
        item = services.agenda_item_add(actor=cast.backbone, meeting=meeting, title="Bed count")
        kw = {"slug": slug, "public_id": meeting.public_id, "item_id": item.public_id}
        return item, url("agenda_edit", **kw), url("agenda_remove", **kw)

    def test_chair_edits_an_item_with_an_audit_entry(self, cast, wg, login):
        item, edit, _ = self._targets(cast, wg)
        client = login(cast.community)  # the community co-chair
        assert client.get(edit).status_code == 200
        response = client.post(
            edit, {"title": "Bed count, by county", "presenter": cast.staff_b.pk, "notes": "n"}
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert (item.title, item.presenter, item.notes) == (
            "Bed count, by county",
            cast.staff_b,
            "n",
        )
        event = AuditEvent.objects.get(action="meeting.agenda_item_changed")
        assert event.details["was"] == "Bed count"
        page = client.get(url("meeting", public_id=wg.meeting.public_id))
        assert edit in page.content.decode()

    def test_edit_keeps_what_was_typed_on_error(self, cast, wg, login):
        item, edit, _ = self._targets(cast, wg)
        response = login(cast.staff_a).post(
            edit, {"title": "Kept words", "duration_minutes": "9999"}
        )
        assert response.status_code == 200
        assert b"Kept words" in response.content
        item.refresh_from_db()
        assert item.title == "Bed count"

    def test_chair_removes_an_item_and_its_decision_stays(self, cast, wg, login):
        item, _, remove = self._targets(cast, wg)
        decision = services.decision_record(
            actor=cast.staff_a, meeting=wg.meeting, text="Yes", agenda_item=item
        )
        assert login(cast.staff_a).post(remove).status_code == 302
        assert not AgendaItem.objects.filter(pk=item.pk).exists()
        decision.refresh_from_db()
        assert decision.agenda_item is None
        assert AuditEvent.objects.filter(action="meeting.agenda_item_removed").exists()

    def test_remove_is_post_only(self, cast, wg, login):
        _, _, remove = self._targets(cast, wg)
        assert login(cast.staff_a).get(remove).status_code == 405

    @pytest.mark.parametrize("which", ["edit", "remove"])
    def test_plain_member_gets_403(self, cast, wg, login, which):
        item, edit, remove = self._targets(cast, wg)
        client = login(cast.staff_b)
        assert client.post(edit if which == "edit" else remove, {"title": "X"}).status_code == 403
        assert AgendaItem.objects.get(pk=item.pk).title == "Bed count"

    @pytest.mark.parametrize("which", ["edit", "remove"])
    def test_another_collaborative_gets_404(self, cast, wg, login, which):
        item, edit, remove = self._targets(cast, wg)
        client = login(cast.outsider)
        target = edit if which == "edit" else remove
        if which == "edit":
            assert client.get(target).status_code == 404
        assert client.post(target, {"title": "X"}).status_code == 404
        # The same ids asked for inside collab-b.
        in_b = target.replace("/c/collab-a/", "/c/collab-b/")
        assert client.post(in_b, {"title": "X"}).status_code == 404
        assert AgendaItem.objects.get(pk=item.pk).title == "Bed count"

    @pytest.mark.parametrize("which", ["edit", "remove"])
    def test_non_member_of_a_private_minutes_group_gets_404(self, cast, wg, login, which):
        item, edit, remove = self._targets(cast, wg, meeting=wg.private_meeting)
        target = edit if which == "edit" else remove
        assert login(cast.staff_b).post(target, {"title": "X"}).status_code == 404
        assert AgendaItem.objects.filter(pk=item.pk, title="Bed count").exists()

    def test_item_of_another_gathering_gets_404(self, cast, wg, login):
        other = make_meeting(cast.backbone, wg.housing, title="Another")
        item = services.agenda_item_add(actor=cast.backbone, meeting=other, title="Elsewhere")
        kw = {"public_id": wg.meeting.public_id, "item_id": item.public_id}
        client = login(cast.staff_a)
        assert client.get(url("agenda_edit", **kw)).status_code == 404
        assert client.post(url("agenda_remove", **kw)).status_code == 404
        assert AgendaItem.objects.filter(pk=item.pk).exists()
