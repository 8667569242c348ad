"""Forms of the circulation pages: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import CirculationType
from reol.core.fields import ManyLinesField, OneLineField
from reol.core.models import Location, School
from reol.patrons.models import Group

from .models import LoanCategory, LoanRule, NoticeSettings

# A date input takes and shows ISO dates whatever the page's language; the browser shows the
# date in the user's locale. A localized value ("22.11.2026") would leave the input empty.
ISO_DATE = "%Y-%m-%d"


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
        widgets = {"fixed_due_date": forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)}
        help_texts = {
            "grade_min": _("Students only. Leave both grades empty for every grade."),
            "loan_days": _("When the loan period is a number of days."),
            "fixed_due_date": _("When the loan period is a fixed date."),
        }


class PreviewForm(forms.Form):
    patron_category = forms.ChoiceField(
        label=_("Patron"), choices=LoanCategory.choices, initial=LoanCategory.STUDENT
    )
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=0, max_value=10)
    circulation_type = forms.ChoiceField(
        label=_("Circulation type"), choices=CirculationType.choices
    )
    day = forms.DateField(
        label=_("Borrowing on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )


class StocktakeOpenForm(forms.Form):
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("The whole school"),
        help_text=_("Count one location (and the locations inside it), or the whole school."),
    )
    name = OneLineField(label=_("Name"), max_length=100, required=False)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(school=school)  # type: ignore[attr-defined]


class NoticeSettingsForm(forms.ModelForm):
    class Meta:
        model = NoticeSettings
        fields = [
            "overdue_enabled",
            "level1_days",
            "level2_days",
            "level3_days",
            "student_recipients",
            "hold_ready_enabled",
        ]
        help_texts = {
            "student_recipients": _(
                "Guardians' addresses and classes come from the patrons' records. Without an "
                "address, the reminder is for the paper letters."
            ),
        }


class ClassSetForm(forms.Form):
    """Lend a class set: the copies scanned one per line, or a copy of the title and how many."""

    patron = OneLineField(
        label=_("Teacher (card or username)"),
        max_length=100,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )
    group = forms.ModelChoiceField(label=_("Class"), queryset=Group.objects.none())
    items = ManyLinesField(
        label=_("Copies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Scan the copies one after another: each lands on a line of its own."),
    )
    sample = OneLineField(
        label=_("Or: a copy of the title"),
        max_length=100,
        required=False,
        help_text=_("Scan one copy, and the system picks the others from the shelf."),
    )
    count = forms.IntegerField(
        label=_("How many copies"), required=False, min_value=1, max_value=200
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(school=school, active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        barcodes = [line.strip() for line in (data.get("items") or "").splitlines() if line.strip()]
        data["barcodes"] = barcodes
        if not barcodes and not (data.get("sample") and data.get("count")):
            raise forms.ValidationError(
                _("Scan the copies, or scan one copy and say how many to lend.")
            )
        return data
