from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import OneLineField

from .csvsource import FIELDS
from .oneroster import Org
from .roster import STUDENT, TEACHER

CATEGORY_CHOICES = [(STUDENT, _("students")), (TEACHER, _("teachers"))]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "A CSV file from the school's administrative system (a row per person), or a "
            "OneRoster bundle (zip)."
        ),
    )
    format = forms.ChoiceField(
        label=_("Kind of file"),
        required=False,
        choices=[
            ("", _("Find out from the file")),
            ("csv", _("CSV (a row per person)")),
            ("oneroster", _("OneRoster (zip)")),
        ],
    )


class _Common(forms.Form):
    school_year = forms.ChoiceField(label=_("School year of the classes"))
    deactivate_missing = forms.BooleanField(
        label=_("Deactivate patrons from an earlier import who are not in this file"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, years: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = [(y, y) for y in years]  # type: ignore[attr-defined]


class CsvOptionsForm(_Common):
    """A select of the file's columns for each of Reol's fields, and what to call the mapping."""

    default_category = forms.ChoiceField(
        label=_("Rows without a category are"), choices=CATEGORY_CHOICES, initial=STUDENT
    )
    preset_name = OneLineField(
        label=_("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=_("Saved for your school, to choose next time (and for “reol import-patrons”)."),
    )

    def __init__(self, *args: Any, header: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("(not in the file)")), *((h, h) for h in header if h)]
        for name, label in FIELDS.items():
            self.fields[f"map_{name}"] = forms.ChoiceField(
                label=str(label), choices=columns, required=False
            )
        # the mapping first, then the rest
        order = [f"map_{n}" for n in FIELDS] + [
            "default_category",
            "school_year",
            "deactivate_missing",
            "preset_name",
        ]
        self.order_fields(order)

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data[f"map_{name}"] for name in FIELDS if data.get(f"map_{name}")}

    def mapping_fields(self) -> list[forms.BoundField]:
        return [self[f"map_{name}"] for name in FIELDS]

    def other_fields(self) -> list[forms.BoundField]:
        return [
            self[n]
            for n in ("default_category", "school_year", "deactivate_missing", "preset_name")
        ]


class OneRosterOptionsForm(_Common):
    org = forms.ChoiceField(label=_("Which school in the file is this school?"), required=False)
    card_from = forms.ChoiceField(
        label=_("Card barcode from"),
        required=False,
        choices=[
            ("", _("nowhere (give cards in Reol)")),
            ("identifier", _("the users' identifier")),
            ("username", _("the users' username")),
            ("sourcedId", _("the users' sourcedId")),
        ],
    )

    def __init__(self, *args: Any, orgs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = [o for o in orgs if o.type == "school"] or orgs
        self.fields["org"].choices = [  # type: ignore[attr-defined]
            (o.source_id, f"{o.name} ({o.source_id})") for o in schools
        ]
        if not schools:
            del self.fields["org"]


class ConfirmForm(forms.Form):
    good_rows = forms.BooleanField(required=False)
