"""/api/v1/collaboratives/<slug>/quick-wins/ and /polls/ (with /results/ and /ballot/).

Reads go through the models' ``visible_to``, like the pages:

* a quick win is seen by every member of its collaborative; its proposer only through
  ``QuickWin.proposer_shown_to`` (null when they kept their name private, except for
  backbone staff and the proposer);
* a poll is seen by every member once it is scheduled; its results only when the poll's
  rules allow (``workgroups.polls.results.results_for``: after close when results are hidden
  until then, always so for a secret ballot; a secret ballot's only once at least the
  collaborative's small-number threshold of people voted). Results are totals, rounds and turnout:
  never who chose what. Turnout and the lived-experience split come as the small-number
  rule lets them be shown: a hidden figure is null, with why (``hidden_reason``,
  ``split_hidden``).

Casting a ballot (``POST …/polls/<id>/ballot/``) is for a person, never for an
organization's system: API tokens act for an organization and are refused there (403).
Sign in and send the session cookie with the CSRF token (``X-CSRFToken`` header), as
the browsable API and any same-site script do. The person votes as themself, through
``workgroups.polls.services.ballot_cast``: the same eligibility rules, one ballot per person per
poll, changeable until the poll closes, every change audit-logged.
"""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from reentry.api.filters import CollaborativeFilterSet, SlugFilter
from reentry.api.schema import error_response
from reentry.api.viewsets import CollaborativeScopedViewSet, request_token
from stakeholders.models import KeyArea
from workgroups.models import ActionItem
from workgroups.polls import results as poll_results
from workgroups.polls import selectors as poll_selectors
from workgroups.polls import services as polls
from workgroups.polls.models import Ballot, Poll, PollOption
from workgroups.quickwins.models import QuickWin


class QuickWinSerializer(serializers.ModelSerializer):
    key_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    group = serializers.SerializerMethodField()
    owner_organization = serializers.SerializerMethodField()
    priority = serializers.SerializerMethodField()
    proposer = serializers.SerializerMethodField(
        help_text="The proposer's name, or null when they kept it private (shown to backbone "
        "staff only)."
    )
    helper_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    overdue_items = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuickWin
        fields = [
            "public_id",
            "title",
            "title_es",
            "problem",
            "problem_es",
            "people_needed",
            "money_needed",
            "weeks_needed",
            "key_areas",
            "group",
            "owner_organization",
            "proposer",
            "status",
            "dropped_reason",
            "priority",
            "proposed_at",
            "shortlisted_at",
            "selected_at",
            "started_at",
            "done_at",
            "dropped_at",
            "helper_count",
            "comment_count",
            "overdue_items",
        ]

    def get_group(self, quick_win: QuickWin) -> str | None:
        return str(quick_win.group.public_id) if quick_win.group is not None else None

    def get_owner_organization(self, quick_win: QuickWin) -> str | None:
        organization = quick_win.owner_organization
        return str(organization.public_id) if organization is not None else None

    def get_priority(self, quick_win: QuickWin) -> str | None:
        return str(quick_win.priority.public_id) if quick_win.priority is not None else None

    def get_proposer(self, quick_win: QuickWin) -> str | None:
        shown = quick_win.proposer_shown_to(self.context.get("viewer"))
        return shown.user.name if shown is not None else None


class QuickWinFilter(CollaborativeFilterSet):
    status = django_filters.ChoiceFilter(choices=QuickWin.Status.choices)
    key_area = SlugFilter(field_name="key_areas", distinct=True)


class PollFilter(CollaborativeFilterSet):
    status = django_filters.ChoiceFilter(choices=Poll.Status.choices)
    group = django_filters.UUIDFilter(field_name="group__public_id")


QUICK_WIN_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=QuickWin.Status.values),
    OpenApiParameter("key_area", OpenApiTypes.STR, description="Key area slug."),
]


