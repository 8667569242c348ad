"""The desk, the hold shelf and the desk receipt. Thin: find what was scanned, call a service,
render the answer. The desk answers htmx requests with the panel and, out of band, the message
and the selected patron; without JavaScript the same form posts and gets the whole page.
The other staff pages sit beside it: views_holds, views_rules, views_stocktaking,
views_notices and views_class_sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reol.catalog.models import Item
from reol.core import denials
from reol.core import services as core_services
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.panels import render_panels
from reol.core.permissions import Perm
from reol.patrons.selectors import borrowing_refusal

from . import notices, once, selectors, slips
from .actions import holds as hold_actions
from .actions import loans as loan_actions
from .errors import CirculationError
from .followups import checkin_followups
from .models import (
    Hold,
    LoanCategory,
)

MAX_CODE = 100


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
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, address): slips
    # What the desk's running list of scans shows: the code, its title, whose, the due date.
    code: str = ""
    title: str = ""
    who: str = ""
    due: dt.date | None = None
    # The codes scanned after this one wait until the librarian chooses (desk.js): a code that
    # is neither card nor copy, while a patron is served, may have been the next patron's card.
    halt: bool = False

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


def _overrides(action: str) -> set[str]:
    """The refusals overridden so far: ``override`` (a hold, as before) or ``override:a,b``."""
    if action == "override":
        return {"on_hold_for_other"}
    if action.startswith("override:"):
        return {name for name in action[len("override:") :].split(",") if name in OVERRIDABLE}
    return set()


OVERRIDABLE = frozenset({"on_hold_for_other", "already_has_title"})


def _refusal(
    error: CirculationError, code: str, overrides: set[str] | frozenset[str] = frozenset()
) -> Answer:
    answer = Answer("error", error.message)
    if error.overridable:
        # The button carries every override given so far, so a second refusal keeps the first.
        passed = ",".join(sorted({*overrides, error.code}))
        answer.offers.append((_("Lend it anyway"), code, f"override:{passed}"))
    if error.code == "already_on_loan":
        if error.details.get("same_patron"):
            answer.offers.append((_("Renew it"), code, "renew"))
        else:
            answer.offers.append((_("Check it in"), code, "checkin"))
    return answer


def _checkin_answer(result: loan_actions.CheckinResult) -> Answer:
    answer = _checkin_sentence(result)
    answer.links += checkin_followups(result)  # e.g. a device's accessories (technology)
    answer.title = result.item.record.title
    if result.loan is not None and result.loan.patron is not None:
        answer.who = str(result.loan.patron)  # unless the return has already anonymised it
    elif result.library_loan is not None:
        answer.who = result.library_loan.library
    return answer


def _checkin_sentence(result: loan_actions.CheckinResult) -> Answer:
    title = result.item.record.title
    if result.route == loan_actions.Route.HOLD_SHELF and result.hold is not None:
        text = _("Returned “%(title)s”. Put it on the hold shelf for %(name)s.") % {
            "title": title,
            "name": result.hold.patron,
        }
        slip = reverse("circulation-hold-slip", args=[result.hold.pk])
        return Answer("notice", text, links=[(_("Print the hold slip"), slip)])
    if result.route == loan_actions.Route.TRANSIT:
        text = _("Returned “%(title)s”. It belongs to %(school)s: send it there.") % {
            "title": title,
            "school": result.item.school.name,
        }
        slip = reverse("circulation-transit-slip", args=[result.item.barcode])
        return Answer("notice", text, links=[(_("Print the transit slip"), slip)])
    if result.loan is None and result.library_loan is None:
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
    code = request.POST.get("scan", "").strip()[:MAX_CODE]
    answer, patron = _act(request, school, patron, code)
    if answer is not None:
        answer.code = code
        if not answer.who and patron is not None:
            answer.who = str(patron)
    return answer, patron


def _handle_once(
    request: HttpRequest, school: School, patron: User | None
) -> tuple[Answer | None, User | None]:
    """``_handle``, once per idempotency key: the desk's page sends each scan with a key and
    sends it again, with the same key, when its answer was lost; the second time the answer
    recorded the first time is given again (with the patron it selected) and nothing is done."""
    try:
        key = once.key_of(request)
    except CirculationError as error:
        return Answer("error", error.message), patron
    if not key:
        return _handle(request, school, patron)
    done: list[tuple[Answer | None, User | None]] = []

    def act() -> once.Outcome:
        done.append(_handle(request, school, patron))
        answer, after = done[0]
        return once.Outcome(
            200,
            {"answer": asdict(answer) if answer else None, "patron": after.pk if after else None},
        )

    asked = once.fingerprint(
        "desk",
        school.pk,
        patron.pk if patron else None,
        request.POST.get("scan", "").strip(),
        request.POST.get("action", ""),
    )
    try:
        outcome = once.once(_actor(request), key, asked, act)
    except CirculationError as error:
        return Answer("error", error.message), patron
    if not outcome.replayed:
        return done[0]
    recorded = outcome.answer
    after = User.objects.filter(pk=recorded["patron"]).first() if recorded["patron"] else None
    return _answer_from(recorded["answer"]), after


def _answer_from(data: dict[str, Any] | None) -> Answer | None:
    """An ``Answer`` as ``_handle_once`` recorded it (JSON: lists for tuples, an ISO date)."""
    if data is None:
        return None
    due = dt.date.fromisoformat(data["due"]) if data.get("due") else None
    return Answer(
        level=data["level"],
        text=data["text"],
        offers=[(a, b, c) for a, b, c in data["offers"]],
        links=[(a, b) for a, b in data["links"]],
        code=data["code"],
        title=data["title"],
        who=data["who"],
        due=due,
    )


def _select(request: HttpRequest, school: School, person: User) -> Answer:
    """A card was scanned: say at once whether this person may borrow here (blocked, expired,
    no longer a patron), before the first copy is scanned."""
    core_services.record_person_view(_actor(request), person, school)
    refusal = borrowing_refusal(person, school, timezone.localdate())
    if refusal is not None:
        return Answer("error", refusal, who=str(person))
    return Answer("ok", _("Lending to %(name)s.") % {"name": person}, who=str(person))


def _place_hold(actor: User, school: School, patron: User | None, code: str) -> Answer:
    """A hold for the selected patron on the title of the copy whose barcode was given."""
    if patron is None:
        return Answer("error", _("Scan the patron's card first, then place the hold."))
    item = selectors.item_by_barcode(code)
    if item is None:
        return Answer("error", _("No copy has the barcode %(code)s.") % {"code": code})
    hold = hold_actions.place_hold(actor, school, patron, record=item.record)
    text = _("%(name)s is in the queue for “%(title)s”.") % {
        "name": patron,
        "title": hold.record.title,
    }
    return Answer("ok", text, title=hold.record.title)


def _card(
    request: HttpRequest, school: School, person: User, patron: User | None
) -> tuple[Answer, User | None]:
    """A card (or username) was scanned: select that person, or say why not."""
    if not person.is_active:
        return Answer(
            "error", _("%(name)s may not borrow: the account is closed.") % {"name": person}
        ), patron
    if selectors.patron_category(person, school) is None:
        return Answer(
            "error",
            _("%(name)s is not a patron at %(school)s.") % {"name": person, "school": school.name},
        ), patron
    return _select(request, school, person), person


def _return(actor: User, school: School, item: Item) -> Answer:
    """A copy scanned with no patron selected is returned; the list says whose it was (the
    return itself may anonymise the loan)."""
    before = selectors.open_loan_of(item)
    answer = _checkin_answer(loan_actions.checkin(actor, school, item.barcode))
    if before is not None and before.patron is not None:
        answer.who = str(before.patron)
    return answer


def _act(
    request: HttpRequest, school: School, patron: User | None, code: str
) -> tuple[Answer | None, User | None]:
    actor = _actor(request)
    action = request.POST.get("action", "")
    if action == "done":
        return Answer("ok", _("Ready for the next patron.")), None
    if action == "email_receipt" and patron is not None:
        try:
            sent_to = notices.email_receipt(actor, school, patron)
        except CirculationError as error:
            return Answer("error", error.message), patron
        return Answer(
            "ok", _("The receipt is on its way to %(address)s.") % {"address": sent_to[0]}
        ), patron
    if not code:
        return None, patron
    try:
        if action == "hold":
            return _place_hold(actor, school, patron, code), patron
        if action == "checkin":
            return _checkin_answer(loan_actions.checkin(actor, school, code)), patron
        if action == "renew":
            loan = loan_actions.renew(actor, school, code)
            return Answer(
                "ok",
                _("Renewed “%(title)s” until %(due)s.")
                % {"title": loan.item.record.title, "due": _day(loan.due_date)},
                title=loan.item.record.title,
                due=loan.due_date,
            ), patron
        item = selectors.item_by_barcode(code)
        if item is None:
            person = selectors.desk_person(code, school, actor)
            if person is None:
                return _unknown_code(code, patron), patron
            return _card(request, school, person, patron)
        if patron is None:
            return _return(actor, school, item), None
        result = loan_actions.checkout(actor, school, patron, code, overrides=_overrides(action))
        text = _("Lent “%(title)s”, due %(due)s.") % {
            "title": result.loan.item.record.title,
            "due": _day(result.loan.due_date),
        }
        if result.due.moved_back:
            text += " " + _("(Moved back to before the summer holiday.)")
        return Answer(
            "ok", text, title=result.loan.item.record.title, due=result.loan.due_date
        ), patron
    except CirculationError as error:
        return _refusal(error, code, _overrides(action)), patron


def _unknown_code(code: str, patron: User | None) -> Answer:
    text = _("No card and no copy has the code %(code)s.") % {"code": code}
    if patron is None:
        return Answer("error", text)
    return Answer(
        "error",
        text
        + " "
        + _(
            "If it was the next patron's card, the codes scanned after it have not been lent: "
            "they wait until you choose whether %(patron)s borrows them."
        )
        % {"patron": patron.get_full_name() or patron.username},
        halt=True,
    )


def _panel_context(school: School, patron: User | None) -> dict[str, Any]:
    today = timezone.localdate()
    context: dict[str, Any] = {"patron": patron, "today": today}
    if patron is not None:
        category = selectors.patron_category(patron, school)
        context["category"] = LoanCategory(category).label if category else ""
        context["loans"] = list(selectors.open_loans(patron).with_lateness(today))
        context["holds"] = list(selectors.open_holds(patron))
    return context


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    patron = _desk_patron(request, school)
    answer: Answer | None = None
    if request.method == "POST":
        answer, patron = _handle_once(request, school, patron)
    context = {**_panel_context(school, patron), "answer": answer}
    if patron is not None:  # what other apps say about the borrower (technology: charges)
        context["panels"] = render_panels("circulation.desk_patron", request, patron, school)
    if request.headers.get("HX-Request"):
        return render(request, "circulation/_desk_response.html", context)
    return render(request, "circulation/desk.html", context)


@login_required
def hold_shelf(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    if request.method == "POST":
        raw = request.POST.get("hold", "")
        hold = denials.get_or_404(
            request, Hold.objects.filter(school=school), pk=int(raw) if raw.isdigit() else 0
        )
        try:
            hold_actions.cancel_hold(_actor(request), hold)
        except CirculationError as error:
            return render(
                request,
                "circulation/hold_shelf.html",
                {**_shelf_context(request, school), "error": error.message},
            )
        return redirect("circulation-hold-shelf")
    return render(request, "circulation/hold_shelf.html", _shelf_context(request, school))


def _shelf_context(request: HttpRequest, school: School) -> dict[str, Any]:
    size = request.GET.get("size", "")
    return {
        "holds": selectors.hold_shelf(school),
        "sizes": slips.SIZES,
        "size": size if size in slips.SIZES else slips.DEFAULT_SIZE,
    }


@login_required
def receipt(request: HttpRequest) -> HttpResponse:
    """Today's loans of the desk's patron, on a page made for printing."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    patron = _desk_patron(request, school)
    if patron is None:
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "circulation/receipt.html",
        {
            "school": school,
            "patron": patron,
            "today": today,
            "loans": selectors.loans_of_today(patron, school, today),
            "open_count": selectors.open_loans(patron).filter(school=school).count(),
        },
    )
