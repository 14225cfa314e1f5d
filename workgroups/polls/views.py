"""Poll pages: the list, setting a poll up, voting, results, paper ballots.

Access → service → render. Every poll is fetched through ``access.access_poll``
(404 when this person does not see it; 403 when they may not manage it). Nothing here
shows who chose what in a secret poll: the only ballot a page reads back is the
signed-in person's own.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reentry.forms import apply_errors
from stakeholders.access import CollaborativeRequest, collaborative_view
from workgroups import services
from workgroups.polls import selectors
from workgroups.polls import services as polls
from workgroups.polls.access import EDITABLE_STATUSES, access_poll, can_manage, voter_refusal
from workgroups.polls.forms import BallotForm, PaperVoterForm, PollForm
from workgroups.polls.models import Ballot, BallotContent, Poll
from workgroups.polls.results import (
    results_for,
    results_visible,
    secret_results_held,
    turnout,
)
from workgroups.polls.voting import TIE_BREAK_RULE_TEXT

PAGE_SIZE = 25


def _context(request: CollaborativeRequest, **extra) -> dict:
    return {"collaborative": request.collaborative, "member": request.member, **extra}


def _posted(request: CollaborativeRequest):
    """The submitted data on a POST (even an empty one), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


# --- list -----------------------------------------------------------------------------


