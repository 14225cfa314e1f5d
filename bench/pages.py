"""Benchmark: whole pages through Django, beside a raw WSGI app for the same rows, at 1× and
10× the demo.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reentry_pages \\
    .venv/bin/python bench/pages.py            # --quick for a short run

For each ``--scales`` (default 1 and 10) it runs itself in a child process on a database
of its own (``<name>_1x``, ``<name>_10x``, created when missing), which it builds once
(``--rebuild`` to start again): ``seed_demo``, then for N > 1 the demo's organizations,
members (with their accounts), action items, quick wins and observations copied N−1 more
times (``scale_up`` below). The child serves both apps in-process, with DEBUG off: the
project's WSGI handler (``reentry.wsgi``, every middleware, a session cookie of a signed-in
backbone staff member), and a raw WSGI function that runs one hand-written psycopg query
for the same 25 rows and answers HTML of the same size. In alternating rounds it times
``--requests`` requests of each and prints, per page, Django's req/s over the raw app's
(one over the other's median time), Django's p50 latency, the queries the page ran and
its size.

``--http`` serves both apps with gunicorn (2 sync workers each) and times them with wrk in
alternating rounds instead, as issue 18 measured.

Signed-in list pages and public pages are kept whole (``reentry/pagecache.py``), and wrk
asks for the same page again and again, so those figures are a kept page's; ``--cold``
turns keeping off (``KEPT_PAGES=false``) to time a page rendered on every request. The
queries column gives both ("7, kept 1"). Set ``REDIS_URL`` to time with Redis as the cache,
as production runs (each scale clears it first); without it each worker has its own.

``--profile PAGE`` prints a pyinstrument call tree of ``--requests`` requests of one page
instead.
PostgreSQL only. Compare ratios, not absolute numbers: the machine is shared.
"""

import argparse
import copy
import html
import io
import json
import os
import statistics
import subprocess
import sys
import time
import types
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    "hello",
    "organizations",
    "members",
    "quick_wins",
    "action_items",
    "scorecard",
    "indicator",
    "home",
    "public_directory",
    "public_quick_wins",
    "public_dashboard",
]


