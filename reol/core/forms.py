"""Forms: they parse and validate input; the services decide and write."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import accounts, auth, services, signin
from .fields import OneLineField
from .formrender import NO_CHOICE
from .languages import language_choices
from .models import ClosedPeriod, Location, OpeningHours, Role, School, User

# The empty first choice of a select, instead of Django's "---------".
CHOOSE = _("— choose —")


class WeeksInput(forms.TextInput):
    """Week numbers ("41–43") that show, as they are typed, the dates and year they mean.

    It asks ``calendar-weeks`` (htmx) with the form's ``school_year`` and fills the next
    element of class ``weeks-preview`` (the template places one after the field).
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "hx-get": reverse_lazy("calendar-weeks"),
                "hx-trigger": "load, input changed delay:300ms, change",
                "hx-target": "next .weeks-preview",
                "hx-include": "closest form",
                **(attrs or {}),
            }
        )


class SignInForm(forms.Form):
    """Username + password, or card barcode + PIN: one form, two ways in."""

    username = OneLineField(
        label=_("Username or card number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password or PIN"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, secret = data.get("username", ""), data.get("password", "")
        if not username or not secret:
            return data
        attempt = auth.Attempt.of(username, self.request)
        until = auth.wait_until(attempt)
        if until is not None:
            accounts.record_sign_in_failure(attempt, delayed=True)
            raise forms.ValidationError(locked_message(until), code="locked_out")
        user = authenticate(self.request, username=username, password=secret)
        if user is None:
            user = authenticate(self.request, card_barcode=username, pin=secret)
        if user is None:
            auth.note_failure(attempt)
            accounts.record_sign_in_failure(attempt)
            raise forms.ValidationError(
                _("The username or card number and the password or PIN do not match."),
                code="invalid_login",
            )
        refusal = signin.password_refusal(user)  # e.g. staff who must use the school's provider
        if refusal:
            accounts.record_sign_in_failure(attempt, reason="provider_required")
            raise forms.ValidationError(refusal, code="provider_required")
        auth.note_success(attempt)
        self.user = user
        return data


def locked_message(until: dt.datetime) -> str:
    """Sign-in is paused: say until when, in the reader's time and language."""
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 60:
        return ngettext(
            "Too many failed attempts. Wait %(seconds)d second and try again.",
            "Too many failed attempts. Wait %(seconds)d seconds and try again.",
            seconds,
        ) % {"seconds": seconds}
    minutes = math.ceil(seconds / 60)
    at = formats.time_format(timezone.localtime(until), "TIME_FORMAT")
    return ngettext(
        "Too many failed attempts. Try again in %(minutes)d minute (at %(time)s), "
        "or ask the library to let you sign in again.",
        "Too many failed attempts. Try again in %(minutes)d minutes (at %(time)s), "
        "or ask the library to let you sign in again.",
        minutes,
    ) % {"minutes": minutes, "time": at}


class PersonForm(forms.Form):
    username = OneLineField(
        label=_("Username"),
        validators=[services.validate_username],
        widget=forms.TextInput(attrs={"maxlength": 150, "autocomplete": "off"}),
        help_text=_("Letters (æ, ø and å too), digits and . _ - @"),
    )
    first_name = OneLineField(label=_("First name"), max_length=150, required=False)
    last_name = OneLineField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    card_barcode = OneLineField(label=_("Card barcode"), max_length=64, required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty for people who sign in with card and PIN only."),
    )
    pin = OneLineField(
        label=_("PIN"),
        required=False,
        max_length=8,
        help_text=_("4 to 8 digits, for card sign-in."),
    )

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", CHOOSE), *roles]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.validate_person_name(data.get("first_name", ""), data.get("last_name", ""))
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data


class SchoolSettingsForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "default_language", "email", "keep_loan_history"]
        field_classes = {"name": OneLineField}


class LocationForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=32)
    name = OneLineField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Location.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Inside"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=NO_CHOICE,
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Location.objects.filter(school=school)  # type: ignore[attr-defined]


