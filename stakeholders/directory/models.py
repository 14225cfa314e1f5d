"""The directory: services and locations in the Open Referral HSDS 1.1 shape."""

import uuid
import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import ClassVar, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reentry.i18n import SPANISH_HELP, localized
from stakeholders.models.people import Collaborative, KeyArea, Organization, Sector

# --- The directory: services and locations in the Open Referral HSDS 1.1 shape ---------------
#
# Every directory row has its organization as owner (structural) and is visible exactly when
# that organization's profile is visible; it is changed by that organization's own admins and
# staff. ``collaborative`` is copied from the organization on save so that the HSDS source id
# can be unique per collaborative (the key a re-import matches on).

VERIFY_EVERY = timedelta(days=90)
EVENING_STARTS = time(18, 0)
WEEKEND_DAYS = (6, 7)  # ISO weekdays: 6 = Saturday, 7 = Sunday


class DirectoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> Self:
        """Rows of the organizations whose profile this person may see (one query)."""
        return self.filter(organization_id__in=Organization.objects.visible_to(user).values("pk"))

    def editable_by(self, user) -> Self:
        """Rows of the organizations this person is an admin or staff member of."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(organization_id__in=Organization.editor_owner_ids(user))

    def in_collaborative(self, collaborative: Collaborative) -> Self:
        return self.filter(collaborative_id=collaborative.pk)


class DirectoryRecord(models.Model):
    """Base of every directory table: owner, tenant, public id and the HSDS source id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.CASCADE, related_name="+", editable=False
    )
    hsds_id = models.CharField(
        _("HSDS id"),
        max_length=200,
        blank=True,
        help_text=_("The id this record has in the directory it was imported from."),
    )

    # Each subclass declares its own ``organization`` foreign key.
    organization: Organization
    organization_id: int

    objects = DirectoryQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["collaborative", "hsds_id"],
                condition=~Q(hsds_id=""),
                name="%(class)s_unique_hsds_id",
            )
        ]

    def save(self, *args, **kwargs):
        self.fill_owner()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        self.fill_owner()
        super().clean_fields(exclude=exclude)

    def owner_parent(self) -> "DirectoryRecord | None":
        """The row this one takes its organization from (None: chosen directly)."""
        return None

    def fill_owner(self) -> None:
        """Copy organization and collaborative from the parent, before validating or saving."""
        parent = self.owner_parent()
        if parent is not None:
            self.organization = parent.organization
        if self.organization_id is not None:
            self.collaborative_id = self.organization.collaborative_id

    def _check_same_collaborative(self, *fields: str) -> None:
        """Every row this one points to belongs to the same collaborative."""
        errors = {}
        for name in fields:
            parent = getattr(self, name)
            if parent is not None and parent.collaborative_id != self.collaborative_id:
                errors[name] = _("Choose a record of this collaborative.")
        if errors:
            raise ValidationError(errors)


