"""A mentoring session's stipend line is stored in English and shown in the reader's
language: the words the product wrote are translated, the program's name and figures
are kept as stored."""

from django.utils import translation

from reentry.stipends.models import Source, StipendLine

STORED = "Mentoring session · Second Chances Mentoring · 60 min ($15.00 + 1.00 h × $10.00)"


def test_a_mentoring_line_reads_in_spanish():
    line = StipendLine(source=Source.MENTORING, description=STORED)
    with translation.override("es"):
        shown = line.shown_description
    assert shown == (
        "Sesión de mentoría · Second Chances Mentoring · 60 min ($15.00 + 1.00 h × $10.00)"
    )
    with translation.override("en"):
        assert line.shown_description == STORED


def test_a_gathering_line_is_shown_as_stored():
    """A gathering's line is the gathering's title and group: the organization's words."""
    line = StipendLine(source=Source.GATHERINGS, description="Mentoring session · planning")
    with translation.override("es"):
        assert line.shown_description == "Mentoring session · planning"
