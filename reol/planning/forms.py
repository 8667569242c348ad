"""Forms of the planning pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.bookings.models import Resource
from reol.core.fields import ManyLinesField, OneLineField
from reol.core.forms import WeeksInput
from reol.core.models import User
from reol.patrons.models import Group

from .models import CalendarFeed, Collaboration, DevelopmentGoal, PlanEntry

_DATE = {"type": "date"}
_TIME = {"type": "time"}


def _date_input() -> forms.DateInput:
    """`<input type="date">` takes ISO dates only, whatever the page's language."""
    return forms.DateInput(_DATE, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(_TIME, format="%H:%M")


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanEntry.Kind.choices)
    title = OneLineField(label=_("Title"), max_length=200)
    subject = OneLineField(label=_("Subject"), max_length=100, required=False)
    weeks = OneLineField(
        label=_("Weeks"),
        max_length=20,
        required=False,
        help_text=_("ISO week numbers, e.g. 41–43 (or give the first and last day)."),
        widget=WeeksInput(),
    )
    # the group's school year, read by the weeks' preview (the service takes the group's)
    school_year = OneLineField(required=False, widget=forms.HiddenInput)
    starts = forms.DateField(label=_("First day"), required=False, widget=_date_input())
    ends = forms.DateField(label=_("Last day"), required=False, widget=_date_input())
    goals = ManyLinesField(
        label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    materials = ManyLinesField(
        label=_("Materials or help wanted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the class expects from the library: books, films, rooms, guidance."),
    )
    heavy_use = forms.BooleanField(label=_("Heavy user of the library"), required=False)

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["heavy_use"]

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("school_year", None)
        weeks = data.pop("weeks", "")
        if weeks:
            data.pop("starts", None)
            data.pop("ends", None)
        return {"weeks_text": weeks, **data}


class QuantityForm(forms.Form):
    record = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Copies"), min_value=1, max_value=500, initial=1)


class RoomForm(forms.Form):
    resource = forms.ModelChoiceField(
        label=_("Room or equipment"), queryset=Resource.objects.none()
    )
    day = forms.DateField(label=_("Day"), widget=_date_input())
    start_time = forms.TimeField(label=_("From"), required=False, widget=_time_input())
    end_time = forms.TimeField(label=_("To"), required=False, widget=_time_input())

    def __init__(self, *args: Any, resources: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = people  # type: ignore[attr-defined]


class CapacityForm(forms.Form):
    heavy_use_capacity = forms.IntegerField(
        label=_("Heavy-use classes the staff can serve per week"), min_value=0, max_value=500
    )


class CollaborationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Collaboration.Kind.choices)
    title = OneLineField(label=_("Title"), max_length=200)
    subject = OneLineField(label=_("Subject"), max_length=100, required=False)
    group = forms.ModelChoiceField(label=_("Group"), queryset=Group.objects.none(), required=False)
    teachers = forms.ModelMultipleChoiceField(
        label=_("Teachers"),
        queryset=User.objects.none(),
        required=False,
    )
    starts = forms.DateField(label=_("First day"), widget=_date_input())
    ends = forms.DateField(label=_("Last day"), widget=_date_input())
    goals = ManyLinesField(
        label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    materials = ManyLinesField(
        label=_("Materials used"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rooms = forms.ModelMultipleChoiceField(
        label=_("Rooms used"),
        queryset=Resource.objects.none(),
        required=False,
    )
    evaluation = ManyLinesField(
        label=_("Evaluation afterwards"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, groups: Any = None, people: Any = None, rooms: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        self.fields["teachers"].queryset = people  # type: ignore[attr-defined]
        self.fields["rooms"].queryset = rooms  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    title = OneLineField(label=_("Development goal"), max_length=200)
    description = ManyLinesField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskForm(forms.Form):
    title = OneLineField(label=_("Task"), max_length=200)
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    description = ManyLinesField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Development goals"),
        queryset=DevelopmentGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, people: Any = None, goals: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people  # type: ignore[attr-defined]
        self.fields["goals"].queryset = goals  # type: ignore[attr-defined]


class FeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Calendar"), choices=CalendarFeed.Kind.choices)
    resource = forms.ModelChoiceField(
        label=_("Room or equipment"),
        queryset=Resource.objects.none(),
        required=False,
        help_text=_("Only for a room's or equipment's bookings."),
    )

    def __init__(self, *args: Any, resources: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]
