"""External catalogues: set up and removed by the school's librarian (or, for the whole
municipality, by a librarian of any of its schools). The searching is ``federated``, loans
``ill``, licences ``licences``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from .models import ExternalTarget

FIELDS = (
    "name", "kind", "connector", "base_url", "sru_version", "students_see", "request_method",
    "request_email", "iso18626_url", "lender_symbol", "timeout_ms", "enabled", "position",
    "outgoing_token", "lending_school",
)  # fmt: skip


@transaction.atomic
def save_target(
    actor: Actor,
    school: School,
    target: ExternalTarget | None = None,
    *,
    whole_municipality: bool = False,
    **values: Any,
) -> ExternalTarget:
    """Add or change an external catalogue for ``school`` (or for all its municipality)."""
    require(actor, Perm.EXTERNAL_MANAGE, school)
    if target is not None and target.municipality_id != school.municipality_id:
        raise ValidationError(_("That catalogue belongs to another municipality."))
    if target is not None and target.school_id not in (None, school.pk):
        raise ValidationError(_("That catalogue belongs to another school."))
    lender = values.get("lending_school")
    elsewhere = lender is not None and lender.municipality_id != school.municipality_id
    if elsewhere or lender == school:
        raise ValidationError({"lending_school": _("Choose another school of the municipality.")})
    target = target or ExternalTarget(municipality=school.municipality)
    target.school = None if whole_municipality else school
    for name in FIELDS:
        if name in values:
            setattr(target, name, values[name])
    target.full_clean()
    target.save()
    audit.record(
        actor, "external.target_save", target, school=school, details={"name": target.name}
    )
    return target


@transaction.atomic
def remove_target(actor: Actor, school: School, target: ExternalTarget) -> None:
    """Stop using a catalogue (requests made through it keep it, so it is switched off)."""
    require(actor, Perm.EXTERNAL_MANAGE, school)
    if (
        target.school_id not in (None, school.pk)
        or target.municipality_id != school.municipality_id
    ):
        raise ValidationError(_("That catalogue belongs to another school."))
    target.enabled = False
    target.save(update_fields=["enabled"])
    audit.record(
        actor, "external.target_remove", target, school=school, details={"name": target.name}
    )
