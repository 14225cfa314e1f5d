"""A group's action items list is kept whole per session while the database has not
changed (``reentry.pagecache.kept_page``; tests/reentry/test_kept_pages.py tests the
keeping itself): a reload runs none of its queries, a change shows at once, and a member
of another collaborative still gets 404."""

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from reentry import pagecache
from tests.workgroups.board_world import make_board_world
from workgroups.models import ActionItem

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="pages are kept on PostgreSQL only"
    ),
]


def test_the_action_items_list_is_kept_and_shows_changes(cast, wg, django_assert_num_queries):
    make_board_world(cast, wg)
    address = reverse(
        "workgroups:group_action_items",
        kwargs={"slug": cast.collab.slug, "public_id": wg.housing.public_id},
    )
    client = Client()
    client.force_login(cast.staff_c.user)
    with mock.patch.object(pagecache, "database_position", return_value="0/1"):
        first = client.get(address)
        assert first.status_code == 200
        with django_assert_num_queries(1):  # the signed-in person, as on every page
            assert client.get(address).status_code == 200
    item = ActionItem.objects.filter(group=wg.housing).exclude(status="done").first()
    assert item is not None
    ActionItem.objects.filter(pk=item.pk).update(title="Call the landlords' association")
    assert "Call the landlords" in client.get(address).content.decode()
    outsider = Client()
    outsider.force_login(cast.outsider.user)
    assert outsider.get(address).status_code == 404
