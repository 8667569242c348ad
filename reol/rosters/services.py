"""Every write of the rosters app besides the import itself (``importer.import_roster``):
the column-mapping presets. One transaction each, permission checked, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from .csvsource import FIELDS
from .models import MappingPreset
from .roster import STUDENT, TEACHER


@transaction.atomic
def save_preset(
    actor: Actor,
    school: School,
    *,
    name: str,
    mapping: dict[str, str],
    default_category: str = STUDENT,
) -> MappingPreset:
    """Save (or replace) the school's column mapping called ``name``."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"preset_name": _("Give the mapping a name of 1 to 100 characters.")})
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a roster field: {sorted(unknown)}")
    if default_category not in (STUDENT, TEACHER):
        raise ValidationError({"default_category": _("Choose student or teacher.")})
    clean = {field: column for field, column in mapping.items() if column}
    preset, created = MappingPreset.objects.update_or_create(
        school=school,
        name=name,
        defaults={
            "mapping": clean,
            "default_category": default_category,
            "updated_by": actor if isinstance(actor, User) else None,
        },
    )
    audit.record(
        actor,
        "roster.preset.save",
        preset,
        school=school,
        details={"mapping": clean, "new": created},
    )
    return preset


@transaction.atomic
def delete_preset(actor: Actor, preset: MappingPreset) -> None:
    require(actor, Perm.PEOPLE_MANAGE, preset.school)
    audit.record(actor, "roster.preset.delete", preset, school=preset.school)
    preset.delete()
