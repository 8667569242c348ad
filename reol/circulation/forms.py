"""Forms of the circulation pages: they parse; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import CirculationType

from .models import LoanRule, PatronCategory


class LoanRuleForm(forms.ModelForm):
    class Meta:
        model = LoanRule
        fields = [
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
        ]
        widgets = {"fixed_due_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "grade_min": _("Students only. Leave both grades empty for every grade."),
            "loan_days": _("When the loan period is a number of days."),
            "fixed_due_date": _("When the loan period is a fixed date."),
        }


class PreviewForm(forms.Form):
    patron_category = forms.ChoiceField(
        label=_("Patron"), choices=PatronCategory.choices, initial=PatronCategory.STUDENT
    )
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=0, max_value=10)
    circulation_type = forms.ChoiceField(
        label=_("Circulation type"), choices=CirculationType.choices
    )
    day = forms.DateField(
        label=_("Borrowing on"),
        initial=dt.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
