"""A person's home in a collaborative, at /c/<slug>/: what needs them now.

Community members see the polls waiting for their vote, their groups' next gatherings,
their quick wins and their stipends; organization staff their action items, referrals
waiting and datasets to submit; organization admins also the requests they decide and
the submissions sent back; backbone staff what is overdue, what waits for their
approval and what changed since their last visit. Everyone sees recent activity.

The reads are in ``reentry.site.needs`` and ``reentry.site.activity``; the collaborative
at a glance (counts, key areas, organizations) stays at /c/<slug>/overview/.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reentry.site import activity, needs
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member

Role = Member.Role


@collaborative_view()
def collaborative_home(request: CollaborativeRequest, slug: str) -> HttpResponse:
    member = request.member
    collaborative = request.collaborative
    now = timezone.now()
    today = collaborative.today()
    works_for_org = member.works_for(member.organization_id)
    context: dict = {
        "collaborative": collaborative,
        "member": member,
        "polls": needs.polls_to_vote(member, now=now),
        "gatherings": needs.next_gatherings(member),
        "today": today,
    }
    # Community members always see their quick wins (with a way to propose one); anyone
    # else only when they proposed some. Stipends show when there are any.
    quick_wins = needs.my_quick_wins(member)
    if quick_wins or member.role == Role.COMMUNITY:
        context["quick_wins"] = quick_wins
    context["stipends"] = needs.my_stipends(member)
    if member.role != Role.OBSERVER:
        context["action_items"] = needs.my_action_items(member, today=today)
    if works_for_org:
        context["referrals"] = needs.referrals_waiting(member, today=today)
        context["datasets"] = needs.datasets_to_submit(member)
        context["uploads"] = needs.uploads_waiting(member)
    if member.role == Role.ORG_ADMIN:
        context["data_requests"] = needs.data_requests_to_answer(member)
    if member.role != Role.OBSERVER:
        context["group_requests"] = needs.group_requests_to_decide(member)
    since = None
    if member.is_backbone:
        context["overdue"] = needs.overdue_items(member, today=today)
        context["approvals"] = needs.approvals(member)
        since = needs.previous_visit(member)
    recent = activity.recent_activity(member, now=now)
    context["recent"] = recent
    # Backbone staff: what changed since their last visit is marked in the same list.
    context["since"] = since
    context["new_count"] = sum(1 for e in recent if since and e.at > since)
    sections = (
        "polls",
        "gatherings",
        "quick_wins",
        "stipends",
        "action_items",
        "referrals",
        "datasets",
        "uploads",
        "data_requests",
        "group_requests",
        "overdue",
    )
    waiting = any(context.get(name) for name in sections if name not in ("gatherings", "stipends"))
    context["nothing_waiting"] = not waiting and not (
        member.is_backbone and context["approvals"].total
    )
    return render(request, "site/collaborative_home.html", context)
