"""Sessions: the mentor's one-screen log (made for a phone), and the coordinator's
approval page, where approving makes the stipend lines. Access → service → render."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mentorship import access, selectors
from mentorship.forms.matches import RejectSessionsForm, SessionLogForm
from mentorship.models import Match, Session
from mentorship.services import sessions
from mentorship.views.base import error_text
from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view

PAGE_SIZE = 50
Status = Session.Status


@collaborative_view()
def session_log(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Log a session in under a minute: today, an hour, in person are already chosen."""
    matches = (
        selectors.sessions_loggable_by(request.user)
        .filter(program__collaborative=request.collaborative)
        .select_related("mentee", "program__collaborative")
        .order_by("mentee__name", "pk")
    )
    choices = list(matches)
    if not choices:
        return render(
            request,
            "mentorship/sessions/log.html",
            {"collaborative": request.collaborative, "member": request.member, "form": None},
        )
    wanted = request.GET.get("match")
    chosen = next((m for m in choices if str(m.public_id) == wanted), choices[0])
    today = chosen.program.collaborative.today()
    form = SessionLogForm(
        request.POST or None,
        matches=matches,
        collaborative=request.collaborative,
        initial={"on": today, "match": chosen.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        match: Match = data["match"]
        try:
            session = sessions.session_log(
                actor=request.member,
                match=match,
                on=data["on"],
                minutes=data["minutes"],
                mode=data["mode"],
                key_areas=data["key_areas"],
                topics=data["topics"],
                goals_progress=data["goals_progress"],
                notes=data["notes"],
                private=data["private"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("match", _("Choose one of your matches."))
        else:
            messages.success(
                request,
                _("Session logged: %(d)s, %(m)s minutes. The coordinator will approve it.")
                % {
                    "d": formats.date_format(session.date, "SHORT_DATE_FORMAT"),
                    "m": session.minutes,
                },
            )
            return redirect(
                "mentorship:match",
                slug=slug,
                program_id=match.program.public_id,
                match_id=match.public_id,
            )
    return render(
        request,
        "mentorship/sessions/log.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "form": form,
            "single": len(choices) == 1,
            "chosen": chosen,
        },
    )


@collaborative_view()
def session_review(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    """The program's sessions, waiting ones first, to approve or turn down in bulk."""
    program = access.access_program(request, program_id, action="coordinate")
    status = request.GET.get("status", Status.LOGGED)
    rows = (
        selectors.sessions_visible_to(request.user)
        .filter(match__program=program)
        .select_related("match__mentor__applicant__member", "match__mentee", "logged_by")
        .prefetch_related("key_areas")
        .order_by("date", "pk")
    )
    if status in Status.values:
        rows = rows.filter(status=status)
    else:
        status = ""
        rows = rows.order_by("-date", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [{"session": s, "own": access.is_mentor_in(request.member, s.match)} for s in page]
    return render(
        request,
        "mentorship/sessions/review.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "program": program,
            "page": page,
            "items": items,
            "status": status,
            "statuses": Status.choices,
            "reject_form": RejectSessionsForm(),
        },
    )


@require_POST
@collaborative_view()
def session_decide(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    program = access.access_program(request, program_id, action="coordinate")
    back = reverse("mentorship:sessions", kwargs={"slug": slug, "program_id": program.public_id})
    ids = request.POST.getlist("session")
    if not ids:
        messages.error(request, _("Tick the sessions first."))
        return redirect(back)
    try:
        if request.POST.get("action") == "reject":
            form = RejectSessionsForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            n = sessions.sessions_reject(
                actor=request.member,
                program=program,
                session_ids=ids,
                reason=reason,
                request=request,
            )
            messages.success(request, _("Turned down: %(n)s.") % {"n": n})
        else:
            result = sessions.sessions_approve(
                actor=request.member, program=program, session_ids=ids, request=request
            )
            messages.success(
                request,
                ngettext(
                    "Approved %(n)s session: $%(total)s in stipends, on the mentors’ statements.",
                    "Approved %(n)s sessions: $%(total)s in stipends, on the mentors’ statements.",
                    result.approved,
                )
                % {"n": result.approved, "total": f"{result.total:.2f}"},
            )
            if result.without_account:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s mentor has no account, so no stipend line was made. "
                        "Link their application to an account to pay them.",
                        "%(n)s mentors have no account, so no stipend lines were made. "
                        "Link their applications to accounts to pay them.",
                        result.without_account,
                    )
                    % {"n": result.without_account},
                )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    except PermissionDenied:
        messages.error(request, _("Only the program's coordinators can do that."))
    return redirect(back)
