"""The public application form of a program: no sign-in, plain words, phone-first, in
the applicant's language (the language switcher in the header changes it).

Spam protection needs no third party: a honeypot field people never see, and a limit of
``APPLY_LIMIT`` applications an hour from one address (counted in the shared cache, so
it holds across processes, and in the database while the cache is down)."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mentorship import selectors
from mentorship.forms.pipeline import ApplicationForm, slots_from_choices
from mentorship.services import screening
from reentry.audit.log import client_ip
from reentry.forms import apply_errors
from reentry.ratelimit import counters

APPLY_LIMIT = 5
APPLY_WINDOW = 60 * 60


def _rate_key(request: HttpRequest) -> str:
    return f"mentorship:apply:{client_ip(request) or 'unknown'}"


def _over_limit(request: HttpRequest) -> bool:
    """Whether this address sent too many applications this hour (counted in the cache,
    or in the database while Redis is down)."""
    return counters.hit(_rate_key(request), window=APPLY_WINDOW) > APPLY_LIMIT


def apply(request: HttpRequest, collab_slug: str, program_slug: str) -> HttpResponseBase:
    program = selectors.program_open_for_applications(collab_slug, program_slug)
    if program is None:
        raise Http404
    context = {"program": program, "about": program.collaborative}
    if not program.accepts_applications:
        return render(request, "mentorship/apply_closed.html", context)
    language = (get_language() or "en")[:2]
    form = ApplicationForm(
        request.POST or None,
        program=program,
        initial={"preferred_language": language, "languages": [language]},
    )
    if request.method == "POST" and form.is_valid():
        # Only complete applications count towards the limit: a person fixing a typo is
        # not held back, a bot sending valid forms is.
        if _over_limit(request):
            form.add_error(
                None,
                _(
                    "We received many applications from this connection. "
                    "Please try again in an hour, or call us."
                ),
            )
            return render(request, "mentorship/apply.html", {**context, "form": form}, status=429)
        if form.is_spam:
            # Looks like success to a bot; nothing is stored.
            return redirect("mentorship_apply_thanks", collab_slug, program_slug)
        data = form.cleaned_data
        try:
            screening.applicant_submit(
                program=program,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
                answers={"why": data["why"]},
                key_areas=data["key_areas"],
                languages=data["languages"],
                lived_experience=data["lived_experience"],
                availability=slots_from_choices(data["availability"]),
                neighbourhood=data["neighbourhood"],
                interests=data["interests"],
                capacity=data["capacity"],
                gender=data["gender"],
                age_range=data["age_range"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("mentorship_apply_thanks", collab_slug, program_slug)
    return render(
        request,
        "mentorship/apply.html",
        {**context, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def apply_thanks(request: HttpRequest, collab_slug: str, program_slug: str) -> HttpResponse:
    program = selectors.program_open_for_applications(collab_slug, program_slug)
    if program is None:
        raise Http404
    return render(
        request,
        "mentorship/apply_thanks.html",
        {"program": program, "about": program.collaborative},
    )
