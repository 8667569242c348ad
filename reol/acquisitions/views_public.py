"""Pages for everyone at a school: suggest a title and follow it; the new-materials bulletin
as a page and an Atom feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core.models import School, User
from reol.core.permissions import roles_at

from . import lookup, selectors
from .actions import digest, suggestions
from .errors import AcquisitionError
from .forms import SuggestForm
from .models import DigestSubscription, Suggestion

PERIODS = {"week": 7, "month": 31}


def _school(request: HttpRequest) -> School:
    school: School | None = getattr(request, "school", None)
    if not school or not roles_at(request.user, school):
        raise Http404
    return school


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    me: User = request.user  # type: ignore[assignment]
    form = SuggestForm(request.POST or None)
    found = None
    if request.method == "POST" and "find" in request.POST and form.is_valid():
        form, found = _found(school, form)
    elif request.method == "POST" and form.is_valid():
        try:
            suggestions.suggest_looked_up(me, school, **form.cleaned_data)
        except AcquisitionError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Thank you! The library will look at your suggestion."))
            return redirect("acquisitions-suggest")
    mine = Suggestion.objects.filter(suggester=me, school=school).select_related("order_line")
    return render(
        request, "acquisitions/suggest.html", {"form": form, "mine": mine, "found": found}
    )


def _found(school: School, form: SuggestForm) -> tuple[SuggestForm, lookup.Hints | None]:
    """ "Find by ISBN": the form again, its title and author filled in from the look-up."""
    isbn = form.cleaned_data["isbn"].strip()
    hints = lookup.by_isbn(school, isbn) if isbn else None
    if hints is None:
        form.add_error("isbn", _("Write a valid ISBN to look it up."))
        return form, None
    data = {**form.cleaned_data, "isbn": hints.isbn13}
    if hints.found:
        data["title"] = data["title"] or hints.title
        data["author"] = data["author"] or hints.author
    return SuggestForm(initial=data), hints


def _arrivals(request: HttpRequest, school: School) -> dict[str, Any]:
    period = request.GET.get("period", "month")
    days = PERIODS.get(period, 31)
    subject = request.GET.get("subject", "").strip()
    grade_text = request.GET.get("grade", "").strip()
    grade = int(grade_text) if grade_text.isdigit() else None
    since = timezone.localdate() - dt.timedelta(days=days)
    rows = selectors.arrivals(school, since, subject=subject, grade=grade)
    return {"rows": rows, "period": period, "subject": subject, "grade": grade, "since": since}


@login_required
def new_materials(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    context = _arrivals(request, school)
    context["feed"] = reverse("acquisitions-new-feed", args=[school.code]) + (
        "?" + request.GET.urlencode() if request.GET else ""
    )
    me: User = request.user  # type: ignore[assignment]
    context["subscriptions"] = DigestSubscription.objects.filter(user=me, school=school)
    return render(request, "acquisitions/new_materials.html", context)


@login_required
@require_POST
def digest_subscription(request: HttpRequest) -> HttpResponse:
    """Follow the bulletin's subject and grade by e-mail, or stop following one."""
    school = _school(request)
    me: User = request.user  # type: ignore[assignment]
    try:
        if request.POST.get("stop"):
            mine = get_object_or_404(DigestSubscription, pk=request.POST["stop"], user=me)
            digest.unsubscribe(me, mine)
            messages.success(request, _("You no longer get that digest."))
        else:
            grade = request.POST.get("grade", "")
            digest.subscribe(
                me,
                school,
                subject=request.POST.get("subject", ""),
                grade=int(grade) if grade.isdigit() else None,
            )
            messages.success(request, _("You will get new materials like these by e-mail."))
    except AcquisitionError as refused:
        messages.error(request, refused.message)
    return redirect("acquisitions-new")


def new_materials_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The bulletin as Atom: public like the OPAC's titles (no patron data in it)."""
    school = get_object_or_404(School, code=code)
    context = _arrivals(request, school)
    feed = Atom1Feed(
        title=_("New at %(school)s") % {"school": school.name},
        link=request.build_absolute_uri(reverse("acquisitions-new")),
        description="",
        language=request.LANGUAGE_CODE,
    )
    for row in context["rows"]:
        record = row["record"]
        feed.add_item(
            title=record.title,
            link=request.build_absolute_uri(reverse("opac-record", args=[record.pk])),
            description=", ".join(record.subjects or []),
            unique_id=f"urn:reol:{school.code}:record:{record.pk}",
            updateddate=row["arrived"],
            pubdate=row["arrived"],
        )
    return HttpResponse(
        feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
    )
