"""Calendar feed pages: the private iCalendar feed of gatherings a calendar app
subscribes to without signing in, and the person's page of calendar links.

The link carries the feed's id and an HMAC of it (``CalendarFeed.token``). Nothing
stored opens a feed, the link can be shown again on the person's page at any time, and
revoking a feed (or making a new link) stops the old link for good. A feed shows what
``Meeting.visible_to`` lets that person see, read as them at every fetch
(``selectors.calendar_feed_meetings``): leaving a group, or a group's minutes going
private, takes its gatherings out of the feed at the next refresh.
"""

import re
from uuid import UUID

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import conditional_page, require_POST, require_safe

from reentry.downloads import attachment
from stakeholders.access import CollaborativeRequest, collaborative_view
from workgroups import selectors, services
from workgroups.access import access_calendar_feed, access_group
from workgroups.calendar import render_calendar
from workgroups.models import CalendarFeed, WorkingGroup


@require_safe
@conditional_page  # an ETag of the bytes; If-None-Match → 304 (no Last-Modified: a
# gathering leaving the feed changes it without changing any date)
def calendar_feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The feed a calendar app fetches: no session, the token is the key. 404 for a
    token that is unknown, forged, revoked, of an inactive person or another collaborative."""
    feed = CalendarFeed.objects.opened_by(token)
    if feed is None or feed.member.collaborative.slug != slug:
        raise Http404
    if feed.group is not None:
        name = f"{feed.group.name} · {feed.member.collaborative.name}"
    else:
        name = _("My gatherings · %(name)s") % {"name": feed.member.collaborative.name}
    now = timezone.now()
    body = render_calendar(name, selectors.calendar_feed_meetings(feed, now=now))
    response = attachment(
        HttpResponse(body, content_type="text/calendar; charset=utf-8"),
        "gatherings.ics",
        inline=True,
    )
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


def _webcal(url: str) -> str:
    return re.sub(r"^https?://", "webcal://", url)


@collaborative_view()
def calendar_links(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """The person's calendar links: see, copy, renew or stop them."""
    feeds = list(
        CalendarFeed.objects.filter(member=request.member, revoked_at__isnull=True)
        .filter(Q(group__isnull=True) | Q(group__in=WorkingGroup.objects.visible_to(request.user)))
        .select_related("group", "member__collaborative")
        .order_by("group__name", "pk")
    )
    for feed in feeds:
        feed.url = feed.link()
        feed.webcal = _webcal(feed.url)
    return render(
        request,
        "workgroups/inclusion/calendar_links.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "personal": next((f for f in feeds if f.group_id is None), None),
            "group_feeds": [f for f in feeds if f.group_id is not None],
        },
    )


@require_POST
@collaborative_view()
def calendar_link_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    group = None
    if request.POST.get("group"):
        group = access_group(request, request.POST["group"], action="view")
    feed = services.calendar_feed_get_or_create(actor=request.member, group=group, request=request)
    messages.success(request, _("Your calendar link is ready. Add it to your calendar app."))
    return redirect(
        f"{reverse('workgroups:calendar_links', kwargs={'slug': slug})}#{feed.public_id}"
    )


@require_POST
@collaborative_view()
def calendar_link_change(request: CollaborativeRequest, slug: str, public_id: UUID) -> HttpResponse:
    feed = access_calendar_feed(request, public_id, action="manage")
    if request.POST.get("action") == "revoke":
        services.calendar_feed_revoke(actor=request.member, feed=feed, request=request)
        messages.success(request, _("That link has stopped working."))
        target = ""
    else:
        feed = services.calendar_feed_regenerate(actor=request.member, feed=feed, request=request)
        messages.success(
            request,
            _("Here is your new link. The old one has stopped working: update your calendar app."),
        )
        target = f"#{feed.public_id}"
    return redirect(f"{reverse('workgroups:calendar_links', kwargs={'slug': slug})}{target}")
