"""The licences page: the school's licences, those to renew soon first, and a form to add one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm
from reol.patrons.selectors import groups_at

from .licences import WARN_DAYS, licences_of, renewals_ahead, save_licence


def _values(post: Any) -> dict[str, Any]:
    def number(name: str) -> int | None:
        text = post.get(name, "").strip()
        return int(text) if text else None

    try:
        return {
            "name": post.get("name", ""),
            "vendor": post.get("vendor", ""),
            "starts": dt.date.fromisoformat(post.get("starts", "")),
            "ends": dt.date.fromisoformat(post.get("ends", "")),
            "cost": Decimal(post.get("cost", "0").replace(",", ".").strip() or "0"),
            "seats": number("seats"),
            "seats_in_use": number("seats_in_use"),
            "groups": [int(g) for g in post.getlist("groups") if g.isdigit()],
        }
    except (ValueError, InvalidOperation):
        raise ValidationError(
            _("Write the dates as 2027-07-31 and the cost and seats as numbers.")
        ) from None


@login_required
def licences(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.TECHNOLOGY)
    me: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        try:
            save_licence(me, school, **_values(request.POST))
            messages.success(request, _("Saved."))
            return redirect("technology-licences")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    today = timezone.localdate()
    rows = licences_of(me).filter(school=school)
    return render(
        request,
        "technology/licences.html",
        {
            "licences": rows,
            "soon": renewals_ahead(rows, today),
            "days": WARN_DAYS,
            "groups": groups_at(school),
            "values": request.POST,
        },
    )
