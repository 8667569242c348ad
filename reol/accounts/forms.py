from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import OneLineField

from .models import IdentityProvider, MatchField
from .presets import PRESETS


class ProviderForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Protocol"), choices=IdentityProvider.Kind.choices, required=False
    )
    preset = forms.ChoiceField(
        label=_("Preset"),
        required=False,
        choices=[("", _("none: fill in every field"))] + [(k, p.label) for k, p in PRESETS.items()],
    )
    name = OneLineField(label=_("Button text"), max_length=100, help_text=_("e.g. UNI-Login"))
    slug = forms.SlugField(label=_("Short name (in addresses)"), max_length=40)
    issuer = forms.URLField(
        label=_("Issuer"), max_length=300, required=False, assume_scheme="https"
    )
    client_id = OneLineField(label=_("Client id"), max_length=200, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=300,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the secret already saved."),
    )
    scopes = OneLineField(label=_("Scopes"), max_length=300, required=False)
    match_claim = OneLineField(label=_("Matching claim"), max_length=200, required=False)
    match_field = forms.ChoiceField(label=_("Matched with"), choices=MatchField.choices)
    create_role = forms.ChoiceField(
        label=_("May add"), choices=IdentityProvider.CreateRole.choices, required=False
    )
    enabled = forms.BooleanField(label=_("Switched on"), required=False)
    saml_file = forms.FileField(
        label=_("SAML: the identity provider's metadata (XML file)"), required=False
    )
    saml_metadata = forms.CharField(
        label=_("SAML: or paste the metadata"), required=False, widget=forms.Textarea
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        preset = PRESETS.get(str(data.get("preset") or ""))
        if preset is not None:
            for name in ("issuer", "scopes", "match_claim"):
                if not data.get(name):
                    data[name] = getattr(preset, name)
        data["kind"] = data.get("kind") or IdentityProvider.Kind.OIDC
        upload = data.get("saml_file")
        if upload is not None:
            if upload.size > 1_000_000:
                self.add_error("saml_file", _("Metadata of more than 1 MB is not accepted."))
            else:
                data["saml_metadata"] = upload.read().decode("utf-8", "replace")
        saml = data.get("kind") == IdentityProvider.Kind.SAML
        if saml and not data.get("saml_metadata"):
            self.add_error("saml_metadata", _("Upload or paste the identity provider's metadata."))
        if not saml and not data.get("issuer"):
            self.add_error("issuer", _("The provider's issuer address is needed."))
        data.setdefault("scopes", "openid")
        if not data.get("scopes"):
            data["scopes"] = "openid"
        if not data.get("match_claim"):
            data["match_claim"] = "sub"
        return data


class PolicyForm(forms.Form):
    staff_must_use_provider = forms.BooleanField(
        label=_("Staff and teachers must sign in through a provider"), required=False
    )
