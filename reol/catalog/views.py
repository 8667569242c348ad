"""Catalogue pages for records and copies. Thin: scope, parse the form, call a service, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.panels import render_panels
from reol.core.permissions import Perm, has_perm

from . import marc as marcio
from . import selectors, services
from .extract import normalize_isbn
from .forms import ItemsForm, ItemStatusForm, MarcForm, MergeForm, RecordForm
from .models import Item, ItemStatus, MaterialType, Record
from .states import ITEM_TRANSITIONS

PAGE_SIZE = 50


def active_school(request: HttpRequest, perm: Perm) -> School:
    """The active school after checking ``perm`` there; 403 otherwise."""
    return school_for(request, perm)


def actor(request: HttpRequest) -> User:
    """The signed-in person (the views are all behind ``login_required``)."""
    return request.user  # type: ignore[return-value]


def form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def records_of(school: School) -> QuerySet[Record]:
    """Records are shared by the school's municipality; retired (merged) ones are hidden."""
    return Record.objects.filter(municipality_id=school.municipality_id, merged_into__isnull=True)


def _find(records: QuerySet[Record], query: str) -> QuerySet[Record]:
    isbn13 = normalize_isbn(query)
    if isbn13:
        return records.filter(isbns__isbn13=isbn13)
    if services.usable_barcode(query):  # found whatever its case, through LOWER(barcode)'s index
        copy = services.barcodes_taken([query]).get(query.lower())
        if copy is not None:
            return records.filter(pk=copy.record_id)
    words = query.split()[:8]
    condition = Q()
    for word in words:
        condition &= (
            Q(title__icontains=word)
            | Q(responsibility__icontains=word)
            | Q(subtitle__icontains=word)
            | Q(shelf_mark__icontains=word)
            | _in_contributors(word)
        )
    return records.annotate(names=Cast("contributors", TextField())).filter(condition)


def _in_contributors(word: str) -> Q:
    """The authors and other contributors (100/700…; 245 $c is not always there), in their JSON
    text: PostgreSQL's shows "Ø" as itself, SQLite keeps the stored text with "\\u00d8". The
    text has the keys too, so "name", "role", "relator" or a relator code ("aut") alone match
    every record with contributors: a substring search's price for one cheap condition."""
    escaped = json.dumps(word)[1:-1]
    found = Q(names__icontains=word)
    return found | Q(names__icontains=escaped) if escaped != word else found


@login_required
def records(request: HttpRequest) -> HttpResponse:
    school = active_school(request, Perm.SCHOOL_VIEW)
    query = request.GET.get("q", "").strip()[:200]
    material = request.GET.get("type", "")
    found = records_of(school)
    if query:
        found = _find(found, query)
    if material in MaterialType.values:
        found = found.filter(material_type=material)
    found = found.annotate(copies_here=Count("items", filter=Q(items__school=school))).order_by(
        "title", "id"
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/records.html",
        {
            "page": page,
            "query": query,
            "material": material,
            "materials": MaterialType.choices,
            "can_edit": has_perm(actor(request), Perm.CATALOG_EDIT, school),
            # What other apps add beside the results (external: other libraries' answers).
            "panels": render_panels("catalog.records", request, query, school),
        },
    )


def _record(request: HttpRequest, school: School, pk: int) -> Record:
    """The municipality's record; another municipality's is an audited 404."""
    scoped = Record.objects.filter(municipality_id=school.municipality_id)
    return denials.get_or_404(request, scoped, pk=pk)


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    school = active_school(request, Perm.SCHOOL_VIEW)
    rec = _record(request, school, pk)
    if rec.merged_into_id:
        messages.info(request, _("That record was merged into this one."))
        return redirect("catalog-record", rec.merged_into_id)
    return _record_page(request, school, rec)


def _record_page(
    request: HttpRequest,
    school: School,
    rec: Record,
    *,
    items_form: ItemsForm | None = None,
    status_form: tuple[int, ItemStatusForm] | None = None,
) -> HttpResponse:
    """The record's page; after a refused form it comes back with the form as typed, its errors
    at its fields (and in the summary at the top), answered 400."""
    can_edit = has_perm(actor(request), Perm.CATALOG_EDIT, school)
    items = list(
        Item.objects.filter(record=rec, school=school)
        .select_related("location")
        .order_by("barcode")
    )
    for item in items:  # the statuses a librarian may move this copy to (circulation does the rest)
        allowed = ITEM_TRANSITIONS[item.status] - {ItemStatus.ON_LOAN, ItemStatus.ON_HOLD_SHELF}
        item.next_statuses = [(s.value, s.label) for s in ItemStatus if s in allowed]  # type: ignore[attr-defined]
    elsewhere = (
        Item.objects.filter(record=rec)
        .exclude(school=school)
        .values("school__name")
        .annotate(n=Count("id"))
    )
    return render(
        request,
        "catalog/record.html",
        {
            "record": rec,
            "items": items,
            "elsewhere": elsewhere,
            "can_edit": can_edit,
            "isbns": rec.isbns.all(),
            "items_form": items_form or (ItemsForm(school=school) if can_edit else None),
            "panels": render_panels("catalog.record", request, rec, school),
            "merge_form": MergeForm() if can_edit else None,
            "status_item": status_form[0] if status_form else None,
            "status_form": status_form[1] if status_form else None,
        },
        status=400 if items_form or status_form else 200,
    )


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    rec = _record(request, school, pk)
    initial = {name: getattr(rec, name) for name in RecordForm.base_fields}
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_record(actor(request), rec, **changed)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The record is saved."))
            return redirect("catalog-record", rec.pk)
    return render(request, "catalog/record_edit.html", {"record": rec, "form": form})


