"""What a form's weeks mean, shown before saving: "weeks 41–43: 5 – 23 October 2026".

Every form that takes week numbers (annual plans, bookings) asks this endpoint as the person
types (htmx), so the year a week lands in is never a surprise, and a holiday inside is flagged.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import calendar
from .models import School


@login_required
def weeks_preview(request: HttpRequest) -> HttpResponse:
    school: School | None = getattr(request, "school", None)
    if school is None:
        raise PermissionDenied(_("You have no role at any school."))
    text = request.GET.get("weeks", "").strip()
    year = request.GET.get("school_year", "").strip() or calendar.current_school_year(school)
    context: dict[str, object] = {"text": text}
    if text:
        try:
            found = calendar.weeks_of_school_year(school, text, year)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            context["meaning"] = calendar.describe(found.starts, found.ends)
            context["holidays"] = calendar.holidays_within(school, found.starts, found.ends)
    return render(request, "core/_weeks_preview.html", context)
