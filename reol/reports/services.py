"""Writes of the reports app: a school's weeding guidance, and withdrawing the copies a
librarian marked on the weeding list (through the catalogue's service, one copy at a time, all
in one transaction, audited once for the batch as well as per copy by the catalogue)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog import services as catalog
from reol.catalog.models import Item
from reol.core import audit, calendar
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from . import results_import
from .models import ReadingResult, WeedingRule

MAX_BATCH = 500


@transaction.atomic
def save_weeding_rule(
    actor: Actor, school: School, *, section: str, max_age_years: int, unused_years: int
) -> WeedingRule:
    require(actor, Perm.CATALOG_EDIT, school)
    section = section.strip().lower()
    if not section:
        raise ValidationError({"section": _("Give the start of a class number, e.g. 5 or 500.")})
    rule = WeedingRule(
        school=school, section=section, max_age_years=max_age_years, unused_years=unused_years
    )
    rule.validate_constraints(exclude={"school", "section"})
    rule, _created = WeedingRule.objects.update_or_create(
        school=school,
        section=section,
        defaults={"max_age_years": max_age_years, "unused_years": unused_years},
    )
    audit.record(
        actor,
        "reports.weeding_rule",
        rule,
        school=school,
        details={"section": section, "age": max_age_years, "unused": unused_years},
    )
    return rule


@transaction.atomic
def withdraw_copies(actor: Actor, school: School, item_ids: Sequence[int], *, note: str) -> int:
    """Withdraw the marked copies of ``school``; all or none (a copy that cannot be withdrawn,
    say one lent meanwhile, is named and nothing changes). Returns how many."""
    require(actor, Perm.CATALOG_EDIT, school)
    if not item_ids:
        raise ValidationError(_("Mark at least one copy."))
    if len(item_ids) > MAX_BATCH:
        raise ValidationError(_("At most %(n)s copies at a time.") % {"n": MAX_BATCH})
    items = list(Item.objects.filter(school=school, pk__in=item_ids).select_related("school"))
    if len(items) != len(set(item_ids)):
        raise ValidationError(_("Some of the marked copies are not this school's."))
    for item in items:
        try:
            catalog.withdraw_item(actor, item, note=note or _("weeding"))
        except ValidationError as error:
            raise ValidationError(f"{item.barcode}: {' '.join(error.messages)}") from error
    audit.record(actor, "reports.weeding", school, school=school, details={"copies": len(items)})
    return len(items)


class ResultsRejected(ValidationError):
    """The file's rows are not imported: every wrong row, with its line (nothing is written)."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.rows = errors
        super().__init__(
            [_("Line %(line)s: %(error)s") % {"line": n, "error": e} for n, e in errors]
        )


@dataclass(frozen=True)
class Imported:
    created: int
    replaced: int


def _school_year(school: School, day: dt.date) -> str:
    row = calendar.school_year_on(school, day)
    return row.name if row else calendar.year_name_of(day)


@transaction.atomic
def import_reading_results(actor: Actor, school: School, *, name: str, data: bytes) -> Imported:
    """Import a file of classes' aggregated reading-test results (``results_import``): all rows
    or none. The same class, test and date again replaces the row. ``UploadRefused`` when the
    file cannot be read, ``ResultsRejected`` with every wrong row otherwise."""
    require(actor, Perm.READING_RESULTS, school)
    parsed = results_import.read(name, data, timezone.localdate())
    if parsed.errors:
        raise ResultsRejected(parsed.errors)
    created = replaced = 0
    for row in parsed.rows:
        _result, made = ReadingResult.objects.update_or_create(
            school=school,
            group_name=row.group_name,
            test=row.test,
            taken_on=row.taken_on,
            defaults={
                "school_year": _school_year(school, row.taken_on),
                "grade": row.grade,
                "tested": row.tested,
                "mean": row.mean,
                "levels": [[n, c] for n, c in row.levels],
            },
        )
        created, replaced = (created + 1, replaced) if made else (created, replaced + 1)
    audit.record(
        actor,
        "reports.reading_results",
        school,
        school=school,
        details={"file": name[:100], "created": created, "replaced": replaced},
    )
    return Imported(created, replaced)
