"""The loan rules page: the school's rules, a preview sentence ("a student in grade 3 borrowing a
standard copy today gets due date ..."), edit, delete and adopting the default rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import CirculationType
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School
from reol.core.permissions import Perm

from . import rules as rulebook
from .actions import rules as rule_actions
from .forms import (
    LoanRuleForm,
    PreviewForm,
)
from .models import (
    LoanCategory,
    LoanPeriod,
    LoanRule,
)
from .views import _actor, _day


def _preview(school: School, data: dict[str, Any]) -> dict[str, Any]:
    rules = rulebook.rules_of(school)
    category = data["patron_category"]
    grade = data.get("grade")
    ctype = data["circulation_type"]
    rule = rulebook.pick_rule(rules, category, grade, ctype)
    who = str(LoanCategory(category).label)
    if category == LoanCategory.STUDENT and grade is not None:
        who = _("student in grade %(grade)s") % {"grade": grade}
    what = CirculationType(ctype).label
    if rule is None or not rule.lends:
        return {
            "sentence": _("A %(who)s cannot borrow %(what)s copies.") % {"who": who, "what": what}
        }
    due = rulebook.due_date(rule, school, data["day"])
    sentence = _("A %(who)s borrowing a %(what)s copy on %(day)s gets due date %(due)s.") % {
        "who": who,
        "what": what,
        "day": _day(data["day"]),
        "due": _day(due.date),
    }
    notes = []
    if due.moved_forward:
        notes.append(
            _("%(nominal)s is a closed day, so it moved to the next opening day.")
            % {"nominal": _day(due.nominal)}
        )
    if due.moved_back:
        notes.append(_("Moved back to the last opening day before the summer holiday."))
    return {"sentence": sentence, "notes": notes, "rule": rule}


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    own = LoanRule.objects.filter(school=school).exists()
    preview_form = PreviewForm(request.GET if "circulation_type" in request.GET else None)
    preview = _preview(school, preview_form.cleaned_data) if preview_form.is_valid() else None
    return render(
        request,
        "circulation/rules.html",
        {
            "rules": rulebook.rules_of(school),
            "own": own,
            "preview_form": preview_form,
            "preview": preview,
            "NO_LOAN": LoanPeriod.NO_LOAN,
        },
    )


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    rule = (
        denials.get_or_404(request, LoanRule.objects.filter(school=school), pk=pk)
        if pk is not None
        else None
    )
    form = LoanRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rule_actions.save_rule(_actor(request), school, rule, **form.cleaned_data)
            return redirect("circulation-rules")
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
    return render(request, "circulation/rule_edit.html", {"form": form, "rule": rule})


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    rule = denials.get_or_404(request, LoanRule.objects.filter(school=school), pk=pk)
    rule_actions.delete_rule(_actor(request), school, rule)
    return redirect("circulation-rules")


@login_required
@require_POST
def rules_adopt(request: HttpRequest) -> HttpResponse:
    """Turn the built-in rules into the school's own, to edit them."""
    school = school_for(request, Perm.SCHOOL_MANAGE)
    rule_actions.adopt_default_rules(_actor(request), school)
    return redirect("circulation-rules")
