"""Reading campaigns' pages: the student's (join, log a book, see the bar move, leave) and the
librarian's (create one, see the classes side by side). Thin: ``campaigns`` writes and reads."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Record
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School
from reol.core.permissions import Perm

from . import campaigns
from .forms import CampaignForm
from .models import Campaign, Participant, ReadingLog
from .views import _actor


def _school(request: HttpRequest) -> School:
    school: School | None = getattr(request, "school", None)
    if school is None:
        raise Http404
    return school


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return denials.get_or_404(request, Campaign.objects.filter(school=_school(request)), pk=pk)


@login_required
def my_campaigns(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _actor(request)
    mine = {
        p.campaign_id: p for p in Participant.objects.filter(user=user, campaign__school=school)
    }
    lines = []
    for campaign in campaigns.running(school):
        participant = mine.get(campaign.pk)
        if participant is not None:
            campaigns.sync_from_loans(participant)
        lines.append(
            SimpleNamespace(
                campaign=campaign,
                participant=participant,
                progress=campaigns.progress(participant) if participant else None,
                logs=list(participant.logs.all()[:50]) if participant else [],
                board=campaigns.class_board(campaign) if campaign.leaderboard else [],
            )
        )
    return render(
        request,
        "reading/campaigns.html",
        {"place": SimpleNamespace(school=school, municipality=school.municipality), "lines": lines},
    )


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        campaigns.join(_actor(request), campaign, from_loans=request.POST.get("from_loans") == "on")
    except campaigns.CampaignError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("You are in! Every book you log moves your bar."))
    return redirect("reading-campaigns")


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    erased = campaigns.leave(_actor(request), campaign)
    messages.success(
        request,
        _("You left the campaign. The %(n)s books you logged in it are erased.") % {"n": erased},
    )
    return redirect("reading-campaigns")


@login_required
@require_POST
def log(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    record = None
    if record_id := request.POST.get("record", "").strip():
        record = get_object_or_404(Record, pk=int(record_id) if record_id.isdigit() else 0)
    try:
        campaigns.log_book(
            _actor(request), campaign, record=record, title=request.POST.get("title", "")[:300]
        )
    except campaigns.CampaignError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Logged! Your bar moved."))
    if record is not None and request.POST.get("back") == "record":
        return redirect(reverse("opac-record", args=[record.pk]))
    return redirect("reading-campaigns")


@login_required
@require_POST
def unlog(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ReadingLog, pk=pk, participant__user=_actor(request))
    campaigns.remove_log(_actor(request), found)
    return redirect("reading-campaigns")


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    participant = get_object_or_404(Participant, campaign=campaign, user=_actor(request))
    response = HttpResponse(campaigns.export_csv(participant), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="my-reading.csv"'
    return response


@login_required
def staff_campaigns(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaigns.create_campaign(_actor(request), school, **form.cleaned_data)
        except campaigns.CampaignError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The campaign is created."))
            return redirect("reading-staff-campaigns")
    lines = [
        SimpleNamespace(c=c, totals=campaigns.totals(c), board=campaigns.class_board(c))
        for c in Campaign.objects.filter(school=school)[:20]
    ]
    return render(
        request,
        "reading/staff_campaigns.html",
        {"school": school, "form": form, "lines": lines, "k": campaigns.K},
    )
