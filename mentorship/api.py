"""/api/v1/collaboratives/<slug>/mentoring/programs/, /mentors/, /mentees/, /matches/
and /sessions/.

Read-only, every read through ``mentorship.selectors``:

- programs: every member of the collaborative (as on the program pages);
- mentors and mentees: the program's coordinators; a mentor their own profile, a mentee
  their own. What a mentor knows of a mentee is on the match (a name), nothing more;
- matches and sessions: the coordinators; a mentor or mentee their own.

Never through the API: session notes marked private (not even for coordinators — they
read them on the match page), the closure conversation, monitoring notes, background
assessments, supervision conditions, lived experience. With an organization's API token
only programs are listed: person-level mentoring records are not for other systems.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from mentorship import selectors
from mentorship.models import Match, MenteeProfile, MentorProfile, Program, Session
from reentry.api.viewsets import (
    COLLABORATIVE_PREFIX,
    CollaborativeScopedViewSet,
    api_router,
    request_token,
)
from reentry.sharing.access import get_visible_or_404
from stakeholders.models import KeyArea


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = [
            "public_id",
            "name",
            "slug",
            "description",
            "accepts_applications",
            "is_active",
            "currency",
            "stipend_per_session",
            "stipend_per_hour",
            "monthly_cap",
        ]


class MentorSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.public_id", read_only=True)
    name = serializers.CharField(source="applicant.name", read_only=True)
    stage = serializers.CharField(source="applicant.stage", read_only=True)
    key_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = MentorProfile
        fields = [
            "public_id",
            "program",
            "name",
            "stage",
            "languages",
            "neighbourhood",
            "availability",
            "key_areas",
            "interests",
            "capacity",
        ]


class MenteeSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.public_id", read_only=True)
    needs = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = MenteeProfile
        fields = [
            "public_id",
            "program",
            "name",
            "status",
            "referral",
            "release_date",
            "languages",
            "neighbourhood",
            "availability",
            "needs",
            "goals",
            "interests",
        ]


class PersonRef(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()


class MatchSerializer(serializers.ModelSerializer):
    program = serializers.UUIDField(source="program.public_id", read_only=True)
    mentor = serializers.SerializerMethodField()
    mentee = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = [
            "public_id",
            "program",
            "mentor",
            "mentee",
            "status",
            "proposed_at",
            "started_at",
            "paused_at",
            "closed_at",
            "closure_reason",
        ]

    @extend_schema_field(PersonRef)
    def get_mentor(self, match: Match) -> dict:
        return {"public_id": str(match.mentor.public_id), "name": match.mentor.applicant.name}

    @extend_schema_field(PersonRef)
    def get_mentee(self, match: Match) -> dict:
        return {"public_id": str(match.mentee.public_id), "name": match.mentee.name}


class SessionSerializer(serializers.ModelSerializer):
    match = serializers.UUIDField(source="match.public_id", read_only=True)
    key_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    notes = serializers.SerializerMethodField(
        help_text="The notes, unless marked private to the coordinator (then null, always)."
    )

    class Meta:
        model = Session
        fields = [
            "public_id",
            "match",
            "date",
            "minutes",
            "mode",
            "key_areas",
            "topics",
            "goals_progress",
            "status",
            "notes",
        ]

    def get_notes(self, session: Session) -> str | None:
        return None if session.notes_private_to_coordinator else session.notes


class _MentoringViewSet(CollaborativeScopedViewSet):
    def person_level_allowed(self) -> bool:
        return request_token(self.request) is None

    def get_object(self):
        model = self.get_queryset().model
        field = {
            Program: "collaborative",
            MentorProfile: "program__collaborative",
            MenteeProfile: "program__collaborative",
            Match: "program__collaborative",
            Session: "match__program__collaborative",
        }[model]
        return get_visible_or_404(
            model.objects.filter(**{field: self.collaborative}),
            self.get_queryset(),
            request=self.request,
            public_id=self.lookup_value(),
        )


@extend_schema(tags=["mentoring"])
class ProgramViewSet(_MentoringViewSet):
    """The collaborative's mentoring programs and their stipend rules."""

    serializer_class = ProgramSerializer

    def scoped_queryset(self):
        return (
            selectors.programs_visible_to(self.request.user)
            .filter(collaborative=self.collaborative)
            .order_by("name", "pk")
        )


@extend_schema(tags=["mentoring"])
class MentorViewSet(_MentoringViewSet):
    """Mentors: every mentor of the programs you coordinate; your own profile if you mentor."""

    serializer_class = MentorSerializer

    def scoped_queryset(self):
        if not self.person_level_allowed():
            return MentorProfile.objects.none()
        return (
            selectors.mentors_visible_to(self.request.user)
            .filter(program__collaborative=self.collaborative)
            .select_related("program", "applicant")
            .prefetch_related(Prefetch("key_areas", queryset=KeyArea.objects.only("pk", "slug")))
            .order_by("applicant__name", "pk")
        )


@extend_schema(tags=["mentoring"])
class MenteeViewSet(_MentoringViewSet):
    """Mentees: the coordinator's to see; a mentee sees their own profile."""

    serializer_class = MenteeSerializer

    def scoped_queryset(self):
        if not self.person_level_allowed():
            return MenteeProfile.objects.none()
        return (
            selectors.mentees_visible_to(self.request.user)
            .filter(program__collaborative=self.collaborative)
            .select_related("program")
            .prefetch_related(Prefetch("needs", queryset=KeyArea.objects.only("pk", "slug")))
            .order_by("name", "pk")
        )


@extend_schema(tags=["mentoring"])
class MatchViewSet(_MentoringViewSet):
    """Matches: the coordinator's; a mentor or mentee sees only their own."""

    serializer_class = MatchSerializer

    def scoped_queryset(self):
        if not self.person_level_allowed():
            return Match.objects.none()
        return (
            selectors.matches_visible_to(self.request.user)
            .filter(program__collaborative=self.collaborative)
            .select_related("program", "mentor__applicant", "mentee")
            .order_by("-proposed_at", "pk")
        )


@extend_schema(tags=["mentoring"])
class SessionViewSet(_MentoringViewSet):
    """Sessions of the matches you may see. Private notes are never sent."""

    serializer_class = SessionSerializer

    def scoped_queryset(self):
        if not self.person_level_allowed():
            return Session.objects.none()
        return (
            selectors.sessions_visible_to(self.request.user)
            .filter(match__program__collaborative=self.collaborative)
            .select_related("match")
            .prefetch_related(Prefetch("key_areas", queryset=KeyArea.objects.only("pk", "slug")))
            .order_by("-date", "pk")
        )


router = api_router()
MENTORING = f"{COLLABORATIVE_PREFIX}/mentoring"
router.register(f"{MENTORING}/programs", ProgramViewSet, basename="mentoring-program")
router.register(f"{MENTORING}/mentors", MentorViewSet, basename="mentoring-mentor")
router.register(f"{MENTORING}/mentees", MenteeViewSet, basename="mentoring-mentee")
router.register(f"{MENTORING}/matches", MatchViewSet, basename="mentoring-match")
router.register(f"{MENTORING}/sessions", SessionViewSet, basename="mentoring-session")
