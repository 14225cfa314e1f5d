"""Referral pages: the inbox (received and sent), a referral with its timeline and the
answers each side may give, the referral form (from a directory service), the
self-referral form (from the public directory) and the outcomes for backbone staff."""

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from casework import access
from casework.forms.referrals import (
    DeliverForm,
    NoteForm,
    ParticipantSearchForm,
    ReferralForm,
    SelfReferralForm,
)
from casework.models import Part2Program, Referral
from casework.notices import PART2_NOTICE
from casework.selectors import referrals as selectors
from casework.services import referrals as services
from casework.services.participants import record_read
from reentry.forms import apply_errors
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Service

PAGE_SIZE = 25


def _caseworker(request: CollaborativeRequest) -> None:
    """Referral pages of organizations are for their admins and staff; 404 for others."""
    if not access.is_caseworker(request.member):
        raise Http404


# --- Inbox ------------------------------------------------------------------------------------


@collaborative_view()
def referral_inbox(request: CollaborativeRequest, slug: str) -> HttpResponse:
    _caseworker(request)
    today = request.collaborative.today()
    tab = request.GET.get("tab", "waiting")
    if tab not in selectors.TABS:
        tab = "waiting"
    rows = selectors.inbox(request.user, request.member, tab, today=today).select_related(
        "from_organization__part2_program"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    part2 = tab != "sent" and any(
        r.from_organization_id and hasattr(r.from_organization, "part2_program")
        for r in page.object_list
    )
    return render(
        request,
        "casework/referrals/inbox.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "tab": tab,
            "tabs": [
                ("waiting", _("Waiting for your answer")),
                ("received", _("All received")),
                ("sent", _("Sent")),
            ],
            "page": page,
            # On the waiting tab its count is the page's own (one COUNT, not two).
            "waiting": (
                page.paginator.count
                if tab == "waiting"
                else selectors.waiting_count(request.user, request.member, today=today)
            ),
            "part2_notice": PART2_NOTICE if part2 else None,
        },
    )


# --- Sending ----------------------------------------------------------------------------------


def _service(request: CollaborativeRequest, public_id: str) -> Service:
    collaborative = request.collaborative
    return get_visible_or_404(
        Service.objects.in_collaborative(collaborative),
        Service.objects.visible_to(request.user)
        .in_collaborative(collaborative)
        .active()
        .filter(accepts_referrals=True)
        .select_related("organization", "organization__sector"),
        request=request,
        public_id=public_id,
    )


