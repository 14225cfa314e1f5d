"""Matching pages: suggestions for one mentee with every score explained, the waiting-list
proposal the coordinator edits before proposing, and accepting or declining a proposal."""

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mentorship import access, matching, selectors
from mentorship.models import Match, MenteeProfile, MentorProfile, Program
from mentorship.models.matches import OPEN_MATCH_STATUSES
from mentorship.services import proposals
from mentorship.views.base import page_context
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import KeyArea

SUGGESTIONS = 10
ALTERNATIVES = 5  # other mentors offered per row of the waiting-list proposal

TERM_LABELS = {
    "key_areas": gettext_lazy("Help with their needs"),
    "lived_experience": gettext_lazy("Lived experience"),
    "distance": gettext_lazy("Distance"),
    "interests": gettext_lazy("Shared interests"),
    "age": gettext_lazy("Age"),
}


def describe(term: matching.Term | dict, area_names: dict[int, str]) -> str:
    """One term of the fit in plain words, for the explanation table."""
    name = term.name if isinstance(term, matching.Term) else term["name"]
    facts = term.facts if isinstance(term, matching.Term) else term.get("facts", {})
    if name == "key_areas":
        if facts.get("no_needs"):
            return _("No needs listed, so any mentor fits.")
        shared = [area_names.get(a, "?") for a in facts.get("shared", [])]
        if not shared:
            return _("Cannot help with any of the %(n)s needs listed.") % {"n": facts["needed"]}
        return _("Can help with %(k)s of %(n)s needs: %(areas)s.") % {
            "k": len(shared),
            "n": facts["needed"],
            "areas": ", ".join(shared),
        }
    if name == "lived_experience":
        if not facts.get("wanted"):
            return _("The mentee did not ask for it.")
        return {
            "yes": _("Has lived experience, as the mentee wished."),
            "family": _("Lived experience through a family member."),
        }.get(facts.get("mentor", ""), _("No lived experience shared."))
    if name == "distance":
        if "km" in facts:
            return _("About %(km)s km apart.") % {"km": facts["km"]}
        if facts.get("unknown"):
            return _("Where one of them lives is not known.")
        return (
            _("Same neighbourhood.")
            if facts.get("same_neighbourhood")
            else _("Different neighbourhoods.")
        )
    if name == "interests":
        if not facts.get("shared"):
            return _("No interests in common.")
        return _("In common: %(words)s (%(k)s of %(n)s).") % {
            "words": ", ".join(facts["shared"]),
            "k": len(facts["shared"]),
            "n": facts["all"],
        }
    if name == "age":
        if facts.get("unknown"):
            return _("An age is not known.")
        steps = facts.get("steps", 0)
        if steps == 0:
            return _("Same age range.")
        return ngettext("%(n)s age range apart.", "%(n)s age ranges apart.", steps) % {"n": steps}
    return ""


@dataclass
class Row:
    name: str
    label: str
    weight: float
    value: float
    points: float
    text: str


def _rows(terms: Any, area_names: dict[int, str]) -> list[Row]:
    rows = []
    for term in terms:
        t = term if isinstance(term, dict) else term.__dict__
        rows.append(
            Row(
                t["name"],
                str(TERM_LABELS.get(t["name"], t["name"])),
                t["weight"],
                t["value"],
                t["points"],
                describe(term, area_names),
            )
        )
    return rows


def _area_names(program: Program) -> dict[int, str]:
    return dict(
        KeyArea.objects.filter(collaborative_id=program.collaborative_id).values_list("pk", "name")
    )