class ServiceQuerySet(DirectoryQuerySet):
    def active(self) -> "ServiceQuerySet":
        return self.filter(status=Service.Status.ACTIVE)

    def search(self, text: str) -> "ServiceQuerySet":
        """Name, alternate name, description or organization name contains every word."""
        qs = self
        for word in text.split():
            qs = qs.filter(
                Q(name__icontains=word)
                | Q(alternate_name__icontains=word)
                | Q(description__icontains=word)
                | Q(organization__name__icontains=word)
            )
        return qs

    def in_key_area(self, key_area: KeyArea) -> "ServiceQuerySet":
        return self.filter(key_areas=key_area)

    def in_sector(self, sector: Sector) -> "ServiceQuerySet":
        return self.filter(organization__sector_id=sector.pk)

    def speaking(self, code: str) -> "ServiceQuerySet":
        """Services offered in a language (ISO 639-1 code, e.g. "es")."""
        return self.filter(
            Exists(Language.objects.filter(service_id=OuterRef("pk"), code=code.lower()))
        )

    def accepting_referrals(self) -> "ServiceQuerySet":
        return self.filter(accepts_referrals=True)

    def with_criterion(self, kind: str, value: str, rule: str) -> "ServiceQuerySet":
        return self.filter(Exists(ServiceCriterion.objects.for_service(kind, value, rule)))

    def without_criterion(self, kind: str, value: str, rule: str) -> "ServiceQuerySet":
        """E.g. ``without_criterion("conviction", "arson", "excludes")``: open to that history."""
        return self.exclude(Exists(ServiceCriterion.objects.for_service(kind, value, rule)))

    def needs_verification(self, today: date | None = None) -> "ServiceQuerySet":
        """Listings never verified, or last verified more than 90 days ago."""
        today = today or timezone.localdate()
        return self.filter(
            Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=today - VERIFY_EVERY)
        )

    def _has_hours(self, condition: Q) -> Q:
        """Its own hours, or its service-at-location hours, meet ``condition``.

        Two EXISTS, each on an index: one EXISTS with an OR across the join to
        service-at-location scans every schedule row once per service.
        """
        own = RegularSchedule.objects.filter(service_id=OuterRef("pk"))
        there = RegularSchedule.objects.filter(service_at_location__service_id=OuterRef("pk"))
        return Q(Exists(own.filter(condition))) | Q(Exists(there.filter(condition)))

    def open_at(self, moment: datetime, time_zone: str | None = None) -> "ServiceQuerySet":
        """Open at ``moment`` by its own or its service-at-location hours, local time."""
        zones = [time_zone] if time_zone else _time_zones_of(self)
        return self.filter(self._has_hours(_open_q(moment, zones)))

    def open_evenings(self) -> "ServiceQuerySet":
        return self.filter(self._has_hours(_EVENING_Q))

    def open_weekends(self) -> "ServiceQuerySet":
        return self.filter(self._has_hours(Q(weekday__in=WEEKEND_DAYS)))

    def with_open_at(self, moment: datetime, time_zone: str) -> "ServiceQuerySet":
        """Annotate ``is_open`` (open at ``moment``), in the same query."""
        return self.annotate(
            is_open=ExpressionWrapper(
                self._has_hours(_open_q(moment, [time_zone])), output_field=models.BooleanField()
            )
        )


