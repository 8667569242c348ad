"""The filter form every report page shows, and its translation into ``Filters``.

The schools offered are those where the person may see reports (``schools_with``): a
librarian gets their own school, the municipal consultant every school of the municipality
(or all of them together). The school year is core's calendar's; dates, when given, narrow it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import MaterialType
from reol.core import calendar
from reol.core.fields import OneLineField
from reol.core.models import School
from reol.patrons.models import GRADE_MAX

from .framework import Filters
from .loans import MARC_LANGUAGES

ALL_SCHOOLS = "all"
YEARS_BACK = 5


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def school_years(school: School) -> list[str]:
    """This school year and the ones before it, newest first (core's calendar names them)."""
    first = calendar.start_year(calendar.current_school_year(school))
    return [calendar.year_name_starting(first - i) for i in range(YEARS_BACK)]


class FilterForm(forms.Form):
    school = forms.ChoiceField(label=_("School"), required=False)
    school_year = forms.ChoiceField(label=_("School year"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=0, max_value=GRADE_MAX)
    group = OneLineField(label=_("Class or group"), required=False, max_length=64)
    material_type = forms.ChoiceField(label=_("Material type"), required=False)
    fiction = forms.ChoiceField(
        label=_("Fiction"),
        required=False,
        choices=[
            ("", _("Fiction and non-fiction")),
            ("fiction", _("Fiction")),
            ("nonfiction", _("Non-fiction")),
        ],
    )
    class_from = forms.CharField(label=_("Classification from"), required=False, max_length=16)
    class_to = forms.CharField(label=_("Classification to"), required=False, max_length=16)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(
        self, data: Any, *, schools: QuerySet[School], default: School, used: Sequence[str]
    ) -> None:
        super().__init__(data)
        self.schools = list(schools.order_by("name"))
        self.default = default
        choices = [(str(s.pk), s.name) for s in self.schools]
        if len(self.schools) > 1:
            choices.insert(0, (ALL_SCHOOLS, str(_("All my schools"))))
        self._choices("school", choices)
        self._choices("school_year", [(y, y) for y in school_years(default)])
        self._choices("material_type", [("", _("All")), *MaterialType.choices])
        self._choices("language", [("", _("All")), *MARC_LANGUAGES.items()])
        for name in list(self.fields):
            if name not in used:
                del self.fields[name]

    def _choices(self, name: str, choices: list[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("date_from"), data.get("date_to")
        if starts and ends and ends < starts:
            raise ValidationError(_("The last day comes before the first."))
        return data

    def chosen_schools(self) -> tuple[School, ...]:
        value = self.cleaned_data.get("school") or str(self.default.pk)
        if value == ALL_SCHOOLS:
            return tuple(self.schools)
        return tuple(s for s in self.schools if str(s.pk) == value) or (self.default,)

    def filters(self) -> Filters:
        """The cleaned form as ``Filters`` (call after ``is_valid()``)."""
        data = self.cleaned_data
        schools = self.chosen_schools()
        year = data.get("school_year") or calendar.current_school_year(self.default)
        starts, ends = calendar.school_year_bounds(schools[0], year)
        if data.get("date_from") or data.get("date_to"):
            starts = data.get("date_from") or dt.date(1900, 1, 1)
            ends = data.get("date_to") or dt.date(2999, 12, 31)
        return Filters(
            schools=schools,
            starts=starts,
            ends=ends,
            school_year=year,
            grade=data.get("grade"),
            group=(data.get("group") or "").strip(),
            material_type=data.get("material_type") or "",
            fiction=data.get("fiction") or "",
            class_from=(data.get("class_from") or "").strip(),
            class_to=(data.get("class_to") or "").strip(),
            language=data.get("language") or "",
        )
