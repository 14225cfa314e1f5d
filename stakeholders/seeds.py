"""The key areas and sectors every new collaborative starts with (editable data, not code)."""

from django.utils.translation import gettext_noop

from reentry.i18n import product_written

DEFAULT_KEY_AREAS: list[tuple[str, str]] = [
    (
        gettext_noop("Pre-release Preparation"),
        gettext_noop(
            "Planning, documents and connections made before a person leaves prison or jail."
        ),
    ),
    (
        gettext_noop("Rehabilitation and Recovery"),
        gettext_noop("Substance use treatment, recovery support and rehabilitation programs."),
    ),
    (
        gettext_noop("Mental Health"),
        gettext_noop("Counseling, psychiatric care and crisis support."),
    ),
    (gettext_noop("Healthcare"), gettext_noop("Health coverage, primary care and medication.")),
    (gettext_noop("Housing"), gettext_noop("A safe place to live, from the first night onward.")),
    (
        gettext_noop("Family Support"),
        gettext_noop("Reunification, parenting, child support and support for families."),
    ),
    (
        gettext_noop("Mentorship and Self-Actualization"),
        gettext_noop("Mentors, peer support, education and personal goals."),
    ),
    (
        gettext_noop("Transportation"),
        gettext_noop("Getting to work, appointments and supervision meetings."),
    ),
    (
        gettext_noop("Employment"),
        gettext_noop("Job readiness, training, placement and fair-chance hiring."),
    ),
    (
        gettext_noop("Prevention"),
        gettext_noop("Working with other community efforts so fewer people enter the system."),
    ),
]

DEFAULT_SECTORS: list[str] = [
    gettext_noop("Corrections & supervision"),
    gettext_noop("Courts"),
    gettext_noop("Housing"),
    gettext_noop("Employment & workforce"),
    gettext_noop("Health & behavioral health"),
    gettext_noop("Recovery"),
    gettext_noop("Family & faith"),
    gettext_noop("Community & lived-experience groups"),
    gettext_noop("Education"),
    gettext_noop("Funders"),
]

# Stored in English, shown in the reader's language while nobody has edited them.
product_written(*(text for area in DEFAULT_KEY_AREAS for text in area), *DEFAULT_SECTORS)