class Service(DirectoryRecord):
    """What an organization offers (HSDS ``service``), with reentry eligibility on top."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Closed for good")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    class ServesWhen(models.TextChoices):
        BEFORE_RELEASE = "before_release", _("Before release")
        AFTER_RELEASE = "after_release", _("After release")
        BOTH = "both", _("Before and after release")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="services",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    name_es = models.CharField(
        _("name in Spanish"), max_length=200, blank=True, help_text=SPANISH_HELP
    )
    description_es = models.TextField(
        _("description in Spanish"), blank=True, help_text=SPANISH_HELP
    )
    url = models.URLField(_("web page"), blank=True, max_length=500)
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    key_areas = models.ManyToManyField(
        KeyArea, blank=True, related_name="services", verbose_name=_("key areas")
    )
    application_process = models.TextField(
        _("how to apply"), blank=True, help_text=_("The steps to get this service.")
    )
    fees = models.TextField(_("fees"), blank=True)
    eligibility_description = models.TextField(
        _("who can get this service"),
        blank=True,
        help_text=_("In plain words; the checklists below make it searchable."),
    )
    wait_time = models.CharField(_("wait time"), max_length=200, blank=True)
    # HSDS 1.1 service fields kept so an imported directory exports again whole.
    interpretation_services = models.TextField(
        _("interpretation services"),
        blank=True,
        help_text=_("How people who speak other languages are helped, e.g. over the phone."),
    )
    accreditations = models.TextField(_("accreditations"), blank=True)
    licenses = models.TextField(_("licenses"), blank=True)
    other_documents = models.TextField(
        _("other documents needed"),
        blank=True,
        help_text=_("Documents outside the list of tracked ones, one per line."),
    )
    accepts_referrals = models.BooleanField(
        _("accepts referrals"),
        default=False,
        help_text=_("Other organizations in the collaborative can refer people here."),
    )
    serves_when = models.CharField(
        _("serves people"),
        max_length=20,
        choices=ServesWhen.choices,
        default=ServesWhen.AFTER_RELEASE,
    )
    last_verified_at = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("The day someone last checked this listing is right. Check every quarter."),
    )
    verification_reminded_at = models.DateTimeField(
        _("last reminded to verify"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar = ServiceQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["created_at", "updated_at", "verification_reminded_at"]
    )

    class Meta(DirectoryRecord.Meta):
        ordering = ["collaborative", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(fields=["collaborative", "status"], name="service_collab_status"),
            models.Index(fields=["organization", "name"], name="service_org_name"),
        ]

    def __str__(self) -> str:
        return localized(self, "name")

    @property
    def needs_verification(self) -> bool:
        return (
            self.last_verified_at is None
            or self.last_verified_at < timezone.localdate() - VERIFY_EVERY
        )


class CriterionKind(models.TextChoices):
    CONVICTION = "conviction", _("Conviction history")
    SUPERVISION = "supervision", _("Supervision")
    DOCUMENT = "document", _("Document")


class Conviction(models.TextChoices):
    SEX_OFFENSE_REGISTRY = "sex_offense_registry", _("Listed on a sex offense registry")
    ARSON = "arson", _("Arson conviction")
    VIOLENT = "violent", _("Violent conviction")
    DRUG = "drug", _("Drug conviction")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence conviction")
    ANY_FELONY = "any_felony", _("Any felony conviction")


class Supervision(models.TextChoices):
    PROBATION = "probation", _("On probation")
    PAROLE = "parole", _("On parole")
    SUPERVISED_RELEASE = "supervised_release", _("On federal supervised release")
    NONE = "none", _("No supervision")


class Document(models.TextChoices):
    STATE_ID = "state_id", _("State ID or driver’s license")
    SOCIAL_SECURITY_CARD = "social_security_card", _("Social Security card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    DD214 = "dd214", _("DD-214 (military discharge papers)")
    RELEASE_PAPERS = "release_papers", _("Release papers")
    PROOF_OF_INCOME = "proof_of_income", _("Proof of income")
    MEDICAID_CARD = "medicaid_card", _("Medicaid card")


CRITERION_VALUES: dict[str, type[models.TextChoices]] = {
    CriterionKind.CONVICTION: Conviction,
    CriterionKind.SUPERVISION: Supervision,
    CriterionKind.DOCUMENT: Document,
}


class ServiceCriterionQuerySet(models.QuerySet):
    def for_service(self, kind: str, value: str, rule: str) -> "ServiceCriterionQuerySet":
        return self.filter(service_id=OuterRef("pk"), kind=kind, value=value, rule=rule)


class ServiceCriterion(models.Model):
    """One structured eligibility rule: a service requires or excludes a history or status.

    A small through table rather than JSON: each (kind, value) is validated against its own
    choices, a service cannot both require and exclude the same thing, and "open to people
    on parole" or "no state ID needed" is an index-friendly ``EXISTS`` on every database.
    Documents can only be required.
    """

    class Rule(models.TextChoices):
        REQUIRES = "requires", _("Requires")
        EXCLUDES = "excludes", _("Excludes")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=20, choices=CriterionKind.choices)
    value = models.CharField(
        _("what"),
        max_length=40,
        choices=[*Conviction.choices, *Supervision.choices, *Document.choices],
    )
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices)

    objects = ServiceCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["service", "kind", "rule", "value"]
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "kind", "value"], name="servicecriterion_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "value", "rule"], name="servicecriterion_lookup")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.get_value_display()}"

    def clean(self) -> None:
        choices = CRITERION_VALUES.get(self.kind)
        if choices is not None and self.value not in choices.values:
            raise ValidationError({"value": _("Choose one of the options for this kind.")})
        if self.kind == CriterionKind.DOCUMENT and self.rule != self.Rule.REQUIRES:
            raise ValidationError({"rule": _("A document can only be required.")})


class LocationQuerySet(DirectoryQuerySet):
    def open_at(self, moment: datetime, time_zone: str | None = None) -> "LocationQuerySet":
        zones = [time_zone] if time_zone else _time_zones_of(self)
        # Two EXISTS, each on its own index, rather than one EXISTS over an OR of both
        # paths (which made PostgreSQL scan every schedule row once per location).
        open_now = _open_q(moment, zones)
        own = RegularSchedule.objects.filter(open_now, location_id=OuterRef("pk"))
        through_services = RegularSchedule.objects.filter(
            open_now, service_at_location__location_id=OuterRef("pk")
        )
        return self.filter(Exists(own) | Exists(through_services))


class Location(DirectoryRecord):
    """Where services are offered (HSDS ``location`` with its physical address)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="locations",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    address_1 = models.CharField(_("street address"), max_length=200, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state_province = models.CharField(_("state"), max_length=100, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=20, blank=True)
    # The rest of an HSDS 1.1 street address, kept so an imported one exports again whole.
    address_attention = models.CharField(_("attention"), max_length=200, blank=True)
    address_3 = models.CharField(_("address line 3"), max_length=200, blank=True)
    address_4 = models.CharField(_("address line 4"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, default="US", help_text=_("Two letters, e.g. US.")
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    transportation = models.TextField(
        _("getting there"), blank=True, help_text=_("Bus routes, parking, rides.")
    )
    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        help_text=_("Ramps, elevators, interpreters… one per line."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects: ClassVar = LocationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta(DirectoryRecord.Meta):
        ordering = ["collaborative", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))

    @property
    def has_address(self) -> bool:
        return bool(self.address_1 and self.city)


class ServiceAtLocation(DirectoryRecord):
    """A service offered at a location (HSDS ``service_at_location``).

    Owned by the service's organization. The location may be another organization's in
    the same collaborative (a legal clinic held at the workforce center).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", editable=False
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="at_locations")
    description = models.TextField(_("description"), blank=True)

    class Meta(DirectoryRecord.Meta):
        ordering = ["service", "location"]
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")
        constraints = [
            *DirectoryRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["service", "location"], name="serviceatlocation_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"

    def owner_parent(self) -> "DirectoryRecord | None":
        return self.service if self.service_id else None

    def clean(self) -> None:
        self._check_same_collaborative("location")


class Phone(DirectoryRecord):
    """A phone number of an organization, or of one of its services or locations.

    With a service, location or service-at-location, the organization is that row's.
    """

    class Type(models.TextChoices):
        VOICE = "voice", _("Voice")
        TEXT = "text", _("Text messages")
        CELL = "cell", _("Cell phone")
        FAX = "fax", _("Fax")
        VIDEO = "video", _("Video call")
        PAGER = "pager", _("Pager")
        TEXTPHONE = "textphone", _("Textphone (TTY)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="phones")
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=40)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.VOICE)
    language = models.CharField(
        _("languages spoken"), max_length=100, blank=True, help_text=_("E.g. “en, es”.")
    )
    description = models.CharField(_("what this number is for"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)

    class Meta(DirectoryRecord.Meta):
        ordering = ["organization", "number"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return f"{self.number} x{self.extension}" if self.extension else self.number

    def owner_parent(self) -> "DirectoryRecord | None":
        return self.service_at_location or self.service or self.location

    def clean(self) -> None:
        self._check_same_collaborative("service", "location", "service_at_location")


class Contact(DirectoryRecord):
    """A person to ask for at an organization, or for one of its services (HSDS ``contact``).

    With a service, the organization is the service's. Shown wherever the organization's
    profile is shown: to members, and to everyone when the profile is public.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organization"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("service"),
        help_text=_("Leave empty for a contact for the whole organization."),
    )
    service_at_location = models.ForeignKey(
        "ServiceAtLocation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("service at a location"),
        help_text=_("Only when the person is the contact for the service at one location."),
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta(DirectoryRecord.Meta):
        ordering = ["organization", "name", "pk"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")

    def __str__(self) -> str:
        return self.name

    def owner_parent(self) -> "DirectoryRecord | None":
        if self.service_id:
            return self.service
        return self.service_at_location if self.service_at_location_id else None

    def clean(self) -> None:
        self._check_same_collaborative("service", "service_at_location")
        sal = self.service_at_location
        if self.service_id and sal is not None and sal.service_id != self.service_id:
            raise ValidationError(
                {"service_at_location": _("Choose a place where this service is offered.")}
            )


class RegularScheduleQuerySet(DirectoryQuerySet):
    def open_at(self, moment: datetime, time_zone: str | None = None):
        zones = [time_zone] if time_zone else _time_zones_of(self)
        return self.filter(_open_q(moment, zones))

    def evenings(self):
        return self.filter(_EVENING_Q)

    def weekends(self):
        return self.filter(weekday__in=WEEKEND_DAYS)


class RegularSchedule(DirectoryRecord):
    """Weekly opening hours, in the collaborative's local time (HSDS ``regular_schedule``).

    ``closes_at`` earlier than ``opens_at`` runs past midnight into the next day; equal
    times mean open the whole day.
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", editable=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="schedules",
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens"), null=True, blank=True)
    closes_at = models.TimeField(_("closes"), null=True, blank=True)

    objects: ClassVar = RegularScheduleQuerySet.as_manager()

    class Meta(DirectoryRecord.Meta):
        ordering = ["weekday", "opens_at"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            *DirectoryRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(service__isnull=False)
                | Q(location__isnull=False)
                | Q(service_at_location__isnull=False),
                name="regularschedule_has_parent",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="regularschedule_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at}–{self.closes_at}"

    def owner_parent(self) -> "DirectoryRecord | None":
        return self.service_at_location or self.service or self.location

    def clean(self) -> None:
        if self.owner_parent() is None:
            raise ValidationError(_("Opening hours belong to a service or a location."))
        self._check_same_collaborative("service", "location", "service_at_location")
        if (self.opens_at is None) != (self.closes_at is None):
            raise ValidationError(_("Give both the opening and the closing time."))


class Language(DirectoryRecord):
    """A language a service or location works in (HSDS ``language``), with its ISO code."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", editable=False
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    language = models.CharField(_("language"), max_length=100)
    code = models.CharField(
        _("language code"),
        max_length=8,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Filled in from the language name, e.g. “es” for Spanish."),
    )

    class Meta(DirectoryRecord.Meta):
        ordering = ["language"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [
            *DirectoryRecord.Meta.constraints,
            models.CheckConstraint(
                condition=Q(service__isnull=False) | Q(location__isnull=False),
                name="language_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.language

    def save(self, *args, **kwargs):
        self.code = language_code(self.language)
        super().save(*args, **kwargs)

    def owner_parent(self) -> "DirectoryRecord | None":
        return self.service or self.location

    def clean(self) -> None:
        if self.owner_parent() is None:
            raise ValidationError(_("A language belongs to a service or a location."))
        self._check_same_collaborative("service", "location")


def language_code(text: str) -> str:
    """ "Spanish", "español", "es" or "es-MX" → "es"; "" when not recognized."""
    from django.conf.locale import LANG_INFO

    key = text.strip().lower()
    if not key:
        return ""
    base = key.replace("_", "-").split("-")[0]
    if base in LANG_INFO and len(base) <= 3:
        return base
    for code, info in LANG_INFO.items():
        if "-" in code or "fallback" in info:
            continue
        if key in (info["name"].lower(), info["name_local"].lower()):
            return code
    return ""


def _time_zones_of(queryset: models.QuerySet) -> list[str]:
    """The time zones of the collaboratives a queryset's rows belong to (one small query)."""
    return list(
        Collaborative.objects.filter(pk__in=queryset.order_by().values("collaborative_id"))
        .values_list("time_zone", flat=True)
        .distinct()
    )


def _open_q(moment: datetime, zones: list[str]) -> Q:
    """Schedule rows open at ``moment``, each judged in its collaborative's local time."""
    if timezone.is_naive(moment):
        raise ValueError("open_at needs an aware datetime.")
    q = Q(pk__in=[])
    for zone in zones:
        local = moment.astimezone(zoneinfo.ZoneInfo(zone))
        day, now = local.isoweekday(), local.time().replace(tzinfo=None)
        yesterday = 7 if day == 1 else day - 1
        # closes_at <= opens_at: the hours run past midnight (equal: a full 24 hours).
        same_day = Q(weekday=day, opens_at__lte=now) & (
            Q(closes_at__gt=now) | Q(closes_at__lte=F("opens_at"))
        )
        after_midnight = Q(weekday=yesterday, closes_at__lte=F("opens_at"), closes_at__gt=now)
        q |= Q(collaborative__time_zone=zone) & (same_day | after_midnight)
    return q


# Open past 6 pm, or through midnight.
_EVENING_Q = Q(closes_at__gt=EVENING_STARTS) | Q(closes_at__lte=F("opens_at"))
