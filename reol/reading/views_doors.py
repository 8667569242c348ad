"""The picture doors' pages: the librarian composes them; the front page shows them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reol.core import denials
from reol.core.middleware import school_for
from reol.core.permissions import Perm

from . import covers, doors
from .forms import DoorForm
from .models import PictureDoor
from .views import YEAR, _actor


@require_GET
def door_picture(request: HttpRequest, pk: int, version: str) -> HttpResponse:
    door = get_object_or_404(PictureDoor, pk=pk)
    if not door.digest:  # never linked: a door without a picture shows its symbol
        raise Http404
    if version != door.digest:
        return redirect("reading-door-picture", pk=pk, version=door.digest)
    etag = f'"{door.digest}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    response = HttpResponse(bytes(door.image), content_type="image/jpeg")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["ETag"] = etag
    return response


@login_required
def door_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    form = DoorForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        picture = data.pop("picture")
        try:
            doors.create_door(
                _actor(request),
                school,
                doors.DoorSpec(**data),
                picture.read() if picture else None,
            )
        except (doors.DoorError, covers.CoverError) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The door is on the front page."))
            return redirect("reading-doors")
    return render(
        request,
        "reading/doors.html",
        {"school": school, "form": form, "doors": doors.doors_for(school, None)},
    )


@login_required
@require_POST
def door_delete(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    door = denials.get_or_404(request, PictureDoor.objects.filter(school=school), pk=pk)
    doors.delete_door(_actor(request), door)
    messages.success(request, _("The door is removed."))
    return redirect("reading-doors")


@login_required
@require_POST
def door_move(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    door = denials.get_or_404(request, PictureDoor.objects.filter(school=school), pk=pk)
    doors.move_door(_actor(request), door, -1 if request.POST.get("way") == "up" else 1)
    return redirect("reading-doors")
