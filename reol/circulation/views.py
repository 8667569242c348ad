"""The desk, the hold shelf and the loan rules. Thin: find what was scanned, call a service,
render the answer. The desk answers htmx requests with the panel and, out of band, the message
and the selected patron; without JavaScript the same form posts and gets the whole page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reol.catalog.models import CirculationType, Item
from reol.core import csvsafe, denials, xlsx
from reol.core import services as core_services
from reol.core.middleware import school_for
from reol.core.models import Location, School, User
from reol.core.panels import render_panels
from reol.core.permissions import Perm, has_perm
from reol.patrons.models import Group, GroupMember
from reol.patrons.selectors import borrowing_refusal

from . import jobs as circulation_jobs
from . import notices, once, selectors, slips
from . import rules as rulebook
from .actions import class_sets as class_set_actions
from .actions import holds as hold_actions
from .actions import loans as loan_actions
from .actions import rules as rule_actions
from .actions import stocktaking
from .actions.common import unknown_item
from .errors import CirculationError
from .followups import checkin_followups
from .forms import (
    ClassSetForm,
    LoanRuleForm,
    NoticeSettingsForm,
    PreviewForm,
    StocktakeOpenForm,
)
from .models import (
    Hold,
    LoanCategory,
    LoanPeriod,
    LoanRule,
    Notice,
    StocktakeSession,
    overdue_condition,
)
from .stocktake_export import stocktake_sheets

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
                return Answer(
                    "error", _("No card and no copy has the code %(code)s.") % {"code": code}
                ), patron
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


# --- Loan rules --------------------------------------------------------------------------------


def _preview(school: School, data: dict[str, Any]) -> dict[str, Any]:
    rules = rulebook.rules_of(school)
    category = data["patron_category"]
    grade = data.get("grade")
    ctype = data["circulation_type"]
    rule = rulebook.pick_rule(rules, category, grade, ctype)
    who = str(LoanCategory(category).label)
    if category == LoanCategory.STUDENT and grade is not None:
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
    school = school_for(request, Perm.SCHOOL_MANAGE)
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
    school = school_for(request, Perm.SCHOOL_MANAGE)
    rule = (
        denials.get_or_404(request, LoanRule.objects.filter(school=school), pk=pk)
        if pk is not None
        else None
    )
    form = LoanRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rule_actions.save_rule(_actor(request), school, rule, **form.cleaned_data)
            return redirect("circulation-rules")
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
    return render(request, "circulation/rule_edit.html", {"form": form, "rule": rule})


@login_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    rule = denials.get_or_404(request, LoanRule.objects.filter(school=school), pk=pk)
    rule_actions.delete_rule(_actor(request), school, rule)
    return redirect("circulation-rules")


@login_required
@require_POST
def rules_adopt(request: HttpRequest) -> HttpResponse:
    """Turn the built-in rules into the school's own, to edit them."""
    school = school_for(request, Perm.SCHOOL_MANAGE)
    rule_actions.adopt_default_rules(_actor(request), school)
    return redirect("circulation-rules")


# --- Stocktaking -------------------------------------------------------------------------------


def _session(request: HttpRequest, school: School, pk: int) -> StocktakeSession:
    return denials.get_or_404(
        request,
        StocktakeSession.objects.select_related("school", "location", "opened_by").filter(
            school=school
        ),
        pk=pk,
    )


