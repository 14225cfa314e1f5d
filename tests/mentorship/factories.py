"""Factories for the mentoring program (kept here, beside its tests, so tests/factories.py
stays small). Profiles default to people who can be matched: English, free on Monday
evening, approved."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from mentorship.models import (
    Applicant,
    BudgetLine,
    Grant,
    Match,
    MenteeProfile,
    MentorProfile,
    Program,
    Session,
    Stage,
    TrainingModule,
)
from tests.factories import CollaborativeFactory, MemberFactory

MONDAY_EVENING = [[0, "18:00", "20:00"]]


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    collaborative = factory.SubFactory(CollaborativeFactory)
    name = factory.Sequence(lambda n: f"Mentoring program {n}")
    slug = factory.Sequence(lambda n: f"mentoring-{n}")
    description = "Mentors who have been there, for people coming home."
    stipend_per_session = Decimal("25.00")

    @factory.post_generation
    def coordinators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.coordinators.set(extracted)


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Training {n}")
    is_required = True


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    program = factory.SubFactory(ProgramFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    stage = Stage.APPLIED
    member = None


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """An approved mentor with an account (a community member of the collaborative)."""

    class Meta:
        model = MentorProfile
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    applicant = factory.SubFactory(
        ApplicantFactory,
        program=factory.SelfAttribute("..program"),
        stage=Stage.APPROVED,
        member=factory.SubFactory(
            MemberFactory, collaborative=factory.SelfAttribute("..program.collaborative")
        ),
    )
    languages = factory.LazyFunction(lambda: ["en"])
    availability = factory.LazyFunction(lambda: [list(s) for s in MONDAY_EVENING])
    capacity = 1
    neighbourhood = "Northside"
    lived_experience = "yes"

    @factory.post_generation
    def key_areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.key_areas.set(extracted)


class MenteeProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MenteeProfile
        skip_postgeneration_save = True

    class Params:
        first_name = factory.Faker("first_name")

    program = factory.SubFactory(ProgramFactory)
    # A first name alone hides inside other words ("Tim" in "Time", "Don" in "Done", "Jo"
    # in "Join"), so a test asserting a mentee's name is *not* on a page could pass or fail
    # by luck. A numbered initial ending in a dot is on a page only where the name is.
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.first_name} Q{n}.")
    referral = MenteeProfile.Referral.SELF
    languages = factory.LazyFunction(lambda: ["en"])
    availability = factory.LazyFunction(lambda: [list(s) for s in MONDAY_EVENING])
    neighbourhood = "Northside"
    goals = "Find steady work and an apartment."

    @factory.post_generation
    def needs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.needs.set(extracted)


class MatchFactory(factory.django.DjangoModelFactory):
    """An active match (both accepted) between a new mentor and a new mentee."""

    class Meta:
        model = Match

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(MentorProfileFactory, program=factory.SelfAttribute("..program"))
    mentee = factory.SubFactory(MenteeProfileFactory, program=factory.SelfAttribute("..program"))
    status = Match.Status.ACTIVE
    # Ten days ago by Django's clock: not a random day in the last month (tests read the
    # start without saying so: check-ins due, quiet matches), and not Faker's own clock,
    # which a test that moves ``timezone.now`` would leave behind.
    mentor_accepted_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    mentee_accepted_at = factory.SelfAttribute("mentor_accepted_at")
    started_at = factory.SelfAttribute("mentor_accepted_at")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    match = factory.SubFactory(MatchFactory)
    date = factory.LazyFunction(lambda: datetime.date(2026, 11, 2))
    minutes = 60
    mode = Session.Mode.IN_PERSON
    notes = "Talked about the job fair."


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    program = factory.SubFactory(ProgramFactory)
    funder = "County Community Foundation"
    amount = Decimal("120000.00")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    grant = factory.SubFactory(GrantFactory)
    category = BudgetLine.Category.STIPENDS
    amount = Decimal("40000.00")
