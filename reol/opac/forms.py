from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import ManyLinesField, OneLineField


class ReadingListForm(forms.Form):
    title = OneLineField(label=_("Title"), max_length=200)
    audience = OneLineField(
        label=_("For whom"),
        max_length=100,
        required=False,
        help_text=_("A grade or a topic, e.g. “3rd grade” or “Dinosaurs”."),
    )
    description = ManyLinesField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    published = forms.BooleanField(
        label=_("Show it in the public catalogue"), required=False, initial=True
    )


class NewReadingListForm(ReadingListForm):
    whole_municipality = forms.BooleanField(
        label=_("For every school in the municipality"), required=False
    )