@collaborative_view()
def poll_list(request: CollaborativeRequest, slug: str) -> HttpResponse:
    member = request.member
    visible = (
        Poll.objects.visible_to(request.user)
        .filter(collaborative=request.collaborative)
        .select_related("group", "collaborative")
        .annotate(voted=Exists(Ballot.objects.filter(poll=OuterRef("pk"), voter=member)))
    )
    now = timezone.now()
    open_polls = list(visible.filter(status=Poll.Status.OPEN).order_by("closes_at", "pk"))
    coming = list(
        visible.filter(status__in=[Poll.Status.DRAFT, Poll.Status.SCHEDULED]).order_by(
            "opens_at", "pk"
        )
    )
    closed = Paginator(
        visible.filter(status=Poll.Status.CLOSED).order_by("-closed_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    can_create = selectors.manageable_groups(member).exists() or member.is_backbone
    return render(
        request,
        "workgroups/polls/poll_list.html",
        _context(
            request,
            open_polls=open_polls,
            coming=coming,
            closed=closed,
            can_create=can_create,
            now=now,
        ),
    )


# --- setting up -------------------------------------------------------------------------


def _save_poll(request: CollaborativeRequest, form: PollForm, poll: Poll | None) -> Poll | None:
    linked = form.linked_options()
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.source_names}
    labels = data.pop("labels")
    labels_es = data.pop("labels_es")
    data.pop("options_text", None)
    data.pop("options_text_es", None)
    quick_wins = list(data.pop("quick_wins") or [])
    try:
        if poll is None:
            group = data.pop("group")
            return polls.poll_create(
                actor=request.member,
                group=group,
                options=labels,
                options_es=labels_es,
                quick_wins=quick_wins,
                linked=linked,
                request=request,
                **data,
            )
        poll = polls.poll_update(actor=request.member, poll=poll, request=request, **data)
        polls.poll_set_options(
            actor=request.member,
            poll=poll,
            labels=labels,
            labels_es=labels_es,
            quick_wins=quick_wins,
            linked=linked,
        )
        return poll
    except ValidationError as exc:
        apply_errors(form, exc)
    return None


@collaborative_view()
def poll_create(request: CollaborativeRequest, slug: str) -> HttpResponse:
    member = request.member
    if member.is_backbone:
        services.whole_collaborative_group(collaborative=request.collaborative)
    groups = selectors.manageable_groups(member)
    if not groups.exists():
        raise PermissionDenied
    now = timezone.localtime()
    initial = {
        "opens_at": now.replace(second=0, microsecond=0),
        "closes_at": (now + timedelta(days=7)).replace(second=0, microsecond=0),
        "method": Poll.Method.APPROVAL,
    }
    wanted = request.GET.get("group")
    if wanted:
        chosen = groups.filter(public_id=wanted).first() if _is_uuid(wanted) else None
        if chosen is not None:
            initial["group"] = chosen.pk
    form = PollForm(
        _posted(request),
        groups=groups,
        collaborative=request.collaborative,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        poll = _save_poll(request, form, None)
        if poll is not None:
            messages.success(request, _("Poll saved. Check it over, then open it or schedule it."))
            return redirect(poll)
    return render(request, "workgroups/polls/poll_form.html", _context(request, form=form))


@collaborative_view()
def poll_edit(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    poll = access_poll(request, public_id, action="manage")
    if poll.status not in EDITABLE_STATUSES:
        messages.error(request, _("A poll cannot be changed once it has opened."))
        return redirect(poll)
    groups = selectors.manageable_groups(request.member)
    form = PollForm(
        _posted(request),
        instance=poll,
        groups=groups,
        collaborative=request.collaborative,
    )
    if request.method == "POST" and form.is_valid():
        # The ModelForm has set the fields on ``poll`` already; the service saves them.
        saved = _save_poll(request, form, Poll.objects.get(pk=poll.pk))
        if saved is not None:
            messages.success(request, _("Poll saved."))
            return redirect(saved)
    return render(
        request, "workgroups/polls/poll_form.html", _context(request, form=form, poll=poll)
    )


@require_POST
@collaborative_view()
def poll_open(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    poll = access_poll(request, public_id, action="manage")
    try:
        if request.POST.get("when") == "scheduled" and poll.opens_at > timezone.now():
            polls.poll_schedule(actor=request.member, poll=poll, request=request)
            messages.success(
                request,
                _("Scheduled. The poll opens by itself at %(when)s.")
                % {"when": _when(poll.opens_at)},
            )
        else:
            polls.poll_open(actor=request.member, poll=poll, request=request)
            messages.success(request, _("The poll is open. People can vote now."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(poll)


@require_POST
@collaborative_view()
def poll_close(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    poll = access_poll(request, public_id, action="manage")
    try:
        polls.poll_close(actor=request.member, poll=poll, request=request)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(poll)
    messages.success(request, _("The poll is closed and counted."))
    return redirect("polls:results", slug=slug, public_id=poll.public_id)


# --- the poll page and voting ------------------------------------------------------------


@collaborative_view()
def poll_detail(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    poll = access_poll(request, public_id)
    member = request.member
    ballot = (
        Ballot.objects.filter(poll=poll, voter=member).select_related("entered_by__user").first()
    )
    is_manager = can_manage(member, poll)
    return render(
        request,
        "workgroups/polls/poll_detail.html",
        _context(
            request,
            poll=poll,
            options=selectors.options_for(poll, member),
            ballot=ballot,
            refusal=voter_refusal(poll, member),
            is_manager=is_manager,
            ballots_cast=poll.ballots.count() if is_manager or poll.is_closed else None,
            eligible=selectors.electorate(poll).count() if is_manager else None,
        ),
    )


@collaborative_view()
def poll_vote(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    poll = access_poll(request, public_id)
    member = request.member
    refusal = voter_refusal(poll, member)
    options = selectors.options_for(poll, member)
    current = selectors.my_choices(poll, member) if refusal is None else None
    form = BallotForm(_posted(request), poll=poll, options=options, current=current)
    if request.method == "POST":
        if refusal is not None:
            messages.error(request, refusal)
            return redirect(poll)
        if form.is_valid():
            try:
                polls.ballot_cast(actor=member, poll=poll, choices=form.choices(), request=request)
            except PermissionDenied as exc:
                messages.error(request, str(exc) or _("You cannot vote in this poll."))
                return redirect(poll)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Your ballot is saved. You can change it until %(when)s.")
                    % {"when": _when(poll.closes_at)},
                )
                return redirect("polls:vote", slug=slug, public_id=poll.public_id)
    return render(
        request,
        "workgroups/polls/poll_vote.html",
        _context(
            request,
            poll=poll,
            form=form,
            refusal=refusal,
            has_voted=current is not None
            or Ballot.objects.filter(poll=poll, voter=member).exists(),
        ),
        status=400 if form.errors else 200,
    )


@collaborative_view()
def poll_results(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    poll = access_poll(request, public_id)
    results = results_for(poll, request.member)
    open_ballots = None
    if results is not None and not poll.is_secret:
        open_ballots = (
            BallotContent.objects.filter(ballot__poll=poll)
            .select_related("ballot__voter__user")
            .order_by("ballot__voter__user__name", "ballot__pk")
        )
    labels = {o.key: o.label for o in poll.options.all()}
    ballots_view = None
    if open_ballots is not None:
        ballots_view = [
            (
                c.ballot.voter if c.ballot is not None else None,
                _describe(poll, c.choices, labels),
            )
            for c in open_ballots
        ]
    return render(
        request,
        "workgroups/polls/poll_results.html",
        _context(
            request,
            poll=poll,
            results=results,
            held_below=(
                secret_results_held(poll) if results is None and results_visible(poll) else None
            ),
            turnout=(
                turnout(poll, selectors.electorate(poll), request.member)
                if results is not None
                else None
            ),
            tie_break_text=TIE_BREAK_RULE_TEXT,
            ballots_view=ballots_view,
        ),
    )


def _describe(poll: Poll, choices, labels: dict[str, str]) -> str:
    if poll.method == Poll.Method.DOTS:
        return ", ".join(f"{labels.get(k, '?')} ({n})" for k, n in dict(choices).items())
    if poll.method == Poll.Method.IRV:
        return " → ".join(labels.get(k, "?") for k in choices)
    return ", ".join(labels.get(k, "?") for k in choices)


# --- paper ballots --------------------------------------------------------------------------


@collaborative_view()
def poll_paper(request: CollaborativeRequest, slug: str, public_id) -> HttpResponse:
    """Staff type in paper ballots collected at a gathering, each for one person."""
    poll = access_poll(request, public_id, action="manage")
    options = list(poll.options.all())
    self_cast = Ballot.objects.filter(poll=poll, is_paper=False).values("voter_id")
    people = (
        selectors.electorate(poll)
        .exclude(pk__in=self_cast)
        .select_related("user")
        .order_by("user__name")
    )
    voter_form = PaperVoterForm(_posted(request), people=people)
    form = BallotForm(_posted(request), poll=poll, options=options)
    if request.method == "POST":
        if poll.status != Poll.Status.OPEN:
            messages.error(request, _("This poll is not open."))
            return redirect(poll)
        if voter_form.is_valid() and form.is_valid():
            voter = voter_form.cleaned_data["voter"]
            try:
                polls.ballot_cast(
                    actor=request.member,
                    voter=voter,
                    poll=poll,
                    choices=form.choices(),
                    request=request,
                )
            except (PermissionDenied, ValidationError) as exc:
                message = (_errors(exc) if isinstance(exc, ValidationError) else str(exc)) or _(
                    "This person cannot vote in this poll."
                )
                form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Paper ballot for %(name)s saved.") % {"name": voter.user.name},
                )
                return redirect("polls:paper", slug=slug, public_id=poll.public_id)
    entered = (
        Ballot.objects.filter(poll=poll, is_paper=True)
        .select_related("voter__user", "entered_by__user")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(entered, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workgroups/polls/poll_paper.html",
        _context(request, poll=poll, voter_form=voter_form, form=form, entered=page),
        status=400 if request.method == "POST" else 200,
    )
