"""Validating an imported record's columns cheaply.

``Record.full_clean()`` checks the age-range CheckConstraint with ``Q.check()``: a database
query per record, half the time of an import. What full_clean checks for the columns an
import sets is checked here in Python instead; any value this is not sure of (a web address,
a string over its length, a number out of range, an unknown field type or constraint) goes
through full_clean itself, so what is rejected, and the message, stay the same.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from .models import Record

UNCHECKED = ("marc", "municipality")
# Constraints full_clean skips (a field is excluded) or that plainly_valid checks (age order).
_SKIPPED_CONSTRAINTS = {"record_control_number_unique"}
_AGE_ORDER = Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_max__gte=F("age_min"))
_Check = Callable[[Any], bool]


def _field_check(f: models.Field[Any, Any]) -> _Check | None:
    """A check that passes only values full_clean would accept; None: always use full_clean."""
    validators = {type(v) for v in f.validators}
    if f.choices:
        allowed = {value for value, _label in f.flatchoices}
        if validators <= {MaxLengthValidator} and type(f) is models.CharField:
            longest = f.max_length or 1 << 62
            return lambda v: v in allowed and isinstance(v, str) and len(v) <= longest
        return None
    if type(f) in (models.CharField, models.TextField) and validators <= {MaxLengthValidator}:
        most = f.max_length or 1 << 62
        return lambda v: isinstance(v, str) and len(v) <= most
    if type(f) is models.URLField:  # what URLField.clean does to a string: its validators
        return lambda v: isinstance(v, str) and _passes(f, v)
    if isinstance(f, models.IntegerField) and validators <= {MinValueValidator, MaxValueValidator}:
        low: int = max(
            (v.limit_value for v in f.validators if isinstance(v, MinValueValidator)),
            default=-(1 << 63),
        )
        high: int = min(
            (v.limit_value for v in f.validators if isinstance(v, MaxValueValidator)),
            default=1 << 63,
        )
        return lambda v: type(v) is int and low <= v <= high
    if isinstance(f, models.JSONField) and f.encoder is None and not validators:
        return _plain_json
    return None


def _passes(f: models.Field[Any, Any], value: Any) -> bool:
    try:
        f.run_validators(value)
    except ValidationError:
        return False
    return True


def _plain_json(value: Any) -> bool:
    """Surely serialisable by json.dumps (what JSONField.validate tries)."""
    kind = type(value)
    if kind is list:
        # extract's lists: of strings, or of {"name": …, "role": …}
        return all(type(item) is str or _plain_json(item) for item in value)
    if kind is dict:
        return all(type(k) is str and (type(v) is str or _plain_json(v)) for k, v in value.items())
    return value is None or kind in (str, int, bool)


@functools.cache
def _record_checks() -> list[tuple[str, bool, _Check | None]] | None:
    """(attname, may be blank, check) per field full_clean looks at; None: use full_clean."""
    meta = Record._meta
    if (
        any(
            c.name not in _SKIPPED_CONSTRAINTS
            and not (isinstance(c, models.CheckConstraint) and c.condition == _AGE_ORDER)
            for c in meta.constraints
        )
        or any(not set(c.fields) & set(UNCHECKED) for c in meta.total_unique_constraints)
        or meta.unique_together
        or Record.clean is not models.Model.clean
        or any(f.unique and not f.primary_key for f in meta.concrete_fields)
    ):
        return None
    return [
        (f.attname, f.blank, _field_check(f))
        for f in meta.concrete_fields
        if f.name not in UNCHECKED
    ]


def plainly_valid(record: Record) -> bool:
    """True if ``record.full_clean(exclude=UNCHECKED)`` would surely pass (and skip it)."""
    checks = _record_checks()
    if checks is None:
        return False
    for attname, blank, check in checks:
        value = getattr(record, attname)
        if value is None or value == "" or value == [] or value == {}:
            if blank:
                continue  # clean_fields skips empty values of fields that may be blank
            return False
        if check is None or not check(value):
            return False
    low, high = record.age_min, record.age_max
    return low is None or high is None or high >= low
