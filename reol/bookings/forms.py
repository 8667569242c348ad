"""Forms of the booking pages: they parse input, nothing else (the rules are in services)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reol.core.models import Location, School, User

from . import weeks
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
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
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

    title = forms.CharField(
        label=_("What for"),
        max_length=200,
        required=False,
        help_text=_("The project or lesson, for example “Vikingerne”."),
    )
    resource = forms.ModelChoiceField(
        label=_("Room or equipment"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("– none –"),
    )
    q = forms.CharField(
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
    from_week = forms.CharField(
        label=_("Or from week"),
        max_length=10,
        required=False,
        help_text=_("A week number, like 41 or 2026-W53."),
    )
    to_week = forms.CharField(label=_("To week"), max_length=10, required=False)
    start_time = forms.TimeField(label=_("From time"), required=False, widget=TimeInput())
    end_time = forms.TimeField(
        label=_("To time"),
        required=False,
        widget=TimeInput(),
        help_text=_("Hours of each day, for a room (an afternoon). Leave empty for whole days."),
    )
    group: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Class or group"), queryset=None, required=False, empty_label=_("– none –")
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
        first, last = (data.get("from_week") or "").strip(), (data.get("to_week") or "").strip()
        if first and not starts:
            try:
                first_week = weeks.parse_week(first, self.today)
                last_week = weeks.parse_week(last, self.today) if last else first_week
                if last and last_week < first_week and not re.match(r"\s*\d{4}", last):
                    # "50" to "2": across New Year
                    last_week = (first_week[0] + 1, last_week[1])
                starts, ends = weeks.week_range(first_week, last_week)
            except ValueError:
                raise ValidationError(
                    {"from_week": _("Give weeks as numbers, like 41 to 43, or 2026-W53.")}
                ) from None
        if starts is None:
            raise ValidationError({"starts": _("Give the first day, or the weeks.")})
        data["starts"] = starts
        data["ends"] = ends or starts
        if data.get("resource") is None and not data.get("record"):
            raise ValidationError(_("Choose a room or equipment, or find and choose a title."))
        if data.get("resource") is not None and data.get("record"):
            raise ValidationError(_("Book a room or equipment, or a title – one at a time."))
        return data
