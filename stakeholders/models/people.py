"""The collaborative (the tenant), its key areas, sectors, organizations and people."""

import uuid
import zoneinfo
from datetime import date, datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reentry.i18n import localized
from reentry.sharing.groups import BackedByGroup
from reentry.sharing.levels import SharingLevel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class CollaborativeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CollaborativeQuerySet":
        """The collaboratives this person is an active member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Member.objects.collaborative_ids_of(user))


class Collaborative(BackedByGroup):
    """The tenant: one reentry collaborative. Every row belongs to exactly one."""

    group_kind = "collaborative"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("web address name"),
        max_length=60,
        unique=True,
        help_text=_("Used in web addresses, e.g. /c/linn-county/. Letters, numbers and dashes."),
    )
    region = models.CharField(
        _("region"), max_length=200, blank=True, help_text=_("The county, city or area served.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/Chicago",
        validators=[validate_time_zone],
        help_text=_("Every date and time in this collaborative is shown in this time zone."),
    )
    description = models.TextField(_("description"), blank=True)
    small_cell_threshold = models.PositiveSmallIntegerField(
        _("small-number threshold"),
        default=11,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Counts below this number are hidden in anything shown beyond the owner, "
            "so no one can be identified."
        ),
    )
    accepts_join_requests = models.BooleanField(
        _("people can ask to join"),
        default=False,
        help_text=_(
            "Shows this collaborative on the start page with a form to ask to join. "
            "Backbone staff approve or decline each request."
        ),
    )
    referral_reminder_days = models.PositiveSmallIntegerField(
        _("remind about unanswered referrals after (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "An organization that has not answered a referral after this many days gets a "
            "reminder, and another after each further period."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CollaborativeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("collaborative")
        verbose_name_plural = _("collaboratives")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The collaborative's time zone: every date and time inside it is read here."""
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_date(self, moment: datetime) -> date:
        """The calendar day a moment falls on where the collaborative is."""
        return moment.astimezone(self.zone).date()

    def today(self) -> date:
        """Today where the collaborative is (not where the server is)."""
        return self.local_date(timezone.now())

    def get_absolute_url(self) -> str:
        return reverse("stakeholders:home", kwargs={"slug": self.slug})