@extend_schema(tags=["quick wins"])
@extend_schema_view(list=extend_schema(parameters=QUICK_WIN_FILTERS))
class QuickWinViewSet(CollaborativeScopedViewSet):
    """Quick wins of the collaborative, with their journey dates and overdue action items."""

    serializer_class = QuickWinSerializer
    filterset_class = QuickWinFilter

    def scoped_queryset(self):
        visible_items = ActionItem.objects.visible_to(self.request.user).values("pk")
        item = "priority__action_items"
        qs = (
            QuickWin.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("group", "owner_organization", "priority", "proposer__user")
            .prefetch_related(Prefetch("key_areas", queryset=KeyArea.objects.order_by("order")))
            .annotate(
                helper_count=Count("helpers", distinct=True),
                comment_count=Count("comments", distinct=True),
                overdue_items=Count(
                    item,
                    filter=Q(
                        **{
                            f"{item}__in": visible_items,
                            f"{item}__due_date__lt": timezone.localdate(),
                        }
                    )
                    & ~Q(**{f"{item}__status": ActionItem.Status.DONE}),
                    distinct=True,
                ),
            )
            .order_by("-proposed_at", "-pk")
        )
        return qs

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["viewer"] = self.member
        return context


# --- Polls ------------------------------------------------------------------------------


class PollOptionSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text="The option's id in ballots.")
    quick_win = serializers.SerializerMethodField()

    class Meta:
        model = PollOption
        fields = ["key", "label", "label_es", "description", "quick_win"]

    def get_quick_win(self, option: PollOption) -> str | None:
        return str(option.quick_win.public_id) if option.quick_win is not None else None