@collaborative_view()
def suggestions(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, mentee_id: uuid.UUID
) -> HttpResponse:
    """Ranked mentors for one mentee, each score explained term by term, and how many
    mentors each hard constraint ruled out."""
    program = access.access_program(request, program_id, action="coordinate")
    mentee = access.access_mentee(request, program, mentee_id)
    mentee_data = selectors.mentee_info(mentee, need_ids=mentee.needs.values_list("pk", flat=True))
    mentor_data, profiles = selectors.mentor_infos(selectors.matchable_mentors(program))
    no_contacts = selectors.no_contact_pairs(program)
    scoring = selectors.scoring_for(program)
    ranked = matching.suggest(mentee_data, mentor_data, scoring, no_contacts, limit=SUGGESTIONS)
    ruled_out: dict[str, int] = {}
    for mentor in mentor_data:
        for code in matching.hard_violations(mentor, mentee_data, no_contacts):
            ruled_out[code] = ruled_out.get(code, 0) + 1
    names = _area_names(program)
    open_match = (
        mentee.matches.filter(status__in=OPEN_MATCH_STATUSES)
        .select_related("mentor__applicant")
        .first()
    )
    return render(
        request,
        "mentorship/suggestions.html",
        page_context(
            request,
            program=program,
            mentee=mentee,
            needs=[names[a] for a in sorted(mentee_data.needs) if a in names],
            open_match=open_match,
            suggestions=[
                {"mentor": profiles[s.mentor_id], "score": s.score, "rows": _rows(s.terms, names)}
                for s in ranked
            ],
            ruled_out=[
                (str(proposals.HARD_CONSTRAINT_LABELS[code]), n)
                for code, n in sorted(ruled_out.items(), key=lambda kv: -kv[1])
            ],
            mentor_total=len(mentor_data),
            weights=[(str(TERM_LABELS[n]), scoring.weight(n)) for n in matching.TERMS],
        ),
    )


@require_POST
@collaborative_view()
def propose_one(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, mentee_id: uuid.UUID
) -> HttpResponseBase:
    program = access.access_program(request, program_id, action="coordinate")
    mentee = access.access_mentee(request, program, mentee_id)
    mentor_id = _uuid(request.POST.get("mentor"))
    mentor = (
        selectors.mentors_visible_to(request.user)
        .filter(program=program, public_id=mentor_id or uuid.UUID(int=0))
        .select_related("applicant")
        .first()
    )
    if mentor is None:
        messages.error(request, _("Choose a mentor of this program."))
    else:
        try:
            proposals.match_propose(
                actor=request.member, program=program, mentor=mentor, mentee=mentee, request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Proposed: %(mentor)s and %(mentee)s. Both need to say yes before it starts.")
                % {"mentor": mentor.name, "mentee": mentee.name},
            )
    return redirect("mentorship:suggestions", slug, program.public_id, mentee.public_id)


def _uuid(value: str | None) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


