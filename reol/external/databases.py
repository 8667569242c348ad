"""Information and news databases: the encyclopaedias, news archives and curriculum portals a
school (or every school of its municipality) subscribes to, with how to get in; shown to
students and teachers by grade band and subject, kept by the librarian.

A database under a licence opens through the licence (``licences.open_licence``: who may, the
seats, the use count); the list shows the licence's access in plain words.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from .models import InfoDatabase

# The school's stages (indskoling / småtrinnet, mellemtrin, udskoling / ungdomstrinnet).
BANDS: dict[str, tuple[int, int, Any]] = {
    "0-3": (0, 3, gettext_lazy("grades 0–3")),
    "4-6": (4, 6, gettext_lazy("grades 4–6")),
    "7-10": (7, 10, gettext_lazy("grades 7–10")),
}
FIELDS = (
    "name", "url", "description", "access", "licence", "grade_from", "grade_to", "subjects",
    "students_see",
)  # fmt: skip


def _owned(database: InfoDatabase, school: School) -> bool:
    return database.municipality_id == school.municipality_id and database.school_id in (
        None,
        school.pk,
    )


@transaction.atomic
def save_database(
    actor: Actor,
    school: School,
    database: InfoDatabase | None = None,
    *,
    whole_municipality: bool = False,
    **values: Any,
) -> InfoDatabase:
    require(actor, Perm.EXTERNAL_MANAGE, school)
    if database is not None and not _owned(database, school):
        raise ValidationError(_("That database belongs to another school."))
    licence = values.get("licence")
    if licence is not None and licence.school_id != school.pk:
        raise ValidationError({"licence": _("The licence belongs to another school.")})
    database = database or InfoDatabase(municipality=school.municipality)
    database.school = None if whole_municipality else school
    for name in FIELDS:
        if name in values:
            setattr(database, name, values[name])
    database.subjects = ", ".join(database.subject_list)
    database.full_clean()
    database.save()
    audit.record(
        actor, "external.database_save", database, school=school, details={"name": database.name}
    )
    return database


@transaction.atomic
def remove_database(actor: Actor, school: School, database: InfoDatabase) -> None:
    require(actor, Perm.EXTERNAL_MANAGE, school)
    if not _owned(database, school):
        raise ValidationError(_("That database belongs to another school."))
    audit.record(
        actor, "external.database_remove", database, school=school, details={"name": database.name}
    )
    database.delete()


def databases_of(school: School) -> QuerySet[InfoDatabase]:
    """Every database of the school, and of its whole municipality."""
    return InfoDatabase.objects.filter(
        Q(school=school) | Q(school__isnull=True, municipality_id=school.municipality_id)
    ).select_related("licence", "licence__group")


def for_readers(
    school: School, *, band: str = "", subject: str = "", students: bool = True
) -> list[InfoDatabase]:
    """What the list shows: for students only those marked for them; a band shows databases
    whose grades overlap it; a subject matches one of the database's subjects."""
    found = databases_of(school)
    if students:
        found = found.filter(students_see=True)
    if band in BANDS:
        low, high, _label = BANDS[band]
        found = found.filter(grade_from__lte=high, grade_to__gte=low)
    rows = list(found)
    if subject:
        wanted = subject.casefold()
        rows = [d for d in rows if wanted in (s.casefold() for s in d.subject_list)]
    return rows


def subjects_of(school: School) -> list[str]:
    seen = {s for d in databases_of(school) for s in d.subject_list}
    return sorted(seen, key=str.casefold)
