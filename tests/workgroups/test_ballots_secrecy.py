"""Secret ballots: no page, export, endpoint or admin screen reveals who chose what —
to backbone staff, the group's chairs or a superuser.

The main test is differential: the same two people vote in a secret poll, once with
person 1 choosing X and person 2 choosing Y, once the other way round. Every screen
staff and a superuser can open (poll pages, paper-ballot page, audit log and its CSV,
the Django admin) is collected in both worlds and must be the same, apart from ids,
numbers and times (normalized away). If any screen differed, it would show who chose
what."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from tests.caches import clear_caches
from tests.factories import UserFactory
from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import selectors as poll_selectors
from workgroups.polls import services as polls
from workgroups.polls.models import Ballot, BallotContent, Poll, PollResult

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|csrftoken=)[^"&;]+')
NUMBERS = re.compile(r"\d+")
SEALS = re.compile(r"[0-9a-f]{64}")
NONCE = re.compile(r'nonce="[^"]+"')


def normalize(text: str) -> str:
    text = CSRF.sub(r"\1csrf", text)
    text = NONCE.sub('nonce=""', text)
    text = UUID.sub("uuid", text)
    text = SEALS.sub("seal", text)
    return NUMBERS.sub("0", text)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _screens(poll: Poll, staff, chair, superuser, voter) -> dict[str, str]:
    slug = poll.collaborative.slug
    ballot = Ballot.objects.get(poll=poll, voter=voter)
    result = PollResult.objects.filter(poll=poll).first()
    member_pages = {
        "list": reverse("polls:list", args=[slug]),
        "detail": reverse("polls:detail", args=[slug, poll.public_id]),
        "vote": reverse("polls:vote", args=[slug, poll.public_id]),
        "results": reverse("polls:results", args=[slug, poll.public_id]),
        "paper": reverse("polls:paper", args=[slug, poll.public_id]),
        "audit": reverse("audit:events", args=[slug]),
        "audit_csv": reverse("audit:export", args=[slug]),
    }
    admin_pages = {
        "admin_ballots": reverse("admin:workgroups_ballot_changelist"),
        "admin_ballot": reverse("admin:workgroups_ballot_change", args=[ballot.pk]),
        "admin_poll": reverse("admin:workgroups_poll_change", args=[poll.pk]),
        "admin_voters": reverse("admin:workgroups_pollvoter_changelist"),
        "admin_results": reverse("admin:workgroups_pollresult_changelist"),
        "admin_audit": reverse("admin:audit_auditevent_changelist"),
    }
    if result is not None:
        admin_pages["admin_result"] = reverse(
            "admin:workgroups_pollresult_change", args=[result.pk]
        )
    screens: dict[str, str] = {}
    for who, client in (("staff", staff), ("chair", chair)):
        for name, url in member_pages.items():
            response = client.get(url)
            if response.status_code == 200:
                screens[f"{who}:{name}"] = normalize(_body(response))
    for name, url in {**member_pages, **admin_pages}.items():
        response = superuser.get(url)
        screens[f"super:{name}"] = f"{response.status_code} " + normalize(_body(response))
    return screens


def _world(poll: Poll, cast, order: list[tuple], clients) -> dict[str, str]:
    k = keys(poll)
    # Both worlds start from the same counters: the audit log's throttle of denied
    # lookups counts in the cache, which the rollback below does not undo.
    clear_caches()
    with transaction.atomic():
        for voter, label in order:
            polls.ballot_cast(actor=voter, poll=poll, choices=[k[label]])
        open_screens = _screens(poll, *clients, voter=cast.staff_b)
        polls.poll_close(actor=cast.staff_a, poll=poll)
        poll.refresh_from_db()
        closed_screens = _screens(poll, *clients, voter=cast.staff_b)
        transaction.set_rollback(True)
    poll.refresh_from_db()
    return {**{f"open {k}": v for k, v in open_screens.items()}, **closed_screens}


def test_no_screen_shows_who_chose_what_in_a_secret_poll(cast, wg, client, django_user_model):
    from django.test import Client

    poll = make_poll(cast.staff_a, wg.housing, is_secret=True, options=["Xylo", "Yarrow"])
    staff = Client()
    staff.force_login(cast.backbone.user)
    chair = Client()
    chair.force_login(cast.staff_a.user)
    superuser = Client()
    superuser.force_login(UserFactory(is_superuser=True, is_staff=True))
    clients = (staff, chair, superuser)
    # A paper ballot too, so the paper-ballot list has a row in both worlds.
    b, c = cast.staff_b, cast.community

    one = _world(poll, cast, [(b, "Xylo"), (c, "Yarrow"), (b, "Xylo"), (c, "Yarrow")], clients)
    two = _world(poll, cast, [(b, "Yarrow"), (c, "Xylo"), (b, "Yarrow"), (c, "Xylo")], clients)

    assert one.keys() == two.keys()
    assert "super:admin_ballot" in one and "staff:results" in one
    differing = [name for name in one if one[name] != two[name]]
    if differing:
        import difflib

        first = differing[0]
        diff = "\n".join(
            list(
                difflib.unified_diff(one[first].splitlines(), two[first].splitlines(), lineterm="")
            )[:40]
        )
        raise AssertionError(f"{differing}\n{diff}")


def test_the_same_check_would_catch_an_open_poll(cast, wg):
    """The differential check is not blind: an open (not secret) poll's results page
    does show who chose what, and the two worlds differ there."""
    from django.test import Client

    poll = make_poll(cast.staff_a, wg.housing, is_secret=False, options=["Xylo", "Yarrow"])
    staff = Client()
    staff.force_login(cast.backbone.user)
    chair = Client()
    chair.force_login(cast.staff_a.user)
    superuser = Client()
    superuser.force_login(UserFactory(is_superuser=True, is_staff=True))
    b, c = cast.staff_b, cast.community
    clients = (staff, chair, superuser)

    one = _world(poll, cast, [(b, "Xylo"), (c, "Yarrow")], clients)
    two = _world(poll, cast, [(b, "Yarrow"), (c, "Xylo")], clients)

    assert one["staff:results"] != two["staff:results"]


def test_ballot_contents_are_not_in_the_admin(cast, wg, client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/workgroups/ballotcontent/")
    assert response.status_code == 404
    index = client.get("/admin/workgroups/").content.decode()
    assert "ballotcontent" not in index.lower()


def test_ballots_cannot_be_deleted_or_changed_in_the_admin(cast, wg, client):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["ID clinic"]])
    ballot = Ballot.objects.get()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    delete = reverse("admin:workgroups_ballot_delete", args=[ballot.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Ballot.objects.filter(pk=ballot.pk).exists()


def test_backbone_cannot_read_another_persons_secret_ballot_anywhere(cast, wg, login):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True, options=["Xylo", "Yarrow"])
    polls.ballot_cast(actor=cast.staff_b, poll=poll, choices=[keys(poll)["Xylo"]])
    client = login(cast.backbone)
    vote = client.get(reverse("polls:vote", args=[cast.collab.slug, poll.public_id]))
    # The backbone member sees their own (empty) ballot, never staff_b's.
    assert "checked" not in vote.content.decode()
    content = BallotContent.objects.get()
    assert content.ballot_id is None
    assert poll_selectors.my_choices(poll, cast.backbone) is None


def test_anonymous_proposer_is_hidden_in_the_quick_win_admin(cast, client):
    from workgroups.quickwins.models import QuickWin

    qw = QuickWin.objects.create(
        collaborative=cast.collab,
        title="Lockers at the day center",
        problem="Nowhere safe to keep papers.",
        proposer=cast.community,
        is_anonymous=True,
    )
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in (
        reverse("admin:workgroups_quickwin_changelist"),
        reverse("admin:workgroups_quickwin_change", args=[qw.pk]),
    ):
        fetched = client.get(url)
        assert fetched.status_code == 200
        page = fetched.content.decode()
        assert cast.community.user.name not in page
        assert cast.community.user.email not in page


def test_an_open_poll_cannot_be_changed_in_the_admin(cast, wg, client):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    change = reverse("admin:workgroups_poll_change", args=[poll.pk])
    fetched = client.get(change)
    assert fetched.status_code == 200
    page = fetched.content.decode()
    assert 'name="is_secret"' not in page and 'name="title"' not in page
    assert "ballot_key" not in page and poll.ballot_key not in page
