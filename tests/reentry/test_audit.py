"""The audit log: every event issue 3 lists is recorded, the log is append-only,
and backbone staff read one collaborative's events, filtered, on the page and as CSV."""

import csv
import io
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from reentry.audit.log import record
from reentry.audit.models import AuditEvent
from reentry.sharing.levels import SharingLevel
from reentry.sharing.services import sharing_set
from stakeholders import services
from stakeholders.models import Member
from tests.factories import TEST_PASSWORD, UserFactory
from tests.sharingapp.models import Folder

pytestmark = pytest.mark.django_db
Outcome = AuditEvent.Outcome


def events(action: str):
    return AuditEvent.objects.filter(action=action)


def audit_url(cast, name: str = "events", collab=None) -> str:
    return reverse(f"audit:{name}", kwargs={"slug": (collab or cast.collab).slug})


def stake_url(cast, name: str, **kw) -> str:
    return reverse(f"stakeholders:{name}", kwargs={"slug": cast.collab.slug, **kw})


def at(moment: datetime):
    """Record events as if at ``moment`` (AuditEvent.at is set on insert)."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- Every listed event is recorded -------------------------------------------------


class TestSignIn:
    def test_a_failed_sign_in_through_the_form_is_recorded(self, cast, client):
        email = cast.staff_a.user.email
        response = client.post(reverse("account_login"), {"login": email, "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
        event = events("auth.sign_in_failed").get()
        assert event.outcome == Outcome.FAILURE
        assert event.actor is None
        assert event.actor_label == email
        assert event.ip_address == "127.0.0.1"
        assert "wrong" not in str(event.details)

    def test_a_sign_in_through_the_form_is_recorded(self, cast, client):
        user = cast.staff_a.user
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 302
        event = events("auth.sign_in").get()
        assert event.actor == user
        assert event.actor_label == user.email
        assert event.outcome == Outcome.SUCCESS
        assert event.ip_address == "127.0.0.1"
        assert not events("auth.sign_in_failed").exists()

    def test_a_sign_out_is_recorded(self, cast, login):
        client = login(cast.staff_a)
        client.post(reverse("account_logout"))
        assert events("auth.sign_out").get().actor == cast.staff_a.user


class TestInvitationsAndRoles:
    def test_sending_resending_withdrawing_and_accepting_are_recorded(self, cast, login):
        client = login(cast.backbone)
        response = client.post(
            stake_url(cast, "invitations"),
            {"email": "ana@example.org", "role": Member.Role.COMMUNITY, "name": "", "message": ""},
        )
        assert response.status_code == 302
        sent = events("invitation.sent").get()
        assert sent.actor == cast.backbone.user
        assert sent.collaborative == cast.collab
        invitation = cast.collab.invitations.get(email="ana@example.org")
        assert sent.object_id == str(invitation.public_id)

        client.post(stake_url(cast, "invitation_resend", public_id=invitation.public_id))
        assert events("invitation.resent").get().object_id == str(invitation.public_id)

        token = services.invitation_resend(actor=cast.backbone, invitation=invitation)
        joiner = UserFactory(email="ana@example.org")
        services.invitation_accept(user=joiner, token=token)
        accepted = events("invitation.accepted").get()
        assert accepted.actor == joiner
        assert accepted.collaborative == cast.collab

        other, _token = services.invitation_create(
            actor=cast.backbone, email="ben@example.org", role=Member.Role.COMMUNITY
        )
        client.post(stake_url(cast, "invitation_revoke", public_id=other.public_id))
        revoked = events("invitation.revoked").get()
        assert revoked.object_id == str(other.public_id)
        assert revoked.actor == cast.backbone.user

    def test_a_role_change_is_recorded_with_before_and_after(self, cast, login):
        client = login(cast.backbone)
        response = client.post(
            stake_url(cast, "member_edit", public_id=cast.staff_a.public_id),
            {
                "role": Member.Role.ORG_ADMIN,
                "organization": cast.org_a.pk,
                "title": "",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        event = events("member.role_changed").get()
        assert event.details["before"]["role"] == Member.Role.PROVIDER_STAFF
        assert event.details["after"]["role"] == Member.Role.ORG_ADMIN
        assert event.collaborative == cast.collab


class TestSharingAndHiddenObjects:
    def test_every_change_of_a_sharing_level_or_grant_is_recorded(self, cast):
        folder = Folder.objects.create(owner=cast.org_a, title="Housing waitlist")
        actor = cast.admin_a.user
        sharing_set(actor=cast.admin_a, obj=folder, level=SharingLevel.SECTOR)
        sharing_set(
            actor=cast.admin_a, obj=folder, level=SharingLevel.SHARED, share_with=[cast.org_c]
        )
        sharing_set(
            actor=cast.admin_a, obj=folder, level=SharingLevel.SHARED, share_with=[cast.org_b]
        )
        changes = list(events("sharing.changed").order_by("id"))
        assert len(changes) == 3
        assert [c.details["after"]["level"] for c in changes] == ["sector", "shared", "shared"]
        assert changes[0].details["before"]["level"] == "private"
        assert changes[2].details["before"]["with"] == ["Org C"]
        assert changes[2].details["after"]["with"] == ["Org B"]
        assert {c.collaborative for c in changes} == {cast.collab}
        assert {c.actor for c in changes} == {actor}

    def test_a_404_for_an_object_that_exists_but_is_hidden_is_recorded(self, cast, login):
        # An org admin may edit only their own organization's staff.
        url = stake_url(cast, "member_edit", public_id=cast.staff_c.public_id)
        assert login(cast.admin_a).get(url).status_code == 404
        event = events("access.not_found").get()
        assert event.outcome == Outcome.DENIED
        assert event.actor == cast.admin_a.user
        assert event.object_id == str(cast.staff_c.public_id)
        assert event.collaborative == cast.collab
        assert event.details["path"] == url

    def test_a_404_for_an_object_that_does_not_exist_is_not_recorded(self, cast, login):
        url = stake_url(cast, "member_edit", public_id="00000000-0000-0000-0000-000000000000")
        assert login(cast.admin_a).get(url).status_code == 404
        assert not events("access.not_found").exists()


# --- Append-only ----------------------------------------------------------------------


class TestAppendOnly:
    def test_the_model_refuses_to_change_or_delete_a_row(self, cast):
        event = record("collaborative.created", actor=cast.backbone.user, obj=cast.collab)
        event.action = "something.else"
        with pytest.raises(TypeError):
            event.save()
        with pytest.raises(TypeError):
            event.delete()
        with pytest.raises(TypeError):
            AuditEvent.objects.filter(pk=event.pk).update(action="x")
        with pytest.raises(TypeError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).action == "collaborative.created"

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE audit_auditevent SET action = 'rewritten' WHERE id = %s",
            "UPDATE audit_auditevent SET actor_label = '' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ],
    )
    def test_the_database_refuses_to_change_or_delete_a_row(self, cast, sql):
        event = record("collaborative.created", actor=cast.backbone.user, obj=cast.collab)
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).action == "collaborative.created"

    def test_deleting_a_person_keeps_their_events(self, cast):
        user = UserFactory()
        event = record("auth.sign_in", actor=user)
        user.delete()
        kept = AuditEvent.objects.get(pk=event.pk)
        assert kept.actor is None
        assert kept.actor_label == user.email


# --- The audit page ---------------------------------------------------------------------


class TestAuditPage:
    def test_backbone_staff_see_the_collaboratives_events(self, cast, login):
        record("invitation.sent", actor=cast.backbone.user, collaborative=cast.collab)
        response = login(cast.backbone).get(audit_url(cast))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Sent an invitation" in body
        assert cast.backbone.user.email in body

    @pytest.mark.parametrize("who", ["admin_a", "staff_a", "staff_c", "community", "observer"])
    def test_everyone_else_in_the_collaborative_gets_403(self, cast, login, who):
        assert login(getattr(cast, who)).get(audit_url(cast)).status_code == 403
        assert login(getattr(cast, who)).get(audit_url(cast, "export")).status_code == 403

    def test_backbone_staff_of_another_collaborative_get_404(self, cast, login):
        assert login(cast.outsider).get(audit_url(cast)).status_code == 404
        assert login(cast.outsider).get(audit_url(cast, "export")).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, cast, client):
        response = client.get(audit_url(cast))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_only_this_collaboratives_events_are_shown(self, cast, login):
        record("invitation.sent", actor_label="mine@example.org", collaborative=cast.collab)
        record("invitation.sent", actor_label="theirs@example.org", collaborative=cast.other_collab)
        record("auth.sign_in", actor_label="nobodys@example.org")
        body = login(cast.backbone).get(audit_url(cast)).content.decode()
        assert "mine@example.org" in body
        assert "theirs@example.org" not in body
        assert "nobodys@example.org" not in body

    def test_newest_first_25_a_page(self, cast, login):
        for i in range(26):
            record("invitation.sent", actor_label=f"p{i:02}@example.org", collaborative=cast.collab)
        client = login(cast.backbone)
        first = client.get(audit_url(cast))
        labels = [row["event"].actor_label for row in first.context["rows"]]
        assert len(labels) == 25
        assert labels[0] == "p25@example.org"
        assert labels == sorted(labels, reverse=True)
        second = client.get(audit_url(cast), {"page": 2})
        assert [row["event"].actor_label for row in second.context["rows"]] == ["p00@example.org"]

    def test_the_query_count_is_the_same_for_1_and_25_rows(self, cast, login, count_queries):
        client = login(cast.backbone)
        record("invitation.sent", actor=cast.backbone.user, collaborative=cast.collab)
        one = count_queries(client, audit_url(cast))
        for _i in range(24):
            record("member.role_changed", actor=cast.backbone.user, obj=cast.staff_a)
        many = count_queries(client, audit_url(cast))
        assert one == many

    def test_empty_state(self, cast, login):
        body = login(cast.backbone).get(audit_url(cast)).content.decode()
        assert "Nothing has been recorded for this collaborative yet." in body
        filtered = login(cast.backbone).get(audit_url(cast), {"action": "invitation.sent"})
        assert "No events match these filters" in filtered.content.decode()

    def test_the_nav_links_to_the_audit_page_for_backbone_staff_only(self, cast, login):
        home = stake_url(cast, "home")
        assert audit_url(cast) in login(cast.backbone).get(home).content.decode()
        response = login(cast.admin_a).get(home)
        assert response.status_code == 200
        assert audit_url(cast) not in response.content.decode()


class TestAuditFilters:
    @pytest.fixture
    def logged(self, cast):
        record("invitation.sent", actor=cast.backbone.user, collaborative=cast.collab)
        record("member.role_changed", actor=cast.admin_a.user, obj=cast.staff_a)
        record(
            "access.not_found",
            actor=cast.staff_c.user,
            obj=cast.staff_a,
            outcome=Outcome.DENIED,
        )
        return cast

    def shown(self, client, cast, **params) -> list[str]:
        response = client.get(audit_url(cast), params)
        assert response.status_code == 200
        return [row["event"].action for row in response.context["rows"]]

    def test_by_action(self, logged, login):
        client = login(logged.backbone)
        assert self.shown(client, logged, action="member.role_changed") == ["member.role_changed"]

    def test_by_person_email(self, logged, login):
        client = login(logged.backbone)
        part = logged.staff_c.user.email.split("@")[0].upper()
        assert self.shown(client, logged, person=part) == ["access.not_found"]

    def test_by_outcome(self, logged, login):
        client = login(logged.backbone)
        assert self.shown(client, logged, outcome="denied") == ["access.not_found"]
        assert len(self.shown(client, logged, outcome="success")) == 2

    def test_the_action_choices_are_in_plain_words(self, logged, login):
        body = login(logged.backbone).get(audit_url(logged)).content.decode()
        assert '<option value="member.role_changed">Changed a member&#x27;s role' in body

    def test_dates_are_days_in_the_collaboratives_time_zone(self, cast, login):
        cast.collab.time_zone = "Pacific/Kiritimati"  # UTC+14 all year
        cast.collab.save()
        # 11:00 UTC on 1 March is 01:00 on 2 March in Kiritimati.
        with at(datetime(2026, 3, 1, 11, 0, tzinfo=UTC)):
            record("invitation.sent", actor_label="second@example.org", collaborative=cast.collab)
        with at(datetime(2026, 3, 2, 11, 0, tzinfo=UTC)):
            record("invitation.sent", actor_label="third@example.org", collaborative=cast.collab)
        with at(datetime(2026, 2, 28, 9, 0, tzinfo=UTC)):
            record("invitation.sent", actor_label="first@example.org", collaborative=cast.collab)
        client = login(cast.backbone)

        def people(**params):
            response = client.get(audit_url(cast), params)
            return [row["event"].actor_label for row in response.context["rows"]]

        assert people(date_from="2026-03-02", date_to="2026-03-02") == ["second@example.org"]
        assert people(date_from="2026-03-02") == ["third@example.org", "second@example.org"]
        assert people(date_to="2026-03-01") == ["first@example.org"]

    def test_a_bad_date_range_shows_an_error_and_no_crash(self, logged, login):
        response = login(logged.backbone).get(
            audit_url(logged), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
        )
        assert response.status_code == 200
        assert "Choose a day on or after the first day." in response.content.decode()

    def test_an_unknown_action_or_bad_date_is_ignored_with_an_error(self, logged, login):
        response = login(logged.backbone).get(
            audit_url(logged), {"action": "nope", "date_from": "yesterday"}
        )
        assert response.status_code == 200
        assert len(response.context["rows"]) == 3


class TestAuditExport:
    def rows(self, response) -> list[list[str]]:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        raw = b"".join(response.streaming_content)
        assert raw.startswith("\ufeff".encode()), "a BOM, so Excel reads accents"
        return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))

    def test_exports_only_this_collaboratives_filtered_events(self, cast, login):
        record("invitation.sent", actor_label="mine@example.org", collaborative=cast.collab)
        record("member.role_changed", actor_label="mine@example.org", collaborative=cast.collab)
        record("invitation.sent", actor_label="theirs@example.org", collaborative=cast.other_collab)
        client = login(cast.backbone)
        all_rows = self.rows(client.get(audit_url(cast, "export")))
        assert all_rows[0][:3] == ["When", "Who", "What"]
        assert sorted(r[3] for r in all_rows[1:]) == ["invitation.sent", "member.role_changed"]
        assert "theirs@example.org" not in str(all_rows)
        filtered = self.rows(client.get(audit_url(cast, "export"), {"action": "invitation.sent"}))
        assert [(r[1], r[2]) for r in filtered[1:]] == [("mine@example.org", "Sent an invitation")]

    def test_the_other_collaboratives_backbone_exports_only_their_own(self, cast, login):
        record("invitation.sent", actor_label="mine@example.org", collaborative=cast.collab)
        record("invitation.sent", actor_label="theirs@example.org", collaborative=cast.other_collab)
        rows = self.rows(
            login(cast.outsider).get(audit_url(cast, "export", collab=cast.other_collab))
        )
        assert [r[1] for r in rows[1:]] == ["theirs@example.org"]

    def test_a_typed_formula_is_not_run_by_a_spreadsheet(self, cast, login):
        record(
            "invitation.sent",
            actor_label='=HYPERLINK("http://evil")',
            collaborative=cast.collab,
        )
        rows = self.rows(login(cast.backbone).get(audit_url(cast, "export")))
        assert rows[1][1] == '\'=HYPERLINK("http://evil")'

    def test_times_are_in_the_collaboratives_time_zone(self, cast, login):
        cast.collab.time_zone = "Pacific/Kiritimati"
        cast.collab.save()
        with at(datetime(2026, 3, 1, 11, 0, tzinfo=UTC)):
            record("invitation.sent", actor_label="a@example.org", collaborative=cast.collab)
        rows = self.rows(login(cast.backbone).get(audit_url(cast, "export")))
        assert rows[1][0] == "2026-03-02T01:00:00+14:00"

    def test_the_export_itself_is_recorded(self, cast, login):
        self.rows(login(cast.backbone).get(audit_url(cast, "export"), {"outcome": "denied"}))
        event = events("audit.exported").get()
        assert event.actor == cast.backbone.user
        assert event.collaborative == cast.collab
        assert event.details["filters"] == {"outcome": "denied"}
