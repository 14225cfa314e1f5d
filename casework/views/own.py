"""The person's own view of their record (DESIGN.md rule 7): what each organization holds
about them, who has looked at it, and their consents, each of which they can revoke.

For a signed-in member whose account is linked to a participant in this collaborative;
anyone else gets a page that explains how to have their record linked.
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from casework import access
from casework.selectors import consents as selectors
from casework.services.participants import record_read
from reentry.audit.actions import action_label
from stakeholders.access import CollaborativeRequest, collaborative_view

EVENTS_PER_PAGE = 20

# Why a record was shown, as the audit log writes it, in the person's words.
WHY_LABELS = {
    "owner": _("their organization serves you"),
    "self": _("it is your own record"),
    "consent": _("you agreed to share (a consent)"),
}
# What happened, in the person's words (other actions keep the audit page's label).
ACTION_LABELS = {
    "casework.record_viewed": _("Looked at your record"),
    "casework.enrolled": _("Started a record about you"),
    "casework.service_logged": _("Wrote down a service you received"),
    "casework.consent_recorded": _("Wrote down a consent you gave"),
    "casework.consent_revoked": _("Revoked one of your consents"),
    "casework.consent_expired": _("One of your consents ended"),
    "casework.consent_scan_downloaded": _("Downloaded the scan of a form you signed"),
    "access.not_found": _("Tried to open your record without being allowed"),
}
# What was shown, as the pages write it.
WHAT_LABELS = {
    "consent": _("a consent"),
    "consent form": _("a printable consent form"),
    "own record": _("your whole record"),
}


def _event_rows(events, organizations: dict[int, str]) -> list[dict]:
    rows = []
    for event in events:
        details = event.details or {}
        if event.actor_id is not None and event.actor is not None:
            who = event.actor.name or _("Someone without a name on their account")
        elif event.actor_label:
            who = _("An account that no longer exists")
        else:
            who = _("Reentry Commons, automatically")
        why = details.get("why") or []
        what = details.get("what", "")
        rows.append(
            {
                "event": event,
                "who": who,
                "organization": organizations.get(event.actor_id or 0, ""),
                "action": ACTION_LABELS.get(event.action) or action_label(event.action),
                "what": WHAT_LABELS.get(what, what),
                "why": [str(WHY_LABELS.get(code, code)) for code in why if code != "self"],
                "denied": event.outcome == "denied",
            }
        )
    return rows


@collaborative_view()
def my_record(request: CollaborativeRequest, slug: str) -> HttpResponse:
    collaborative = request.collaborative
    today = collaborative.today()
    participant = selectors.own_participant(request.user, collaborative, today=today)
    context: dict = {
        "collaborative": collaborative,
        "member": request.member,
        "participant": participant,
    }
    if participant is None:
        return render(request, "casework/own/record.html", context)
    grants = access.grants_for(request.user, participant, today=today)
    record_read(user=request.user, participant=participant, grants=grants, what="own record")
    page = Paginator(selectors.record_events(request.user, participant), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    events = list(page.object_list)
    context.update(
        {
            "held": selectors.held_records(request.user, participant, today=today),
            "consents": selectors.own_consents(request.user, participant, today=today),
            "own_referrals": selectors.own_referrals(request.user, participant, today=today),
            "page": page,
            "events": _event_rows(events, selectors.actor_organizations(collaborative, events)),
            "logs_per_organization": selectors.LOGS_PER_ORGANIZATION,
        }
    )
    return render(request, "casework/own/record.html", context)


urlpatterns = [
    path("my-record/", my_record, name="my_record"),
]
