"""seed_mentorship: a believable program, idempotent."""

from django.db.models import Count

from mentorship.demo import seed_mentorship
from mentorship.models import Applicant, Grant, Match, MenteeProfile, Session, Stage
from reentry.stipends.models import Source, StipendLine
from tests.factories import KeyAreaFactory


def test_seed_makes_every_stage_and_is_idempotent(cast):
    KeyAreaFactory(collaborative=cast.collab, name="Employment", slug="employment")
    program = seed_mentorship(cast.collab)
    assert program is not None
    stages = dict(
        Applicant.objects.filter(program=program).values_list("stage").annotate(n=Count("pk"))
    )
    assert sum(stages.values()) == 30
    assert set(stages) == set(Stage.values)
    assert MenteeProfile.objects.filter(program=program).count() == 40
    statuses = set(Match.objects.filter(program=program).values_list("status", flat=True))
    assert {"active", "closed", "proposed", "paused"} <= statuses
    assert Match.objects.filter(program=program, rematch_of__isnull=False).exists()
    assert Grant.objects.filter(program=program).count() == 1
    approved = Session.objects.filter(match__program=program, status="approved").count()
    assert approved > 100
    lines = StipendLine.objects.filter(source=Source.MENTORING, session__match__program=program)
    assert lines.count() > 0
    # Only mentors with an account are paid; the community member is one of them.
    assert lines.filter(member=cast.community).exists()
    counts = (
        Applicant.objects.count(),
        Session.objects.count(),
        StipendLine.objects.count(),
        Match.objects.count(),
    )
    assert seed_mentorship(cast.collab) == program
    assert (
        Applicant.objects.count(),
        Session.objects.count(),
        StipendLine.objects.count(),
        Match.objects.count(),
    ) == counts


def test_no_backbone_no_program(cast):
    assert (
        seed_mentorship(cast.other_collab.__class__.objects.create(name="Empty", slug="empty"))
        is None
    )
