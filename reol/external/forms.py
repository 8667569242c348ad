"""Forms of the external pages: they parse input, nothing else (the rules are in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import OneLineField
from reol.core.models import School
from reol.patrons.models import Group

from .models import Audience, Licence, RequestMethod, TargetKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TargetForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("What it holds"), choices=TargetKind.choices)
    base_url = forms.URLField(label=_("SRU address"), max_length=500, assume_scheme="https")
    sru_version = forms.ChoiceField(
        label=_("SRU version"),
        choices=[("1.1", "1.1"), ("1.2", "1.2"), ("2.0", "2.0")],
        initial="1.2",
    )
    students_see = forms.BooleanField(label=_("Students see it"), required=False, initial=True)
    request_method = forms.ChoiceField(label=_("How to request"), choices=RequestMethod.choices)
    request_email = forms.EmailField(label=_("E-mail for requests"), required=False)
    lender_symbol = OneLineField(label=_("Lender's ISIL or symbol"), max_length=32, required=False)
    iso18626_url = forms.URLField(
        label=_("ISO 18626 address"), max_length=500, required=False, assume_scheme="https"
    )
    outgoing_token = OneLineField(
        label=_("Token the partner gave us"), max_length=200, required=False
    )
    lending_school = forms.ModelChoiceField(
        label=_("Lending school"),
        queryset=School.objects.none(),
        required=False,
        help_text=_("For a school of our municipality: which one lends."),
    )
    timeout_ms = forms.IntegerField(
        label=_("Time-out (milliseconds)"), min_value=100, max_value=30000, initial=3000
    )
    whole_municipality = forms.BooleanField(
        label=_("For every school of the municipality"), required=False
    )

    def __init__(self, *args: Any, school: School | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if school is not None:
            field = self.fields["lending_school"]
            field.queryset = School.objects.filter(  # type: ignore[attr-defined]
                municipality_id=school.municipality_id
            ).exclude(pk=school.pk)


class PartnerAnswerForm(forms.Form):
    barcode = OneLineField(
        label=_("Copy's barcode"), max_length=64, required=False,
        help_text=_("The copy you lend: it is on loan to the partner until it comes back."),
    )  # fmt: skip
    due = forms.DateField(label=_("Due back"), widget=DateInput(), required=False)
    note = OneLineField(label=_("Note to the partner"), max_length=500, required=False)


class SupplyForm(forms.Form):
    barcode = OneLineField(label=_("Copy's barcode"), max_length=64)
    due = forms.DateField(label=_("Due back"), widget=DateInput())


class RequestForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=500, required=False)
    author = OneLineField(label=_("Author"), max_length=255, required=False)
    isbn = OneLineField(label=_("ISBN"), max_length=20, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1000, max_value=2999, required=False)
    topic = OneLineField(
        label=_("Or a topic"),
        max_length=255,
        required=False,
        help_text=_("A teacher may ask for material on a topic instead of a title."),
    )
    week = forms.IntegerField(
        label=_("For week"),
        min_value=1,
        max_value=53,
        required=False,
        help_text=_("The week of your annual plan you need it for."),
    )
    note = OneLineField(label=_("Note for the librarian"), max_length=500, required=False)
    target = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReceiveForm(forms.Form):
    lender_due = forms.DateField(label=_("Lender's due date"), widget=DateInput())
    barcode = OneLineField(
        label=_("Barcode"),
        max_length=64,
        required=False,
        help_text=_("Scan a label for it, or leave empty to have one made."),
    )


class AnswerForm(forms.Form):
    reference = OneLineField(label=_("Lender's reference"), max_length=64, required=False)
    note = OneLineField(label=_("Lender's answer"), max_length=500, required=False)


class LicenceForm(forms.Form):
    record = forms.IntegerField(label=_("Record number"), min_value=1)
    provider = OneLineField(label=_("Provider"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=1000, assume_scheme="https")
    starts = forms.DateField(label=_("From"), widget=DateInput())
    ends = forms.DateField(label=_("Until"), widget=DateInput())
    audience = forms.ChoiceField(label=_("Who may use it"), choices=Audience.choices)
    group = forms.ModelChoiceField(label=_("Class"), queryset=Group.objects.none(), required=False)
    networks = OneLineField(
        label=_("School network addresses"),
        max_length=500,
        required=False,
        help_text=_("Address ranges, e.g. 10.20.0.0/16, separated by spaces."),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, required=False)
    cost = forms.DecimalField(
        label=_("Cost"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    show_in_class = forms.BooleanField(
        label=_("May be shown in class"), required=False, initial=True
    )
    share_on_platform = forms.BooleanField(
        label=_("May be shared on the learning platform"), required=False
    )
    excerpts = forms.BooleanField(label=_("Excerpts may be made"), required=False)

    def __init__(self, *args: Any, school: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if school is not None:
            self.fields["group"].queryset = Group.objects.filter(school=school).order_by("name")  # type: ignore[attr-defined]


class DatabaseForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=200)
    url = forms.URLField(label=_("Link"), max_length=1000, assume_scheme="https")
    description = OneLineField(label=_("What it holds"), max_length=500, required=False)
    access = OneLineField(
        label=_("How to get in"),
        max_length=500,
        required=False,
        help_text=_("E.g. “Sign in with your school login” or “Only on the school network”."),
    )
    licence = forms.ModelChoiceField(
        label=_("Licence"), queryset=Licence.objects.none(), required=False
    )
    grade_from = forms.IntegerField(label=_("From grade"), min_value=0, max_value=13, initial=0)
    grade_to = forms.IntegerField(label=_("To grade"), min_value=0, max_value=13, initial=10)
    subjects = OneLineField(
        label=_("Subjects"), max_length=300, required=False, help_text=_("Separated by commas.")
    )
    students_see = forms.BooleanField(label=_("Students see it"), required=False, initial=True)
    whole_municipality = forms.BooleanField(
        label=_("For every school of the municipality"), required=False
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["licence"]
        field.queryset = Licence.objects.filter(school=school).select_related("record")  # type: ignore[attr-defined]
