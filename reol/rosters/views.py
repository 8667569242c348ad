"""The roster import pages: upload → choices (the CSV mapping, or the OneRoster school) → dry
run → import. Thin: scope, parse the form, call jobs/services, render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reol.core import denials
from reol.core.calendar import current_and_next
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm
from reol.core.uploads import declared_too_large

from . import csvsource, jobs, oneroster, services
from .forms import ConfirmForm, CsvOptionsForm, OneRosterOptionsForm, UploadForm
from .models import Format, MappingPreset, RosterImport
from .reader import TableError, delimiter_label, read_table
from .report import summary_of

SAMPLE_ROWS = 5

FIELD_LABELS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "username": gettext_lazy("username"),
    "card_barcode": gettext_lazy("card barcode"),
    "email": gettext_lazy("e-mail"),
    "source_id": gettext_lazy("id"),
    "category": gettext_lazy("category"),
    "grade": gettext_lazy("grade"),
    "guardian_emails": gettext_lazy("guardians"),
    "guardian_language": gettext_lazy("guardians' language"),
    "valid_until": gettext_lazy("valid until"),
    "active": gettext_lazy("active again"),
    "left_on": gettext_lazy("left on"),
    "role": gettext_lazy("role at the school"),
    "groups": gettext_lazy("class or group"),
}
ACTIONS = [
    ("create", gettext_lazy("New patrons")),
    ("update", gettext_lazy("Changed patrons")),
    ("reactivate", gettext_lazy("Patrons who are back")),
    ("deactivate", gettext_lazy("Patrons who have left (deactivated)")),
    ("group_create", gettext_lazy("New groups")),
    ("group_deactivate", gettext_lazy("Groups no longer in the roster (deactivated)")),
]
PHASES = {
    "reading": gettext_lazy("reading the file"),
    "checking": gettext_lazy("checking every row"),
    "saving": gettext_lazy("saving"),
}


def _school(request: HttpRequest) -> School:
    return school_for(request, Perm.PEOPLE_MANAGE)


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _too_large(size: int) -> str:
    limit = jobs.upload_limit()
    return _(
        "The file is %(size)d MB; the page takes at most %(limit)d MB. Zip it, or import it "
        "with “reol import-patrons”."
    ) % {"size": -(-size // 2**20), "limit": limit // 2**20}


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    form = UploadForm()
    if request.method == "POST":
        if declared_too_large(request, jobs.upload_limit()):  # refused before it is read
            form = UploadForm({})
            form.is_valid()
            form.errors.clear()
            form.add_error("file", _too_large(int(request.META["CONTENT_LENGTH"])))
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > jobs.upload_limit():
                    form.add_error("file", _too_large(upload.size))
                else:
                    job = jobs.receive(
                        _actor(request), school, upload, fmt=form.cleaned_data["format"]
                    )
                    return redirect("rosters-options", job.pk)
    recent = RosterImport.objects.filter(school=school).select_related("started_by")[:10]
    presets = MappingPreset.objects.filter(school=school)
    return render(
        request,
        "rosters/upload.html",
        {
            "form": form,
            "recent": recent,
            "presets": presets,
            "limit_mb": jobs.upload_limit() // 2**20,
        },
    )


def _years(school: School) -> list[str]:
    return current_and_next(school)


@login_required
def options(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    job = denials.get_or_404(
        request, RosterImport.objects.filter(school=school), pk=pk, dry_run=True
    )
    if not job.path or not Path(job.path).exists():
        messages.error(request, _("The uploaded file is no longer kept. Upload it again."))
        return redirect("rosters-upload")
    years = _years(school)
    if job.format == Format.ONEROSTER:
        return _oneroster_options(request, school, job, years)
    return _csv_options(request, school, job, years)


def _start_dry_run(
    request: HttpRequest, job: RosterImport, options: dict[str, Any]
) -> HttpResponse:
    background = getattr(settings, "REOL_IMPORT_IN_BACKGROUND", True)
    run = jobs.start(
        _actor(request), job, dry_run=True, options=options, run_in_background=background
    )
    if not background:
        jobs.run(run.pk)
    return redirect("rosters-job", run.pk)


def _starting_mapping(
    request: HttpRequest, job: RosterImport, presets: list[MappingPreset], header: list[str]
) -> tuple[MappingPreset | None, dict[str, str], str]:
    """The preset, column mapping and default category the form starts from: the preset asked
    for (``?preset=``), else what this job was given before, else the first preset that fits
    the file's columns, else a guess from the column names."""
    chosen = next((p for p in presets if str(p.pk) == request.GET.get("preset")), None)
    if chosen is None and "mapping" in job.options:
        mapping = dict(job.options["mapping"])
        category = str(job.options.get("default_category", "student"))
    elif chosen is not None:
        mapping, category = dict(chosen.mapping), chosen.default_category
    else:
        fitting = [p for p in presets if set(p.mapping.values()) <= set(header)]
        chosen = fitting[0] if fitting else None
        mapping = dict(chosen.mapping) if chosen else csvsource.guess_mapping(header)
        category = chosen.default_category if chosen else "student"
    return chosen, mapping, category


