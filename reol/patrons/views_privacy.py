"""What a person may ask of their data and what the school decides about it: a patron's data
exported (by staff, or by the person on their own page) and erased, and the school's privacy
settings (anonymising returned loans, keeping leavers).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reol.core.languages import language_name
from reol.core.middleware import school_for
from reol.core.models import Role, User
from reol.core.permissions import Perm

from . import forms, privacy, selectors, services
from .borrowing import borrowing
from .models import Block, GroupMember, PatronCategory
from .views import _actor, _form_errors, _patron

# --- A patron's data exported and erased ---------------------------------------------------------


@login_required
def patron_export(request: HttpRequest, pk: int, fmt: str = "html") -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, pk, Perm.PEOPLE_MANAGE)
    data = privacy.export_patron(_actor(request), patron.user)
    return _export_response(request, data, patron.user, fmt)


def _export_response(
    request: HttpRequest, data: dict[str, Any], person: User, fmt: str
) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        name = slugify(person.username) or "patron"
        response["Content-Disposition"] = f'attachment; filename="reol-{name}.json"'
        return response
    labels = _export_labels()

    def rows(values: dict[str, Any]) -> list[tuple[str, Any]]:
        return [
            (str(labels.get(k, k)), _shown(k, v))
            for k, v in values.items()
            if k not in ("groups", "blocks")
        ]

    def shown(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: _shown(k, v) for k, v in item.items()} for item in items]

    return render(
        request,
        "patrons/export.html",
        {
            "data": {
                **data,
                "exported_at": _shown("exported_at", data["exported_at"]),
                "roles": shown(data["roles"]),
                "loans": shown(data["loans"]),
                "holds": shown(data["holds"]),
                "audit": shown(data["audit"]),
            },
            "person": person,
            "person_rows": rows(data["person"]),
            "sections": [
                {
                    "key": section.key,
                    "heading": section.heading,
                    "columns": [label for _key, label in section.columns],
                    "rows": [
                        [_section_value(section, key, row.get(key)) for key, _l in section.columns]
                        for row in data.get(section.key, [])
                    ],
                }
                for section in privacy.export_sections()
            ],
            "patrons": [
                {
                    **p,
                    "rows": rows(p),
                    "groups": shown(p["groups"]),
                    "blocks": shown(p["blocks"]),
                }
                for p in data["patrons"]
            ],
        },
    )


def _export_labels() -> dict[str, str]:
    """The export's field names as a person reads them, in the request's language."""
    return {
        "username": _("Username"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("E-mail"),
        "card_barcode": _("Card barcode"),
        "preferred_language": _("Preferred language"),
        "joined": _("Added"),
        "last_sign_in": _("Last signed in"),
        "school": _("School"),
        "category": _("Category"),
        "grade": _("Grade"),
        "guardian_emails": _("Guardians' e-mail addresses"),
        "guardian_language": _("Guardians' language"),
        "valid_until": _("Valid until"),
        "notes": _("Notes"),
        "roster_id": _("Roster id"),
        "keeps_loan_history": _("Keeps loan history"),
        "active": _("Active"),
        "left_on": _("Left on"),
        "created": _("Added"),
    }


_WHEN = {"joined", "last_sign_in", "created", "made", "lifted", "returned", "placed", "at"}
_WHEN |= {"exported_at", "lent"}
_DAYS = {"valid_until", "left_on", "due"}


def _shown(key: str, value: Any) -> Any:
    """A value of the export as a person reads it: labels in their language, yes/no, local
    dates (the JSON download keeps the codes and ISO values)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    choices: dict[str, Any] = {
        "category": PatronCategory,
        "reason": Block.Reason,
    }
    if key == "role":
        for roles in (Role, GroupMember.Role):
            if value in roles.values:
                return roles(value).label
    if key == "state":
        return borrowing().state_labels.get(value, value)
    kind = choices.get(key)
    if kind is not None and value in kind.values:
        return kind(value).label
    if key in ("preferred_language", "guardian_language"):
        return language_name(value)
    if key in _WHEN | _DAYS and isinstance(value, str):
        try:
            if key in _DAYS or len(value) == 10:
                return date_format(dt.date.fromisoformat(value[:10]), "SHORT_DATE_FORMAT")
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "SHORT_DATETIME_FORMAT")
        except ValueError:
            return value
    return value


def _section_value(section: privacy.ExportSection, key: str, value: Any) -> Any:
    kind = section.choices.get(key)
    if kind is not None and value in kind.values:
        return kind(value).label
    return _shown(key, value)


@login_required
def patron_erase(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    patron = _patron(request, school, pk, Perm.PEOPLE_MANAGE)
    outstanding = list(privacy.outstanding_loans(patron.user, school))
    form = forms.EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = str(patron.user)
        try:
            privacy.erase_patron(_actor(request), patron, mark_lost=form.cleaned_data["mark_lost"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, _("Everything about %(name)s at this school is erased.") % {"name": name}
            )
            return redirect("patrons-list")
    return render(
        request,
        "patrons/patron_erase.html",
        {"school": school, "patron": patron, "loans": outstanding, "form": form},
    )


@login_required
def self_export(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    user = _actor(request)
    return _export_response(request, privacy.export_patron(user, user), user, fmt)


# --- Privacy settings ------------------------------------------------------------------------


@login_required
def privacy_settings(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    current = selectors.privacy_of(school)
    form = forms.PrivacyForm(
        request.POST or None,
        initial={
            "anonymise_after_days": current.anonymise_after_days,
            "leaver_retention_days": current.leaver_retention_days,
            "random_card_numbers": current.random_card_numbers,
        },
    )
    if request.method == "POST":
        if request.POST.get("action") == "anonymise":
            count = privacy.anonymise_loans(_actor(request), school=school)
            messages.success(
                request,
                _("%(count)s returned loans no longer name their borrower.") % {"count": count},
            )
            return redirect("patrons-privacy")
        if form.is_valid():
            try:
                services.set_privacy_settings(_actor(request), school, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("patrons-privacy")
    return render(
        request,
        "patrons/privacy.html",
        {"school": school, "form": form, "keeps_history": school.keep_loan_history},
    )
