from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import ManyLinesField, OneLineField
from reol.core.models import Location, School

from .labels import PRESETS, LabelLayout
from .models import CirculationType, ItemStatus, MaterialType
from .selectors import barcode_format


class IsbnForm(forms.Form):
    isbn = OneLineField(
        label=_("ISBN"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "off"}
        ),
        help_text=_(
            "Scan or type the ISBN, with or without hyphens, 10 or 13 digits; or a "
            "periodical's ISSN."
        ),
    )


class RecordForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=500)
    subtitle = OneLineField(label=_("Subtitle"), max_length=500, required=False)
    responsibility = OneLineField(
        label=_("Statement of responsibility"),
        max_length=500,
        required=False,
        help_text=_("As on the title page, e.g. “Astrid Lindgren ; illustrated by Ilon Wikland”."),
    )
    edition = OneLineField(label=_("Edition"), max_length=255, required=False)
    publisher = OneLineField(label=_("Publisher"), max_length=255, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1400, max_value=2100, required=False)
    series = OneLineField(label=_("Series"), max_length=500, required=False)
    summary = ManyLinesField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    ddc = OneLineField(label=_("DDC"), max_length=64, required=False)
    material_type = forms.ChoiceField(label=_("Material type"), choices=MaterialType.choices)
    shelf_mark = OneLineField(label=_("Shelf mark"), max_length=100, required=False)
    age_min = forms.IntegerField(label=_("From age"), min_value=0, max_value=99, required=False)
    age_max = forms.IntegerField(label=_("To age"), min_value=0, max_value=99, required=False)
    reading_level = forms.IntegerField(
        label=_("Reading level (LIX)"), min_value=0, max_value=99, required=False
    )
    url = forms.URLField(
        label=_("Web address"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For e-books, e-resources and films on a streaming service."),
    )
    licence_terms = ManyLinesField(
        label=_("Licence terms"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("For e-resources: who may use it, how many at a time, until when."),
    )
    cover_url = forms.URLField(
        label=_("Cover image (web address)"), max_length=500, required=False, assume_scheme="https"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and high < low:
            self.add_error("age_max", _("“To age” must not be below “from age”."))
        return data


class NewRecordForm(RecordForm):
    isbn = OneLineField(label=_("ISBN"), max_length=40, required=False)
    author = OneLineField(label=_("Author (surname, first name)"), max_length=200, required=False)

    CONFIRM = "confirm_duplicate_isbn"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.data.get(self.CONFIRM):  # asked before, and ticked: keep the answer
            self.offer_duplicate_confirmation()

    def offer_duplicate_confirmation(self) -> None:
        """The ISBN is in the catalogue already: a tick box to create the record anyway."""
        if self.CONFIRM not in self.fields:
            self.fields[self.CONFIRM] = forms.BooleanField(
                label=_("This is a different record with the same ISBN: create it anyway"),
                required=False,
            )


class MarcForm(forms.Form):
    marc = ManyLinesField(
        label=_("MARC record"),
        strip=False,  # a value may end in spaces; the editor's parser skips blank lines itself
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "marc"}),
        help_text=_(
            "One field per line: =TAG, two spaces, indicators (\\ for blank), then $ and subfields."
        ),
    )


class ItemsForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of copies"),
        min_value=1,
        max_value=500,
        initial=1,
        help_text=_("With barcodes scanned below, one copy is added per barcode."),
    )
    barcodes = ManyLinesField(
        label=_("Barcodes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Scan the copies' barcodes, one per line; leave empty to have barcodes made."),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("— choose —"),
    )
    circulation_type = forms.ChoiceField(
        label=_("Circulation type"), choices=CirculationType.choices
    )
    shelf_mark = OneLineField(
        label=_("Shelf mark for these copies"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the record's shelf mark."),
    )
    price = forms.DecimalField(
        label=_("Price"), min_value=0, max_digits=9, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locations = Location.objects.filter(school=school)
        self.fields["location"].queryset = locations  # type: ignore[attr-defined]
        # A school with shelves puts every copy on one: a copy with no location is lost to
        # stocktaking and shelf lists. (A school without locations is not asked.)
        self.fields["location"].required = locations.exists()
        self.fields["location"].error_messages["required"] = _(
            "Choose the location (shelf) the copies go on."
        )
        example = barcode_format(school).example()
        self.fields["barcodes"].help_text = _(
            "Scan the copies' barcodes, one per line; leave empty to have barcodes made "
            "(like %(example)s)."
        ) % {"example": example}

    def barcode_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("barcodes", "").splitlines()
            if line.strip()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The number field shows 1 until changed: with barcodes scanned it counts only when
        # changed, and then add_items checks it against the number of barcodes.
        if self.barcode_list() and data.get("count") == 1:
            data["count"] = None
        return data


class BarcodeFormatForm(forms.Form):
    # not "prefix": that is the name of a form's own attribute
    barcode_prefix = OneLineField(
        label=_("Prefix"),
        max_length=12,
        required=False,
        help_text=_("Letters A–Z and digits, e.g. the school's short name. May be empty."),
    )
    digits = forms.IntegerField(
        label=_("Digits after the prefix"), min_value=4, max_value=12, initial=8
    )


class ItemStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"), choices=[("", _("— choose —")), *ItemStatus.choices]
    )
    note = OneLineField(label=_("Note"), max_length=200, required=False)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        label=_("Number of the duplicate record"),
        min_value=1,
        help_text=_(
            "Its copies move here, and it is retired. You see both records side by side "
            "before anything is merged."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("MARC file"), help_text=_("ISO 2709 (.mrc) or MARCXML (.xml)."))
    holdings = forms.ChoiceField(
        label=_("Copies are in"),
        choices=[
            ("952", _("952 (Koha)")),
            ("852", _("852/876")),
            ("949", _("949 (vendors, Sirsi, Evergreen: $i barcode, $a shelf mark)")),
        ],
    )
    dry_run = forms.BooleanField(label=_("Dry run: check the file, save nothing"), required=False)


class LabelsForm(forms.Form):
    SELECTIONS = [
        ("today", _("Copies added today")),
        ("barcodes", _("These barcodes")),
        ("location", _("A location (shelf)")),
    ]
    selection = forms.ChoiceField(
        label=_("Which copies"), choices=SELECTIONS, widget=forms.RadioSelect, initial="today"
    )
    barcodes = ManyLinesField(
        label=_("Barcodes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Label"), choices=[("spine", _("Spine label")), ("barcode", _("Barcode label"))]
    )
    layout = forms.ChoiceField(
        label=_("Label sheet"),
        choices=[*((k, v.name) for k, v in PRESETS.items()), ("custom", _("My own sheet (below)"))],
    )
    skip = forms.IntegerField(
        label=_("Skip the first labels on the sheet"),
        min_value=0,
        max_value=200,
        initial=0,
        required=False,
    )
    columns = forms.IntegerField(label=_("Columns"), min_value=1, max_value=20, required=False)
    rows = forms.IntegerField(label=_("Rows"), min_value=1, max_value=40, required=False)
    label_width_mm = forms.FloatField(
        label=_("Label width (mm)"), min_value=5, max_value=300, required=False
    )
    label_height_mm = forms.FloatField(
        label=_("Label height (mm)"), min_value=5, max_value=300, required=False
    )
    margin_left_mm = forms.FloatField(
        label=_("Left margin (mm)"), min_value=0, max_value=100, required=False
    )
    margin_top_mm = forms.FloatField(
        label=_("Top margin (mm)"), min_value=0, max_value=100, required=False
    )
    gap_x_mm = forms.FloatField(
        label=_("Gap between columns (mm)"), min_value=0, max_value=50, required=False
    )
    gap_y_mm = forms.FloatField(
        label=_("Gap between rows (mm)"), min_value=0, max_value=50, required=False
    )

    CUSTOM = (
        "columns",
        "rows",
        "label_width_mm",
        "label_height_mm",
        "margin_left_mm",
        "margin_top_mm",
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(school=school)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("layout") == "custom":
            missing = [name for name in self.CUSTOM if data.get(name) is None]
            for name in missing:
                self.add_error(name, _("Needed for your own sheet."))
            if not missing:
                try:
                    data["sheet"] = LabelLayout(
                        name=str(_("My own sheet")),
                        columns=data["columns"],
                        rows=data["rows"],
                        label_width_mm=data["label_width_mm"],
                        label_height_mm=data["label_height_mm"],
                        margin_left_mm=data["margin_left_mm"],
                        margin_top_mm=data["margin_top_mm"],
                        gap_x_mm=data.get("gap_x_mm") or 0,
                        gap_y_mm=data.get("gap_y_mm") or 0,
                    )
                except ValueError:
                    self.add_error(None, _("Those labels do not fit on an A4 page."))
        elif data.get("layout") in PRESETS:
            data["sheet"] = PRESETS[data["layout"]]
        if data.get("selection") == "barcodes" and not data.get("barcodes", "").strip():
            self.add_error("barcodes", _("Scan or type at least one barcode."))
        if data.get("selection") == "location" and data.get("location") is None:
            self.add_error("location", _("Choose a location."))
        return data
