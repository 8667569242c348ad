"""Forms of the booking pages: they parse input, nothing else (the rules are in services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reol.core import calendar
from reol.core.fields import ManyLinesField, OneLineField
from reol.core.formrender import NO_CHOICE
from reol.core.forms import WeeksInput
from reol.core.models import Location, School, User

from .models import Resource


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Resource.Kind.choices)
    name = OneLineField(label=_("Name"), max_length=100)
    description = ManyLinesField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    units = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=999,
        initial=1,
        help_text=_("For equipment: how many there are (10 cameras). A room is one."),
    )
    location = forms.ModelChoiceField(
        label=_("Where it is"), queryset=Location.objects.none(), required=False
    )
    active = forms.BooleanField(label=_("Can be booked"), required=False, initial=True)

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(school=school).order_by("name")  # type: ignore[attr-defined]


class BookingForm(forms.Form):
    """One thing per booking from the page: a room or equipment, or copies of a title."""

    title = OneLineField(
        label=_("What for"),
        max_length=200,
        required=False,
        help_text=_("The project or lesson, for example “Vikingerne”."),
    )
    resource = forms.ModelChoiceField(
        label=_("Room or equipment"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=NO_CHOICE,
    )
    q = OneLineField(
        label=_("Find a title for a class set"),
        max_length=200,
        required=False,
        # Enter here searches (reol.js); Enter in any other field books.
        widget=forms.TextInput(attrs={"type": "search", "data-enter-presses": "booking-search"}),
    )
    record = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_("Copies of the title, or units of the equipment."),
    )
    starts = forms.DateField(label=_("From"), required=False, widget=DateInput())
    ends = forms.DateField(label=_("To"), required=False, widget=DateInput())
    school_year = forms.ChoiceField(
        label=_("School year"),
        choices=[],
        required=False,
        help_text=_("The year the week numbers are read in."),
    )
    weeks = OneLineField(
        label=_("Or weeks"),
        max_length=20,
        required=False,
        help_text=_("ISO week numbers, e.g. 41–43 (52–2 runs over New Year)."),
        widget=WeeksInput(),
    )
    start_time = forms.TimeField(label=_("From time"), required=False, widget=TimeInput())
    end_time = forms.TimeField(
        label=_("To time"),
        required=False,
        widget=TimeInput(),
        help_text=_("Hours of each day, for a room (an afternoon). Leave empty for whole days."),
    )
    group: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Class or group"), queryset=None, required=False, empty_label=NO_CHOICE
    )
    teacher = forms.ModelChoiceField(
        label=_("Teacher"), queryset=User.objects.none(), required=False, empty_label=None
    )

    def __init__(
        self,
        *args: Any,
        school: School,
        teachers: Any,
        groups: Any,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.school = school
        self.years = calendar.current_and_next(school, today)
        year_field = self.fields["school_year"]
        year_field.choices = [(y, y) for y in self.years]  # type: ignore[attr-defined]
        year_field.widget.attrs.update(WeeksInput().attrs | {"hx-trigger": "change"})
        self.fields["resource"].queryset = Resource.objects.filter(  # type: ignore[attr-defined]
            school=school, active=True
        ).order_by("kind", "name")
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        if teachers is None:
            del self.fields["teacher"]
        else:
            self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        text = (data.get("weeks") or "").strip()
        if text and not starts:
            try:
                found = calendar.weeks_of_school_year(
                    self.school, text, data.get("school_year") or self.years[0]
                )
            except ValidationError as error:
                raise ValidationError({"weeks": error.messages}) from None
            starts, ends = found.starts, found.ends
        if starts is None:
            raise ValidationError({"starts": _("Give the first day, or the weeks.")})
        data["starts"] = starts
        data["ends"] = ends or starts
        if data.get("resource") is None and not data.get("record"):
            raise ValidationError(_("Choose a room or equipment, or find and choose a title."))
        if data.get("resource") is not None and data.get("record"):
            raise ValidationError(_("Book a room or equipment, or a title – one at a time."))
        return data
