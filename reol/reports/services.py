"""Writes of the reports app: a school's weeding guidance, and withdrawing the copies a
librarian marked on the weeding list (through the catalogue's service, one copy at a time, all
in one transaction, audited once for the batch as well as per copy by the catalogue)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.catalog import services as catalog
from reol.catalog.models import Item
from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from .models import WeedingRule

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