@collaborative_view()
def proposal(request: CollaborativeRequest, slug: str, program_id: uuid.UUID) -> HttpResponse:
    """The optimal assignment of the whole waiting list, as a proposal the coordinator
    edits (untick a pair, or pick another mentor for a mentee) before proposing."""
    program = access.access_program(request, program_id, action="coordinate")
    mentee_data, mentees = selectors.mentee_infos(selectors.waiting_mentees(program))
    mentor_data, mentors = selectors.mentor_infos(selectors.matchable_mentors(program))
    no_contacts = selectors.no_contact_pairs(program)
    scoring = selectors.scoring_for(program)
    pairs = matching.optimal_assignment(mentee_data, mentor_data, scoring, no_contacts)
    assigned = {p.mentee_id: p for p in pairs}

    rows: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    if mentee_data and mentor_data:
        scores = matching.score_matrix(mentee_data, mentor_data, scoring)
        feasible = matching.feasibility_matrix(mentee_data, mentor_data, no_contacts)
    for i, info in enumerate(mentee_data):
        mentee = mentees[info.id]
        options = []
        if mentor_data:
            candidates = np.flatnonzero(feasible[i])
            best = candidates[np.argsort(-scores[i, candidates], kind="stable")][: ALTERNATIVES + 1]
            chosen = assigned.get(info.id)
            ids = [mentor_data[j].id for j in best]
            if chosen is not None and chosen.mentor_id not in ids:
                ids.insert(0, chosen.mentor_id)
            index = {m.id: j for j, m in enumerate(mentor_data)}
            options = [(mentors[mid], float(scores[i, index[mid]])) for mid in ids]
        if info.id in assigned:
            rows.append(
                {
                    "mentee": mentee,
                    "chosen": mentors[assigned[info.id].mentor_id],
                    "score": assigned[info.id].score,
                    "options": options,
                }
            )
        else:
            unmatched.append({"mentee": mentee, "has_options": bool(options)})

    errors: list[str] = []
    if request.method == "POST":
        submitted = _submitted_pairs(request, program, mentees, mentors)
        if isinstance(submitted, list):
            try:
                created = proposals.matches_propose(
                    actor=request.member, program=program, pairs=submitted, request=request
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s match proposed. Both people need to say yes before it starts.",
                        "%(n)s matches proposed. Both people need to say yes before each starts.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                return redirect(program.get_absolute_url())
        else:
            errors = [submitted]
        # Show what the coordinator chose, not the computed proposal.
        picked = {k: v for k, v in request.POST.items() if k.startswith("mentor-")}
        for row in rows:
            key = f"mentor-{row['mentee'].public_id}"
            row["included"] = f"include-{row['mentee'].public_id}" in request.POST
            row["picked"] = picked.get(key, str(row["chosen"].public_id))
    else:
        for row in rows:
            row["included"] = True
            row["picked"] = str(row["chosen"].public_id)

    return render(
        request,
        "mentorship/proposal.html",
        page_context(
            request,
            program=program,
            rows=rows,
            unmatched=unmatched,
            total=sum(r["score"] for r in rows),
            errors=errors,
            mentor_places=sum(m.remaining for m in mentor_data),
        ),
        status=400 if errors else 200,
    )


def _submitted_pairs(
    request: CollaborativeRequest,
    program: Program,
    mentees: dict[int, MenteeProfile],
    mentors: dict[int, MentorProfile],
) -> list[proposals.Proposal] | str:
    by_mentee = {str(m.public_id): m for m in mentees.values()}
    by_mentor = {str(m.public_id): m for m in mentors.values()}
    pairs = []
    for key in request.POST:
        if not key.startswith("include-"):
            continue
        mentee = by_mentee.get(key.removeprefix("include-"))
        mentor = by_mentor.get(request.POST.get(f"mentor-{key.removeprefix('include-')}", ""))
        if mentee is None or mentor is None:
            return _("A mentee or mentor is no longer waiting. Look at the proposal again.")
        pairs.append(proposals.Proposal(mentee=mentee, mentor=mentor))
    if not pairs:
        return _("Tick at least one pair to propose.")
    return pairs


@require_POST
@collaborative_view()
def match_respond(
    request: CollaborativeRequest, slug: str, program_id: uuid.UUID, match_id: uuid.UUID
) -> HttpResponseBase:
    """Accept or decline a proposed match: the mentor for themselves; the mentee for
    themselves, or the coordinator recording the mentee's answer."""
    program = access.access_program(request, program_id)
    match = access.access_match(request, program, match_id)
    side = request.POST.get("side", "")
    answer = request.POST.get("answer", "")
    if side not in ("mentor", "mentee") or answer not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or decline."))
    else:
        try:
            if answer == "accept":
                match = proposals.match_accept(
                    actor=request.member, match=match, side=side, request=request
                )
                if match.status == Match.Status.ACTIVE:
                    messages.success(request, _("Both said yes: the match has started."))
                else:
                    messages.success(
                        request, _("Your yes is recorded. The other side still needs to answer.")
                    )
            else:
                proposals.match_proposal_decline(
                    actor=request.member,
                    match=match,
                    side=side,
                    reason=request.POST.get("reason", "")[:1000],
                    request=request,
                )
                messages.success(request, _("The proposal is declined."))
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    if access.coordinates(request.member, program):
        return redirect(program.get_absolute_url())
    return redirect("mentorship:programs", slug)
