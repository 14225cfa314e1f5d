"""Poll pages: who sees and manages what, voting from a phone, paper ballots, and
query counts on the list."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from reentry.audit.models import AuditEvent
from tests.workgroups.polls_world import keys, make_poll
from workgroups.polls import selectors as poll_selectors
from workgroups.polls import services as polls
from workgroups.polls.models import Ballot, Poll

pytestmark = pytest.mark.django_db


def url(poll: Poll, name: str = "detail") -> str:
    return reverse(f"polls:{name}", args=[poll.collaborative.slug, poll.public_id])


@pytest.fixture
def poll(cast, wg):
    return make_poll(cast.staff_a, wg.housing, method=Poll.Method.IRV, is_secret=True)


# --- isolation ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "vote", "results", "paper", "edit"])
def test_other_collaborative_gets_404_on_every_poll_page(cast, poll, login, name):
    client = login(cast.outsider)
    assert client.get(url(poll, name)).status_code == 404


@pytest.mark.parametrize("name", ["open", "close", "vote"])
def test_other_collaborative_cannot_post_to_a_poll(cast, poll, login, name):
    client = login(cast.outsider)
    assert client.post(url(poll, name), {}).status_code == 404
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert not Ballot.objects.exists()


def test_other_collaborative_gets_404_on_the_list(cast, poll, login):
    client = login(cast.outsider)
    assert client.get(reverse("polls:list", args=[cast.collab.slug])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, poll):
    response = client.get(url(poll))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_draft_is_404_for_members_who_do_not_manage_it(cast, wg, login):
    draft = make_poll(cast.staff_a, wg.housing, open_now=False)
    assert login(cast.staff_b).get(url(draft)).status_code == 404
    assert login(cast.staff_c).get(url(draft)).status_code == 404
    assert login(cast.staff_a).get(url(draft)).status_code == 200
    assert login(cast.backbone).get(url(draft)).status_code == 200


@pytest.mark.parametrize("who", ["staff_b", "staff_c", "community_outside", "observer"])
def test_members_who_do_not_manage_get_403_on_manager_pages(cast, wg, poll, login, who):
    member = cast.community if who == "community_outside" else getattr(cast, who)
    if who == "community_outside":
        poll = make_poll(cast.admin_a, wg.private)  # community is not in this group
    client = login(member)
    assert client.get(url(poll, "paper")).status_code == 403
    assert client.post(url(poll, "close")).status_code == 403
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN


def test_every_member_of_the_collaborative_sees_an_open_poll(cast, poll, login):
    for member in (cast.staff_b, cast.staff_c, cast.community, cast.observer, cast.backbone):
        assert login(member).get(url(poll)).status_code == 200


# --- voting ---------------------------------------------------------------------------------


def _rank_data(poll: Poll, order: list[str]) -> dict[str, str]:
    k = keys(poll)
    return {f"rank-{k[label]}": str(n) for n, label in enumerate(order, start=1)}


def test_ranked_vote_without_javascript_then_change(cast, poll, login):
    client = login(cast.staff_b)
    page = client.get(url(poll, "vote"))
    assert page.status_code == 200
    assert b"1st choice" in page.content and b"Cast my ballot" in page.content

    response = client.post(url(poll, "vote"), _rank_data(poll, ["ID clinic", "Bus passes"]))
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert b"Your ballot is saved. You can change it until" in followed.content
    k = keys(poll)
    assert poll_selectors.my_choices(poll, cast.staff_b) == [k["ID clinic"], k["Bus passes"]]

    client.post(url(poll, "vote"), _rank_data(poll, ["Storage lockers"]))
    assert poll_selectors.my_choices(poll, cast.staff_b) == [k["Storage lockers"]]
    assert Ballot.objects.filter(poll=poll).count() == 1
    # The form shows the saved ranks back to the voter.
    again = client.get(url(poll, "vote")).content.decode()
    assert 'value="1" selected' in again


def test_same_rank_twice_is_refused_and_keeps_what_was_typed(cast, poll, login):
    k = keys(poll)
    data = {f"rank-{k['ID clinic']}": "1", f"rank-{k['Bus passes']}": "1"}
    response = login(cast.staff_b).post(url(poll, "vote"), data)
    assert response.status_code == 400
    assert "Give each number once" in response.content.decode()
    assert not Ballot.objects.exists()


def test_empty_ballot_is_refused_plainly(cast, poll, login):
    response = login(cast.staff_b).post(url(poll, "vote"), {})
    assert response.status_code == 400
    assert "Rank at least one option" in response.content.decode()


def test_approval_and_dots_votes(cast, wg, login):
    approval = make_poll(cast.staff_a, wg.housing, title="Approve")
    k = keys(approval)
    client = login(cast.community)
    assert client.post(url(approval, "vote"), {"approve": [k["ID clinic"]]}).status_code == 302
    assert poll_selectors.my_choices(approval, cast.community) == [k["ID clinic"]]

    dots = make_poll(cast.staff_a, wg.housing, method=Poll.Method.DOTS, title="Dots")
    k = keys(dots)
    data = {f"dots-{k['Bus passes']}": "2", f"dots-{k['ID clinic']}": "1"}
    assert client.post(url(dots, "vote"), data).status_code == 302
    assert poll_selectors.my_choices(dots, cast.community) == {
        k["Bus passes"]: 2,
        k["ID clinic"]: 1,
    }
    too_many = {f"dots-{key}": "2" for key in k.values()}
    response = client.post(url(dots, "vote"), too_many)
    assert response.status_code == 400 and "you have 3" in response.content.decode()


def test_ineligible_voter_is_refused_with_a_clear_message(cast, poll, login):
    client = login(cast.staff_c)  # not in the Housing group
    page = client.get(url(poll, "vote")).content.decode()
    assert "Only the members of Housing Working Group when the poll opened can vote" in page
    response = client.post(url(poll, "vote"), _rank_data(poll, ["ID clinic"]), follow=True)
    assert "Only the members of Housing Working Group" in response.content.decode()
    assert not Ballot.objects.exists()


def test_no_vote_after_close_through_the_page(cast, poll, login):
    polls.poll_close(actor=cast.staff_a, poll=poll)
    response = login(cast.staff_b).post(url(poll, "vote"), _rank_data(poll, ["ID clinic"]))
    assert response.status_code == 302
    assert not Ballot.objects.exists()


# --- managing ------------------------------------------------------------------------------


def _at_six_pm(day: date) -> str:
    """A form value for 6 pm local time on ``day``. Not "now + n days": run in the small
    hours before a DST change, that lands in an hour the clocks skip or repeat, and the
    form rightly refuses it."""
    return f"{day.isoformat()}T18:00"


def test_chair_creates_opens_and_closes_a_poll(cast, wg, login):
    client = login(cast.staff_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("polls:create", args=[cast.collab.slug]),
        {
            "group": wg.housing.pk,
            "title": "Which first?",
            "method": "irv",
            "seats": "2",
            "opens_at": _at_six_pm(tomorrow),
            "closes_at": _at_six_pm(tomorrow + timedelta(days=7)),
            "electorate": "group",
            "is_secret": "on",
            "results_hidden_until_close": "on",
            "shuffle_options": "on",
            "quorum": "0",
            "options_text": "Bus passes\nID clinic\nStorage lockers\n",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(title="Which first?")
    assert poll.status == Poll.Status.DRAFT and poll.options.count() == 3

    client.post(url(poll, "open"), {"when": "scheduled"})
    poll.refresh_from_db()
    assert poll.status == Poll.Status.SCHEDULED
    client.post(url(poll, "open"), {"when": "now"})
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert client.post(url(poll, "close")).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CLOSED and poll.closed_by == cast.staff_a


def test_create_form_errors_keep_what_was_typed(cast, wg, login):
    response = login(cast.staff_a).post(
        reverse("polls:create", args=[cast.collab.slug]),
        {"group": wg.housing.pk, "title": "Kept title", "method": "dots", "options_text": "Only"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kept title" in text and "Give at least two options." in text
    assert "Say how many dots each person has." in text


def test_create_offers_only_groups_the_person_manages(cast, wg, login):
    page = login(cast.staff_a).get(reverse("polls:create", args=[cast.collab.slug]))
    assert wg.housing.name in page.content.decode()
    assert wg.private.name not in page.content.decode()
    assert (
        login(cast.staff_b).get(reverse("polls:create", args=[cast.collab.slug])).status_code == 403
    )


def test_paper_ballot_page_enters_for_a_person(cast, wg, login):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    client = login(cast.staff_a)
    k = keys(poll)
    response = client.post(
        url(poll, "paper"), {"voter": cast.community.pk, "approve": [k["ID clinic"]]}
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get(voter=cast.community)
    assert ballot.is_paper and ballot.entered_by == cast.staff_a
    page = client.get(url(poll, "paper")).content.decode()
    assert cast.community.user.name in page and "typed in by" in page


def test_paper_ballot_page_does_not_offer_someone_outside_the_electorate(cast, wg, login):
    poll = make_poll(cast.staff_a, wg.housing)
    response = login(cast.staff_a).post(
        url(poll, "paper"), {"voter": cast.staff_c.pk, "approve": [keys(poll)["ID clinic"]]}
    )
    assert response.status_code == 400
    assert not Ballot.objects.exists()


# --- query counts ---------------------------------------------------------------------------


def test_poll_list_query_count_does_not_grow_with_polls(cast, wg, login, count_queries):
    client = login(cast.staff_b)
    list_url = reverse("polls:list", args=[cast.collab.slug])
    make_poll(cast.staff_a, wg.housing, title="One")
    closed = make_poll(cast.staff_a, wg.housing, title="Closed one")
    polls.poll_close(actor=cast.staff_a, poll=closed)
    one = count_queries(client, list_url)
    for n in range(12):
        p = make_poll(cast.staff_a, wg.housing, title=f"Open {n}")
        polls.ballot_cast(actor=cast.staff_b, poll=p, choices=[keys(p)["ID clinic"]])
        c = make_poll(cast.staff_a, wg.housing, title=f"Closed {n}")
        polls.poll_close(actor=cast.staff_a, poll=c)
    assert count_queries(client, list_url) == one


def test_paper_list_query_count_does_not_grow(cast, wg, login, count_queries):
    from tests.factories import MemberFactory
    from tests.workgroups.conftest import seat

    people = [MemberFactory(collaborative=cast.collab) for _ in range(25)]
    for person in people:
        seat(wg.housing, person)
    poll = make_poll(cast.staff_a, wg.housing)
    k = keys(poll)
    polls.ballot_cast(actor=cast.staff_a, voter=people[0], poll=poll, choices=[k["ID clinic"]])
    client = login(cast.staff_a)
    one = count_queries(client, url(poll, "paper"))
    for person in people[1:]:
        polls.ballot_cast(actor=cast.staff_a, voter=person, poll=poll, choices=[k["ID clinic"]])
    assert count_queries(client, url(poll, "paper")) == one


def test_audit_records_who_entered_a_paper_ballot_without_choices(cast, wg):
    poll = make_poll(cast.staff_a, wg.housing, is_secret=True)
    polls.ballot_cast(
        actor=cast.staff_a, voter=cast.community, poll=poll, choices=[keys(poll)["ID clinic"]]
    )
    event = AuditEvent.objects.get(action="poll.paper_ballot_entered")
    assert "choices" not in event.details


def test_create_offers_only_open_proposals_as_quick_win_options(cast, wg, login):
    from workgroups.quickwins.models import QuickWin

    def qw(title, status, **kw):
        return QuickWin.objects.create(
            collaborative=cast.collab, title=title, problem="Why", status=status, **kw
        )

    qw("Shortlisted lockers", QuickWin.Status.SHORTLISTED)
    qw("Proposed clinic", QuickWin.Status.PROPOSED)
    qw("Finished passes", QuickWin.Status.DONE)
    qw("Dropped chargers", QuickWin.Status.DROPPED, dropped_reason="No money")
    QuickWin.objects.create(collaborative=cast.other_collab, title="Elsewhere idea", problem="Why")
    page = login(cast.staff_a).get(reverse("polls:create", args=[cast.collab.slug]))
    text = page.content.decode()
    assert "Shortlisted lockers" in text and "Proposed clinic" in text
    assert "Finished passes" not in text and "Dropped chargers" not in text
    assert "Elsewhere idea" not in text


def test_poll_over_quick_wins_links_each_option(cast, wg):
    from workgroups.quickwins.models import QuickWin

    a = QuickWin.objects.create(collaborative=cast.collab, title="Lockers", problem="Why")
    b = QuickWin.objects.create(collaborative=cast.collab, title="Clinic", problem="Why")
    poll = make_poll(cast.staff_a, wg.housing, options=[], quick_wins=[a, b])
    assert {o.quick_win for o in poll.options.all()} == {a, b}
    other = QuickWin.objects.create(collaborative=cast.other_collab, title="X", problem="Why")
    with pytest.raises(PermissionDenied):
        make_poll(cast.staff_a, wg.housing, options=["One"], quick_wins=[other])


def test_chair_edits_a_draft_and_its_options(cast, wg, login):
    draft = make_poll(cast.staff_a, wg.housing, open_now=False)
    client = login(cast.staff_a)
    page = client.get(url(draft, "edit")).content.decode()
    assert "Bus passes" in page  # the options text is filled in
    data = {
        "group": wg.housing.pk,
        "title": "Renamed",
        "method": "approval",
        "seats": "1",
        "opens_at": _at_six_pm(timezone.localdate() + timedelta(days=1)),
        "closes_at": _at_six_pm(timezone.localdate() + timedelta(days=8)),
        "electorate": "group",
        "is_secret": "on",
        "results_hidden_until_close": "on",
        "quorum": "0",
        "options_text": "Lockers\nClinic",
    }
    assert client.post(url(draft, "edit"), data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Renamed"
    assert [o.label for o in draft.options.all()] == ["Lockers", "Clinic"]
    assert AuditEvent.objects.filter(action="poll.updated").exists()


def test_an_open_poll_cannot_be_edited(cast, wg, login):
    poll = make_poll(cast.staff_a, wg.housing)
    response = login(cast.staff_a).get(url(poll, "edit"))
    assert response.status_code == 302
    assert login(cast.staff_b).get(url(poll, "edit")).status_code == 403


# --- candidate indicators as options ---------------------------------------------------


def test_create_offers_candidate_indicators_of_this_collaborative_only(cast, wg, login):
    from indicators.models import Indicator
    from tests.factories import KeyAreaFactory
    from tests.indicators.upload_helpers import make_indicator

    make_indicator(cast, "CAND-1", name="Jobs at 90 days", status=Indicator.Status.CANDIDATE)
    make_indicator(cast, "ADOP-1", name="Adopted housing", status=Indicator.Status.ADOPTED)
    Indicator.objects.create(
        collaborative=cast.other_collab,
        key_area=KeyAreaFactory(collaborative=cast.other_collab),
        code="ELSE-1",
        name="Elsewhere candidate",
        question="?",
        status=Indicator.Status.CANDIDATE,
    )
    text = login(cast.staff_a).get(reverse("polls:create", args=[cast.collab.slug]))
    text = text.content.decode()
    assert "Jobs at 90 days" in text
    assert "Adopted housing" not in text and "Elsewhere candidate" not in text


def test_chair_puts_candidate_indicators_to_a_poll(cast, wg, login):
    from indicators.models import Indicator
    from tests.indicators.upload_helpers import make_indicator

    jobs = make_indicator(cast, "CAND-1", name="Jobs at 90 days", status="candidate")
    ids = make_indicator(cast, "CAND-2", name="ID at release", status="candidate")
    client = login(cast.staff_a)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("polls:create", args=[cast.collab.slug]),
        {
            "group": wg.housing.pk,
            "title": "Which indicators do we adopt?",
            "method": "approval",
            "seats": "1",
            "opens_at": _at_six_pm(tomorrow),
            "closes_at": _at_six_pm(tomorrow + timedelta(days=7)),
            "electorate": "group",
            "quorum": "0",
            "options_text": "",
            "indicators": [jobs.pk, ids.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(title="Which indicators do we adopt?")
    assert {o.indicator for o in poll.options.all()} == {jobs, ids}
    assert {o.label for o in poll.options.all()} == {"Jobs at 90 days", "ID at release"}
    detail = client.get(url(poll)).content.decode()
    assert jobs.get_absolute_url() in detail
    assert Indicator.objects.filter(status="candidate").count() == 2


def test_an_indicator_of_another_collaborative_cannot_be_an_option(cast, wg):
    from indicators.models import Indicator
    from indicators.polls import candidate_options
    from tests.factories import KeyAreaFactory

    other = Indicator.objects.create(
        collaborative=cast.other_collab,
        key_area=KeyAreaFactory(collaborative=cast.other_collab),
        code="ELSE-1",
        name="Elsewhere",
        question="?",
        status=Indicator.Status.CANDIDATE,
    )
    with pytest.raises(PermissionDenied):
        make_poll(cast.staff_a, wg.housing, options=["One"], linked=candidate_options([other]))
