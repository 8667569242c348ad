from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SipTerminal


class TerminalForm(forms.Form):
    login = forms.CharField(
        label=_("Login (CN)"),
        max_length=24,
        help_text=_("What the kiosk sends as its login; letters, digits, “-” and “_”."),
    )
    password = forms.CharField(
        label=_("Password (CO)"),
        min_length=8,
        max_length=128,
        widget=forms.PasswordInput(render_value=True),
    )
    encoding = forms.ChoiceField(
        label=_("Character set"), choices=SipTerminal.Encoding.choices, initial="utf-8"
    )
    require_pin = forms.BooleanField(
        label=_("Patrons must give their PIN"), required=False, initial=True
    )
