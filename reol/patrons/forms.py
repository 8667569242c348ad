"""Forms of the patrons pages: they parse; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reol.core.fields import ManyLinesField, OneLineField
from reol.core.forms import CHOOSE
from reol.core.languages import language_choices

from .models import GRADE_MAX, Block, Group, GroupMember, PatronCategory

NEW_CATEGORIES = [
    (PatronCategory.STUDENT.value, PatronCategory.STUDENT.label),
    (PatronCategory.TEACHER.value, PatronCategory.TEACHER.label),
]


def _languages() -> list[tuple[str, Any]]:
    return [("", _("The school's language")), *language_choices()]


class PatronForm(forms.Form):
    """A new student or teacher: the person and the library's profile together."""

    category = forms.ChoiceField(label=_("Category"), choices=NEW_CATEGORIES)
    first_name = OneLineField(label=_("First name"), max_length=150, required=False)
    last_name = OneLineField(label=_("Last name"), max_length=150, required=False)
    username = OneLineField(label=_("Username"), max_length=150)
    card_barcode = OneLineField(label=_("Card barcode"), max_length=64, required=False)
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    grade = forms.IntegerField(label=_("Grade"), min_value=0, max_value=GRADE_MAX, required=False)
    guardian_emails = ManyLinesField(
        label=_("Guardians' e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=_languages, required=False
    )
    guardian_language = forms.ChoiceField(
        label=_("Guardians' language"),
        choices=_languages,
        required=False,
        help_text=_("Notices to the guardians are written in it; empty: the patron's language."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PatronEditForm(forms.Form):
    first_name = OneLineField(label=_("First name"), max_length=150, required=False)
    last_name = OneLineField(label=_("Last name"), max_length=150, required=False)
    card_barcode = OneLineField(label=_("Card barcode"), max_length=64, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=PatronCategory.choices)
    grade = forms.IntegerField(label=_("Grade"), min_value=0, max_value=GRADE_MAX, required=False)
    guardian_emails = ManyLinesField(
        label=_("Guardians' e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=_languages, required=False
    )
    guardian_language = forms.ChoiceField(
        label=_("Guardians' language"),
        choices=_languages,
        required=False,
        help_text=_("Notices to the guardians are written in it; empty: the patron's language."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    keeps_loan_history = forms.BooleanField(
        label=_("The student or a guardian agreed to keep the loan history"), required=False
    )
    notes = ManyLinesField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    active = forms.BooleanField(label=_("Active patron"), required=False)


class BlockForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", CHOOSE), *Block.Reason.choices])
    note = OneLineField(label=_("Note"), max_length=500, required=False)


class GroupForm(forms.Form):
    name = OneLineField(label=_("Name"), max_length=64, help_text=_("For example 5.B"))
    school_year = OneLineField(label=_("School year"), max_length=16)
    grade = forms.IntegerField(label=_("Grade"), min_value=0, max_value=GRADE_MAX, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Group.Kind.choices)


class MemberForm(forms.Form):
    person = OneLineField(
        label=_("Username or card number"),
        max_length=150,
    )
    role = forms.ChoiceField(label=_("As"), choices=GroupMember.Role.choices)


class PrivacyForm(forms.Form):
    anonymise_after_days = forms.IntegerField(
        label=_("Forget the borrower of a returned loan after (days)"),
        min_value=0,
        max_value=3650,
        help_text=_("0 forgets the borrower at return. Students who keep their history are kept."),
    )
    leaver_retention_days = forms.IntegerField(
        label=_("Erase leavers after (days)"),
        min_value=0,
        max_value=3650,
        help_text=_("Counted from the day they were deactivated at the year end."),
    )
    random_card_numbers = forms.BooleanField(
        label=_("Give new library cards random numbers"),
        required=False,
        help_text=_(
            "Then a card's number tells nothing about the numbers of other cards. Every new "
            "number ends in a check digit either way; cards already given keep working."
        ),
    )


class EraseForm(forms.Form):
    mark_lost = forms.BooleanField(
        label=_("Mark the loans still out as lost, then erase"), required=False
    )


class RolloverForm(forms.Form):
    """The groups to move up and the leavers to deactivate: chosen by ticking boxes."""

    def __init__(self, *args: Any, groups: list[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for group in groups:
            self.fields[f"leave_{group.pk}"] = forms.BooleanField(label=group.name, required=False)
