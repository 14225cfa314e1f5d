"""Candidate indicators as poll options.

A working group can put indicators still waiting to be adopted to a vote; the winners
can then be adopted in the catalog. Workgroups sits below indicators and never imports
it: the poll form asks its registered option sources for extra fields, and this app
registers ``CandidateIndicators`` when it is ready (``indicators/apps.py``). The option
keeps a plain foreign key to its indicator (``PollOption.indicator``).
"""

from collections.abc import Iterable, Sequence

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from stakeholders.models import Collaborative
from workgroups.polls.models import Poll, PollOption
from workgroups.polls.services import LinkedOption


class CandidateIndicatorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.code}: {obj.name}"


def candidate_options(indicators: Iterable[Indicator]) -> list[LinkedOption]:
    """Indicators as poll options: named by the indicator, described by its question."""
    return [
        LinkedOption(
            field="indicator",
            target=indicator,
            label=indicator.name,
            label_es=indicator.name_es,
            description=indicator.question,
        )
        for indicator in indicators
    ]


class CandidateIndicators:
    """The ``indicators`` field of the poll form: this collaborative's candidate
    indicators, and any already on the poll."""

    name = "indicators"

    def field(self, *, collaborative: Collaborative, poll: Poll | None) -> forms.Field:
        offered = Q(status=Indicator.Status.CANDIDATE)
        if poll is not None:
            offered |= Q(poll_options__poll=poll)
        return CandidateIndicatorField(
            label=gettext_lazy("Candidate indicators as options"),
            queryset=Indicator.objects.filter(collaborative=collaborative)
            .filter(offered)
            .distinct()
            .order_by("code"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=gettext_lazy(
                "Indicators still waiting to be adopted. The winners can then be adopted in "
                "the indicator catalog."
            ),
        )

    def initial(self, options: Sequence[PollOption]) -> list[int]:
        return [o.indicator_id for o in options if o.indicator_id]

    def linked(self, chosen: Iterable[Indicator]) -> list[LinkedOption]:
        return candidate_options(chosen)
