"""The desk, the hold shelf and the loan rules. Thin: find what was scanned, call a service,
render the answer. The desk answers htmx requests with the panel and, out of band, the message
and the selected patron; without JavaScript the same form posts and gets the whole page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import CirculationType
from reol.core import services as core_services
from reol.core.models import School, User
from reol.core.permissions import Perm, require

from . import rules as rulebook
from . import selectors, services
from .errors import CirculationError
from .forms import LoanRuleForm, PreviewForm
from .models import Hold, LoanPeriod, LoanRule, PatronCategory

MAX_CODE = 100


def _school(request: HttpRequest, perm: Perm) -> School:
    school: School | None = getattr(request, "school", None)
    if school is None:
        raise PermissionDenied(_("You have no role at any school."))
    require(request.user, perm, school)
    return school


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


@dataclass
class Answer:
    """What the desk says after a scan: a level (ok, notice, error) and a sentence."""

    level: str
    text: str
    # Buttons offered with the message: (label, scan, action) posted back to the desk.
    offers: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def role(self) -> str:
        return "alert" if self.level == "error" else "status"


def _desk_patron(request: HttpRequest, school: School) -> User | None:
    """The patron selected at this desk (a hidden field), if still a patron here."""
    raw = request.POST.get("patron") or request.GET.get("patron") or ""
    if not raw.isdigit():
        return None
    person = User.objects.filter(pk=int(raw), is_active=True).first()
    if person is None or selectors.patron_category(person, school) is None:
        return None
    return person


def _refusal(error: CirculationError, code: str) -> Answer:
    answer = Answer("error", error.message)
    if error.overridable:
        answer.offers.append((_("Lend it anyway"), code, "override"))
    if error.code == "already_on_loan":
        if error.details.get("same_patron"):
            answer.offers.append((_("Renew it"), code, "renew"))
        else:
            answer.offers.append((_("Check it in"), code, "checkin"))
    return answer


def _checkin_answer(result: services.CheckinResult) -> Answer:
    title = result.item.record.title
    if result.route == services.Route.HOLD_SHELF and result.hold is not None:
        text = _("Returned “%(title)s”. Put it on the hold shelf for %(name)s.") % {
            "title": title,
            "name": result.hold.patron,
        }
        return Answer("notice", text)
    if result.route == services.Route.TRANSIT:
        text = _("Returned “%(title)s”. It belongs to %(school)s: send it there.") % {
            "title": title,
            "school": result.item.school.name,
        }
        return Answer("notice", text)
    if result.loan is None:
        text = _("“%(title)s” was not on loan. It goes back on the shelf.") % {"title": title}
        if result.found:
            text = _("“%(title)s” was registered as missing and is found again.") % {"title": title}
        return Answer("notice", text)
    text = _("Returned “%(title)s”.") % {"title": title}
    if result.overdue_days:
        text += " " + _("It was %(days)s days late.") % {"days": result.overdue_days}
    return Answer("ok", text)


def _handle(
    request: HttpRequest, school: School, patron: User | None
) -> tuple[Answer | None, User | None]:
    """Do what the scan (or button) asks; returns the answer and the patron selected after."""
    actor = _actor(request)
    code = request.POST.get("scan", "").strip()[:MAX_CODE]
    action = request.POST.get("action", "")
    if action == "done":
        return Answer("ok", _("Ready for the next patron.")), None
    if not code:
        return None, patron
    try:
        if action == "checkin":
            return _checkin_answer(services.checkin(actor, school, code)), patron
        if action == "renew":
            loan = services.renew(actor, school, code)
            return Answer(
                "ok",
                _("Renewed “%(title)s” until %(due)s.")
                % {"title": loan.item.record.title, "due": _day(loan.due_date)},
            ), patron
        item = selectors.item_by_barcode(code)
        person = None if item is not None else selectors.patron_by_code(code)
        if item is None and person is None:
            return Answer(
                "error", _("No card and no copy has the code %(code)s.") % {"code": code}
            ), patron
        if person is not None:
            if not person.is_active:
                return Answer(
                    "error", _("%(name)s may not borrow: the account is closed.") % {"name": person}
                ), patron
            if selectors.patron_category(person, school) is None:
                return Answer(
                    "error",
                    _("%(name)s is not a patron at %(school)s.")
                    % {"name": person, "school": school.name},
                ), patron
            core_services.record_person_view(actor, person, school)
            return Answer("ok", _("Lending to %(name)s.") % {"name": person}), person
        if patron is None:
            return _checkin_answer(services.checkin(actor, school, code)), None
        result = services.checkout(actor, school, patron, code, override_hold=action == "override")
        text = _("Lent “%(title)s”, due %(due)s.") % {
            "title": result.loan.item.record.title,
            "due": _day(result.loan.due_date),
        }
        if result.due.moved_back:
            text += " " + _("(Moved back to before the summer holiday.)")
        return Answer("ok", text), patron
    except CirculationError as error:
        return _refusal(error, code), patron


def _panel_context(school: School, patron: User | None) -> dict[str, Any]:
    today = dt.date.today()
    context: dict[str, Any] = {"patron": patron, "today": today}
    if patron is not None:
        category = selectors.patron_category(patron, school)
        context["category"] = PatronCategory(category).label if category else ""
        context["loans"] = list(selectors.open_loans(patron))
        context["holds"] = list(selectors.open_holds(patron))
    return context


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    school = _school(request, Perm.CIRCULATION_DESK)
    patron = _desk_patron(request, school)
    answer: Answer | None = None
    if request.method == "POST":
        answer, patron = _handle(request, school, patron)
    context = {**_panel_context(school, patron), "answer": answer}
    if request.headers.get("HX-Request"):
        return render(request, "circulation/_desk_response.html", context)
    return render(request, "circulation/desk.html", context)


@login_required
def hold_shelf(request: HttpRequest) -> HttpResponse:
    school = _school(request, Perm.CIRCULATION_DESK)
    if request.method == "POST":
        raw = request.POST.get("hold", "")
        hold = get_object_or_404(Hold, pk=int(raw) if raw.isdigit() else 0, school=school)
        try:
            services.cancel_hold(_actor(request), hold)
        except CirculationError as error:
            return render(
                request,
                "circulation/hold_shelf.html",
                {"holds": selectors.hold_shelf(school), "error": error.message},
            )
        return redirect("circulation-hold-shelf")
    return render(request, "circulation/hold_shelf.html", {"holds": selectors.hold_shelf(school)})


# --- Loan rules --------------------------------------------------------------------------------


def _preview(school: School, data: dict[str, Any]) -> dict[str, Any]:
    rules = rulebook.rules_of(school)
    category = data["patron_category"]
    grade = data.get("grade")
    ctype = data["circulation_type"]
    rule = rulebook.pick_rule(rules, category, grade, ctype)
    who = str(PatronCategory(category).label)
    if category == PatronCategory.STUDENT and grade is not None:
        who = _("student in grade %(grade)s") % {"grade": grade}
    what = CirculationType(ctype).label
    if rule is None or not rule.lends:
        return {
            "sentence": _("A %(who)s cannot borrow %(what)s copies.") % {"who": who, "what": what}
        }
    due = rulebook.due_date(rule, school, data["day"])
    sentence = _("A %(who)s borrowing a %(what)s copy on %(day)s gets due date %(due)s.") % {
        "who": who,
        "what": what,
        "day": _day(data["day"]),
        "due": _day(due.date),
    }
    notes = []
    if due.moved_forward:
        notes.append(
            _("%(nominal)s is a closed day, so it moved to the next opening day.")
            % {"nominal": _day(due.nominal)}
        )
    if due.moved_back:
        notes.append(_("Moved back to the last opening day before the summer holiday."))
    return {"sentence": sentence, "notes": notes, "rule": rule}


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    school = _school(request, Perm.SCHOOL_MANAGE)
    own = LoanRule.objects.filter(school=school).exists()
    preview_form = PreviewForm(request.GET if "circulation_type" in request.GET else None)
    preview = _preview(school, preview_form.cleaned_data) if preview_form.is_valid() else None
    return render(
        request,
        "circulation/rules.html",
        {
            "rules": rulebook.rules_of(school),
            "own": own,
            "preview_form": preview_form,
            "preview": preview,
            "NO_LOAN": LoanPeriod.NO_LOAN,
        },
    )


@login_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    school = _school(request, Perm.SCHOOL_MANAGE)
    rule = get_object_or_404(LoanRule, pk=pk, school=school) if pk is not None else None
    form = LoanRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule(_actor(request), school, rule, **form.cleaned_data)
            return redirect("circulation-rules")
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
    return render(request, "circulation/rule_edit.html", {"form": form, "rule": rule})


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request, Perm.SCHOOL_MANAGE)
    rule = get_object_or_404(LoanRule, pk=pk, school=school)
    services.delete_rule(_actor(request), school, rule)
    return redirect("circulation-rules")


@login_required
@require_POST
def rules_adopt(request: HttpRequest) -> HttpResponse:
    """Turn the built-in rules into the school's own, to edit them."""
    school = _school(request, Perm.SCHOOL_MANAGE)
    services.adopt_default_rules(_actor(request), school)
    return redirect("circulation-rules")
