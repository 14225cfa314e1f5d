"""The member verification page: everyone sees their own status; backbone staff verify
people; verified members vouch for people they know. No ID is ever asked for."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from stakeholders.access import CollaborativeRequest, collaborative_view
from stakeholders.models import Member
from workgroups.verification import selectors
from workgroups.verification.access import can_verify
from workgroups.verification.services import (
    VOUCHES_NEEDED,
    member_verification_revoke,
    member_verify,
    member_vouch,
)

PAGE_SIZE = 25


def _target(request: CollaborativeRequest) -> Member:
    public_id = request.POST.get("member", "")
    try:
        member = (
            Member.objects.filter(collaborative=request.collaborative, is_active=True)
            .select_related("user", "collaborative")
            .get(public_id=public_id)
        )
    except (Member.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    return member


@collaborative_view()
def verification(request: CollaborativeRequest, slug: str) -> HttpResponse:
    me = request.member
    i_am_verified = selectors.is_verified(me)
    if request.method == "POST":
        target = _target(request)
        action = request.POST.get("action")
        try:
            if action == "verify":
                member_verify(actor=me, member=target, request=request)
                messages.success(request, _("%(name)s is verified.") % {"name": target.user.name})
            elif action == "revoke":
                member_verification_revoke(actor=me, member=target, request=request)
                messages.success(
                    request, _("Verification withdrawn for %(name)s.") % {"name": target.user.name}
                )
            elif action == "vouch":
                member_vouch(actor=me, member=target, request=request)
                messages.success(
                    request,
                    _("You vouched for %(name)s. Thank you.") % {"name": target.user.name},
                )
            else:
                raise Http404
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You cannot do that."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(request.get_full_path())

    page = None
    query = (request.GET.get("q") or "").strip()[:100]
    if can_verify(me) or i_am_verified:
        people = selectors.people_to_verify(
            viewer=me, collaborative=request.collaborative, query=query
        )
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = selectors.current_verification(me)
    return render(
        request,
        "workgroups/polls/verification.html",
        {
            "collaborative": request.collaborative,
            "member": me,
            "my_verification": mine,
            "i_am_verified": i_am_verified,
            "page": page,
            "query": query,
            "vouches_needed": VOUCHES_NEEDED,
        },
    )
