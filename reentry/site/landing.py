"""A collaborative's public landing page, at /about/<slug>/: no sign-in.

What the collaborative is, its key areas, its headline indicators (the public
dashboard's own figures, suppressed as there), and how to take part: ask to join, or
apply to mentor. It links the public directory, dashboard and quick wins, which link
back (``public_pages``). The viewer is always anonymous here, signed in or not; a
collaborative that publishes nothing and takes no requests or applications has no
landing page (404).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from indicators.models import Indicator
from indicators.views.public import public_figures
from mentorship.models import Program
from stakeholders.models import Collaborative, Organization
from workgroups.quickwins.models import QuickWin

#: How many headline figures the landing page shows.
HEADLINES = 6


@dataclass(frozen=True)
class PublicPages:
    """Which public pages a collaborative has: each exists only when it has something
    public to show (the same rule as the page itself, which answers 404 otherwise)."""

    collaborative: Collaborative
    directory: bool
    dashboard: bool
    quick_wins: bool
    mentoring: bool

    @property
    def landing(self) -> bool:
        return (
            self.directory
            or self.dashboard
            or self.quick_wins
            or self.mentoring
            or self.collaborative.accepts_join_requests
        )


def _with_public_pages(queryset):
    anyone = AnonymousUser()
    return queryset.annotate(
        has_directory=Exists(
            Organization.objects.visible_to(anyone).filter(collaborative=OuterRef("pk"))
        ),
        has_dashboard=Exists(
            Indicator.objects.visible_to(anyone).filter(collaborative=OuterRef("pk"))
        ),
        has_quick_wins=Exists(QuickWin.objects.public().filter(collaborative=OuterRef("pk"))),
        has_mentoring=Exists(_open_programs().filter(collaborative=OuterRef("pk"))),
    )


def _open_programs():
    return Program.objects.filter(is_active=True, accepts_applications=True)


def public_pages(slug: str) -> PublicPages | None:
    """The collaborative and its public pages, in one query; None if there is no such
    collaborative."""
    collaborative = _with_public_pages(Collaborative.objects.filter(slug=slug)).first()
    if collaborative is None:
        return None
    return PublicPages(
        collaborative=collaborative,
        directory=collaborative.has_directory,
        dashboard=collaborative.has_dashboard,
        quick_wins=collaborative.has_quick_wins,
        mentoring=collaborative.has_mentoring,
    )


def public_collaboratives() -> list[PublicPages]:
    """Every collaborative with a landing page, by name (one query), for the home page."""
    found = []
    for collaborative in _with_public_pages(Collaborative.objects.order_by("name")):
        pages = PublicPages(
            collaborative=collaborative,
            directory=collaborative.has_directory,
            dashboard=collaborative.has_dashboard,
            quick_wins=collaborative.has_quick_wins,
            mentoring=collaborative.has_mentoring,
        )
        if pages.landing:
            found.append(pages)
    return found


def headline_figures(collaborative: Collaborative) -> list[dict[str, Any]]:
    """The public dashboard's figures (``public_figures``: public indicators, accepted
    public data, suppressed) for the headline indicators; the first of each key area
    when none is marked headline."""
    figures = public_figures(collaborative)
    headline_ids = {
        str(public_id)
        for public_id in Indicator.objects.visible_to(AnonymousUser())
        .filter(collaborative=collaborative, is_headline=True)
        .values_list("public_id", flat=True)
    }
    chosen: list[dict[str, Any]] = [
        {**figure, "area": area["name"]}
        for area in figures["areas"]
        for figure in area["indicators"]
        if figure["public_id"] in headline_ids
    ]
    if not chosen:
        chosen = [
            {**area["indicators"][0], "area": area["name"]}
            for area in figures["areas"]
            if area["indicators"]
        ]
    return chosen[:HEADLINES]


@require_safe
def public_landing(request: HttpRequest, slug: str) -> HttpResponse:
    pages = public_pages(slug)
    if pages is None or not pages.landing:
        raise Http404
    collaborative = pages.collaborative
    return render(
        request,
        "site/public_landing.html",
        {
            "collaborative": collaborative,
            "pages": pages,
            "key_areas": collaborative.key_areas.order_by("order", "name"),
            "headlines": headline_figures(collaborative) if pages.dashboard else [],
            "threshold": collaborative.small_cell_threshold,
            "programs": (
                _open_programs().filter(collaborative=collaborative).order_by("name")
                if pages.mentoring
                else []
            ),
        },
    )
