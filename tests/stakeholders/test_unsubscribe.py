"""The one-click unsubscribe link of bulk notices (RFC 8058): stakeholders.views.unsubscribe."""

import pytest
from django.test import Client

from reentry.audit.models import AuditEvent
from stakeholders.access import unsubscribe_url
from stakeholders.models import Member

pytestmark = pytest.mark.django_db


def _path(member: Member, kind: str = "poll-opened") -> str:
    url = unsubscribe_url(member, kind, slug=member.collaborative.slug)
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _email_on(member: Member) -> bool:
    return Member.objects.get(pk=member.pk).contact_by_email


def test_the_mail_clients_one_click_post_unsubscribes_without_a_session(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _path(cast.staff_a),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not _email_on(cast.staff_a)
    assert _email_on(cast.staff_b)
    event = AuditEvent.objects.get(action="member.unsubscribed")
    assert event.details["kind"] == "poll-opened"
    # A second POST (a retry) is fine and records nothing more.
    assert client.post(_path(cast.staff_a)).status_code == 200
    assert AuditEvent.objects.filter(action="member.unsubscribed").count() == 1


def test_opening_the_link_asks_first_and_changes_nothing(cast, client):
    for method in (client.get, client.head):
        response = method(_path(cast.staff_a))
        assert response.status_code == 200
    assert _email_on(cast.staff_a)
    page = client.get(_path(cast.staff_a)).content
    assert b"Stop emails" in page
    # Whoever holds the link is not signed in as the member: no members' navigation.
    assert b"collab-nav" not in page


def test_the_page_button_posts_back_to_the_link(cast, client):
    path = _path(cast.staff_a)
    assert f'action="{path}"'.encode() in client.get(path).content
    assert b"no more emails" in client.post(path).content


@pytest.mark.parametrize(
    "mangle",
    [
        lambda p: p.replace("/unsubscribe/", "/unsubscribe/x"),  # forged
        lambda p: p[:-3] + ("A" if p[-3] != "A" else "B") + p[-2:],  # altered signature
    ],
)
def test_a_forged_or_altered_token_is_404(cast, client, mangle):
    assert client.post(mangle(_path(cast.staff_a))).status_code == 404
    assert _email_on(cast.staff_a)


def test_the_link_works_under_its_own_collaborative_only(cast, client):
    path = _path(cast.staff_a).replace(
        f"/c/{cast.collab.slug}/", f"/c/{cast.outsider.collaborative.slug}/"
    )
    assert client.post(path).status_code == 404
    assert _email_on(cast.staff_a)


def test_a_token_made_for_something_else_does_not_open(cast, client):
    from django.core import signing

    token = signing.dumps({"m": str(cast.staff_a.public_id), "k": "x"}, salt="other")
    assert client.post(f"/c/{cast.collab.slug}/unsubscribe/{token}/").status_code == 404