def _submit_csv_options(
    request: HttpRequest,
    school: School,
    job: RosterImport,
    header: list[str],
    form: CsvOptionsForm,
) -> HttpResponse | None:
    """Check the mapping, save it as a preset when named, and start the dry run; None when the
    form has errors to show."""
    mapping = form.mapping()
    problems = csvsource.mapping_problems(header, mapping)
    for problem in problems:
        form.add_error(None, problem)
    name = form.cleaned_data["preset_name"].strip()
    if not problems and name:
        try:
            services.save_preset(
                _actor(request),
                school,
                name=name,
                mapping=mapping,
                default_category=form.cleaned_data["default_category"],
            )
        except ValidationError as error:
            form.add_error("preset_name", error.messages)
    if not form.is_valid():
        return None
    return _start_dry_run(
        request,
        job,
        {
            "mapping": mapping,
            "default_category": form.cleaned_data["default_category"],
            "school_year": form.cleaned_data["school_year"],
            "deactivate_missing": form.cleaned_data["deactivate_missing"],
        },
    )


def _csv_options(
    request: HttpRequest, school: School, job: RosterImport, years: list[str]
) -> HttpResponse:
    try:
        table = read_table(Path(job.path).read_bytes(), job.filename)
    except TableError as error:
        messages.error(request, _("The file cannot be read: %(error)s") % {"error": error})
        return redirect("rosters-upload")
    presets = list(MappingPreset.objects.filter(school=school))
    chosen, mapping, category = _starting_mapping(request, job, presets, table.header)
    initial: dict[str, Any] = {f"map_{k}": v for k, v in mapping.items() if v in table.header}
    initial.update(
        default_category=category,
        school_year=job.options.get("school_year") or years[0],
        # A CSV is often a partial export (one class): deactivating everyone else is chosen,
        # never assumed. The dry run warns with the count when it is chosen.
        deactivate_missing=job.options.get("deactivate_missing", False),
        preset_name=chosen.name if chosen else "",
    )
    form = CsvOptionsForm(request.POST or None, initial=initial, header=table.header, years=years)
    if request.method == "POST" and form.is_valid():
        started = _submit_csv_options(request, school, job, table.header, form)
        if started is not None:
            return started
    return render(
        request,
        "rosters/options_csv.html",
        {
            "job": job,
            "form": form,
            "header": table.header,
            "sample": [r.cells for r in table.rows[:SAMPLE_ROWS]],
            "rows": len(table.rows),
            "encoding": table.encoding,
            "delimiter": delimiter_label(table.delimiter),
            "presets": presets,
            "chosen": chosen,
        },
    )