class KeyArea(models.Model):
    """An area of reentry work (housing, employment, ...). Seeded per collaborative."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="key_areas"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["collaborative", "order", "name"]
        verbose_name = _("key area")
        verbose_name_plural = _("key areas")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "slug"], name="keyarea_unique_slug")
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class Sector(BackedByGroup):
    """A kind of organization (corrections, housing, ...). Grants can go to a sector."""

    group_kind = "sector"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="sectors"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["collaborative", "order", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.UniqueConstraint(fields=["collaborative", "slug"], name="sector_unique_slug")
        ]

    def __str__(self) -> str:
        return localized(self, "name")


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationQuerySet":
        """Profiles of my collaboratives' organizations, and public profiles."""
        public = Q(sharing_level=SharingLevel.PUBLIC)
        if not user.is_authenticated:
            return self.filter(public)
        return self.filter(
            public | Q(collaborative_id__in=Member.objects.collaborative_ids_of(user))
        )

    def editable_by(self, user) -> "OrganizationQuerySet":
        """Profiles (description, contact, services, locations) a person may change:
        their own organization's, as its admin or staff. Not backbone staff, not others."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=Organization.editor_owner_ids(user))


class Organization(BackedByGroup):
    """An agency, provider or community group at the table. Owns what it shares."""

    group_kind = "organization"

    class ProfileSharing(models.TextChoices):
        COLLABORATIVE = SharingLevel.COLLABORATIVE.value, SharingLevel.COLLABORATIVE.label
        PUBLIC = SharingLevel.PUBLIC.value, SharingLevel.PUBLIC.label

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="organizations"
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="organizations")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("web address name"), max_length=80)
    description = models.TextField(_("what the organization does"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    # What Open Referral HSDS 1.1 says about an organization besides the above: kept so an
    # imported directory exports again whole. Shown in the admin.
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    tax_status = models.CharField(
        _("tax status"), max_length=100, blank=True, help_text=_("For example: nonprofit.")
    )
    tax_id = models.CharField(_("tax id (EIN)"), max_length=100, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(
        _("year incorporated"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1000), MaxValueValidator(9999)],
    )
    legal_status = models.CharField(_("legal status"), max_length=100, blank=True)
    # Written only by ``directory.services.listings.organization_profile_update`` (checked,
    # re-encoded, under a random name) and served by the logo views, never from MEDIA_URL.
    logo = models.ImageField(_("logo"), upload_to="logos/", max_length=200, blank=True)
    key_areas = models.ManyToManyField(
        KeyArea, blank=True, related_name="organizations", verbose_name=_("key areas served")
    )
    sharing_level = models.CharField(
        _("who can see this profile"),
        max_length=20,
        choices=ProfileSharing.choices,
        default=ProfileSharing.COLLABORATIVE,
        help_text=_("Public profiles appear in the directory for anyone, signed in or not."),
    )
    hsds_id = models.CharField(
        _("HSDS id"),
        max_length=200,
        blank=True,
        help_text=_("The id this organization has in the directory it was imported from."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["group", "created_at", "updated_at"])

    class Meta:
        ordering = ["collaborative", "name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "slug"], name="organization_unique_slug"
            ),
            # Also the index a re-import looks organizations up by.
            models.UniqueConstraint(
                fields=["collaborative", "hsds_id"],
                condition=~Q(hsds_id=""),
                name="organization_unique_hsds_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.sector_id
            and self.collaborative_id
            and self.sector.collaborative_id != self.collaborative_id
        ):
            raise ValidationError({"sector": _("Choose a sector of this collaborative.")})

    def get_absolute_url(self) -> str:
        return reverse(
            "stakeholders:organization",
            kwargs={"slug": self.collaborative.slug, "public_id": self.public_id},
        )

    @property
    def logo_version(self) -> str:
        """Changes with every new logo (its random file name): the ETag, and the ``?v=`` that
        lets pages point browsers at a new logo at once."""
        return PurePosixPath(self.logo.name).stem if self.logo.name else ""

    # Owner protocol used by reentry.sharing: who owns through this organization.
    @staticmethod
    def viewer_owner_ids(user) -> models.QuerySet:
        return Member.objects.of_user(user).values("organization_id")

    @staticmethod
    def editor_owner_ids(user) -> models.QuerySet:
        return (
            Member.objects.of_user(user)
            .filter(role__in=Member.EDITOR_ROLES)
            .values("organization_id")
        )


class MemberQuerySet(models.QuerySet):
    def active(self) -> "MemberQuerySet":
        return self.filter(is_active=True)

    def of_user(self, user) -> "MemberQuerySet":
        """A person's active memberships: their place in each collaborative they belong to."""
        return self.filter(user_id=user.pk, is_active=True)

    def collaborative_ids_of(self, user) -> models.QuerySet:
        """My collaboratives: the ids of the collaboratives a person is an active member
        of, as a subquery (``collaborative_id__in=...``). Every app asks here."""
        return self.of_user(user).values("collaborative_id")

    def visible_to(self, user) -> "MemberQuerySet":
        """Members of collaboratives the person belongs to (field privacy applies on top)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(collaborative_id__in=Member.objects.collaborative_ids_of(user))

    def lived_experience_shared_with(self, viewer: "Member | None") -> "MemberQuerySet":
        """Members who said they have lived experience (themselves or through family)
        and let ``viewer`` see that answer. Every count of lived experience shown to a
        person is taken from here (or from ``lived_experience_shared_q``), so that no
        figure moves with an answer the person may not see."""
        return self.filter(lived_experience_shared_q(viewer))

    def editable_by(self, user) -> "MemberQuerySet":
        """Backbone staff manage everyone; organization admins manage their own staff."""
        if not user.is_authenticated:
            return self.none()
        mine = Member.objects.of_user(user)
        backbone = mine.filter(role=Member.Role.BACKBONE).values("collaborative_id")
        admin_of = mine.filter(role=Member.Role.ORG_ADMIN).values("organization_id")
        return self.filter(Q(collaborative_id__in=backbone) | Q(organization_id__in=admin_of))


def lived_experience_shared_q(viewer: "Member | None", prefix: str = "") -> Q:
    """The condition behind ``MemberQuerySet.lived_experience_shared_with``, for use
    across a relation (``prefix="member__"``) inside an aggregate. Answers shared with
    everyone in the collaborative count for every viewer; answers shared with backbone
    staff only count for backbone staff; "only me" answers never count."""
    return Q(
        **{
            f"{prefix}lived_experience__in": Member.LIVED_ANSWERS,
            f"{prefix}lived_experience_visibility__in": Member.visibilities_shown_to(viewer),
        }
    )


class Member(models.Model):
    """A person's place in a collaborative: role, organization, privacy choices."""

    class Role(models.TextChoices):
        BACKBONE = "backbone", _("Backbone staff")
        ORG_ADMIN = "org_admin", _("Organization admin")
        PROVIDER_STAFF = "provider_staff", _("Organization staff")
        COMMUNITY = "community", _("Community member")
        OBSERVER = "observer", _("Observer")

    class LivedExperience(models.TextChoices):
        UNSAID = "", _("I’d rather not say")
        YES = "yes", _("Yes, I have lived experience of incarceration or reentry")
        FAMILY = "family", _("Yes, through a family member")
        NO = "no", _("No")

    class Visibility(models.TextChoices):
        ONLY_ME = "only_me", _("Only me")
        BACKBONE = "backbone", _("Backbone staff, for stipends and inclusion reports")
        COLLABORATIVE = "collaborative", _("Everyone in the collaborative")

    #: The answers that count as having lived experience.
    LIVED_ANSWERS = (LivedExperience.YES, LivedExperience.FAMILY)
    ORG_ROLES = (Role.ORG_ADMIN, Role.PROVIDER_STAFF)
    EDITOR_ROLES = (Role.ORG_ADMIN, Role.PROVIDER_STAFF)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.COMMUNITY)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("organization"),
        help_text=_("Community members often have none."),
    )
    title = models.CharField(_("job title or role"), max_length=120, blank=True)
    lived_experience = models.CharField(
        _("lived experience"),
        max_length=10,
        choices=LivedExperience.choices,
        blank=True,
        default=LivedExperience.UNSAID,
        help_text=_("Your own answer. You choose below who may see it."),
    )
    lived_experience_visibility = models.CharField(
        _("who may see my answer"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.ONLY_ME,
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_by_email = models.BooleanField(_("email me about this collaborative"), default=True)
    contact_by_text = models.BooleanField(_("text me reminders"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["collaborative", "user__name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collaborative"], name="member_unique_per_collab"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["org_admin", "provider_staff"])
                | Q(organization__isnull=False),
                name="member_org_role_needs_organization",
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="member_user_active")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.collaborative})"

    def clean(self) -> None:
        if (
            self.organization is not None
            and self.organization.collaborative_id != self.collaborative_id
        ):
            raise ValidationError(
                {"organization": _("Choose an organization of this collaborative.")}
            )
        if self.role in self.ORG_ROLES and not self.organization_id:
            raise ValidationError({"organization": _("This role needs an organization.")})

    @property
    def is_backbone(self) -> bool:
        return self.role == self.Role.BACKBONE

    def works_for(self, organization_id: int | None) -> bool:
        """The one rule for "an organization's own admins and staff may change this":
        an active admin or staff member of that organization. Every app asks here."""
        return (
            organization_id is not None
            and self.is_active
            and self.role in self.EDITOR_ROLES
            and self.organization_id == organization_id
        )

    @property
    def can_invite(self) -> bool:
        return self.role in (self.Role.BACKBONE, self.Role.ORG_ADMIN)

    @property
    def is_staff_role(self) -> bool:
        """Staff see the member list: backbone, organization admins and staff."""
        return self.role in (self.Role.BACKBONE, self.Role.ORG_ADMIN, self.Role.PROVIDER_STAFF)

    @classmethod
    def visibilities_shown_to(cls, viewer: "Member | None") -> tuple[str, ...]:
        """The visibility choices whose answers ``viewer`` may see in aggregate (one's
        own "only me" answer is never counted, so a figure is the same for everyone
        of the same role)."""
        if viewer is not None and viewer.is_backbone and viewer.is_active:
            return (cls.Visibility.COLLABORATIVE, cls.Visibility.BACKBONE)
        return (cls.Visibility.COLLABORATIVE,)

    def lived_experience_shown_to(self, viewer: "Member | None") -> str | None:
        """The lived-experience answer as this viewer may see it, or None."""
        if not self.lived_experience or viewer is None:
            return None
        if viewer.pk == self.pk:
            return self.get_lived_experience_display()
        visibility = self.lived_experience_visibility
        if (
            visibility == self.Visibility.COLLABORATIVE
            and viewer.collaborative_id == self.collaborative_id
        ):
            return self.get_lived_experience_display()
        if (
            visibility == self.Visibility.BACKBONE
            and viewer.is_backbone
            and viewer.collaborative_id == self.collaborative_id
        ):
            return self.get_lived_experience_display()
        return None
