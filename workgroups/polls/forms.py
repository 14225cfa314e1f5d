"""Forms for polls: setting one up, and the ballot for each way of voting.

The ballot forms are built for a cheap phone: one big control per option, plain
words, and ranked choice as a "rank" menu per option so it works without JavaScript.
Each ballot form's ``choices()`` gives the ballot in the shape ``services.ballot_cast``
takes; the service checks it again.

Other apps can offer their own rows as options (the indicators app offers candidate
indicators): they register an ``OptionSource`` once, when they are ready, and
``PollForm`` adds its field. Workgroups never imports them.
"""

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stakeholders.models import Collaborative, Member
from workgroups.forms import DATETIME_LOCAL, PersonChoiceField
from workgroups.polls.models import Poll, PollOption
from workgroups.polls.services import MAX_OPTIONS, LinkedOption
from workgroups.quickwins.models import QuickWin


class OptionSource(Protocol):
    """Rows of another app that a poll can have as options."""

    #: The ``PollForm`` field that offers them (and the template shows).
    name: str

    def field(self, *, collaborative: Collaborative, poll: Poll | None) -> forms.Field:
        """The field offering this collaborative's rows (and those already on ``poll``)."""
        ...

    def initial(self, options: Sequence[PollOption]) -> list[Any]:
        """The field's value for a poll that has ``options``."""
        ...

    def linked(self, chosen: Iterable[Any]) -> list[LinkedOption]:
        """The chosen rows as options, in the order they are to appear."""
        ...


_option_sources: dict[str, OptionSource] = {}


def register_option_source(source: OptionSource) -> None:
    """Offer another app's rows as poll options (call once, from its ``AppConfig.ready``)."""
    _option_sources[source.name] = source


class QuickWinChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: QuickWin) -> str:
        return f"{obj.title} ({obj.get_status_display()})"


