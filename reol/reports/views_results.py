"""The page where a school imports its classes' aggregated reading-test results (CSV or XLSX)
and sees what it has imported. Thin: the file goes to ``services.import_reading_results``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm
from reol.core.uploads import UploadRefused, declared_too_large

from . import results_import, services
from .models import ReadingResult

SHOWN = 100


@login_required
@require_http_methods(["GET", "POST"])
def import_results(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.READING_RESULTS)
    errors: list[tuple[int, str]] = []
    refused = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if declared_too_large(request, results_import.MAX_BYTES) or (
            upload is not None and upload.size and upload.size > results_import.MAX_BYTES
        ):
            refused = _("The file is larger than %(mb)s MB.") % {
                "mb": results_import.MAX_BYTES // 2**20
            }
        elif upload is None:
            refused = _("Choose a file.")
        else:
            user: User = request.user  # type: ignore[assignment]
            try:
                done = services.import_reading_results(
                    user, school, name=upload.name or "", data=upload.read()
                )
            except UploadRefused as error:
                refused = str(error)
            except services.ResultsRejected as error:
                errors = error.rows
            else:
                messages.success(
                    request,
                    _("%(created)s results imported, %(replaced)s replaced.")
                    % {"created": done.created, "replaced": done.replaced},
                )
                return redirect("reports-results-import")
    status = 400 if refused or errors else 200
    return render(
        request,
        "reports/results_import.html",
        {
            "school": school,
            "refused": refused,
            "errors": errors,
            "results": ReadingResult.objects.filter(school=school)[:SHOWN],
            "max_mb": results_import.MAX_BYTES // 2**20,
            "max_rows": results_import.MAX_ROWS,
        },
        status=status,
    )