@collaborative_view()
def referral_new(request: CollaborativeRequest, slug: str) -> HttpResponseBase:
    """Refer one of our participants: to a directory service (``?service=``) or to an
    organization; find the person in one field, say what they need; the consent check
    runs on sending, and the person's consent can be recorded here when none covers it."""
    _caseworker(request)
    member = request.member
    collaborative = request.collaborative
    today = collaborative.today()
    params = request.POST if request.method == "POST" else request.GET
    service = _service(request, params["service"]) if params.get("service") else None
    if service is not None and service.organization_id == member.organization_id:
        raise Http404
    enrolment = None
    if params.get("enrolment"):
        enrolment = selectors.own_enrolment(request.user, member, params["enrolment"])
        if enrolment is None:
            raise Http404
    search = ParticipantSearchForm(request.GET if enrolment is None else None)
    matches = []
    if enrolment is None and search.is_valid():
        matches = list(
            selectors.own_enrolments_matching(request.user, member, search.cleaned_data["q"])
        )
    form = None
    covered: list = []
    need_consent = False
    if enrolment is not None:
        part2 = Part2Program.objects.filter(organization=member.organization).exists()
        form = ReferralForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            collaborative=collaborative,
            own_organization_id=member.organization_id,
            service=service,
            part2=part2,
            today=today,
        )
        if service is not None:
            key_areas = form.fields["key_area"].queryset  # type: ignore[attr-defined]
            for area in key_areas:
                consent = access.consent_covering_referral(
                    enrolment, service.organization, area, today
                )
                covered.append((area, consent))
            need_consent = not any(consent for _area, consent in covered)
        else:
            need_consent = True
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            receiver = service.organization if service is not None else data["to_organization"]
            try:
                referral = services.referral_send(
                    actor=member,
                    enrolment=enrolment,
                    to_service=service,
                    to_organization=None if service is not None else receiver,
                    key_area=data["key_area"],
                    reason=data["reason"],
                    new_consent=(
                        form.consent_fields(receiver, data["key_area"])
                        if data.get("record_consent")
                        else None
                    ),
                    request=request,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                need_consent = True
            else:
                messages.success(
                    request,
                    _("Referral sent to %(org)s. You will see each step here.")
                    % {"org": referral.to_organization.name},
                )
                return redirect("casework:referral", slug, referral.public_id)
    return render(
        request,
        "casework/referrals/new.html",
        {
            "collaborative": collaborative,
            "member": member,
            "service": service,
            "enrolment": enrolment,
            "search": search,
            "matches": matches,
            "searched": bool(request.GET.get("q")),
            "form": form,
            "covered": covered,
            "need_consent": need_consent,
        },
    )


@collaborative_view()
def referral_self(
    request: CollaborativeRequest, slug: str, service_id: uuid.UUID
) -> HttpResponseBase:
    """A member asks for a service for themselves, with their own consent on screen."""
    service = _service(request, str(service_id))
    form = SelfReferralForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_self(
                actor=request.member,
                service=service,
                key_area=form.cleaned_data["key_area"],
                reason=form.cleaned_data["reason"],
                signed_name=form.cleaned_data["signed_name"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request went to %(org)s. They will answer you here.")
                % {"org": service.organization.name},
            )
            return redirect("casework:referral", slug, referral.public_id)
    return render(
        request,
        "casework/referrals/self.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "service": service,
            "form": form,
        },
    )


# --- A referral and its answers ---------------------------------------------------------------


def _referral(request: CollaborativeRequest, public_id: uuid.UUID) -> Referral:
    collaborative = request.collaborative
    return get_visible_or_404(
        Referral.objects.filter(collaborative=collaborative),
        selectors.referral_page(request.user, today=collaborative.today()).filter(
            collaborative=collaborative
        ),
        request=request,
        public_id=public_id,
    )


def _why(request: CollaborativeRequest, referral: Referral) -> dict[int, access.Grant]:
    """Why this person is shown the referral, for the audit log."""
    if access.is_referral_sender(request.member, referral):
        if referral.is_self_referral:
            return {0: access.Grant(self=True)}
        return {0: access.Grant(owner=True)}
    if referral.participant.user_id == request.user.pk:
        return {0: access.Grant(self=True)}
    return {
        0: access.Grant(
            kinds={"referrals"},
            key_area_ids={referral.key_area_id},
            consent_ids=[str(referral.consent.public_id)],
        )
    }


def _detail(
    request: CollaborativeRequest, referral: Referral, *, bound: dict | None = None
) -> HttpResponse:
    member = request.member
    receiver = access.is_referral_receiver(member, referral)
    sender = access.is_referral_sender(member, referral)
    record_read(
        user=request.user,
        participant=referral.participant,
        grants=_why(request, referral),
        what="referral",
        request=request,
    )
    S = Referral.Status
    status = referral.status
    forms = bound or {}
    deliver = None
    if receiver and status == S.ACCEPTED:
        deliver = forms.get("deliver") or DeliverForm(
            logs=selectors.receiver_logs(request.user, referral),
            services=Service.objects.filter(organization_id=referral.to_organization_id)
            .active()
            .order_by("name"),
            today=request.collaborative.today(),
            default_service=referral.to_service,
        )
    part2 = (
        not sender
        and referral.from_organization_id is not None
        and hasattr(referral.from_organization, "part2_program")
    )
    return render(
        request,
        "casework/referrals/detail.html",
        {
            "collaborative": request.collaborative,
            "member": member,
            "referral": referral,
            "events": list(referral.events.all()),
            "receiver": receiver,
            "sender": sender,
            "can_answer": receiver and status in (S.SENT, S.INFO_REQUESTED),
            "can_ask": receiver and status == S.SENT,
            "can_reply": sender and status == S.INFO_REQUESTED,
            "can_close": receiver and status in (S.ACCEPTED, S.DELIVERED),
            "can_withdraw": sender and status in (S.SENT, S.INFO_REQUESTED, S.ACCEPTED),
            "decline_form": forms.get("decline") or NoteForm(prefix="decline"),
            "ask_form": forms.get("ask") or NoteForm(prefix="ask"),
            "answer_form": forms.get("answer") or NoteForm(prefix="answer"),
            "close_form": forms.get("close") or NoteForm(prefix="close"),
            "withdraw_form": forms.get("withdraw") or NoteForm(prefix="withdraw"),
            "deliver_form": deliver,
            "part2_notice": PART2_NOTICE if part2 else None,
            # A mentee referral is a referral: once accepted, the program's coordinator
            # adds the mentee and links this participant (mentorship's mentee form).
            "mentee_hint": receiver
            and referral.to_enrolment_id is not None
            and referral.key_area.slug.startswith("mentorship"),
        },
        status=400 if bound else 200,
    )


@collaborative_view()
def referral_detail(request: CollaborativeRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    return _detail(request, _referral(request, public_id))


ACTIONS = ("accept", "decline", "ask", "answer", "deliver", "close", "withdraw")
DONE = {
    "accept": gettext_lazy(
        "Accepted. The person is now on your list: log the service when it is done."
    ),
    "decline": gettext_lazy("Declined. The sender sees your reason."),
    "ask": gettext_lazy("Question sent. The referral waits for the sender's answer."),
    "answer": gettext_lazy("Answer sent."),
    "deliver": gettext_lazy("Service delivered is recorded."),
    "close": gettext_lazy("The referral is closed."),
    "withdraw": gettext_lazy("The referral is withdrawn."),
}


@require_POST
@collaborative_view()
def referral_act(
    request: CollaborativeRequest, slug: str, public_id: uuid.UUID, action: str
) -> HttpResponseBase:
    if action not in ACTIONS:
        raise Http404
    referral = _referral(request, public_id)
    member = request.member
    form: NoteForm | DeliverForm | None = None
    try:
        if action == "accept":
            services.referral_accept(actor=member, referral=referral, request=request)
        elif action == "deliver":
            form = DeliverForm(
                request.POST,
                logs=selectors.receiver_logs(request.user, referral),
                services=Service.objects.filter(organization_id=referral.to_organization_id),
                today=request.collaborative.today(),
            )
            if not form.is_valid():
                return _detail(request, referral, bound={"deliver": form})
            data = form.cleaned_data
            log_fields = None
            if data["service_log"] is None:
                log_fields = {
                    "key_area": referral.key_area,
                    "delivered_on": data["delivered_on"],
                    "service": data["service"],
                    "outcome": data["outcome"] or "completed",
                    "duration_minutes": data["duration_minutes"],
                    "notes": data["notes"],
                }
            services.referral_deliver(
                actor=member,
                referral=referral,
                service_log=data["service_log"],
                log_fields=log_fields,
                request=request,
            )
        else:
            form = NoteForm(request.POST, prefix=action)
            if not form.is_valid():
                return _detail(request, referral, bound={action: form})
            note = form.cleaned_data["note"]
            if action == "decline":
                services.referral_decline(
                    actor=member, referral=referral, reason=note, request=request
                )
            else:
                steps: dict[str, Callable[..., Referral]] = {
                    "ask": services.referral_ask,
                    "answer": services.referral_answer,
                    "close": services.referral_close,
                    "withdraw": services.referral_withdraw,
                }
                steps[action](actor=member, referral=referral, note=note, request=request)
    except ValidationError as exc:
        if form is None:
            messages.error(request, " ".join(exc.messages))
            return redirect("casework:referral", slug, referral.public_id)
        apply_errors(form, exc)
        return _detail(request, referral, bound={action: form})
    messages.success(request, str(DONE[action]))
    return redirect("casework:referral", slug, referral.public_id)


# --- Outcomes for backbone staff --------------------------------------------------------------


@collaborative_view()
def referral_outcomes(request: CollaborativeRequest, slug: str) -> HttpResponse:
    """Referrals per receiving service and key area, by status, as suppressed counts."""
    if not request.member.is_backbone:
        raise Http404
    table = selectors.outcomes_table(request.collaborative)
    labels = dict(
        sent=_("Waiting"),
        accepted=pgettext("referral", "Accepted"),
        declined=pgettext("referral", "Declined"),
        delivered=_("Delivered"),
        closed=pgettext("referral", "Closed"),
        withdrawn=pgettext("referral", "Withdrawn"),
        total=_("All"),
    )
    return render(
        request,
        "casework/referrals/outcomes.html",
        {
            "collaborative": request.collaborative,
            "member": request.member,
            "table": table,
            "headers": [labels[c] for c in table["columns"]] + [labels["total"]],
        },
    )


urlpatterns = [
    path("referrals/", referral_inbox, name="referrals"),
    path("referrals/new/", referral_new, name="referral_new"),
    path("referrals/outcomes/", referral_outcomes, name="referral_outcomes"),
    path("referrals/self/<uuid:service_id>/", referral_self, name="referral_self"),
    path("referrals/<uuid:public_id>/", referral_detail, name="referral"),
    path("referrals/<uuid:public_id>/<slug:action>/", referral_act, name="referral_act"),
]