def _oneroster_options(
    request: HttpRequest, school: School, job: RosterImport, years: list[str]
) -> HttpResponse:
    try:
        files = oneroster.read_bundle(Path(job.path))
    except oneroster.BundleError as error:
        messages.error(request, str(error))
        return redirect("rosters-upload")
    orgs = oneroster.orgs_of(files)
    last = (
        RosterImport.objects.filter(school=school, format=Format.ONEROSTER, saved=True)
        .exclude(options__org="")
        .values_list("options", flat=True)
        .first()
    )
    remembered = str((last or {}).get("org", ""))
    hints = (school.code, school.name)
    guess, _why = oneroster.choose_org(orgs, remembered, hints=hints) if orgs else (None, "")
    if guess is None and orgs:
        guess, _why = oneroster.choose_org(orgs, "", hints=hints)
    initial = {
        "org": job.options.get("org") or (guess.source_id if guess else ""),
        "card_from": job.options.get("card_from", ""),
        "school_year": job.options.get("school_year") or years[0],
        "deactivate_missing": job.options.get("deactivate_missing", True),
    }
    form = OneRosterOptionsForm(request.POST or None, initial=initial, orgs=orgs, years=years)
    if request.method == "POST" and form.is_valid():
        return _start_dry_run(
            request,
            job,
            {
                "org": form.cleaned_data.get("org", ""),
                "card_from": form.cleaned_data["card_from"],
                "school_year": form.cleaned_data["school_year"],
                "deactivate_missing": form.cleaned_data["deactivate_missing"],
            },
        )
    return render(
        request,
        "rosters/options_oneroster.html",
        {"job": job, "form": form, "orgs": orgs, "files": sorted(n for n, _d in files.values())},
    )


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's page; htmx polls it for the progress fragment until the run is finished."""
    school = _school(request)
    job = denials.get_or_404(request, RosterImport.objects.filter(school=school), pk=pk)
    template = "rosters/_progress.html" if request.headers.get("HX-Request") else "rosters/job.html"
    changes = [
        (label, [_describe(c) for c in job.changes if c["action"] == action])
        for action, label in ACTIONS
    ]
    counts = job.counts
    return render(
        request,
        template,
        {
            "job": job,
            "phase": PHASES.get(job.phase, ""),
            "changes": [(label, rows) for label, rows in changes if rows],
            "errors": job.errors,
            "warnings": job.warnings,
            "counts": counts,
            "can_import": (
                job.dry_run
                and job.state == RosterImport.State.DONE
                and bool(job.path)
                and not any(p["line"] == 0 for p in job.errors)
            ),
            "good_rows": counts.get("people", 0),
            "summary": summary_of(
                counts, dry_run=job.dry_run, refused=not job.dry_run and not job.saved
            ),
            "deactivating": counts.get("patrons_deactivated", 0) if job.dry_run else 0,
        },
    )


def _describe(change: dict[str, Any]) -> dict[str, Any]:
    fields = ", ".join(str(FIELD_LABELS.get(f, f)) for f in change.get("fields", []))
    return {**change, "fields": fields}


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    job = denials.get_or_404(
        request, RosterImport.objects.filter(school=school), pk=pk, dry_run=True
    )
    already = (
        RosterImport.objects.filter(checked_by=job)
        .exclude(state=RosterImport.State.FAILED)
        .exclude(state=RosterImport.State.DONE, saved=False)
        .first()
    )
    if already is not None:  # a second click on "Import"
        return redirect("rosters-job", already.pk)
    if job.state != RosterImport.State.DONE or not job.path or not Path(job.path).exists():
        messages.error(request, _("The uploaded file is no longer kept. Upload it again."))
        return redirect("rosters-upload")
    form = ConfirmForm(request.POST)
    good_rows = form.is_valid() and form.cleaned_data["good_rows"]
    background = getattr(settings, "REOL_IMPORT_IN_BACKGROUND", True)
    run = jobs.start(
        _actor(request),
        job,
        dry_run=False,
        options={"good_rows": good_rows},
        run_in_background=background,
    )
    if not background:
        jobs.run(run.pk)
    return redirect("rosters-job", run.pk)


@login_required
@require_POST
def preset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    preset = denials.get_or_404(request, MappingPreset.objects.filter(school=school), pk=pk)
    services.delete_preset(_actor(request), preset)
    messages.success(request, _("The mapping “%(name)s” is deleted.") % {"name": preset.name})
    return redirect("rosters-upload")
