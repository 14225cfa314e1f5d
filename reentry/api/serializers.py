"""Read-only representations. Objects are named by public_id (UUID) or slug, never ids."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stakeholders.models import Collaborative, KeyArea, Member, Organization, Sector


class CollaborativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collaborative
        fields = ["public_id", "slug", "name", "region", "time_zone", "description"]


class KeyAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyArea
        fields = ["public_id", "slug", "name", "description", "order"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["public_id", "slug", "name", "description", "order"]


class SectorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["public_id", "slug", "name"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["public_id", "slug", "name"]


class OrganizationSerializer(serializers.ModelSerializer):
    sector = SectorRefSerializer(read_only=True)
    key_areas = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "public_id",
            "slug",
            "name",
            "sector",
            "key_areas",
            "description",
            "email",
            "phone",
            "website",
            "sharing_level",
            "updated_at",
        ]


class MemberSerializer(serializers.ModelSerializer):
    """A member as staff see them on the member page. ``lived_experience`` is given only
    when the member chose to show it to the viewer (``Member.lived_experience_shown_to``),
    otherwise null — exactly as if they had not answered."""

    name = serializers.CharField(source="user.name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    lived_experience = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "public_id",
            "name",
            "email",
            "role",
            "organization",
            "title",
            "lived_experience",
            "joined_at",
        ]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[c for c in Member.LivedExperience.choices if c[0]], allow_null=True
        )
    )
    def get_lived_experience(self, member: Member) -> str | None:
        viewer = self.context["viewer"]
        if member.lived_experience_shown_to(viewer) is None:
            return None
        return member.lived_experience
