"""Staff pages for reading lists (``CATALOG_EDIT``). Every change goes through ``services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reol.catalog import search
from reol.catalog.lists import services
from reol.catalog.lists.models import ReadingList, ReadingListEntry
from reol.catalog.models import Record
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm

from . import selectors
from .forms import NewReadingListForm, ReadingListForm


def _school(request: HttpRequest) -> School:
    return school_for(request, Perm.CATALOG_EDIT)


def _errors(form: ReadingListForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user: User = request.user  # type: ignore[assignment]
    form = NewReadingListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        whole = data.pop("whole_municipality")
        try:
            created = services.create_reading_list(
                user, school.municipality, school=None if whole else school, **data
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The list is made. Now add titles to it."))
            return redirect("opac-staff-list", pk=created.pk)
    return render(
        request,
        "opac/staff_lists.html",
        {"lists": selectors.editable_lists(user), "form": form, "school": school},
        status=400 if request.method == "POST" else 200,
    )


@dataclass
class _ListEdit:
    """One POST to a list's page: who acts on which list, and where to go back to (the list,
    with the "Add titles" search kept)."""

    request: HttpRequest
    user: User
    reading_list: ReadingList
    form: ReadingListForm
    back: str


def _save(edit: _ListEdit) -> HttpResponse | None:
    if not edit.form.is_valid():
        return None
    services.update_reading_list(edit.user, edit.reading_list, **edit.form.cleaned_data)
    messages.success(edit.request, _("The list is saved."))
    return redirect("opac-staff-list", pk=edit.reading_list.pk)


def _delete(edit: _ListEdit) -> HttpResponse:
    services.delete_reading_list(edit.user, edit.reading_list)
    messages.success(edit.request, _("The list is deleted."))
    return redirect("opac-staff-lists")


def _add(edit: _ListEdit) -> HttpResponse:
    found = denials.get_or_404(
        edit.request,
        Record.objects.filter(municipality=edit.reading_list.municipality),
        pk=_int(edit.request.POST.get("record")),
    )
    services.add_entry(edit.user, edit.reading_list, found, note=edit.request.POST.get("note", ""))
    messages.success(edit.request, _("“%(title)s” is on the list.") % {"title": found.title})
    return redirect(edit.back)


def _change_entry(edit: _ListEdit) -> HttpResponse:
    """Move an entry up or down, remove it, or change its note."""
    action = edit.request.POST.get("action", "")
    entry = get_object_or_404(
        ReadingListEntry, pk=_int(edit.request.POST.get("entry")), reading_list=edit.reading_list
    )
    if action == "remove":
        services.remove_entry(edit.user, entry)
    elif action == "note":
        services.update_entry(edit.user, entry, note=edit.request.POST.get("note", ""))
    else:
        services.move_entry(edit.user, entry, by=-1 if action == "up" else 1)
    return redirect(edit.back)


# What each button of the list's page does; None from a handler shows the page again (an
# invalid form), as does an action not in this table.
_ACTIONS: dict[str, Callable[[_ListEdit], HttpResponse | None]] = {
    "save": _save,
    "delete": _delete,
    "add": _add,
    "up": _change_entry,
    "down": _change_entry,
    "remove": _change_entry,
    "note": _change_entry,
}


def _act(edit: _ListEdit) -> HttpResponse | None:
    """Do the POST's action; a refusal shows on the form (save) or as a message (the rest)."""
    action = edit.request.POST.get("action", "")
    handler = _ACTIONS.get(action)
    if handler is None:
        return None
    try:
        return handler(edit)
    except ValidationError as error:
        if action == "save":
            _errors(edit.form, error)
            return None
        messages.error(edit.request, " ".join(error.messages))
        return redirect(edit.back)


def _hits(text: str, reading_list: ReadingList) -> list[search.Hit]:
    """The "Add titles" search: ten records of the list's municipality."""
    if not text:
        return []
    return search.search(
        search.SearchQuery(
            text=text,
            municipality_id=reading_list.municipality_id,
            size=10,
            facets=False,
        )
    ).hits


@login_required
def edit_list(request: HttpRequest, pk: int) -> HttpResponse:
    school = _school(request)
    user: User = request.user  # type: ignore[assignment]
    reading_list = denials.get_or_404(request, selectors.editable_lists(user), pk=pk)
    form = ReadingListForm(
        request.POST if request.POST.get("action") == "save" else None,
        initial={
            name: getattr(reading_list, name)
            for name in ("title", "audience", "description", "published")
        },
    )
    # The "Add titles" search survives each add, so a librarian adds five horse books from one
    # search instead of typing "heste" five times.
    text = (request.POST.get("q") or request.GET.get("q") or "")[:200].strip()
    back = reverse("opac-staff-list", args=[reading_list.pk])
    if text:
        back = f"{back}?{urlencode({'q': text})}"
    if request.method == "POST":
        done = _act(_ListEdit(request, user, reading_list, form, back))
        if done is not None:
            return done
    hits = _hits(text, reading_list)
    entries = list(selectors.reading_list_entries(reading_list))
    return render(
        request,
        "opac/staff_list_edit.html",
        {
            "reading_list": reading_list,
            "entries": entries,
            "on_list": {e.record_id for e in entries},
            "form": form,
            "q": text,
            "hits": hits,
            "school": school,
        },
        status=400 if request.method == "POST" else 200,
    )