@login_required
def stocktakes(request: HttpRequest) -> HttpResponse:
    """The school's stocktaking sessions, and a form to open one."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    form = StocktakeOpenForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        session = stocktaking.open_stocktake(
            _actor(request),
            school,
            location=form.cleaned_data["location"],
            name=form.cleaned_data["name"],
        )
        return redirect("circulation-stocktake", pk=session.pk)
    sessions = (
        StocktakeSession.objects.filter(school=school)
        .select_related("location", "opened_by")
        .annotate(scanned=Count("scans"))
        .order_by("-opened_at", "-id")[:50]
    )
    return render(request, "circulation/stocktakes.html", {"form": form, "sessions": sessions})


def _scan_context(session: StocktakeSession, location_id: int | None) -> dict[str, Any]:
    return {
        "session": session,
        "count": session.scans.count(),
        "last": selectors.last_scans(session),
        "locations": Location.objects.filter(school=session.school).order_by("name"),
        "location_id": location_id,
    }


@login_required
def stocktake(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan page: one field, made for a phone; each scan answers with the count so far."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    raw = request.POST.get("location") or request.GET.get("location") or ""
    location_id = int(raw) if raw.isdigit() else session.location_id
    answer: Answer | None = None
    if request.method == "POST":
        if request.POST.get("action") == "close":
            stocktaking.close_stocktake(_actor(request), session)
            return redirect("circulation-stocktake-report", pk=session.pk)
        code = request.POST.get("scan", "").strip()[:MAX_CODE]
        if code:
            try:
                result = stocktaking.record_scan(
                    _actor(request), session, code, location=location_id
                )
                item = result.scan.item
                if result.created:
                    counted = _("Counted “%(title)s” (%(barcode)s).") % {
                        "title": item.record.title,
                        "barcode": item.barcode,
                    }
                    answer = Answer(
                        "notice" if result.warning else "ok",
                        f"{counted} {result.warning}".strip(),
                    )
                else:
                    answer = Answer(
                        "notice",
                        _("“%(title)s” (%(barcode)s) was counted already.")
                        % {"title": item.record.title, "barcode": item.barcode},
                    )
            except CirculationError as error:
                answer = Answer("error", error.message)
    context = {**_scan_context(session, location_id), "answer": answer}
    if request.headers.get("HX-Request"):
        return render(request, "circulation/_stocktake_response.html", context)
    return render(request, "circulation/stocktake.html", context)


@login_required
def stocktake_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What the count found; copies not found can be marked missing, all or some."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    may_mark = has_perm(request.user, Perm.CATALOG_EDIT, school)
    if request.method == "POST":
        if not may_mark:
            raise PermissionDenied(_("Marking copies missing is for the catalogue's editors."))
        chosen = None
        if request.POST.get("which") != "all":
            chosen = [int(v) for v in request.POST.getlist("item") if v.isdigit()]
        changed = stocktaking.mark_missing(_actor(request), session, chosen)
        messages.success(
            request,
            ngettext(
                "%(count)s copy is now registered as missing.",
                "%(count)s copies are now registered as missing.",
                len(changed),
            )
            % {"count": len(changed)},
        )
        return redirect("circulation-stocktake-report", pk=session.pk)
    report = selectors.stocktake_report(session)
    missing = Paginator(report.missing, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "circulation/stocktake_report.html",
        {
            "session": session,
            "report": report,
            "missing": missing,
            "on_loan": report.on_loan[:500],
            "may_mark": may_mark,
        },
    )


@login_required
def stocktake_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole report as a spreadsheet: the numbers, and each list in the page's order."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    sheets = stocktake_sheets(session, selectors.stocktake_report(session))
    return xlsx.response(f"stocktaking-{session.pk}.xlsx", sheets)


@login_required
def stocktake_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The copies not found, in shelf order, as CSV (safe to open in a spreadsheet)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    report = selectors.stocktake_report(session)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stocktaking-{session.pk}.csv"'
    response.write("\ufeff")  # a spreadsheet then reads æ, ø and å right
    out = csvsafe.writer(response)
    out.writerow([_("Location"), _("Shelf mark"), _("Title"), _("Barcode"), _("Status")])
    for item in report.missing.select_related("record", "location"):
        out.writerow(
            [
                item.location.name if item.location else "",
                item.effective_shelf_mark,
                item.record.title,
                item.barcode,
                item.get_status_display(),
            ]
        )
    return response


# --- Notices -----------------------------------------------------------------------------------


@login_required
def notices_page(request: HttpRequest) -> HttpResponse:
    """Reminders sent lately, and the paper letters per class for schools that hand them out."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    if request.method == "POST" and request.POST.get("action") == "send":
        circulation_jobs.queue_notices(_actor(request), school)
        messages.success(request, _("The notices are being sent. Sent notices are listed here."))
        return redirect("circulation-notices")
    today = timezone.localdate()
    overdue = notices.overdue_loans(school, today)
    per_group = (
        Group.objects.filter(school=school, active=True)
        .annotate(
            overdue=Count(
                "members__patron__user__loans",
                filter=Q(
                    members__role=GroupMember.Role.STUDENT,
                    members__patron__user__loans__school=school,
                )
                & overdue_condition(today, prefix="members__patron__user__loans__"),
            )
        )
        .order_by("grade", "name")
    )
    recent = (
        Notice.objects.filter(school=school)
        .select_related("patron", "loan__item__record", "hold__record")
        .order_by("-sent_at", "-id")[:50]
    )
    return render(
        request,
        "circulation/notices.html",
        {
            "settings": notices.settings_of(school),
            "groups": per_group,
            "overdue_count": overdue.count(),
            "recent": recent,
            "may_manage": has_perm(request.user, Perm.SCHOOL_MANAGE, school),
        },
    )


