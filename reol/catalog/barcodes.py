"""Barcodes of copies: what a barcode may be, which are taken (ignoring case), the next ones
generated for a school, a list of scanned ones checked before copies are added, and a school's
barcode format (an audited write). ``services`` re-exports these for its callers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.core import audit
from reol.core.models import Municipality, School
from reol.core.permissions import Actor, Perm, require

from .models import (
    BarcodeFormat,
    BarcodeSequence,
    Item,
)
from .selectors import barcode_format

# What a barcode may be: ASCII letters and digits, "-", "." and "_" (what Code 128 labels and
# scanners carry), at most 64. Unique ignoring case (Item's item_barcode_unique_ignoring_case).
_BARCODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def usable_barcode(barcode: str) -> bool:
    return _BARCODE.fullmatch(barcode) is not None


def barcodes_taken(barcodes: Iterable[str]) -> dict[str, Item]:
    """The copies that have these barcodes, whatever their case, by lower-cased barcode (the
    look-up uses the unique index on LOWER(barcode))."""
    wanted = {b.lower() for b in barcodes}
    if not wanted:
        return {}
    found = Item.objects.annotate(code=Lower("barcode")).filter(code__in=wanted).order_by()
    return {item.barcode.lower(): item for item in found}


def next_barcodes(
    municipality: Municipality, count: int, school: School | None = None
) -> list[str]:
    """Reserve ``count`` generated barcodes under a row lock (two desks never get the same).

    The number comes from one sequence per municipality, the look from the school's
    ``BarcodeFormat`` (prefix and digits; "R" + 8 without one). A number whose barcode is
    taken (ignoring case) is skipped."""
    fmt = barcode_format(school)
    sequence, _created = BarcodeSequence.objects.select_for_update().get_or_create(
        municipality=municipality
    )
    while True:
        start = sequence.next_value
        candidates = [fmt.example(n) for n in range(start, start + count)]
        sequence.next_value = start + count
        if not barcodes_taken(candidates):
            sequence.save(update_fields=["next_value"])
            return candidates


def check_scanned(barcodes: list[str], count: int | None) -> None:
    """Refuse scanned barcodes that cannot be used, that are taken (ignoring case) or scanned
    twice, or whose number is not the ``count`` of copies asked for."""
    bad = [b for b in barcodes if not usable_barcode(b)]
    if bad:
        raise ValidationError(
            {
                "barcodes": _(
                    "A barcode may have letters A–Z, digits, “-”, “.” and “_”, at most 64; "
                    "these cannot be used: %(b)s"
                )
                % {"b": ", ".join(b[:70] for b in bad[:20])}
            }
        )
    if count is not None and count != len(barcodes):
        raise ValidationError(
            {
                "count": ngettext(
                    "You scanned %(n)d barcode but asked for %(count)d copies: one copy is "
                    "added per barcode, so scan a barcode for each copy or clear the "
                    "barcodes to have them made.",
                    "You scanned %(n)d barcodes but asked for %(count)d copies: one copy is "
                    "added per barcode, so scan a barcode for each copy or clear the "
                    "barcodes to have them made.",
                    len(barcodes),
                )
                % {"n": len(barcodes), "count": count}
            }
        )
    lowered = [b.lower() for b in barcodes]
    dupes = sorted(
        {i.barcode for i in barcodes_taken(barcodes).values()}
        | {b for b in barcodes if lowered.count(b.lower()) > 1}
    )
    if dupes:
        raise ValidationError(
            {
                "barcodes": _(
                    "These barcodes are already in use (capital and small letters count "
                    "as the same): %(b)s"
                )
                % {"b": ", ".join(dupes)}
            }
        )


@transaction.atomic
def set_barcode_format(
    actor: Actor, school: School, *, prefix: str, digits: int = BarcodeFormat.DEFAULT_DIGITS
) -> BarcodeFormat:
    """Set how the school's generated barcodes look, e.g. prefix "NORD" and 6 digits:
    NORD000123. Barcodes already made keep theirs."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    current = barcode_format(school)
    before = {"prefix": current.prefix, "digits": current.digits}
    fmt = BarcodeFormat.objects.select_for_update().filter(school=school).first()
    fmt = fmt or BarcodeFormat(school=school)
    fmt.prefix, fmt.digits = prefix.strip(), digits
    fmt.full_clean(exclude=["school"])
    fmt.save()
    audit.record(
        actor,
        "barcode_format.save",
        school,
        school=school,
        details={"before": before, "prefix": fmt.prefix, "digits": fmt.digits},
    )
    return fmt
