"""Cataloguing tools: add by ISBN (with copy-cataloguing over SRU), a blank record, MARC import
with a progress bar, and the barcode format (label sheets: ``runs_views``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from stdnum import issn as stdissn

from reol.core import denials
from reol.core.permissions import Perm
from reol.core.uploads import declared_too_large

from . import jobs, selectors, services, sru
from . import marc as marcio
from .extract import normalize_isbn
from .forms import BarcodeFormatForm, ImportForm, IsbnForm, NewRecordForm
from .models import ImportJob, Record, SruTarget
from .views import active_school, actor, form_errors, records_of

CANDIDATES_KEY = "catalog.sru_candidates"


@login_required
def add_by_isbn(request: HttpRequest) -> HttpResponse:
    """Scan an ISBN: our own record if we have it, else candidates from SRU, else a blank form."""
    school = active_school(request, Perm.CATALOG_EDIT)
    form = IsbnForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        raw = form.cleaned_data["isbn"]
        isbn13 = normalize_isbn(raw)
        issn = None if isbn13 else _issn(raw)
        if isbn13 is None and issn is None:
            form.add_error(
                "isbn",
                _(
                    "“%(isbn)s” is not a valid ISBN or ISSN: check the digits, "
                    "especially the last one (the check digit)."
                )
                % {"isbn": raw},
            )
        else:
            number = isbn13 or issn or ""
            context["isbn"] = number
            context["ours"] = (
                records_of(school).filter(isbns__isbn13=isbn13).distinct()
                if isbn13
                else Record.objects.none()
            )
            if not context["ours"]:
                targets = list(
                    SruTarget.objects.filter(municipality_id=school.municipality_id, enabled=True)
                )
                candidates, failures, answered = sru.lookup(targets, number, serial=bool(issn))
                request.session[CANDIDATES_KEY] = [marcio.to_json(c.record) for c in candidates]
                context.update(
                    candidates=candidates,
                    failures=failures,
                    targets=targets,
                    answered=", ".join(t.name for t in answered),
                )
    return render(request, "catalog/add_by_isbn.html", context)


def _issn(value: str) -> str | None:
    """A serial's ISSN as typed ("0317-8471", "ISSN 0317847-1"), formatted; None if invalid."""
    try:
        return str(stdissn.format(stdissn.validate(value.upper().removeprefix("ISSN").strip())))
    except Exception:  # stdnum raises several ValidationError subclasses
        return None


@login_required
@require_POST
def copy_candidate(request: HttpRequest) -> HttpResponse:
    """Save the chosen SRU candidate (kept in the session, never taken back from the browser)."""
    school = active_school(request, Perm.CATALOG_EDIT)
    stored = request.session.get(CANDIDATES_KEY) or []
    try:
        chosen = stored[int(request.POST.get("candidate", ""))]
    except (ValueError, IndexError):
        messages.error(request, _("That search result has expired; scan the ISBN again."))
        return redirect("catalog-add-isbn")
    marc_record = sru.as_ours(marcio.from_json(chosen))
    try:
        record = services.create_record(actor(request), school.municipality, marc_record)
    except services.DuplicateIsbn as error:  # it came into the catalogue since the look-up
        messages.warning(request, " ".join(error.messages))
        return redirect(f"{error.records[0].get_absolute_url()}#add-copies")
    request.session.pop(CANDIDATES_KEY, None)
    messages.success(request, _("The record is copied into the catalogue. Add the copies below."))
    return redirect(f"{record.get_absolute_url()}#add-copies")