@login_required
def record_marc(request: HttpRequest, pk: int) -> HttpResponse:
    school = active_school(request, Perm.SCHOOL_VIEW)
    rec = _record(request, school, pk)
    can_edit = has_perm(actor(request), Perm.CATALOG_EDIT, school)
    form = MarcForm(
        request.POST or None, initial={"marc": marcio.to_mnemonic(marcio.from_json(rec.marc))}
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not catalogue at this school."))
        if form.is_valid():
            try:
                services.replace_marc(
                    actor(request), rec, marcio.from_mnemonic(form.cleaned_data["marc"])
                )
            except marcio.MnemonicError as error:
                form.add_error("marc", str(error))
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("The MARC record is saved."))
                return redirect("catalog-record", rec.pk)
    return render(
        request, "catalog/record_marc.html", {"record": rec, "form": form, "can_edit": can_edit}
    )


@login_required
def record_marc_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    school = active_school(request, Perm.SCHOOL_VIEW)
    rec = _record(request, school, pk)
    marc_record = marcio.from_json(rec.marc)
    if fmt == "mrc":
        try:
            data = marcio.as_iso2709(marc_record)
        except marcio.CannotWrite:
            messages.error(
                request, _("This record is too long for ISO 2709 (.mrc): download it as MARCXML.")
            )
            return redirect("catalog-record", rec.pk)
        response = HttpResponse(data, content_type="application/marc")
    elif fmt == "xml":
        response = HttpResponse(
            marcio.as_marcxml(marc_record), content_type="application/marcxml+xml"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="record-{rec.pk}.{fmt}"'
    return response


@login_required
@require_POST
def items_add(request: HttpRequest, pk: int) -> HttpResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    rec = _record(request, school, pk)
    form = ItemsForm(request.POST, school=school)
    if form.is_valid():
        data = form.cleaned_data
        try:
            items = services.add_items(
                actor(request),
                rec,
                school,
                count=data["count"],  # None when barcodes were scanned (one copy each)
                barcodes=form.barcode_list(),
                location=data["location"],
                circulation_type=data["circulation_type"],
                shelf_mark=data["shelf_mark"],
                price=data["price"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            barcodes = ", ".join(i.barcode for i in items)
            messages.success(request, _("Copies added: %(barcodes)s") % {"barcodes": barcodes})
            return redirect("catalog-record", rec.pk)
    return _record_page(request, school, rec, items_form=form)


@login_required
@require_POST
def item_status(request: HttpRequest, pk: int) -> HttpResponse:
    school = active_school(request, Perm.CATALOG_EDIT)
    item = denials.get_or_404(request, Item.objects.filter(school=school), pk=pk)
    form = ItemStatusForm(request.POST)
    form.fields["status"].widget.attrs["id"] = f"status-{item.pk}"  # the row's own select
    form.fields["status"].label = _("New status for %(b)s") % {"b": item.barcode}
    if form.is_valid():
        try:
            services.change_item_status(
                actor(request), item, form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error("status", error.messages)
        else:
            messages.success(
                request,
                _("Copy %(barcode)s is now %(status)s.")
                % {"barcode": item.barcode, "status": item.get_status_display()},
            )
            return redirect("catalog-record", item.record_id)
    return _record_page(request, school, item.record, status_form=(item.pk, form))


@login_required
@require_POST
def record_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merging cannot be undone: the first POST shows both records side by side (with what
    differs) and asks; only the confirmation's POST (``confirm=yes``) runs the merge."""
    school = active_school(request, Perm.CATALOG_EDIT)
    keep = _record(request, school, pk)
    if keep.merged_into_id:
        messages.error(request, _("This record was merged into another one already."))
        return redirect("catalog-record", keep.pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of the duplicate record."))
        return redirect("catalog-record", keep.pk)
    duplicate = records_of(school).filter(pk=form.cleaned_data["duplicate"]).first()
    if duplicate is None:
        messages.error(request, _("There is no record with that number in this catalogue."))
        return redirect("catalog-record", keep.pk)
    if duplicate.pk == keep.pk:
        messages.error(request, _("That is this record's own number: give the duplicate's."))
        return redirect("catalog-record", keep.pk)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "catalog/record_merge_confirm.html",
            {"record": keep, "comparison": selectors.merge_comparison(keep, duplicate)},
        )
    try:
        services.merge_records(actor(request), keep, duplicate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(title)s” (record %(n)d) was merged into this record.")
            % {"title": duplicate.title, "n": duplicate.pk},
        )
    return redirect("catalog-record", keep.pk)


@login_required
def possible_duplicates(request: HttpRequest) -> HttpResponse:
    """Records that share an ISBN (an import keeps them apart when their 001+003 differ),
    each with the merge flow of the record page: keep one, merge another into it."""
    school = active_school(request, Perm.CATALOG_EDIT)
    return render(
        request,
        "catalog/possible_duplicates.html",
        {"groups": selectors.possible_duplicates(school.municipality_id)},
    )