class PollSerializer(serializers.ModelSerializer):
    group = serializers.UUIDField(source="group.public_id", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    options = serializers.SerializerMethodField(
        help_text="In the order you see them (shuffled per person when the poll says so)."
    )
    has_voted = serializers.BooleanField(read_only=True)
    ballot_count = serializers.SerializerMethodField(
        help_text="How many have voted; null while results are hidden."
    )

    class Meta:
        model = Poll
        fields = [
            "public_id",
            "group",
            "group_name",
            "title",
            "description",
            "method",
            "dots_per_voter",
            "max_dots_per_option",
            "seats",
            "status",
            "opens_at",
            "closes_at",
            "opened_at",
            "closed_at",
            "electorate",
            "is_secret",
            "quorum",
            "results_hidden_until_close",
            "shuffle_options",
            "double_majority",
            "verified_voters_only",
            "options",
            "has_voted",
            "ballot_count",
        ]

    def get_options(self, poll: Poll) -> list[dict[str, Any]]:
        return PollOptionSerializer(
            poll_selectors.options_for(poll, self.context.get("viewer")), many=True
        ).data

    def get_ballot_count(self, poll: Poll) -> int | None:
        if poll_results.results_visible(poll):
            return getattr(poll, "ballot_count", None)
        return None


def _option(option: PollOption | None) -> str | None:
    return option.key if option is not None else None


def _options(options: list[PollOption]) -> list[str]:
    return [o.key for o in options]


def results_json(poll: Poll, viewer) -> dict[str, Any] | None:
    """The results as ``viewer`` may see them, as plain data; None while hidden. Totals,
    rounds, the lived-experience split (only when both sides are large enough) and
    turnout: never who chose what."""
    results = poll_results.results_for(poll, viewer)
    if results is None:
        return None
    turnout = poll_results.turnout(poll, poll_selectors.electorate(poll), viewer)
    return {
        "is_final": results.is_final,
        "ballots": results.ballots,
        "quorum": poll.quorum,
        "quorum_met": results.quorum_met,
        "winners": _options(results.winners),
        "tied": results.tied,
        "split_shown": results.split_shown,
        "small_cell_threshold": results.threshold,
        "options": [
            {
                "key": row.option.key,
                "label": row.option.label,
                "total": row.total,
                "supporters": row.supporters,
                "is_winner": row.is_winner,
                "place": row.place,
                "split": row.split if results.split_shown else None,
                "split_hidden": {side: r.value for side, r in row.split_reasons.items()},
                "double_majority": row.double_majority,
            }
            for row in results.rows
        ],
        "irv_counts": [
            {
                "place": count.place,
                "winner": _option(count.winner),
                "excluded": _options(count.excluded),
                "rounds": [
                    {
                        "number": r.number,
                        "tallies": {
                            column.key: cell
                            for column, cell in zip(results.columns, r.cells, strict=True)
                            if cell is not None
                        },
                        "exhausted": r.exhausted,
                        "continuing": r.continuing,
                        "eliminated": _options(r.eliminated),
                        "tied_for_last": _options(r.tied_for_last),
                        "winner": _option(r.winner),
                    }
                    for r in count.rounds
                ],
            }
            for count in results.irv_counts
        ],
        "turnout": [
            {
                "group": str(row.label),
                "voted": row.voted,
                "eligible": row.eligible,
                "hidden_reason": row.reason.value if row.reason else None,
            }
            for row in turnout
        ],
    }


BALLOT_REQUEST = inline_serializer(
    "BallotRequest",
    {
        "choices": serializers.JSONField(
            help_text="Approval: a list of option keys. Dots: an object {key: dots}. "
            "Ranked choice: a list of option keys, most preferred first."
        )
    },
)
BALLOT_RESPONSE = inline_serializer(
    "BallotResponse",
    {
        "voted": serializers.BooleanField(),
        "changes": serializers.IntegerField(),
        "choices": serializers.JSONField(
            allow_null=True, help_text="Your own current choices (never anyone else's)."
        ),
    },
)

# The body of …/results/ (results_json), for the schema: figures a viewer may not see
# are null, with the reason beside them.
_KEYS = serializers.ListField(child=serializers.CharField(), help_text="Option keys.")
_HIDDEN_REASONS = serializers.DictField(
    child=serializers.CharField(), help_text="Why a side's figure is hidden, by side."
)
POLL_RESULTS = inline_serializer(
    "PollResults",
    {
        "is_final": serializers.BooleanField(),
        "ballots": serializers.IntegerField(),
        "quorum": serializers.IntegerField(help_text="0 for no quorum."),
        "quorum_met": serializers.BooleanField(),
        "winners": _KEYS,
        "tied": serializers.BooleanField(),
        "split_shown": serializers.BooleanField(),
        "small_cell_threshold": serializers.IntegerField(),
        "options": inline_serializer(
            "PollResultOption",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "total": serializers.IntegerField(allow_null=True),
                "supporters": serializers.IntegerField(allow_null=True),
                "is_winner": serializers.BooleanField(),
                "place": serializers.IntegerField(allow_null=True),
                "split": serializers.DictField(
                    child=serializers.IntegerField(allow_null=True),
                    allow_null=True,
                    help_text="By side (lived experience or not), when shown.",
                ),
                "split_hidden": _HIDDEN_REASONS,
                "double_majority": serializers.DictField(allow_null=True),
            },
            many=True,
        ),
        "irv_counts": inline_serializer(
            "PollResultCount",
            {
                "place": serializers.IntegerField(),
                "winner": serializers.CharField(allow_null=True),
                "excluded": _KEYS,
                "rounds": inline_serializer(
                    "PollResultRound",
                    {
                        "number": serializers.IntegerField(),
                        "tallies": serializers.DictField(
                            child=serializers.IntegerField(), help_text="By option key."
                        ),
                        "exhausted": serializers.IntegerField(),
                        "continuing": serializers.IntegerField(),
                        "eliminated": _KEYS,
                        "tied_for_last": _KEYS,
                        "winner": serializers.CharField(allow_null=True),
                    },
                    many=True,
                ),
            },
            many=True,
        ),
        "turnout": inline_serializer(
            "PollTurnout",
            {
                "group": serializers.CharField(),
                "voted": serializers.IntegerField(allow_null=True),
                "eligible": serializers.IntegerField(allow_null=True),
                "hidden_reason": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    },
)

BALLOT_FORBIDDEN = error_response(
    403,
    "Ballots are for people: an organization's token is refused, and so is anyone who is "
    "not an active member of the collaborative, or not in the poll's electorate.",
)

POLL_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(Poll.Status.values)),
    OpenApiParameter("group", OpenApiTypes.UUID, description="Only this group's polls."),
]


