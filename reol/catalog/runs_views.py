"""Label sheets and the search index's rebuild: a small label run answers with its PDF at once,
a big one (confirmed first) and a rebuild go to the task queue, with a page that shows their
progress (see ``runs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models.functions import Lower
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import denials
from reol.core.permissions import Perm

from . import labels, runs, search
from .forms import LabelsForm
from .models import Item, LabelRun
from .views import active_school, actor


def _selected_items(form: LabelsForm, school: Any) -> list[Item]:
    data = form.cleaned_data
    items = Item.objects.filter(school=school).select_related("record", "school")
    if data["selection"] == "today":
        items = items.filter(created_at__date=timezone.localdate())
    elif data["selection"] == "location":
        items = items.filter(location=data["location"])
    else:
        wanted = [b.strip() for b in data["barcodes"].split() if b.strip()]
        # a barcode is found however it is typed (a scanner and a keyboard differ in case),
        # through the unique index on LOWER(barcode)
        same_case = items.annotate(code=Lower("barcode")).filter(
            code__in={b.lower() for b in wanted}
        )
        found = {i.barcode.upper(): i for i in same_case}
        missing = [b for b in wanted if b.upper() not in found]
        if missing:
            form.add_error(
                "barcodes", _("Not copies of this school: %(b)s") % {"b": ", ".join(missing[:20])}
            )
        return [found[b.upper()] for b in wanted if b.upper() in found]
    return list(items.order_by("record__shelf_mark", "barcode")[:5000])


def _pdf(response: Any) -> Any:
    """The PDF shown in the browser's viewer, named for the day."""
    response["Content-Disposition"] = f'inline; filename="labels-{timezone.localdate()}.pdf"'
    return response


@login_required
def labels_page(request: HttpRequest) -> HttpResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    form = LabelsForm(
        request.POST or None, school=school, initial={"barcodes": request.GET.get("barcodes", "")}
    )
    if request.GET.get("barcodes"):
        form.fields["selection"].initial = "barcodes"
    if request.method == "POST" and form.is_valid():
        items = _selected_items(form, school)
        if not form.errors and not items:
            form.add_error(None, _("No copies match that choice."))
        if not form.errors:
            count, skip = len(items), form.cleaned_data.get("skip") or 0
            sheet, kind = form.cleaned_data["sheet"], form.cleaned_data["kind"]
            run = {"count": count, "sheets": labels.sheets(count, sheet, skip)}
            if request.headers.get("HX-Request") == "true":  # the form asks how many, as it changes
                return render(request, "catalog/_labels_count.html", {"run": run})
            if count <= runs.LABELS_AT_ONCE:
                pdf = labels.render(runs.label_rows(items, school), sheet, kind, skip)
                return _pdf(HttpResponse(pdf, content_type="application/pdf"))
            if request.POST.get("confirm") != str(count):
                return render(request, "catalog/labels.html", {"form": form, "confirm": run})
            queued = runs.start_label_run(
                actor(request), school, items, sheet, kind=kind, skip=skip
            )
            return redirect("catalog-label-run", queued.pk)
        if request.headers.get("HX-Request") == "true":
            return render(request, "catalog/_labels_count.html", {"run": None})
    recent = LabelRun.objects.filter(school=school).order_by("-created_at")[:5]
    return render(request, "catalog/labels.html", {"form": form, "recent": recent})


@login_required
def label_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's page; htmx polls it for the progress fragment until the PDF is made."""
    school = active_school(request, Perm.CATALOG_EDIT)
    run = denials.get_or_404(request, LabelRun.objects.filter(school=school), pk=pk)
    template = (
        "catalog/_label_run.html" if request.headers.get("HX-Request") else "catalog/label_run.html"
    )
    return render(request, template, {"run": run})


@login_required
def label_run_pdf(request: HttpRequest, pk: int) -> FileResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    run = denials.get_or_404(request, LabelRun.objects.filter(school=school), pk=pk)
    path = Path(run.path)
    if run.state != LabelRun.State.DONE or not run.path or not path.is_file():
        raise Http404(_("This run's PDF is no longer kept; make the labels again."))
    return _pdf(FileResponse(path.open("rb"), content_type="application/pdf"))


@login_required
def search_index(request: HttpRequest) -> HttpResponse:
    """The search index's state and its rebuild's progress (htmx polls the fragment)."""
    active_school(request, Perm.STAFF_MANAGE)
    context = {"run": runs.current_reindex(), "status": search.status()}
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_reindex_run.html", context)
    return render(request, "catalog/search_index.html", context)


@login_required
@require_POST
def search_reindex(request: HttpRequest) -> HttpResponse:
    school = active_school(request, Perm.STAFF_MANAGE)
    runs.start_reindex(actor(request), school)
    return redirect("catalog-search-index")
