"""Programs: starting one, its settings and coordinators, its training modules."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentorship import access
from mentorship.models import (
    Program,
    TrainingModule,
)
from reentry.audit.log import record
from stakeholders.models import Collaborative, Member

# Programs -------------------------------------------------------------------------------


@transaction.atomic
def program_create(
    *,
    actor: Member,
    collaborative: Collaborative,
    name: str,
    slug: str,
    coordinators: Iterable[Member] = (),
    request=None,
    **fields: Any,
) -> Program:
    """Backbone staff start a program."""
    if not (actor.is_active and actor.is_backbone and actor.collaborative_id == collaborative.pk):
        raise PermissionDenied
    program = Program(collaborative=collaborative, name=name, slug=slug, **fields)
    program.full_clean()
    program.save()
    _set_coordinators(program, coordinators)
    record(
        "mentorship.program_created",
        actor=actor.user,
        request=request,
        obj=program,
        collaborative=collaborative,
    )
    return program


def _set_coordinators(program: Program, coordinators: Iterable[Member]) -> None:
    chosen = list(coordinators)
    if any(m.collaborative_id != program.collaborative_id or not m.is_active for m in chosen):
        raise ValidationError(_("Coordinators must be active members of this collaborative."))
    program.coordinators.set(chosen)


@transaction.atomic
def program_update(
    *,
    actor: Member,
    program: Program,
    coordinators: Iterable[Member] | None = None,
    request=None,
    **fields: Any,
) -> Program:
    """Backbone staff and coordinators change a program's settings and rules. Only
    backbone staff change who coordinates."""
    access.require_manager(actor, program)
    for name, value in fields.items():
        setattr(program, name, value)
    program.full_clean()
    program.save()
    if coordinators is not None:
        access.require_backbone(actor, program)
        _set_coordinators(program, coordinators)
    record(
        "mentorship.program_updated",
        actor=actor.user,
        request=request,
        obj=program,
        collaborative=program.collaborative,
        fields=sorted(fields),
    )
    return program


@transaction.atomic
def training_module_save(
    *, actor: Member, program: Program, module: TrainingModule | None = None, request=None, **fields
) -> TrainingModule:
    access.require_manager(actor, program)
    module = module or TrainingModule(program=program)
    if module.program_id != program.pk:
        raise PermissionDenied
    for name, value in fields.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    record(
        "mentorship.training_module_saved",
        actor=actor.user,
        request=request,
        obj=module,
        collaborative=program.collaborative,
    )
    return module