@login_required
def record_new(request: HttpRequest) -> HttpResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    form = NewRecordForm(request.POST or None, initial={"isbn": request.GET.get("isbn", "")[:40]})
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        confirmed = bool(form.cleaned_data.pop(NewRecordForm.CONFIRM, False))
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if values.get("isbn") and normalize_isbn(values["isbn"]) is None:
            form.add_error("isbn", _("That is not a valid ISBN (check the last digit)."))
        else:
            try:
                record = services.create_record_from_form(
                    actor(request), school.municipality, allow_duplicate_isbn=confirmed, **values
                )
            except services.DuplicateIsbn as error:
                duplicates = error.records
                form.offer_duplicate_confirmation()
                form_errors(form, error)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("The record is created. Add the copies below."))
                return redirect(f"{record.get_absolute_url()}#add-copies")
    return render(request, "catalog/record_new.html", {"form": form, "duplicates": duplicates})


def _marc_too_large(size: int, limit: int) -> str:
    return _(
        "The file is %(size)d MB; the page takes at most %(limit)d MB. "
        "Larger files can be imported with “reol import-marc”."
    ) % {"size": -(-size // 2**20), "limit": limit // 2**20}  # rounded: never as small as it


@login_required
def import_marc_page(request: HttpRequest) -> HttpResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    limit = settings.REOL_MARC_UPLOAD_MAX_BYTES
    too_large = request.method == "POST" and declared_too_large(request, limit)
    # an announced body over the limit is refused before Django reads it to disk
    form = ImportForm(request.POST or None, None if too_large else request.FILES or None)
    if too_large:
        form.is_valid()
        form.errors.clear()
        form.add_error("file", _marc_too_large(int(request.META["CONTENT_LENGTH"]), limit))
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > limit:
            form.add_error("file", _marc_too_large(upload.size, limit))
        else:
            # REOL_IMPORT_IN_BACKGROUND = False runs the import in the request (tests do)
            background = getattr(settings, "REOL_IMPORT_IN_BACKGROUND", True)
            job = jobs.start(
                actor(request),
                school,
                upload,
                holdings=form.cleaned_data["holdings"],
                dry_run=form.cleaned_data["dry_run"],
                run_in_background=background,
            )
            if not background:
                jobs.run(job.pk)
            return redirect("catalog-import-job", job.pk)
    recent = list(ImportJob.objects.filter(school=school).order_by("-created_at")[:10])
    for job in recent:
        job.summary = jobs.summary_of(job)  # in the reader's language (not saved)
    return render(
        request,
        "catalog/import.html",
        {"form": form, "recent": recent, "limit_mb": settings.REOL_MARC_UPLOAD_MAX_BYTES // 2**20},
    )


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; htmx polls it for the progress fragment until the job is finished."""
    school = active_school(request, Perm.CATALOG_EDIT)
    job = denials.get_or_404(request, ImportJob.objects.filter(school=school), pk=pk)
    template = (
        "catalog/_import_progress.html"
        if request.headers.get("HX-Request")
        else "catalog/import_job.html"
    )
    errors = [p for p in job.problems if p["level"] == "error"]
    warnings = [p for p in job.problems if p["level"] == "warning"]
    job.summary = jobs.summary_of(job)  # in the reader's language (not saved)
    return render(request, template, {"job": job, "errors": errors, "warnings": warnings})


@login_required
def barcode_format_page(request: HttpRequest) -> HttpResponse:
    """How the school's generated barcodes look (prefix and digits)."""
    school = active_school(request, Perm.SCHOOL_MANAGE)
    current = selectors.barcode_format(school)
    form = BarcodeFormatForm(
        request.POST or None,
        initial={"barcode_prefix": current.prefix, "digits": current.digits},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.set_barcode_format(
                actor(request),
                school,
                prefix=form.cleaned_data["barcode_prefix"],
                digits=form.cleaned_data["digits"],
            )
        except ValidationError as error:  # the model's field names: prefix, digits
            for name, errors in error.message_dict.items():
                form.add_error("barcode_prefix" if name == "prefix" else "digits", errors)
        else:
            messages.success(
                request,
                _("New copies' barcodes will look like %(example)s.")
                % {"example": saved.example()},
            )
            return redirect("catalog-barcode-format")
    return render(
        request, "catalog/barcode_format.html", {"form": form, "example": current.example()}
    )
