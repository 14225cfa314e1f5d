"""Private iCalendar feeds of gatherings: one per person (all their groups) and one per
person and group, at a secret link a calendar app subscribes to without signing in.

The link carries the feed's id and an HMAC of it keyed by SECRET_KEY (and its
fallbacks, so rotating the key with SECRET_KEY_FALLBACKS keeps links working until the
fallback is dropped). Nothing stored opens a feed, the link can be shown again on the
person's page at any time, and revoking a feed (or making a new link) stops the old
link for good. A feed shows what ``Meeting.visible_to`` lets that person see, read as
them at every fetch: leaving a group, or a group's minutes going private, takes its
gatherings out of the feed at the next refresh.

The .ics is written here by hand to RFC 5545 (CRLF line ends, lines folded at 75
octets without splitting a UTF-8 character, TEXT escaping of backslash, semicolon,
comma and newlines, times in UTC): about sixty lines, tested against the RFC's rules,
rather than a new dependency for the one calendar shape we publish.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reentry.audit.log import record
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member
from workgroups.models import CalendarFeed, GroupMembership, Meeting, WorkingGroup

HMAC_SALT = "workgroups.calendar-feed"
MAC_LENGTH = 32
TOKEN_PATTERN = re.compile(f"[0-9a-f]{{{32 + MAC_LENGTH}}}")
FEED_PAST = timedelta(days=180)
FEED_LIMIT = 500

# --- Tokens -------------------------------------------------------------------------------


def _mac(public_id_hex: str, secret: str | bytes | None = None) -> str:
    mac = salted_hmac(HMAC_SALT, public_id_hex, secret=secret, algorithm="sha256")
    return mac.hexdigest()[:MAC_LENGTH]


def feed_token(feed: CalendarFeed) -> str:
    return f"{feed.public_id.hex}{_mac(feed.public_id.hex)}"


def feed_from_token(token: str) -> CalendarFeed | None:
    """The live feed this token opens, or None (unknown, forged, revoked or inactive)."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    public_id, mac = token[:32], token[32:]
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(mac, _mac(public_id, secret)) for secret in secrets):
        return None
    return (
        CalendarFeed.objects.filter(
            public_id=public_id,
            revoked_at__isnull=True,
            member__is_active=True,
            member__user__is_active=True,
        )
        .select_related("member__user", "member__collaborative", "group")
        .first()
    )


def feed_url(feed: CalendarFeed) -> str:
    path = reverse(
        "workgroups:calendar_feed",
        kwargs={"slug": feed.member.collaborative.slug, "token": feed_token(feed)},
    )
    return f"{settings.SITE_URL}{path}"


# --- Services -----------------------------------------------------------------------------


def _check_group(actor: Member, group: WorkingGroup | None) -> None:
    if group is None:
        return
    visible = WorkingGroup.objects.visible_to(actor.user).filter(
        pk=group.pk, collaborative_id=actor.collaborative_id
    )
    if not visible.exists():
        raise PermissionDenied


