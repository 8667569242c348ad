"""The loan rules a school edits: ``save_rule``, ``adopt_default_rules``, ``delete_rule``.
(How the rules are read and due dates counted is ``circulation.rules``.)"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from .. import rules as rulebook
from ..models import LoanCategory, LoanPeriod, LoanRule

RULE_FIELDS = (
    "patron_category",
    "grade_min",
    "grade_max",
    "circulation_type",
    "period",
    "loan_days",
    "fixed_due_date",
    "max_loans",
    "max_renewals",
    "holds_allowed",
)


def _materialise_defaults(school: School) -> None:
    """A school's first edit turns the built-in rules into its own rows."""
    if not LoanRule.objects.filter(school=school).exists():
        LoanRule.objects.bulk_create(rulebook.default_rules(school))


@transaction.atomic
def save_rule(
    actor: Actor, school: School, rule: LoanRule | None = None, **values: Any
) -> LoanRule:
    """Add a loan rule, or change one of the school's (``rule``)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    _materialise_defaults(school)
    if rule is not None and rule.pk is not None:
        if rule.school_id != school.pk:
            raise PermissionDenied(_("That rule belongs to another school."))
        target = LoanRule.objects.select_for_update().get(pk=rule.pk)
    else:
        target = LoanRule(school=school)
    for name in RULE_FIELDS:
        if name in values:
            setattr(target, name, values[name])
    problems: dict[str, str] = {}
    if target.period == LoanPeriod.DAYS and not target.loan_days:
        problems["loan_days"] = _("Give the number of days.")
    if target.period == LoanPeriod.FIXED_DATE and target.fixed_due_date is None:
        problems["fixed_due_date"] = _("Give the due date.")
    if target.patron_category != LoanCategory.STUDENT and (
        target.grade_min is not None or target.grade_max is not None
    ):
        problems["grade_min"] = _("Only rules for students have grades.")
    if (
        target.grade_min is not None
        and target.grade_max is not None
        and target.grade_max < target.grade_min
    ):
        problems["grade_max"] = _("The last grade comes before the first.")
    if problems:
        raise ValidationError(problems)
    if target.period != LoanPeriod.DAYS:
        target.loan_days = None
    if target.period != LoanPeriod.FIXED_DATE:
        target.fixed_due_date = None
    target.full_clean(exclude=["school"])
    created = target.pk is None
    target.save()
    audit.record(
        actor,
        "loan_rule.add" if created else "loan_rule.change",
        target,
        school=school,
        details={name: str(getattr(target, name)) for name in RULE_FIELDS},
    )
    return target


@transaction.atomic
def adopt_default_rules(actor: Actor, school: School) -> list[LoanRule]:
    """Make the built-in rules the school's own rows, to edit them (no-op if it has rules)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    if not LoanRule.objects.filter(school=school).exists():
        _materialise_defaults(school)
        audit.record(actor, "loan_rule.adopt", school, school=school)
    return list(LoanRule.objects.filter(school=school))


@transaction.atomic
def delete_rule(actor: Actor, school: School, rule: LoanRule) -> None:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if rule.school_id != school.pk:
        raise PermissionDenied(_("That rule belongs to another school."))
    audit.record(actor, "loan_rule.remove", rule, school=school)
    rule.delete()
