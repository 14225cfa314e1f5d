"""Build the demo collaborative. Idempotent; refuses to run with DEBUG off unless --force."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify

from stakeholders import demo, demo_directory, services
from stakeholders.models import (
    Collaborative,
    Contact,
    JoinRequest,
    KeyArea,
    Language,
    Location,
    Member,
    Organization,
    Phone,
    RegularSchedule,
    Sector,
    Service,
    ServiceAtLocation,
    ServiceCriterion,
    User,
)


def _user(email: str, name: str, language: str = "en") -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"name": name, "preferred_language": language}
    )
    if created:
        user.set_password(demo.DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo collaborative and print demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never do this on a real deployment.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like production. seed_demo creates accounts with a "
                "published password; use --force only on a throwaway deployment."
            )
        # The demo's invitations would otherwise print every email to the console.
        with (
            override_settings(
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
            ),
            transaction.atomic(),
        ):
            sign_ins = self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(
            f"Sign in at {settings.SITE_URL}/accounts/login/ with password "
            f"“{demo.DEMO_PASSWORD}” as:"
        )
        for role, email in sign_ins:
            self.stdout.write(f"  {role:<42} {email}")

    def _collaborative(self, spec: dict, founder: User) -> Collaborative:
        existing = Collaborative.objects.filter(slug=spec["slug"]).first()
        if existing:
            return existing
        return services.collaborative_create(user=founder, **spec)

    def _seed(self) -> list[tuple[str, str]]:
        d = demo.DEMO_DOMAIN
        names = iter(
            f"{first} {last}" for first, last in zip(demo.FIRST_NAMES, demo.LAST_NAMES, strict=True)
        )
        director = _user(f"backbone@{d}", next(names))
        collab = self._collaborative(demo.COLLABORATIVE, director)
        Member.objects.filter(user=director, collaborative=collab).update(
            title="Collaborative director",
            lived_experience=Member.LivedExperience.NO,
        )
        sectors = {s.slug: s for s in Sector.objects.filter(collaborative=collab)}
        areas = {a.slug: a for a in KeyArea.objects.filter(collaborative=collab)}

        organizations: list[Organization] = []
        for name, sector_slug, area_slugs, public, description in demo.ORGANIZATIONS:
            slug = slugify(name)[:80]
            org, _created = Organization.objects.update_or_create(
                collaborative=collab,
                slug=slug,
                defaults={
                    "name": name,
                    "sector": sectors[sector_slug],
                    "description": description,
                    "email": f"info@{slug[:30].strip('-')}.example.org",
                    "phone": f"(319) 555-01{len(organizations):02d}",
                    "website": f"https://{slug[:30].strip('-')}.example.org/",
                    "sharing_level": "public" if public else "collaborative",
                },
            )
            org.key_areas.set([areas[a] for a in area_slugs])
            organizations.append(org)
        self._seed_directory(collab, organizations, areas)

        def member(
            email, name, role, org=None, title="", lived="", visibility="only_me", lang="en"
        ):
            user = _user(email, name, lang)
            m, _ = Member.objects.update_or_create(
                user=user,
                collaborative=collab,
                defaults={
                    "role": role,
                    "organization": org,
                    "title": title,
                    "lived_experience": lived,
                    "lived_experience_visibility": visibility,
                },
            )
            return m

        # Backbone staff: four, one of them with lived experience.
        for i in range(2, 5):
            member(
                f"backbone{i}@{d}",
                next(names),
                Member.Role.BACKBONE,
                title=["Data manager", "Community engagement lead", "Mentorship coordinator"][
                    i - 2
                ],
                lived="yes" if i == 3 else "no",
                visibility="collaborative",
            )

        # An admin for every organization; staff for twelve of them.
        for i, org in enumerate(organizations):
            email = f"admin.{org.slug[:24]}@{d}"
            if org.slug == "fair-chance-works":
                email = f"orgadmin@{d}"
            member(
                email,
                next(names),
                Member.Role.ORG_ADMIN,
                org,
                title="Program director",
                lived="yes" if i % 7 == 0 else "no",
                visibility="backbone",
            )
        for i, org in enumerate(organizations[:12]):
            email = f"staff.{org.slug[:24]}@{d}"
            if org.slug == "fair-chance-works":
                email = f"staff@{d}"
            if org.slug == "second-step-housing":
                email = f"housing@{d}"
            member(
                email,
                next(names),
                Member.Role.PROVIDER_STAFF,
                org,
                title=demo.STAFF_TITLES[i % len(demo.STAFF_TITLES)],
                lived="family" if i % 5 == 0 else "",
                visibility="only_me",
            )

        # Community members, most with lived experience, choosing different privacy;
        # enough of them share it with everyone for poll results to be split by it.
        visibilities = ["collaborative", "collaborative", "backbone", "only_me"]
        community_names = [
            f"{f} {last}"
            for f, last in zip(demo.FIRST_NAMES[44:], demo.LAST_NAMES[44:], strict=False)
        ]
        community_names += ["Dolores Ortiz", "Reggie Banks", "Sharon Lee", "Miguel Soto"]
        for i, name in enumerate(community_names[:20]):
            email = f"community@{d}" if i == 0 else f"community{i}@{d}"
            lived = "yes" if i < 16 else ("family" if i < 18 else "")
            member(
                email,
                name,
                Member.Role.COMMUNITY,
                lived=lived,
                visibility=visibilities[i % len(visibilities)],
                lang="es" if i % 4 == 1 else "en",
            )
        member(f"observer@{d}", "Patricia Quinn", Member.Role.OBSERVER, title="County supervisor")
        member(
            f"observer2@{d}",
            "Alan Brooks",
            Member.Role.OBSERVER,
            title="Foundation program officer",
        )

        # Two people who joined through invitations (real history in the activity feed),
        # and two invitations still waiting.
        backbone = Member.objects.get(user=director, collaborative=collab)
        for email, name in [(f"newcomer@{d}", "Jordan Ellis"), (f"newcomer2@{d}", "Fatima Noor")]:
            if not Member.objects.filter(collaborative=collab, user__email=email).exists():
                _inv, token = services.invitation_create(
                    actor=backbone, email=email, role=Member.Role.COMMUNITY, name=name
                )
                services.invitation_accept(user=_user(email, name), token=token)
        for email, name in [(f"invited@{d}", "Kim Alvarez"), (f"invited2@{d}", "Dev Patel")]:
            if not collab.invitations.filter(email=email).exists():
                services.invitation_create(
                    actor=backbone,
                    email=email,
                    role=Member.Role.COMMUNITY,
                    name=name,
                    message="We would love to have you in the Housing working group.",
                )

        # Cedar River takes requests to join; two people are waiting for an answer.
        Collaborative.objects.filter(pk=collab.pk).update(accepts_join_requests=True)
        collab.accepts_join_requests = True
        for email, name, org_name, message in [
            (
                f"asking@{d}",
                "Terrell Jones",
                "",
                "I came home last spring and want to help others with housing.",
            ),
            (
                f"asking2@{d}",
                "Brianna Cole",
                "Hope Street Church",
                "Our church runs a clothing closet and would like to connect with the group.",
            ),
        ]:
            asker = _user(email, name)
            if not JoinRequest.objects.filter(collaborative=collab, user=asker).exists():
                services.join_request_create(
                    user=asker,
                    collaborative=collab,
                    message=message,
                    organization_name=org_name,
                )

        # Working groups, a year of gatherings and their action items (workgroups/demo.py).
        from workgroups.demo import seed_workgroups

        seed_workgroups(collab)

        # A mentoring program with a grant, mentors at every stage, mentees, matches and
        # a year of sessions whose stipends join the one ledger (mentorship/demo.py).
        from mentorship.demo import seed_mentorship

        seed_mentorship(collab)

        # Casework: 60 participants across the providers, consents of every kind (a Part 2
        # program among them), a year of service logs and referrals at every step; the
        # community member with lived experience is one of the participants (casework/demo.py).
        from casework.demo import seed_casework

        seed_casework(collab)

        # Shared indicators with five years of figures from several organizations, at
        # different sharing levels, with small numbers to suppress (indicators/demo.py).
        from indicators.demo import seed_indicators, seed_records

        seed_indicators(collab)

        # The Iowa release file as the state prison's record-level dataset: the rows stay
        # with it, the derived return rate is shared (docs/derived-indicators.md).
        seed_records(collab)

        # Quick wins at every stage and polls of each method (workgroups/demo_quickwins.py).
        from workgroups.demo_quickwins import seed_quickwins

        seed_quickwins(collab)

        # Stipends for the past year's gatherings: the rate, the lines the gatherings earn
        # (workgroups pays into the ledger), then approved, paid, statements.
        from reentry.stipends.demo import seed_stipend_decisions, seed_stipend_rate
        from workgroups.demo import seed_meeting_stipends

        keeper = seed_stipend_rate(collab)
        if keeper is not None:
            seed_meeting_stipends(collab, actor=keeper)
        seed_stipend_decisions(collab)

        # A second collaborative, to show that collaboratives never see each other.
        other_lead = _user(f"lakeshore@{d}", "Morgan Reyes")
        self._collaborative(demo.OTHER_COLLABORATIVE, other_lead)

        return [
            ("Backbone staff (Cedar River)", f"backbone@{d}"),
            ("Organization admin (Fair Chance Works)", f"orgadmin@{d}"),
            ("Organization staff (Fair Chance Works)", f"staff@{d}"),
            ("Organization staff (Second Step Housing)", f"housing@{d}"),
            ("Organization admin (a Part 2 program)", f"admin.cedar-river-treatment-al@{d}"),
            ("Community member, and a participant", f"community@{d}"),
            ("Observer", f"observer@{d}"),
            ("Backbone staff of another collaborative", f"lakeshore@{d}"),
        ]

    def _seed_directory(
        self, collab: Collaborative, organizations: list[Organization], areas: dict
    ) -> None:
        """A location, phone and services with hours for every demo organization."""
        today = timezone.localdate()
        by_slug = {org.slug: org for org in organizations}
        for n, (slug, entry) in enumerate(demo_directory.DIRECTORY.items()):
            org = by_slug[slug]
            name, street, city, postal_code = entry["location"]
            location, _created = Location.objects.update_or_create(
                organization=org,
                name=name,
                defaults={
                    "address_1": street,
                    "city": city,
                    "state_province": "IA",
                    "postal_code": postal_code,
                    "country": "US",
                    "transportation": entry["transit"],
                    "accessibility": "Ramp\nRestroom" if n % 3 else "Wheelchair",
                },
            )
            spanish = any("Spanish" in service[5] for service in entry["services"])
            Phone.objects.update_or_create(
                organization=org,
                location=location,
                service=None,
                defaults={
                    "number": f"(319) 555-02{n:02d}",
                    "language": "en, es" if spanish else "en",
                    "description": "Front desk",
                },
            )
            for (
                service_name,
                area_slugs,
                description,
                accepts_referrals,
                serves_when,
                languages,
                hours,
                requires,
                excludes,
                documents,
                how_to_apply,
                verified_days_ago,
            ) in entry["services"]:
                service, _created = Service.objects.update_or_create(
                    organization=org,
                    name=service_name,
                    defaults={
                        "description": description,
                        "accepts_referrals": accepts_referrals,
                        "serves_when": serves_when,
                        "application_process": how_to_apply,
                        "fees": "Free",
                        "last_verified_at": today - timedelta(days=verified_days_ago),
                    },
                )
                service.key_areas.set([areas[a] for a in area_slugs])
                ServiceAtLocation.objects.get_or_create(service=service, location=location)
                Language.objects.filter(service=service).exclude(language__in=languages).delete()
                for language in languages:
                    Language.objects.get_or_create(service=service, language=language)
                week = demo_directory.HOURS[hours]
                RegularSchedule.objects.filter(service=service).exclude(weekday__in=week).delete()
                for weekday, (opens_at, closes_at) in week.items():
                    RegularSchedule.objects.update_or_create(
                        service=service,
                        weekday=weekday,
                        defaults={"opens_at": opens_at, "closes_at": closes_at},
                    )
                rule = ServiceCriterion.Rule
                wanted = {(kind, value, rule.REQUIRES) for kind, value in requires}
                wanted |= {(kind, value, rule.EXCLUDES) for kind, value in excludes}
                wanted |= {("document", value, rule.REQUIRES) for value in documents}
                current = set(service.criteria.values_list("kind", "value", "rule"))
                if wanted != current:
                    service.criteria.all().delete()
                    for kind, value, criterion_rule in sorted(wanted):
                        criterion = ServiceCriterion(
                            service=service, kind=kind, value=value, rule=criterion_rule
                        )
                        criterion.full_clean()
                        criterion.save()
            for name, title, department, email, phone, for_service in demo_directory.CONTACTS.get(
                slug, []
            ):
                Contact.objects.update_or_create(
                    organization=org,
                    name=name,
                    defaults={
                        "title": title,
                        "department": department,
                        "email": email,
                        "phone": phone,
                        "service": (
                            Service.objects.get(organization=org, name=for_service)
                            if for_service
                            else None
                        ),
                    },
                )
