from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.catalog.search.types import AGE_BUCKETS
from reol.core.fields import ManyLinesField, OneLineField

from . import covers
from .doors import SYMBOLS
from .models import DisplayKind


class CoverUploadForm(forms.Form):
    image = forms.FileField(
        label=_("A picture of the cover"),
        help_text=_("A file, or take a photo with the phone's camera."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean_image(self) -> object:
        image = self.cleaned_data["image"]
        if image.size > covers.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The picture is larger than 15 MB."))
        return image


class ReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = ManyLinesField(
        label=_("What did you think?"),
        required=False,
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 600}),
    )


# A review the form could not take (no stars; refused) waits in the session for the page the
# student is sent back to, so nothing typed is lost (``keep_review_draft``, ``review_draft``).
_DRAFT = "reol_review_draft"


def keep_review_draft(session: Any, record_id: int, data: Any) -> None:
    text = str(data.get("text", ""))[:600]
    stars = str(data.get("stars", ""))
    stars = stars if stars in {"1", "2", "3", "4", "5"} else ""
    session[_DRAFT] = {"record": record_id, "text": text, "stars": stars}


def review_draft(session: Any, record_id: int) -> dict[str, str] | None:
    """The draft kept for this record's review, once (it is forgotten as it is read)."""
    draft = session.get(_DRAFT)
    if not isinstance(draft, dict) or draft.get("record") != record_id:
        return None
    del session[_DRAFT]
    return {"text": str(draft.get("text", "")), "stars": str(draft.get("stars", ""))}


class ReadingSettingsForm(forms.Form):
    reviews_enabled = forms.BooleanField(label=_("Students may write reviews"), required=False)
    show_reviewer_names = forms.BooleanField(
        label=_("Show the reviewer's first name and class"),
        required=False,
        help_text=_("Otherwise a review is signed only with the grade."),
    )


class CoverProviderForm(forms.Form):
    url_template = OneLineField(
        label=_("Address of the cover service"),
        max_length=300,
        required=True,
        help_text=_("With {isbn} where the ISBN goes, e.g. https://covers.example.org/{isbn}.jpg"),
    )
    enabled = forms.BooleanField(label=_("Look up covers there"), required=False)


def _age_choices() -> list[tuple[str, str]]:
    return [("", str(_("All ages")))] + [(key, key) for key in AGE_BUCKETS]


class DoorForm(forms.Form):
    label_da = OneLineField(label=_("Label in Danish"), max_length=40, required=False)
    label_nb = OneLineField(label=_("Label in Norwegian"), max_length=40, required=False)
    label_en = OneLineField(label=_("Label in English"), max_length=40, required=False)
    words = OneLineField(
        label=_("Search words"),
        max_length=200,
        required=False,
        help_text=_("What a child would type, e.g. heste"),
    )
    subject = OneLineField(label=_("Subject"), max_length=100, required=False)
    age_band = forms.ChoiceField(label=_("For ages"), choices=_age_choices, required=False)
    easy = forms.BooleanField(label=_("Only easy to read"), required=False)
    symbol = forms.ChoiceField(
        label=_("Symbol"),
        required=False,
        choices=lambda: [("", _("None"))] + [(s, s) for s in SYMBOLS],
    )
    picture = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_("Optional: a photo instead of the symbol."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class CampaignForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=120)
    description = ManyLinesField(
        label=_("What is it about?"), required=False, max_length=2000, widget=forms.Textarea
    )
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}))
    goal = forms.IntegerField(
        label=_("Books for each reader"), min_value=1, max_value=500, initial=5
    )
    leaderboard = forms.BooleanField(
        label=_("Show the classes side by side"), required=False, initial=True
    )


class DisplayForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DisplayKind.choices)
    title = OneLineField(label=_("Title"), max_length=120)
    subject = OneLineField(label=_("Subject"), max_length=60, required=False)
    grade = forms.IntegerField(label=_("Grade"), min_value=0, max_value=13, required=False)
    starts_on = forms.DateField(
        label=_("Shown from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Shown until"), widget=forms.DateInput(attrs={"type": "date"})
    )