@login_required
def notice_letters(request: HttpRequest) -> HttpResponse:
    """The overdue letters of one class (``?group=``), or of every overdue student, as a PDF."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    raw = request.GET.get("group", "")
    group = (
        denials.get_or_404(request, Group.objects.filter(school=school), pk=int(raw))
        if raw.isdigit()
        else None
    )
    today = timezone.localdate()
    loans = list(notices.overdue_loans(school, today, group))
    people = list({loan.patron.pk: loan.patron for loan in loans if loan.patron}.values())
    notices.note_letters_printed(_actor(request), school, group, people)
    pdf = notices.letters_pdf(school, loans, today, group)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"overdue-{group.name if group else school.code}-{today.isoformat()}.pdf"
    response["Content-Disposition"] = f'inline; filename="{slugify(name[:-4])}.pdf"'
    return response


@login_required
def notice_settings(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    current = notices.settings_of(school)
    form = NoticeSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            values = {name: form.cleaned_data[name] for name in notices.NOTICE_FIELDS}
            notices.save_notice_settings(_actor(request), school, **values)
            messages.success(request, _("The notice settings are saved."))
            return redirect("circulation-notices")
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
    return render(request, "circulation/notice_settings.html", {"form": form})


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


# --- Class sets --------------------------------------------------------------------------------


@login_required
def class_sets(request: HttpRequest) -> HttpResponse:
    """Lend a class set in one action, and the class sets out (each with *Return all*)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    form = ClassSetForm(request.POST or None, school=school)
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["barcodes"]:
                result = class_set_actions.lend_class_set(
                    _actor(request), school, data["patron"], data["group"], items=data["barcodes"]
                )
            else:
                sample = selectors.item_by_barcode(data["sample"])
                if sample is None:
                    raise unknown_item(data["sample"])
                result = class_set_actions.lend_class_set(
                    _actor(request),
                    school,
                    data["patron"],
                    data["group"],
                    record=sample.record_id,
                    count=data["count"],
                )
        except CirculationError as error:
            problems = error.details.get("problems", [])
            # The refusal once: one sentence, then a line per copy (not the copies twice).
            form.add_error(None, _class_set_refusal(problems) if problems else error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Lent %(count)s copy of “%(title)s” to %(name)s for %(group)s, due %(due)s.",
                    "Lent %(count)s copies of “%(title)s” to %(name)s for %(group)s, due %(due)s.",
                    len(result.loans),
                )
                % {
                    "count": len(result.loans),
                    "title": result.record.title,
                    "name": result.patron,
                    "group": result.group.name,
                    "due": _day(min(loan.due_date for loan in result.loans)),
                },
            )
            return redirect("circulation-class-sets")
    return render(
        request,
        "circulation/class_sets.html",
        {
            "form": form,
            "problems": problems,
            "sets": selectors.class_sets_out(school, timezone.localdate()),
            "today": timezone.localdate(),
        },
    )


def _class_set_refusal(problems: list[dict[str, str]]) -> str:
    return ngettext(
        "%(count)s copy cannot be lent, so none were:",
        "%(count)s copies cannot be lent, so none were:",
        len(problems),
    ) % {"count": len(problems)}


@login_required
@require_POST
def class_set_return(request: HttpRequest) -> HttpResponse:
    """*Return all*: every open loan of one class set comes back (the teacher brought the box)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    ids = [request.POST.get(name, "") for name in ("group", "record", "patron")]
    if not all(value.isdigit() for value in ids):
        raise Http404
    group, record, patron = (int(value) for value in ids)
    loans = list(selectors.class_set_loans(school, group, record, patron))
    if not loans:
        raise Http404
    outcome = class_set_actions.return_class_set(
        _actor(request), school, [loan.item for loan in loans]
    )
    messages.success(
        request,
        ngettext("%(count)s copy is back.", "%(count)s copies are back.", len(outcome.returned))
        % {"count": len(outcome.returned)},
    )
    for problem in outcome.problems:
        messages.error(request, f"{problem['item']}: {problem['message']}")
    return redirect("circulation-class-sets")
