"""Who may do what in the mentoring program: one policy per decision, asked by the
services (which re-check whatever the view checked) and by the views.

The person is always the acting ``Member``: their place in the program's collaborative.
A member of another collaborative is never a coordinator, a manager, a mentor or a
mentee here, whatever they are elsewhere. What each role may *read* is in
``mentorship.selectors``; the roles themselves are described there.

``access_<entity>(request, ..., public_id, *, action)`` fetch one object for a page:
404 when it is missing or not visible to the person, 403 when it is visible but the
action is not theirs.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from mentorship import selectors
from mentorship.models import (
    Applicant,
    BudgetLine,
    Expense,
    Grant,
    Match,
    MenteeProfile,
    MentorProfile,
    Program,
    Session,
)
from reentry.sharing.access import get_visible_or_404
from stakeholders.access import CollaborativeRequest
from stakeholders.models import Member

# The policies ---------------------------------------------------------------------------


def _inside(member: Member, program: Program) -> bool:
    return member.is_active and member.collaborative_id == program.collaborative_id


def coordinates(member: Member, program: Program) -> bool:
    """A coordinator of the program: reads and changes everything person-level in it."""
    return _inside(member, program) and program.coordinators.filter(pk=member.pk).exists()


def is_backbone_of(member: Member, program: Program) -> bool:
    """Backbone staff of the program's collaborative: they start programs and choose who
    coordinates them."""
    return _inside(member, program) and member.is_backbone


def manages(member: Member, program: Program) -> bool:
    """A manager of the program (its settings, training modules, grants and reports):
    backbone staff of its collaborative and its coordinators."""
    return is_backbone_of(member, program) or coordinates(member, program)


def is_own_application(member: Member, applicant: Applicant) -> bool:
    """The application is the person's own (linked to their membership)."""
    return member.is_active and applicant.member_id == member.pk


def is_mentor_in(member: Member, match: Match) -> bool:
    """The person is the match's mentor themself."""
    return member.is_active and match.mentor.applicant.member_id == member.pk


def is_mentee_in(member: Member, match: Match) -> bool:
    """The person is the match's mentee themself (a mentee with an account)."""
    return member.is_active and match.mentee.member_id == member.pk


def may_edit_mentor_profile(member: Member, profile: MentorProfile) -> bool:
    """The mentor themself, or a coordinator of the program."""
    return (member.is_active and profile.applicant.member_id == member.pk) or coordinates(
        member, profile.program
    )


def may_read_session_notes(member: Member, session: Session, *, coordinator: bool) -> bool:
    """Private notes: the program's coordinators and whoever wrote them. Other notes: also
    the match's mentor and mentee. ``coordinator`` is whether the person coordinates the
    session's program, computed once per page, not per row."""
    if coordinator:
        return True
    if session.logged_by_id == member.user_id:
        return True
    return not session.notes_private_to_coordinator


def require_coordinator(member: Member, program: Program) -> None:
    if not coordinates(member, program):
        raise PermissionDenied(_("Only the program's coordinators can do that."))


def require_manager(member: Member, program: Program) -> None:
    if not manages(member, program):
        raise PermissionDenied(_("Only backbone staff and the program's coordinators can do that."))


def require_backbone(member: Member, program: Program) -> None:
    if not is_backbone_of(member, program):
        raise PermissionDenied


# One object for a page: 404 when missing or not visible, 403 when not allowed -----------


def access_program(
    request: CollaborativeRequest, public_id: uuid.UUID | str, *, action: str = "view"
) -> Program:
    """``action``: "view" (any member), "manage" (backbone or coordinator), "coordinate"
    (coordinator). Another collaborative's program, or a missing one, is a 404."""
    program = get_visible_or_404(
        Program.objects.all(),
        selectors.programs_visible_to(request.user).filter(collaborative=request.collaborative),
        request=request,
        public_id=public_id,
    )
    program.collaborative = request.collaborative
    if action == "manage" and not manages(request.member, program):
        raise PermissionDenied
    if action == "coordinate" and not coordinates(request.member, program):
        raise PermissionDenied
    return program


def access_applicant(
    request: CollaborativeRequest,
    program: Program,
    public_id: uuid.UUID | str,
    *,
    action: str = "view",
) -> Applicant:
    """An applicant of this program the person may see (coordinators; the person
    themself), or 404. ``action``: "view", "coordinate" (403 unless a coordinator), or
    "own" (the person's own application only: anyone else's is a 404)."""
    visible = (
        selectors.applications_of(request.user)
        if action == "own"
        else selectors.applicants_visible_to(request.user)
    )
    applicant = get_visible_or_404(
        Applicant.objects.filter(program=program),
        visible.filter(program=program).select_related("program"),
        request=request,
        public_id=public_id,
    )
    if action == "coordinate" and not coordinates(request.member, program):
        raise PermissionDenied
    return applicant


def access_mentor(
    request: CollaborativeRequest, program: Program, public_id: uuid.UUID | str
) -> MentorProfile:
    return get_visible_or_404(
        MentorProfile.objects.filter(program=program),
        selectors.mentors_visible_to(request.user)
        .filter(program=program)
        .select_related("applicant", "program"),
        request=request,
        public_id=public_id,
    )


def access_mentee(
    request: CollaborativeRequest, program: Program, public_id: uuid.UUID | str
) -> MenteeProfile:
    return get_visible_or_404(
        MenteeProfile.objects.filter(program=program),
        selectors.mentees_visible_to(request.user)
        .filter(program=program)
        .select_related("program"),
        request=request,
        public_id=public_id,
    )


def access_match(
    request: CollaborativeRequest, program: Program, public_id: uuid.UUID | str
) -> Match:
    return get_visible_or_404(
        Match.objects.filter(program=program),
        selectors.matches_visible_to(request.user)
        .filter(program=program)
        .select_related("program", "mentor__applicant__member", "mentee__member"),
        request=request,
        public_id=public_id,
    )


def access_session(
    request: CollaborativeRequest, program: Program, public_id: uuid.UUID | str
) -> Session:
    return get_visible_or_404(
        Session.objects.filter(match__program=program),
        selectors.sessions_visible_to(request.user)
        .filter(match__program=program)
        .select_related("match__mentor__applicant", "match__mentee"),
        request=request,
        public_id=public_id,
    )


def access_grant(
    request: CollaborativeRequest, program: Program, public_id: uuid.UUID | str
) -> Grant:
    """A grant, its lines and its expenses exist only for the program's managers: anyone
    else gets a 404 (DESIGN rule 6). Pages without a grant id (the list, a new grant, the
    funder report) are the managers' tools: ``access_program(..., action="manage")``
    refuses them with a 403 to other members."""
    grant = get_visible_or_404(
        Grant.objects.filter(program=program),
        selectors.grants_visible_to(request.user).filter(program=program),
        request=request,
        public_id=public_id,
    )
    grant.program = program
    return grant


def access_budget_line(
    request: CollaborativeRequest, grant: Grant, public_id: uuid.UUID | str
) -> BudgetLine:
    line = get_visible_or_404(
        BudgetLine.objects.filter(grant=grant),
        selectors.budget_lines_visible_to(request.user).filter(grant=grant),
        request=request,
        public_id=public_id,
    )
    line.grant = grant
    return line


def access_expense(
    request: CollaborativeRequest, grant: Grant, public_id: uuid.UUID | str
) -> Expense:
    return get_visible_or_404(
        Expense.objects.filter(budget_line__grant=grant),
        selectors.expenses_visible_to(request.user)
        .filter(budget_line__grant=grant)
        .select_related("budget_line"),
        request=request,
        public_id=public_id,
    )