@transaction.atomic
def calendar_feed_get_or_create(
    *, actor: Member, group: WorkingGroup | None = None, request=None
) -> CalendarFeed:
    """The person's live link (for all their groups, or for one group), made if needed."""
    _check_group(actor, group)
    feed = CalendarFeed.objects.filter(member=actor, group=group, revoked_at__isnull=True).first()
    if feed is not None:
        return feed
    feed = CalendarFeed(member=actor, group=group)
    feed.full_clean()
    feed.save()
    record("calendar_feed.created", actor=actor.user, request=request, obj=group or actor)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, actor: Member, feed: CalendarFeed, request=None) -> CalendarFeed:
    """Stop a link for good. Only its person can."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.member_id != actor.pk:
        raise PermissionDenied
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        record(
            "calendar_feed.revoked",
            actor=actor.user,
            request=request,
            collaborative=actor.collaborative,
            feed=str(feed.public_id),
        )
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, actor: Member, feed: CalendarFeed, request=None) -> CalendarFeed:
    """A new link in place of the old one, which stops working now."""
    calendar_feed_revoke(actor=actor, feed=feed, request=request)
    return calendar_feed_get_or_create(actor=actor, group=feed.group, request=request)


# --- What a feed shows --------------------------------------------------------------------


def feed_meetings(feed: CalendarFeed, *, now: datetime | None = None) -> QuerySet:
    """The gatherings this feed's person may see: of the feed's group, or of every
    group they belong to (and the whole collaborative's), from six months back."""
    member = feed.member
    now = now or timezone.now()
    meetings = Meeting.objects.visible_to(member.user).filter(
        collaborative_id=member.collaborative_id, ends_at__gte=now - FEED_PAST
    )
    if feed.group_id is not None:
        meetings = meetings.filter(
            owner_id=feed.group_id,
            owner__in=WorkingGroup.objects.visible_to(member.user),
        )
    else:
        mine = GroupMembership.objects.filter(member=member, is_active=True).values("group_id")
        meetings = meetings.filter(Q(owner_id__in=mine) | Q(owner__is_whole_collaborative=True))
    return meetings.select_related("owner", "collaborative").order_by("starts_at", "pk")[
        :FEED_LIMIT
    ]


# --- iCalendar (RFC 5545) -----------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def ics_escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): escape \\ ; , and newlines; drop control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1): continuation lines start with one space,
    and a UTF-8 character is never split."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(char)
        size += width
    out.append("".join(current))
    return "\r\n".join(out)


def ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(name: str, meetings: Iterable[Meeting], *, now: datetime) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Reentry Commons//Gatherings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
        "X-PUBLISHED-TTL:PT1H",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    ]
    for meeting in meetings:
        url = f"{settings.SITE_URL}{meeting.get_absolute_url()}"
        about = [meeting.owner.name]
        if meeting.video_link:
            about.append(_("Video: %(link)s") % {"link": meeting.video_link})
        about.append(url)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{meeting.public_id}@{host}",
            f"DTSTAMP:{ics_time(now)}",
            f"DTSTART:{ics_time(meeting.starts_at)}",
            f"DTEND:{ics_time(meeting.ends_at)}",
            f"SUMMARY:{ics_escape(meeting.title)}",
            f"DESCRIPTION:{ics_escape(chr(10).join(about))}",
            f"URL:{url}",
            "STATUS:CANCELLED"
            if meeting.status == Meeting.Status.CANCELLED
            else "STATUS:CONFIRMED",
        ]
        if meeting.place or meeting.video_link:
            lines.append(f"LOCATION:{ics_escape(meeting.place or meeting.video_link)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)


# --- Views --------------------------------------------------------------------------------


@require_GET
def calendar_feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The feed a calendar app fetches: no session, the token is the key. 404 for a
    token that is unknown, forged, revoked, of an inactive person or another collaborative."""
    feed = feed_from_token(token)
    if feed is None or feed.member.collaborative.slug != slug:
        raise Http404
    if feed.group is not None:
        name = f"{feed.group.name} · {feed.member.collaborative.name}"
    else:
        name = _("My gatherings · %(name)s") % {"name": feed.member.collaborative.name}
    now = timezone.now()
    body = render_calendar(name, feed_meetings(feed, now=now), now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="gatherings.ics"'
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
        feed.url = feed_url(feed)
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


def _own_feed(request: CollaborativeRequest, public_id) -> CalendarFeed:
    return get_visible_or_404(
        CalendarFeed.objects.filter(member__collaborative=request.collaborative),
        CalendarFeed.objects.filter(member=request.member, revoked_at__isnull=True),
        request=request,
        public_id=public_id,
    )


@require_POST
@collaborative_view()
def calendar_link_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    group = None
    if request.POST.get("group"):
        group = get_visible_or_404(
            WorkingGroup.objects.filter(collaborative=request.collaborative),
            WorkingGroup.objects.visible_to(request.user).filter(
                collaborative=request.collaborative
            ),
            request=request,
            public_id=request.POST["group"],
        )
    feed = calendar_feed_get_or_create(actor=request.member, group=group, request=request)
    messages.success(request, _("Your calendar link is ready. Add it to your calendar app."))
    return redirect(
        f"{reverse('workgroups:calendar_links', kwargs={'slug': slug})}#{feed.public_id}"
    )


@require_POST
@collaborative_view()
def calendar_link_change(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    feed = _own_feed(request, public_id)
    if request.POST.get("action") == "revoke":
        calendar_feed_revoke(actor=request.member, feed=feed, request=request)
        messages.success(request, _("That link has stopped working."))
        target = ""
    else:
        feed = calendar_feed_regenerate(actor=request.member, feed=feed, request=request)
        messages.success(
            request,
            _("Here is your new link. The old one has stopped working: update your calendar app."),
        )
        target = f"#{feed.public_id}"
    return redirect(f"{reverse('workgroups:calendar_links', kwargs={'slug': slug})}{target}")
