"""Reading promotion's pages: cover images, the record page's cover panel, reviews and their
moderation, and the school's reading settings. Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reol.catalog.models import Record
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm

from . import cover_service, covers, levels, selectors, services
from .forms import (
    CoverProviderForm,
    CoverUploadForm,
    ReadingSettingsForm,
    ReviewForm,
    keep_review_draft,
)
from .models import Cover, CoverProvider, CoverSource, Review

YEAR = 365 * 24 * 3600


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # behind login_required


@require_GET
def cover_image(request: HttpRequest, pk: int, version: str) -> HttpResponse:
    """A cover at its versioned address: cached for a year, as the address changes with it."""
    stored = Cover.objects.filter(record_id=pk).exclude(source=CoverSource.NONE).first()
    if stored is not None:
        body, content_type, current = bytes(stored.image), stored.content_type, stored.digest
    else:
        record = get_object_or_404(
            Record.objects.only(*selectors.COVER_FIELDS, "municipality_id"), pk=pk
        )  # covers are public: nothing to refuse
        svg, current = selectors.generated_for(record)
        body, content_type = svg.encode(), "image/svg+xml"
    if version != current:
        return redirect("reading-cover", pk=pk, version=current)
    etag = f'"{current}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    if content_type == "image/svg+xml":
        # Opened on its own, a generated cover may draw and nothing else.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def record_panel(request: HttpRequest, record: Record, school: School | None) -> str:
    """The catalogue record page's cover panel, for staff who catalogue."""
    if not school or not has_perm(request.user, Perm.CATALOG_EDIT, school):
        return ""
    stored = Cover.objects.filter(record=record).only("source").first()
    context = {
        "record": record,
        "cover": selectors.cover_view(record),
        "stored": stored if stored and stored.source != CoverSource.NONE else None,
        "form": CoverUploadForm(),
        "max_mb": covers.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render_to_string("reading/_cover_panel.html", context, request=request)


@login_required
@require_POST
def cover_upload(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    record = denials.get_or_404(
        request, Record.objects.filter(municipality_id=school.municipality_id), pk=pk
    )
    form = CoverUploadForm(request.POST, request.FILES)
    back = reverse("catalog-record", args=[record.pk]) + "#cover"
    if not form.is_valid():
        for error in form.errors.get("image", []):
            messages.error(request, str(error))
        return redirect(back)
    try:
        services.upload_cover(_actor(request), school, record, form.cleaned_data["image"].read())
    except (covers.CoverError, services.ReadingError) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The cover is saved."))
    return redirect(back)


@login_required
@require_POST
def cover_remove(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    record = denials.get_or_404(
        request, Record.objects.filter(municipality_id=school.municipality_id), pk=pk
    )
    services.remove_cover(_actor(request), school, record)
    messages.success(request, _("The cover is removed; a drawn cover shows instead."))
    return redirect(reverse("catalog-record", args=[record.pk]) + "#cover")


# --- Reviews ------------------------------------------------------------------------------


@login_required
@require_POST
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    school: School | None = getattr(request, "school", None)
    record = get_object_or_404(Record, pk=pk)
    back = reverse("opac-record", args=[pk]) + "#reviews"
    form = ReviewForm(request.POST)
    if not school or record.municipality_id != school.municipality_id:
        messages.error(request, _("Only students of the school can write reviews here."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("Choose from one to five stars."))
        keep_review_draft(request.session, record.pk, request.POST)
        return redirect(back)
    try:
        services.submit_review(
            user, school, record, form.cleaned_data["stars"], form.cleaned_data["text"]
        )
    except services.ReadingError as refusal:
        messages.error(request, str(refusal))
        keep_review_draft(request.session, record.pk, request.POST)
    else:
        messages.success(
            request, _("Thank you! Your review will show when the librarian has read it.")
        )
    return redirect(back)


@login_required
@require_POST
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    school: School | None = getattr(request, "school", None)
    review = denials.get_or_404(request, Review.objects.filter(school=school), pk=pk)
    try:
        services.report_review(request.user, review)  # type: ignore[arg-type]
    except services.ReadingError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you for telling us. The librarian will look at it."))
    return redirect(reverse("opac-record", args=[review.record_id]) + "#reviews")


@login_required
def top_of_class(request: HttpRequest) -> HttpResponse:
    """The titles a grade liked best at the school: a student sees their own grade's; a
    teacher or librarian picks any grade that has reviews. Never outside the school."""
    user: User = request.user  # type: ignore[assignment]
    school: School | None = getattr(request, "school", None)
    if not selectors.may_see_reviews(user, school):
        raise Http404
    assert school is not None
    own = selectors.reader_grade(user, school)
    grades = selectors.rated_grades(school) if own is None else [own]
    wanted = request.GET.get("grade", "")
    grade = own if own is not None else (int(wanted) if wanted.isdigit() else None)
    if grade is None and grades:
        grade = grades[0]
    return render(
        request,
        "reading/top.html",
        {
            "school": school,
            "grade": grade,
            "grade_name": levels.grade_name(grade) if grade is not None else "",
            "grades": [(g, levels.grade_name(g)) for g in grades],
            "titles": selectors.top_of_class(school, grade) if grade is not None else [],
            "may_choose": own is None,
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    return render(
        request,
        "reading/reviews.html",
        {"school": school, "reviews": selectors.waiting_reviews(school)},
    )


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    review = denials.get_or_404(request, Review.objects.filter(school=school), pk=pk)
    approve = request.POST.get("decision") == "approve"
    services.decide_review(_actor(request), review, approve=approve)
    messages.success(
        request,
        _("The review is shown.") if approve else _("The review will not be shown."),
    )
    return redirect("reading-reviews")


# --- Settings -----------------------------------------------------------------------------


@login_required
def reading_settings(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_MANAGE)
    current = services.reading_settings(school)
    provider = CoverProvider.objects.filter(municipality_id=school.municipality_id).first()
    may_set_provider = has_perm(request.user, Perm.STAFF_MANAGE, school)
    form = ReadingSettingsForm(
        request.POST if request.method == "POST" and "reviews" in request.POST else None,
        initial={
            "reviews_enabled": current.reviews_enabled,
            "show_reviewer_names": current.show_reviewer_names,
        },
    )
    provider_form = CoverProviderForm(
        request.POST if request.method == "POST" and "provider" in request.POST else None,
        initial={
            "url_template": provider.url_template if provider else "",
            "enabled": provider.enabled if provider else False,
        },
    )
    if request.method == "POST":
        if "reviews" in request.POST and form.is_valid():
            services.set_reading_settings(_actor(request), school, **form.cleaned_data)
            messages.success(request, _("The settings are saved."))
            return redirect("reading-settings")
        if "provider" in request.POST and may_set_provider and provider_form.is_valid():
            try:
                cover_service.set_cover_provider(
                    _actor(request),
                    school,
                    provider_form.cleaned_data["url_template"],
                    enabled=provider_form.cleaned_data["enabled"],
                )
            except services.ReadingError as refusal:
                provider_form.add_error("url_template", str(refusal))
            else:
                messages.success(request, _("The cover service is saved."))
                return redirect("reading-settings")
    return render(
        request,
        "reading/settings.html",
        {
            "school": school,
            "form": form,
            "provider_form": provider_form,
            "may_set_provider": may_set_provider,
        },
    )