class OpeningHoursForm(forms.Form):
    """Seven rows: open or not, from, to."""

    def __init__(self, *args: Any, current: dict[int, OpeningHours], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in OpeningHours.Weekday.choices:
            row = current.get(day)
            self.fields[f"open_{day}"] = forms.BooleanField(
                label=label, required=False, initial=row is not None
            )
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("Opens on %(day)s") % {"day": label},
                required=False,
                initial=row.opens if row else "08:00",
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("Closes on %(day)s") % {"day": label},
                required=False,
                initial=row.closes if row else "15:00",
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"open_{d}"], self[f"opens_{d}"], self[f"closes_{d}"])
            for d, label in OpeningHours.Weekday.choices
        ]

    def hours(self) -> list[tuple[int, Any, Any]]:
        result = []
        for day, label in OpeningHours.Weekday.choices:
            if self.cleaned_data.get(f"open_{day}"):
                opens, closes = (
                    self.cleaned_data.get(f"opens_{day}"),
                    self.cleaned_data.get(f"closes_{day}"),
                )
                if not opens or not closes:
                    raise forms.ValidationError(
                        _("Give opening and closing times for %(day)s.") % {"day": label}
                    )
                result.append((day, opens, closes))
        return result


class DateInput(forms.DateInput):
    """A browser date picker; its value is always ISO (a localized "05.10.2026" is refused)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ClosedPeriodForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClosedPeriod.Kind.choices)
    starts = forms.DateField(label=_("From"), widget=DateInput)
    ends = forms.DateField(label=_("To"), widget=DateInput)


class SchoolYearForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=32, help_text=_("For example 2026/27."))
    starts = forms.DateField(label=_("First school day"), widget=DateInput)
    ends = forms.DateField(label=_("Last school day"), widget=DateInput)


class LanguageForm(forms.Form):
    preferred_language = forms.ChoiceField(label=_("My language"), choices=language_choices)


def role_choices(grantable: list[str]) -> list[tuple[str, str]]:
    return [(str(r.value), str(r.label)) for r in Role if r.value in grantable]


class PasswordAgainForm(forms.Form):
    """The current password once more, before something that needs it (ASVS 3.7.1)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password


class EmailChangeForm(PasswordAgainForm):
    """A new address, with the current password: whoever holds the address owns the account,
    so a session left open at a desk must not be enough (ASVS 3.7.1)."""

    email = forms.EmailField(label=_("New e-mail address"), max_length=254)
    field_order = ["email", "password"]


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, with a rate limit per account and per address and an audit event.

    The page says the same whether or not a mail went out, so it reveals no address.
    """

    def __init__(self, *args: Any, ip_address: str | None = None, **kwargs: Any) -> None:
        self.ip_address = ip_address
        super().__init__(*args, **kwargs)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        context = args[2] if len(args) > 2 else kwargs["context"]
        person = context["user"]
        if accounts.reset_allowed(person, self.ip_address):
            accounts.note_reset_request([person], self.ip_address, sent=True)
            super().send_mail(*args, **kwargs)
        else:
            accounts.note_reset_request([person], self.ip_address, sent=False)

    def save(self, *args: Any, **kwargs: Any) -> None:
        email = self.cleaned_data["email"]
        if not any(True for _user in self.get_users(email)):
            # Nobody has the address: count it against the address all the same.
            if accounts.reset_allowed(None, self.ip_address):
                accounts.note_reset_request([], self.ip_address, sent=True)
            return
        super().save(*args, **kwargs)


class ResetSetPasswordForm(SetPasswordForm):
    """The reset link's form: the service sets the password, revokes tokens and audits."""

    def save(self, commit: bool = True) -> Any:
        accounts.reset_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class OwnPasswordForm(PasswordChangeForm):
    """Change one's own password, after typing the current one."""

    def save(self, commit: bool = True) -> Any:
        accounts.change_own_password(self.user, self.cleaned_data["new_password1"])
        return self.user


class SecondStepForm(forms.Form):
    """The code of the authenticator app, or one of the recovery codes."""

    code = OneLineField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


class EnrolForm(forms.Form):
    """The first code of a newly added app: it proves the app and the server agree."""

    code = OneLineField(
        label=_("The 6-digit code your app shows now"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )
