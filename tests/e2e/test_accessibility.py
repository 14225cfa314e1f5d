"""axe-core over the whole demo, as every demo person, at 1280 and 390 px: no violation of
WCAG 2.2 AA (wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa), and no colour contrast left
undecided.

The demo (``seed_demo``) is seeded and crawled (tests/crawler.py) as every person, the JSON
API left out. Of the whole HTML documents each person reached (status 200, GET), one URL
per Django route is checked, the longest (the one showing the most of what its template
can show); a route whose page rendered the same templates for an earlier person is not
checked again, but every person has at least one page checked. Each person signs in to
Chromium with the session of a test client (force_login); each page is loaded once and axe
runs at 1280 px, then at 390 px on the same load.

axe leaves the contrast of text in an SVG undecided, always; the charts' text is checked
by SVG_TEXT_CONTRAST below instead. Every other contrast axe cannot decide is a finding:
it is how text spilling out of its box at 390 px showed.

axe.min.js comes from the axe-playwright-python package and is evaluated in the page: no
network, and the page's Content-Security-Policy does not stand in its way.
"""

import logging
import time
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from tests.crawler import (
    PEOPLE,
    Document,
    client_for,
    crawl,
    demo_settings,
    route_of,
    seed_demo,
    starts_for,
)

pytestmark = pytest.mark.e2e

log = logging.getLogger(__name__)

WIDTHS = (1280, 390)
HEIGHT = 900
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations", "incomplete"],
}
# Results axe could not decide ("needs review") that must not be left undecided either.
DECIDABLE = {"color-contrast"}


@dataclass(frozen=True)
class Finding:
    who: str
    width: int
    url: str
    rule: str
    impact: str
    target: str
    summary: str
    undecided: bool = False

    def __str__(self) -> str:
        kind = "needs review" if self.undecided else self.impact
        return (
            f"{self.rule} ({kind}) as {self.who} at {self.width}px on {self.url}\n"
            f"    {self.target}: {self.summary}"
        )


def pages_to_check(documents: dict[str, dict[str, Document]]) -> dict[str, list[str]]:
    """``documents``: for each person, the whole HTML pages they reached. Returns, for each
    person, the URLs to check: for each route, its longest page (the one showing the most
    of what the template can show), unless that route rendered the same templates for an
    earlier person; and at least one page per person."""
    checked: set[tuple[str, tuple[str, ...]]] = set()
    pages: dict[str, list[str]] = {}
    for who, reached in documents.items():
        longest: dict[str, str] = {}  # route -> url
        for url, document in reached.items():
            route = route_of(url.partition("?")[0])
            if route not in longest or document.length > reached[longest[route]].length:
                longest[route] = url
        pages[who] = []
        for route, url in longest.items():
            key = (route, reached[url].templates)
            if key in checked and pages[who]:
                continue
            checked.add(key)
            pages[who].append(url)
    return pages


# axe leaves the contrast of SVG text undecided, always: it takes the <svg> behind the text
# for an image (axe-core issue 1819). The charts' text is checked here instead: its fill
# against what is behind it, the white halo it may have (paint-order: stroke) and the
# page behind the chart, each at least 4.5:1. Anything this cannot decide (a background
# image, see-through text) is a finding too.
SVG_TEXT_CONTRAST = r"""() => {
  const parse = (value) => {
    const m = /rgba?\(([^)]*)\)/.exec(value || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (top, below) => ({
    r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a),
    b: top.b * top.a + below.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const f = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The colour of the page behind an HTML element: its backgrounds, composed downwards.
  const behind = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;
      const c = parse(style.backgroundColor);
      if (c && c.a > 0) layers.push(c);
      if (c && c.a === 1) break;
    }
    return layers.reduceRight((below, top) => over(top, below), {r: 255, g: 255, b: 255, a: 1});
  };
  const name = (c) => `rgb(${[c.r, c.g, c.b].map(Math.round).join(", ")})`;
  const found = [];
  document.querySelectorAll("svg text").forEach((text) => {
    if (!text.getClientRects().length || !text.textContent.trim()) return;
    const style = getComputedStyle(text);
    const svg = text.ownerSVGElement;
    const page = svg && behind(svg.parentElement);
    const fill = parse(style.fill);
    const where = `${text.textContent.trim().slice(0, 40)} (${svg && svg.getAttribute("class")})`;
    if (!page || !fill || Number(style.fillOpacity) * Number(style.opacity) < 1 || fill.a < 1) {
      found.push(`${where}: cannot tell its contrast (fill ${style.fill})`);
      return;
    }
    const backgrounds = [page];
    const halo = parse(style.stroke);
    if (halo && halo.a === 1 && style.paintOrder.startsWith("stroke")
        && parseFloat(style.strokeWidth) >= 2) backgrounds.push(halo);
    for (const background of backgrounds) {
      const r = ratio(fill, background);
      if (r < 4.5) found.push(`${where}: ${name(fill)} on ${name(background)}: ${r.toFixed(2)}:1`);
    }
  });
  return found;
}"""


def _svg_text(node: dict) -> bool:
    """Whether axe's node is the text of an SVG (which SVG_TEXT_CONTRAST decides)."""
    return str(node.get("html", "")).lstrip().startswith(("<text", "<tspan"))


def findings(result: dict, who: str, width: int, url: str) -> list[Finding]:
    """Every node of every violation, and of every undecided rule that must be decided."""
    return [
        Finding(
            who=who,
            width=width,
            url=url,
            rule=rule["id"],
            impact=rule.get("impact") or "",
            target=" ".join(str(t) for t in node["target"]),
            summary=(node.get("failureSummary") or rule["help"]).replace("\n", " "),
            undecided=undecided,
        )
        for kind, undecided in (("violations", False), ("incomplete", True))
        for rule in result[kind]
        if not undecided or rule["id"] in DECIDABLE
        for node in rule["nodes"]
        if not (undecided and _svg_text(node))
    ]


def test_every_crawled_page_as_every_person_passes_axe_at_both_widths(browser, live_server):
    began = time.monotonic()
    with demo_settings():
        log.info("seed_demo: %.1fs", seed_demo())
        clients = {who: client_for(who) for who in PEOPLE}
        documents = {
            who: crawl(clients[who], who, starts_for(who, api=False)).documents for who in PEOPLE
        }
        crawled = time.monotonic()
        pages = pages_to_check(documents)
        axe = Axe()
        found: list[Finding] = []
        runs = 0
        for who, urls in pages.items():
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
            session = clients[who].cookies.get(settings.SESSION_COOKIE_NAME)
            if session is not None:
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": session.value,
                            "url": live_server.url,
                        }
                    ]
                )
            page = context.new_page()
            for url in urls:
                page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
                page.goto(f"{live_server.url}{url}")
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    result = axe.run(page, options=AXE_OPTIONS).response
                    found += findings(result, who, width, url)
                    found += [
                        Finding(who, width, url, "svg-text-contrast", "serious", "svg text", why)
                        for why in page.evaluate(SVG_TEXT_CONTRAST)
                    ]
                    runs += 1
            context.close()
    log.info(
        "%d pages (%s) x %d widths = %d axe runs; crawl %.1fs, axe %.1fs",
        sum(len(urls) for urls in pages.values()),
        ", ".join(f"{who} {len(urls)}" for who, urls in pages.items()),
        len(WIDTHS),
        runs,
        crawled - began,
        time.monotonic() - crawled,
    )
    for who, urls in pages.items():
        log.info("%s: %s", who, " ".join(urls))
    assert all(pages.values()), pages
    assert not found, f"{len(found)} accessibility findings:\n" + "\n".join(map(str, found))