def _database_url(base: str, scale: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path}_{scale}x"))


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def parent(args: argparse.Namespace) -> None:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its name is the prefix used).")
    results: dict[int, dict] = {}
    print(f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    for scale in args.scales:
        url = _database_url(base, scale)
        _ensure_database(url)
        env = dict(os.environ, DATABASE_URL=url)
        command = [sys.executable, __file__, "--child", "--scale", str(scale)]
        command += ["--rounds", str(args.rounds), "--requests", str(args.requests)]
        command += ["--pages", *args.pages]
        if args.cold:
            env["KEPT_PAGES"] = "false"
        if args.http:
            command += ["--http", "--seconds", str(args.seconds)]
            command += ["--connections", str(args.connections)]
        if args.rebuild:
            command.append("--rebuild")
        if args.profile or args.sql or args.middleware:
            if args.profile:
                command += ["--profile", args.profile]
            elif args.sql:
                command += ["--sql", args.sql]
            else:
                command += ["--middleware"]
            subprocess.run(command, env=env, check=True)  # noqa: S603 (this script, again)
            return
        out = subprocess.run(  # noqa: S603 (this script, again)
            command, env=env, check=True, stdout=subprocess.PIPE, text=True
        )
        results[scale] = json.loads(out.stdout.strip().splitlines()[-1])
    scales = sorted(results)
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    if args.http:
        for s in scales:
            for page in args.pages:
                r = results[s][page]
                print(
                    f"{s}× {page}: Django {r['rate']:.1f} req/s p50 {r['p50']:.1f} ms, "
                    f"raw {r['raw_rate']:.1f} req/s p50 {r['raw_p50']:.2f} ms"
                )
    print()
    head = "| page | " + " | ".join(
        f"{s}×: Django ÷ raw req/s | {s}×: p50 ms | {s}×: queries | {s}×: KB" for s in scales
    )
    if len(scales) > 1:
        head += f" | p50 {scales[-1]}× ÷ {scales[0]}×"
    print(head + " |")
    print("|---" * (head.count("|")) + "|")
    for page in args.pages:
        cells = []
        for s in scales:
            r = results[s][page]
            cells += [f"{r['ratio']:.3f}", f"{r['p50']:.1f}", str(r["queries"]), f"{r['kb']:.0f}"]
            if not args.http:
                cells[-3] += f" (CPU {r['cpu']:.1f})"
        line = f"| {page} | " + " | ".join(cells)
        if len(scales) > 1:
            line += f" | {results[scales[-1]][page]['p50'] / results[scales[0]][page]['p50']:.2f}"
        print(line + " |")


# --- The child: build, serve, time -------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-pages-not-a-secret-" + "x" * 40)
    os.environ["ALLOWED_HOSTS"] = "localhost"
    os.environ["MFA_ENFORCE"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reentry.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = _bench_urlconf()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Each scale is its own database but may share one Redis: nothing kept for the
    # other scale (a page version, a kept page) may answer here.
    from django.core.cache import cache

    cache.clear()
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest
    build(args.scale, rebuild=args.rebuild)
    setup = _setup()
    if args.profile:
        profile(setup, args.profile, args.requests)
        return
    if args.sql:
        show_sql(setup, args.sql)
        return
    if args.middleware:
        middleware_costs(setup, args.pages, args.requests)
        return
    if args.http:
        results = http(setup, args.pages, args.rounds, args.seconds, args.connections)
    else:
        results = {page: measure(setup, page, args.rounds, args.requests) for page in args.pages}
    print(json.dumps(results))


def _bench_urlconf() -> str:
    """The project's URLs plus /bench/hello/: a signed-in view that says hello (the floor
    every signed-in page stands on: session, user, middleware)."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import include, path

    @login_required
    def hello(request):
        return HttpResponse(f"<p>Hello, {html.escape(request.user.name)}</p>")

    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [path("bench/hello/", hello), path("", include("reentry.urls"))]  # type: ignore[attr-defined]
    module.handler404 = "reentry.site.views.not_found"  # type: ignore[attr-defined]
    module.handler403 = "reentry.site.views.permission_denied"  # type: ignore[attr-defined]
    module.handler500 = "reentry.site.views.server_error"  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return module.__name__


DEMO_SLUG = "cedar-river"
DEMO_DOMAIN = "demo.reentry.test"


def build(scale: int, *, rebuild: bool) -> None:
    from stakeholders.models import Collaborative, Organization

    collab = Collaborative.objects.filter(slug=DEMO_SLUG).first()
    if collab and not rebuild:
        count = Organization.objects.filter(collaborative=collab).count()
        if count >= 25 * scale:
            return
    from django.core.management import call_command
    from django.db import connection

    if rebuild or collab is None:
        call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", force=True, stdout=io.StringIO())
        sys.stderr.write(f"seed_demo: {time.perf_counter() - started:.0f} s\n")
    if scale > 1:
        started = time.perf_counter()
        scale_up(Collaborative.objects.get(slug=DEMO_SLUG), scale)
        sys.stderr.write(f"scale_up ×{scale}: {time.perf_counter() - started:.0f} s\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _shift_years(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def scale_up(collab, scale: int) -> None:
    """Copy the demo's organizations, members (and their accounts), action items, quick
    wins, observations, gatherings and stipend lines scale−1 more times into the same
    collaborative. Organizations and members are saved one by one (their sharing groups);
    the rest in bulk."""
    import uuid
    from datetime import timedelta

    from django.db import transaction

    from indicators.models import Observation
    from reentry.sharing.groups import sync_user_groups
    from reentry.stipends.models import StipendLine
    from stakeholders.models import Member, Organization, User
    from workgroups.models import ActionItem, Meeting
    from workgroups.quickwins.models import QuickWin

    with transaction.atomic():
        organizations = list(Organization.objects.filter(collaborative=collab).order_by("pk"))
        members = list(Member.objects.filter(collaborative=collab).select_related("user"))
        items = list(ActionItem.objects.filter(collaborative=collab))
        quick_wins = list(QuickWin.objects.filter(collaborative=collab))
        observations = list(Observation.objects.filter(dataset__collaborative=collab))
        meetings = list(Meeting.objects.filter(collaborative=collab))
        stipend_lines = list(StipendLine.objects.filter(collaborative=collab))
        org_areas = Organization.key_areas.through
        qw_areas = QuickWin.key_areas.through
        org_area_rows = list(org_areas.objects.filter(organization__collaborative=collab))
        qw_area_rows = list(qw_areas.objects.filter(quickwin__collaborative=collab))
        for k in range(1, scale):
            org_map: dict[int, int] = {}
            for org in organizations:
                old = org.pk
                clone = Organization(
                    collaborative=collab,
                    slug=f"{org.slug[:72]}-x{k}",
                    name=f"{org.name} ({k + 1})",
                    sector_id=org.sector_id,
                    description=org.description,
                    email=org.email,
                    phone=org.phone,
                    website=org.website,
                    sharing_level=org.sharing_level,
                )
                clone.save()
                org_map[old] = clone.pk
            org_areas.objects.bulk_create(
                org_areas(organization_id=org_map[r.organization_id], keyarea_id=r.keyarea_id)
                for r in org_area_rows
            )
            users = User.objects.bulk_create(
                User(
                    email=f"x{k}.{m.user.email}",
                    name=m.user.name,
                    preferred_language=m.user.preferred_language,
                    password="!",  # noqa: S106 (an unusable password)
                )
                for m in members
            )
            member_map: dict[int, int] = {}
            for m, user in zip(members, users, strict=True):
                clone_member = Member(
                    user=user,
                    collaborative=collab,
                    role=m.role,
                    organization_id=org_map.get(m.organization_id),
                    title=m.title,
                    lived_experience=m.lived_experience,
                    lived_experience_visibility=m.lived_experience_visibility,
                )
                clone_member.save()
                member_map[m.pk] = clone_member.pk
            for user in users:
                sync_user_groups(user)
            new_items = []
            for original in items:
                item = copy.copy(original)
                item.pk = None
                item.public_id = uuid.uuid4()
                item.title = f"{item.title[:190]} ({k + 1})"
                if item.owner_organization_id:
                    item.owner_organization_id = org_map.get(item.owner_organization_id)
                if item.owner_member_id:
                    item.owner_member_id = member_map.get(item.owner_member_id)
                new_items.append(item)
            ActionItem.objects.bulk_create(new_items)
            qw_map: dict[int, int] = {}
            for original in quick_wins:
                quick_win = copy.copy(original)
                quick_win.pk = None
                quick_win.public_id = uuid.uuid4()
                if quick_win.owner_organization_id:
                    quick_win.owner_organization_id = org_map.get(quick_win.owner_organization_id)
                if quick_win.proposer_id:
                    quick_win.proposer_id = member_map.get(quick_win.proposer_id)
                quick_win.save()
                qw_map[original.pk] = quick_win.pk
            qw_areas.objects.bulk_create(
                qw_areas(quickwin_id=qw_map[r.quickwin_id], keyarea_id=r.keyarea_id)
                for r in qw_area_rows
            )
            shifted = []
            for original in observations:
                obs = copy.copy(original)
                obs.pk = None
                obs.period_start = _shift_years(obs.period_start, 6 * k)
                obs.period_end = _shift_years(obs.period_end, 6 * k)
                shifted.append(obs)
            Observation.objects.bulk_create(shifted, batch_size=2000)
            # Gatherings of the same groups, six years earlier per copy (so the upcoming
            # ones stay the demo's), and their stipend lines paid to the copied members.
            back = timedelta(weeks=313 * k)
            new_meetings = []
            for original in meetings:
                meeting = copy.copy(original)
                meeting.pk = None
                meeting.public_id = uuid.uuid4()
                meeting.starts_at -= back
                meeting.ends_at -= back
                new_meetings.append(meeting)
            Meeting.objects.bulk_create(new_meetings)
            meeting_map = {a.pk: b.pk for a, b in zip(meetings, new_meetings, strict=True)}
            new_lines = []
            for original in stipend_lines:
                line = copy.copy(original)
                line.pk = None
                line.public_id = uuid.uuid4()
                line.member_id = member_map[line.member_id]
                line.meeting_id = meeting_map.get(line.meeting_id) if line.meeting_id else None
                line.session_id = None  # one line per mentoring session: not copied
                line.date = line.date - back
                new_lines.append(line)
            StipendLine.objects.bulk_create(new_lines, batch_size=2000)


class Setup(types.SimpleNamespace):
    pass


def _setup() -> Setup:
    """The pages' URLs, the signed-in cookie, and each page's raw query."""
    import psycopg
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from indicators.models import Indicator, Observation
    from stakeholders.models import Collaborative, KeyArea, Member, Organization, Sector
    from workgroups.models import ActionItem, WorkingGroup
    from workgroups.quickwins.models import QuickWin

    collab = Collaborative.objects.get(slug=DEMO_SLUG)
    user = get_user_model().objects.get(email=f"backbone@{DEMO_DOMAIN}")
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    group = (
        WorkingGroup.objects.filter(collaborative=collab)
        .annotate(n=Count("action_items"))
        .order_by("-n")
        .first()
    )
    area = (
        KeyArea.objects.filter(collaborative=collab, indicators__isnull=False)
        .order_by("order")
        .first()
    )
    indicator = (
        Indicator.objects.filter(collaborative=collab, key_area=area)
        .annotate(n=Count("observations"))
        .order_by("-n")
        .first()
    )
    t = {
        m.__name__: m._meta.db_table
        for m in (
            Organization,
            Sector,
            Member,
            get_user_model(),
            ActionItem,
            QuickWin,
            Observation,
            Indicator,
        )
    }
    c = collab.pk
    raw = {
        "hello": (
            f"SELECT u.name FROM django_session s JOIN {t['User']} u ON u.id = %s "
            "WHERE s.session_key = %s",
            [user.pk, cookie.split("=", 1)[1]],
        ),
        "organizations": (
            f"SELECT o.name, o.description, s.name FROM {t['Organization']} o "
            f"JOIN {t['Sector']} s ON s.id = o.sector_id WHERE o.collaborative_id = %s "
            "ORDER BY o.name LIMIT 25",
            [c],
        ),
        "members": (
            f"SELECT u.name, m.role, m.title, o.name FROM {t['Member']} m "
            f"JOIN {t['User']} u ON u.id = m.user_id "
            f"LEFT JOIN {t['Organization']} o ON o.id = m.organization_id "
            "WHERE m.collaborative_id = %s AND m.is_active ORDER BY u.name LIMIT 25",
            [c],
        ),
        "quick_wins": (
            f"SELECT q.title, q.status, q.proposed_at FROM {t['QuickWin']} q "
            "WHERE q.collaborative_id = %s ORDER BY q.proposed_at DESC, q.id DESC LIMIT 25",
            [c],
        ),
        "action_items": (
            f"SELECT a.title, a.status, a.due_date, o.name FROM {t['ActionItem']} a "
            f"LEFT JOIN {t['Organization']} o ON o.id = a.owner_organization_id "
            "WHERE a.group_id = %s AND a.status <> 'done' ORDER BY a.due_date, a.id LIMIT 25",
            [group.pk],
        ),
        "scorecard": (
            f"SELECT DISTINCT ON (i.id) i.name, b.value, b.period_start FROM {t['Indicator']} i "
            f"JOIN {t['Observation']} b ON b.indicator_id = i.id AND b.breakdown_key = '' "
            "WHERE i.key_area_id = %s ORDER BY i.id, b.period_start DESC LIMIT 25",
            [area.pk],
        ),
        "indicator": (
            f"SELECT b.period_start, b.breakdown_key, b.value FROM {t['Observation']} b "
            "WHERE b.indicator_id = %s ORDER BY b.period_start DESC, b.breakdown_key LIMIT 25",
            [indicator.pk],
        ),
        "home": (
            f"SELECT o.name, o.description FROM {t['Organization']} o "
            "WHERE o.collaborative_id = %s ORDER BY o.name LIMIT 12",
            [c],
        ),
        "public_directory": (
            f"SELECT o.name, o.description FROM {t['Organization']} o "
            "WHERE o.collaborative_id = %s AND o.sharing_level = 'public' "
            "ORDER BY o.name LIMIT 25",
            [c],
        ),
        "public_quick_wins": (
            f"SELECT q.title, q.problem, q.done_at FROM {t['QuickWin']} q "
            "WHERE q.collaborative_id = %s AND q.status = 'done' "
            "ORDER BY q.done_at DESC, q.id DESC LIMIT 25",
            [c],
        ),
        # The public dashboard is compared with its own bytes served from memory.
        "public_dashboard": None,
    }
    s = DEMO_SLUG
    urls = {
        "hello": "/bench/hello/",
        "organizations": f"/c/{s}/organizations/",
        "members": f"/c/{s}/members/",
        "quick_wins": f"/c/{s}/quick-wins/",
        "action_items": f"/c/{s}/groups/{group.public_id}/action-items/",
        "scorecard": f"/c/{s}/indicators/dashboard/{area.slug}/",
        "indicator": f"/c/{s}/indicators/{indicator.public_id}/",
        "home": f"/c/{s}/",
        "overview": f"/c/{s}/overview/",
        "public_directory": f"/directory/{s}/",
        "public_quick_wins": f"/quick-wins/{s}/",
        "public_dashboard": f"/dashboard/{s}/",
    }
    from reentry.wsgi import application

    settings_dict = connection.settings_dict
    dsn = (
        f"dbname={settings_dict['NAME']} host={settings_dict['HOST']} "
        f"port={settings_dict['PORT'] or 5432} user={settings_dict['USER']}"
    )
    raw_conn = psycopg.connect(dsn, autocommit=True)
    return Setup(
        app=application,
        urls=urls,
        raw=raw,
        raw_conn=raw_conn,
        cookie=cookie,
        public={"public_directory", "public_quick_wins", "public_dashboard"},
    )


def _environ(url: str, cookie: str | None) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": url,
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_ACCEPT_LANGUAGE": "en",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def _call(app, environ: dict) -> tuple[str, bytes]:
    status, _headers, body = _call_full(app, environ)
    return status, body


def _call_full(app, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    answer: list = []

    def start_response(status, headers, exc_info=None):
        answer.extend([status, headers])

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return answer[0], answer[1], body


def _browser_cookie(setup: Setup, page: str) -> str | None:
    """The Cookie header a browser sends on its second visit: the session (signed-in pages),
    plus whatever the first answer set (the CSRF cookie, the language)."""
    cookie = None if page in setup.public else setup.cookie
    _status, headers, _body = _call_full(setup.app, _environ(setup.urls[page], cookie))
    jar = dict(pair.split("=", 1) for pair in cookie.split("; ")) if cookie else {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.split(";", 1)[0].partition("=")
            jar[key.strip()] = rest.strip()
    return "; ".join(f"{k}={v}" for k, v in jar.items()) or None


def _memory_app(data: bytes):
    """The same bytes, from memory: what a page kept whole could at best be served at."""

    def app(environ, start_response):
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))],
        )
        return [data]

    return app


def _raw_app(conn, sql: str, params: list, size: int):
    """One hand-written query, rows escaped into a table, padded to the Django page's size.
    ``conn`` is a connection or a function giving one (opened in each server process)."""

    def app(environ, start_response):
        db = conn() if callable(conn) else conn
        rows = db.execute(sql, params).fetchall()
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
            for row in rows
        )
        body = f"<!doctype html><html><body><table>{cells}</table></body></html>"
        body += " " * max(0, size - len(body.encode()))
        data = body.encode()
        start_response(
            "200 OK",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))],
        )
        return [data]

    return app


def _page_facts(setup: Setup, page: str) -> tuple[str | None, bytes, int | str]:
    """The browser's cookie for the page, the page's bytes, and the queries a request that
    renders it runs (and, where a kept page is served again with fewer, "7, kept 1")."""
    from django.db import connection
    from django.test.utils import override_settings

    cookie = _browser_cookie(setup, page)
    url = setup.urls[page]
    status, body = _call(setup.app, _environ(url, cookie))
    if not status.startswith("200"):
        raise SystemExit(f"{page}: {url} answered {status}")

    def counted(**settings) -> int:
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with override_settings(**settings), connection.execute_wrapper(count):
            _call(setup.app, _environ(url, cookie))
        return len(queries)

    rendered = counted(KEPT_PAGES=False)
    counted()  # kept now, if the page is kept at all
    kept = counted()
    return cookie, body, rendered if kept == rendered else f"{rendered}, kept {kept}"


def measure(setup: Setup, page: str, rounds: int, requests: int) -> dict:
    cookie, body, queries = _page_facts(setup, page)
    url = setup.urls[page]
    if setup.raw[page] is None:
        raw = _memory_app(body)
    else:
        sql, params = setup.raw[page]
        raw = _raw_app(setup.raw_conn, sql, params, len(body))
    _call(raw, _environ(url, None))
    times: dict[str, list[float]] = {"django": [], "raw": []}
    cpu: list[float] = []
    for r in range(rounds):
        order = [("django", setup.app, cookie), ("raw", raw, None)]
        if r % 2:
            order.reverse()
        for name, app, c in order:
            for _ in range(requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                _call(app, _environ(url, c))
                times[name].append(time.perf_counter() - started)
                if name == "django":
                    cpu.append(time.process_time() - started_cpu)
    # Medians, not sums: on a shared machine one stalled request would swing a sum.
    django_p50 = statistics.median(times["django"])
    return {
        "ratio": statistics.median(times["raw"]) / django_p50,
        "p50": django_p50 * 1000,
        # This process's CPU time (not PostgreSQL's): far steadier than wall time on a
        # loaded machine, so the figure to compare two versions of a page by.
        "cpu": statistics.median(cpu) * 1000,
        "queries": queries,
        "kb": len(body) / 1024,
    }


# --- HTTP: gunicorn and wrk, as issue 18 measured --------------------------------------


def http_django():
    """gunicorn's app for the Django side (``pages:http_django()``): the project with the
    bench's URLconf (for /bench/hello/), DEBUG off, persistent database connections."""
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = _bench_urlconf()
    from reentry.wsgi import application

    return application


def http_raw():
    """gunicorn's app for the raw side (``pages:http_raw()``): per path, the page's one
    hand-written query (a connection per server process, kept) or its bytes from memory."""
    import psycopg

    spec = json.loads(Path(os.environ["BENCH_PAGES_SPEC"]).read_text())
    conn: list = []

    def connection():
        if not conn:
            conn.append(psycopg.connect(spec["dsn"], autocommit=True))
        return conn[0]

    apps = {}
    for entry in spec["pages"].values():
        if entry["sql"] is None:
            apps[entry["url"]] = _memory_app(Path(entry["body_file"]).read_bytes())
        else:
            apps[entry["url"]] = _raw_app(connection, entry["sql"], entry["params"], entry["size"])

    def app(environ, start_response):
        return apps[environ["PATH_INFO"]](environ, start_response)

    return app


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gunicorn(app: str, env: dict) -> tuple[subprocess.Popen, int]:
    import socket

    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync"]
    command += ["--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning"]
    command += ["--pythonpath", str(ROOT / "bench"), app]
    process = subprocess.Popen(command, env=env)  # noqa: S603 (gunicorn, from this venv)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app} stopped") from None
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"gunicorn {app} did not start")


def _get(port: int, url: str, cookie: str | None, *, times: int) -> None:
    import http.client

    headers = {"Host": "localhost", "X-Forwarded-Proto": "https", "Accept-Language": "en"}
    if cookie:
        headers["Cookie"] = cookie
    for _ in range(times):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status} over HTTP")


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(port: int, url: str, cookie: str | None, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    command += ["-H", "Host: localhost", "-H", "X-Forwarded-Proto: https"]
    command += ["-H", "Accept-Language: en"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{url}")
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    if os.environ.get("BENCH_WRK_VERBOSE"):
        sys.stderr.write(out)
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk on {url}: errors\n{out}")
    rate = p50 = None
    for line in out.splitlines():
        words = line.split()
        if line.startswith("Requests/sec:"):
            rate = float(words[1])
        elif words[:1] == ["50%"]:
            value = words[1]
            unit = next(u for u in ("us", "ms", "s") if value.endswith(u))
            p50 = float(value.removesuffix(unit)) * _WRK_UNITS[unit]
    if rate is None or p50 is None:
        raise SystemExit(f"wrk: could not read\n{out}")
    return {"rate": rate, "p50": p50}


def http(setup: Setup, pages: list[str], rounds: int, seconds: int, connections: int) -> dict:
    """Serve both sides with gunicorn (2 sync workers each) and time each page with wrk in
    alternating rounds (Django then raw, raw then Django, …)."""
    import tempfile

    from django.db import connection

    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    facts: dict[str, dict] = {}
    spec_pages = {}
    for page in pages:
        cookie, body, queries = _page_facts(setup, page)
        facts[page] = {"cookie": cookie, "queries": queries, "kb": len(body) / 1024}
        entry = {"url": setup.urls[page], "size": len(body), "sql": None, "params": None}
        if setup.raw[page] is None:
            entry["body_file"] = str(folder / f"{page}.html")
            Path(entry["body_file"]).write_bytes(body)
        else:
            entry["sql"], entry["params"] = setup.raw[page]
        spec_pages[page] = entry
    s = connection.settings_dict
    dsn = f"dbname={s['NAME']} host={s['HOST']} port={s['PORT'] or 5432} user={s['USER']}"
    spec_file = folder / "spec.json"
    spec_file.write_text(json.dumps({"dsn": dsn, "pages": spec_pages}))
    env = dict(os.environ, BENCH_PAGES_SPEC=str(spec_file), DB_CONN_MAX_AGE="600")
    django_server, django_port = _gunicorn("pages:http_django()", env)
    raw_server, raw_port = _gunicorn("pages:http_raw()", env)
    results = {}
    try:
        # Each worker loads the app, the URLconf and the templates on its first requests
        # (seconds): answer a few of every page on both sides before timing anything.
        for page in pages:
            _get(django_port, setup.urls[page], facts[page]["cookie"], times=6)
            _get(raw_port, setup.urls[page], None, times=2)
        for page in pages:
            url, cookie = setup.urls[page], facts[page]["cookie"]
            sides = {"django": (django_port, cookie), "raw": (raw_port, None)}
            for port, c in sides.values():  # warm up: imports, caches, connections
                _wrk(port, url, c, 2, connections)
            runs: dict[str, list[dict]] = {"django": [], "raw": []}
            for r in range(rounds):
                order = ["django", "raw"] if r % 2 == 0 else ["raw", "django"]
                for name in order:
                    port, c = sides[name]
                    runs[name].append(_wrk(port, url, c, seconds, connections))
            ratios = [
                d["rate"] / w["rate"] for d, w in zip(runs["django"], runs["raw"], strict=True)
            ]
            results[page] = {
                "ratio": statistics.median(ratios),
                "p50": statistics.median(run["p50"] for run in runs["django"]),
                "raw_p50": statistics.median(run["p50"] for run in runs["raw"]),
                "rate": statistics.median(run["rate"] for run in runs["django"]),
                "raw_rate": statistics.median(run["rate"] for run in runs["raw"]),
                "queries": facts[page]["queries"],
                "kb": facts[page]["kb"],
            }
            sys.stderr.write(f"{page}: {json.dumps(results[page])}\n")
    finally:
        for server in (django_server, raw_server):
            server.terminate()
            server.wait(timeout=30)
    return results


def profile(setup: Setup, page: str, requests: int) -> None:
    """pyinstrument's call tree of ``requests`` requests of one page (the [dev] extra)."""
    from pyinstrument import Profiler

    cookie = _browser_cookie(setup, page)
    url = setup.urls[page]
    _call(setup.app, _environ(url, cookie))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        _call(setup.app, _environ(url, cookie))
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


_LAYERS: list[list[float]] = []


class _Shim:
    """Put between two middlewares by ``middleware_costs``: notes the CPU clock when the
    request passes inward and when the response passes back out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _LAYERS.append([time.process_time(), 0.0])
        mark = _LAYERS[-1]
        response = self.get_response(request)
        mark[1] = time.process_time()
        return response


def middleware_costs(setup: Setup, pages: list[str], requests: int) -> None:
    """CPU time of each middleware per request (its own part, in and out, without the
    layers inside it), beside the view's, median of ``requests`` requests per page. A
    lazy thing (the session, the user) is charged to the first layer that touches it."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    names = list(settings.MIDDLEWARE)
    shim = f"{__name__}._Shim"
    sys.modules.setdefault(__name__, sys.modules["__main__"])
    settings.MIDDLEWARE = [x for name in names for x in (shim, name)] + [shim]
    app = WSGIHandler()
    rows = [*(n.rsplit(".", 1)[-1] for n in names), "(the view)", "(the whole request)"]
    table: dict[str, list[float]] = {}
    for page in pages:
        cookie = _browser_cookie(setup, page)
        url = setup.urls[page]
        samples: list[list[float]] = []
        for i in range(requests + 3):
            _LAYERS.clear()
            started = time.process_time()
            _call(app, _environ(url, cookie))
            ended = time.process_time()
            if i < 3 or len(_LAYERS) != len(names) + 1:
                continue  # warming up, or answered by a middleware before the view
            cost = []
            for k in range(len(names)):
                inward = _LAYERS[k + 1][0] - _LAYERS[k][0]
                outward = _LAYERS[k][1] - _LAYERS[k + 1][1]
                cost.append(inward + outward)
            cost.append(_LAYERS[-1][1] - _LAYERS[-1][0])
            cost.append(ended - started)
            samples.append(cost)
        table[page] = [statistics.median(c[j] for c in samples) * 1000 for j in range(len(rows))]
    settings.MIDDLEWARE = names
    print("| CPU ms per request | " + " | ".join(pages) + " |")
    print("|---" * (len(pages) + 1) + "|")
    for j, row in enumerate(rows):
        print(f"| {row} | " + " | ".join(f"{table[p][j]:.2f}" for p in pages) + " |")


def show_sql(setup: Setup, page: str) -> None:
    """Each query one request of the page runs, with its time (the second request)."""
    from django.db import connection

    cookie = None if page in setup.public else setup.cookie
    _call(setup.app, _environ(setup.urls[page], cookie))
    spent: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - started, sql))

    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        _call(setup.app, _environ(setup.urls[page], cookie))
    total = time.perf_counter() - started
    for seconds, sql in spent:
        print(f"{seconds * 1000:7.1f} ms  {sql[:600]}")
    in_sql = sum(s for s, _ in spent) * 1000
    print(f"{in_sql:.1f} ms in {len(spent)} queries; the request {total * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=20, help="requests per round")
    parser.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES)
    parser.add_argument("--quick", action="store_true", help="2 rounds of 5 requests")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--http", action="store_true", help="gunicorn (2 sync workers each side) and wrk"
    )
    parser.add_argument("--seconds", type=int, default=4, help="--http: seconds per wrk run")
    parser.add_argument("--connections", type=int, default=2, help="--http: wrk connections")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="render every request (KEPT_PAGES off): the cost of a page nobody has kept",
    )
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument(
        "--middleware", action="store_true", help="each middleware's CPU time per request"
    )
    parser.add_argument("--sql", choices=PAGES, help="print one request's queries and times")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.requests, args.seconds = 2, 5, 2
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