@extend_schema(tags=["polls"])
@extend_schema_view(list=extend_schema(parameters=POLL_FILTERS))
class PollViewSet(CollaborativeScopedViewSet):
    """Polls of the collaborative: their options, rules and times; results when the
    poll's rules allow; casting your own ballot as a signed-in person."""

    serializer_class = PollSerializer
    filterset_class = PollFilter

    def scoped_queryset(self):
        member_id = self.member.pk if self.member is not None else None
        qs = (
            Poll.objects.visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .select_related("group", "collaborative")
            .prefetch_related(
                Prefetch(
                    "options",
                    queryset=PollOption.objects.select_related("quick_win").order_by(
                        "position", "pk"
                    ),
                )
            )
            .annotate(
                ballot_count=Count("ballots", distinct=True),
                has_voted=Exists(Ballot.objects.filter(poll=OuterRef("pk"), voter_id=member_id)),
            )
            .order_by("-opens_at", "-pk")
        )
        return qs

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["viewer"] = self.member
        return context

    @extend_schema(
        responses={
            200: OpenApiResponse(
                response=POLL_RESULTS, description="Totals, rounds, split and turnout."
            ),
            403: OpenApiResponse(
                description="Results are hidden until the poll closes, or (a secret poll) "
                "until at least the collaborative's small-number threshold of people voted."
            ),
        }
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, **kwargs) -> Response:
        """The poll's results, when its rules let you see them."""
        poll = self.get_object()
        data = results_json(poll, self.member)
        if data is None:
            held_below = (
                poll_results.secret_results_held(poll)
                if poll_results.results_visible(poll)
                else None
            )
            if held_below is not None:
                raise PermissionDenied(
                    f"Results of a secret poll are shown once at least {held_below} people "
                    "have voted, so no one's vote can be worked out."
                )
            raise PermissionDenied("The results are hidden until the poll closes.")
        return Response(data)

    @extend_schema(
        methods=["POST"],
        request=BALLOT_REQUEST,
        responses={
            200: BALLOT_RESPONSE,
            400: error_response(
                400,
                "The choices are not valid for this poll's method and options (under "
                "choices), or the poll is not open.",
            ),
            403: BALLOT_FORBIDDEN,
        },
        description="Cast or change your own ballot. Signed-in people only (session and "
        "CSRF token); organization API tokens are refused.",
    )
    @extend_schema(methods=["GET"], responses={200: BALLOT_RESPONSE, 403: BALLOT_FORBIDDEN})
    @action(detail=True, methods=["get", "post"])
    def ballot(self, request: Request, **kwargs) -> Response:
        """Your own ballot in this poll: read it (GET) or cast or change it (POST)."""
        if request_token(request) is not None:
            raise PermissionDenied(
                "Ballots are cast by people, not by an organization's token. Sign in and vote "
                "as yourself."
            )
        poll = self.get_object()
        member = self.member
        if member is None:
            raise PermissionDenied("Only members of this collaborative can vote.")
        if request.method == "POST":
            if not isinstance(request.data, dict) or "choices" not in request.data:
                raise ValidationError({"choices": [_("Send your choices.")]})
            try:
                polls.ballot_cast(
                    actor=member, poll=poll, choices=request.data["choices"], request=request
                )
            except DjangoPermissionDenied as exc:
                raise PermissionDenied(str(exc) or None) from exc
            except DjangoValidationError as exc:
                raise ValidationError({"choices": exc.messages}) from exc
        ballot = Ballot.objects.filter(poll=poll, voter=member).first()
        return Response(
            {
                "voted": ballot is not None,
                "changes": ballot.changes if ballot is not None else 0,
                "choices": poll_selectors.my_choices(poll, member) if ballot is not None else None,
            }
        )