class PollForm(forms.ModelForm):
    options_text = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One option per line. Short and plain is best."),
    )
    options_text_es = forms.CharField(
        label=gettext_lazy("Options in Spanish"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "One line for each option above, in the same order. Shown to people reading in "
            "Spanish. Leave empty to show the English."
        ),
    )
    quick_wins = QuickWinChoiceField(
        label=gettext_lazy("Quick wins as options"),
        queryset=QuickWin.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Proposed and shortlisted quick wins of this collaborative."),
    )

    class Meta:
        model = Poll
        fields = [
            "group",
            "title",
            "description",
            "method",
            "dots_per_voter",
            "max_dots_per_option",
            "seats",
            "opens_at",
            "closes_at",
            "electorate",
            "is_secret",
            "results_hidden_until_close",
            "shuffle_options",
            "double_majority",
            "verified_voters_only",
            "quorum",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "method": forms.RadioSelect,
            "electorate": forms.RadioSelect,
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL
            ),
        }

    def __init__(self, *args, groups, collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        group = cast(forms.ModelChoiceField, self.fields["group"])
        group.queryset = groups
        group.empty_label = None
        group.help_text = _(
            "The poll belongs to this group. Choose “Full collaborative” for everyone."
        )
        wins = cast(QuickWinChoiceField, self.fields["quick_wins"])
        offered = Q(status__in=[QuickWin.Status.PROPOSED, QuickWin.Status.SHORTLISTED])
        if self.instance.pk:
            offered |= Q(poll_options__poll=self.instance)
        wins.queryset = (
            QuickWin.objects.filter(collaborative=collaborative)
            .filter(offered)
            .distinct()
            .order_by("-status", "title")
        )
        self.sources = list(_option_sources.values())
        self.source_names = {source.name for source in self.sources}
        for source in self.sources:
            self.fields[source.name] = source.field(
                collaborative=collaborative, poll=self.instance if self.instance.pk else None
            )
        method = cast(forms.ChoiceField, self.fields["method"])
        method.choices = Poll.Method.choices
        if self.instance.pk:
            options = list(self.instance.options.all())
            texts = [o for o in options if o.is_plain_text]
            self.initial.setdefault("options_text", "\n".join(o.label for o in texts))
            if all(o.label_es for o in texts):
                self.initial.setdefault("options_text_es", "\n".join(o.label_es for o in texts))
            for source in self.sources:
                self.initial.setdefault(source.name, source.initial(options))
            self.initial.setdefault(
                "quick_wins", [o.quick_win_id for o in options if o.quick_win_id]
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        labels = [line.strip() for line in (cleaned.get("options_text") or "").splitlines()]
        labels = [line for line in labels if line]
        labels_es = [line.strip() for line in (cleaned.get("options_text_es") or "").splitlines()]
        labels_es = [line for line in labels_es if line]
        if labels_es and len(labels_es) != len(labels):
            self.add_error(
                "options_text_es",
                _("Give one line in Spanish for each option, in order, or leave it empty."),
            )
        elif any(len(line) > 200 for line in labels_es):
            self.add_error("options_text_es", _("Keep each option under 200 characters."))
        if any(len(line) > 200 for line in labels):
            self.add_error("options_text", _("Keep each option under 200 characters."))
        total = (
            len(set(labels))
            + len(cleaned.get("quick_wins") or [])
            + sum(len(cleaned.get(source.name) or []) for source in self.sources)
        )
        if total < 2:
            self.add_error("options_text", _("Give at least two options."))
        elif total > MAX_OPTIONS:
            self.add_error(
                "options_text",
                _("A poll can have at most %(count)d options.") % {"count": MAX_OPTIONS},
            )
        seats = cleaned.get("seats") or 1
        if total >= 2 and seats > total:
            self.add_error("seats", _("You cannot choose more winners than there are options."))
        cleaned["labels"] = labels
        cleaned["labels_es"] = labels_es
        return cleaned

    def linked_options(self) -> list[LinkedOption]:
        """The options other apps' fields chose, source by source."""
        return [
            option
            for source in self.sources
            for option in source.linked(self.cleaned_data.get(source.name) or [])
        ]


# --- ballots ------------------------------------------------------------------------


class BallotForm(forms.Form):
    """The fields depend on the poll's method; ``options`` are in the voter's order."""

    def __init__(self, *args, poll: Poll, options: list[PollOption], current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.options = options
        self.rows: list[tuple[PollOption, forms.BoundField]] = []
        current = current or ([] if poll.method != Poll.Method.DOTS else {})
        if poll.method == Poll.Method.APPROVAL:
            self.fields["approve"] = forms.MultipleChoiceField(
                label=_("Tick every option you support"),
                choices=[(o.key, o.label) for o in options],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                initial=list(current),
            )
            self.rows = [(o, self["approve"]) for o in options]
        elif poll.method == Poll.Method.DOTS:
            most = poll.max_dots_per_option or 1
            for option in options:
                name = f"dots-{option.key}"
                self.fields[name] = forms.TypedChoiceField(
                    label=option.label,
                    choices=[(n, str(n)) for n in range(most + 1)],
                    coerce=int,
                    initial=current.get(option.key, 0),
                    required=False,
                    empty_value=None,
                )
                self.rows.append((option, self[name]))
        else:
            places = len(options)
            ranks = list(current)
            for option in options:
                name = f"rank-{option.key}"
                initial = ranks.index(option.key) + 1 if option.key in ranks else ""
                self.fields[name] = forms.TypedChoiceField(
                    label=option.label,
                    choices=[("", _("Not ranked"))]
                    + [(n, ordinal(n)) for n in range(1, places + 1)],
                    coerce=int,
                    required=False,
                    empty_value=None,
                    initial=initial,
                )
                self.rows.append((option, self[name]))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        poll = self.poll
        if poll.method == Poll.Method.APPROVAL:
            if not cleaned.get("approve"):
                raise forms.ValidationError(_("Tick at least one option."))
        elif poll.method == Poll.Method.DOTS:
            used = sum(int(cleaned.get(f"dots-{o.key}") or 0) for o in self.options)
            if used == 0:
                raise forms.ValidationError(_("Put at least one dot on an option."))
            if used > (poll.dots_per_voter or 0):
                raise forms.ValidationError(
                    _("You used %(used)d dots; you have %(max)d. Take some off.")
                    % {"used": used, "max": poll.dots_per_voter}
                )
        else:
            ranked = [
                (cleaned[f"rank-{o.key}"], o)
                for o in self.options
                if cleaned.get(f"rank-{o.key}") is not None
            ]
            if not ranked:
                raise forms.ValidationError(_("Rank at least one option: 1 for your favourite."))
            seen: dict[int, PollOption] = {}
            for rank, option in ranked:
                if rank in seen:
                    self.add_error(
                        f"rank-{option.key}",
                        _("%(rank)s is already given to “%(other)s”. Give each number once.")
                        % {"rank": ordinal(rank), "other": seen[rank].label},
                    )
                seen[rank] = option
        return cleaned

    @property
    def checked(self) -> set[str]:
        """Approval: the options ticked (as typed, or as last saved)."""
        if "approve" not in self.fields:
            return set()
        return {str(v) for v in (self["approve"].value() or [])}

    def choices(self) -> list[str] | dict[str, int]:
        data = self.cleaned_data
        if self.poll.method == Poll.Method.APPROVAL:
            return list(data["approve"])
        if self.poll.method == Poll.Method.DOTS:
            return {o.key: data[f"dots-{o.key}"] for o in self.options if data.get(f"dots-{o.key}")}
        ranked = sorted(
            (data[f"rank-{o.key}"], o.key)
            for o in self.options
            if data.get(f"rank-{o.key}") is not None
        )
        return [key for _rank, key in ranked]


def ordinal(n: int) -> str:
    """1st, 2nd… in words a phone shows well."""
    words = {
        1: _("1st choice"),
        2: _("2nd choice"),
        3: _("3rd choice"),
    }
    return words.get(n, _("%(n)dth choice") % {"n": n})


class PaperVoterForm(forms.Form):
    voter = PersonChoiceField(
        label=gettext_lazy("Whose ballot is this?"), queryset=Member.objects.none()
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(PersonChoiceField, self.fields["voter"])
        field.queryset = people
        field.empty_label = _("Choose the person")
