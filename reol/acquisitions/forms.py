"""The forms of the acquisitions pages: they parse input; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import CirculationType
from reol.core.fields import OneLineField
from reol.core.models import Location, School

from .models import Currency, Fund, Suggestion, Vendor


class FundForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=200)
    code = forms.SlugField(label=_("Code"), max_length=32)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    allocation = forms.DecimalField(
        label=_("Allocation"), min_value=0, max_digits=12, decimal_places=2
    )


class AllocateForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (negative to take back)"), max_digits=12, decimal_places=2
    )
    note = OneLineField(label=_("Note"), max_length=300, required=False)


class TransferForm(forms.Form):
    target = forms.ModelChoiceField(label=_("To fund"), queryset=Fund.objects.none())
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=12, decimal_places=2)

    def __init__(self, *args: Any, funds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = funds  # type: ignore[attr-defined]


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "email", "address", "customer_number", "edi_id", "claim_after_days"]
        field_classes = {
            "name": OneLineField,
            "customer_number": OneLineField,
            "edi_id": OneLineField,
        }


class OrderForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    note = forms.CharField(label=_("Note to the vendor"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, vendors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = vendors  # type: ignore[attr-defined]


class LineForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    title = OneLineField(label=_("Title"), max_length=500, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=500, initial=1)
    unit_price = forms.DecimalField(
        label=_("Price each"), min_value=0, max_digits=12, decimal_places=2
    )
    vat_included = forms.BooleanField(label=_("Price includes VAT"), required=False, initial=True)
    fund = forms.ModelChoiceField(label=_("Fund"), queryset=Fund.objects.none())
    location = forms.ModelChoiceField(
        label=_("Location"), queryset=Location.objects.none(), required=False
    )
    circulation_type = forms.ChoiceField(
        label=_("Circulation type"), choices=CirculationType.choices, initial="normal"
    )
    suggestion = forms.ModelChoiceField(
        label=_("For the suggestion"), queryset=Suggestion.objects.none(), required=False
    )
    override = forms.BooleanField(
        label=_("Order even past the fund's balance (recorded in the audit log)"), required=False
    )

    def __init__(self, *args: Any, school: School, funds: Any, suggestions: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["fund"].queryset = funds  # type: ignore[attr-defined]
        self.fields["location"].queryset = Location.objects.filter(school=school)  # type: ignore[attr-defined]
        self.fields["suggestion"].queryset = suggestions  # type: ignore[attr-defined]


class ReceiveForm(forms.Form):
    barcodes = forms.CharField(
        label=_("Barcodes of the copies (one a line; empty: one copy, barcode made)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MarcFileForm(forms.Form):
    file = forms.FileField(label=_("The vendor's MARC file (copy barcodes in 949 $i)"))


class SuggestForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    title = OneLineField(label=_("Title"), max_length=500, required=False)
    author = OneLineField(label=_("Author"), max_length=200, required=False)
    why = forms.CharField(
        label=_("Why should the library have it?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    want_hold = forms.BooleanField(
        label=_("Reserve it for me when it arrives"), required=False, initial=True
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why not"), widget=forms.Textarea(attrs={"rows": 2}))
