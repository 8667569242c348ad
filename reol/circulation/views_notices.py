"""Overdue notices: the page that queues them, the printed letters for patrons without e-mail,
and the school's notice settings.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reol.core import denials
from reol.core.middleware import school_for
from reol.core.permissions import Perm, has_perm
from reol.patrons.models import Group, GroupMember

from . import jobs as circulation_jobs
from . import notice_letters as letters
from . import notices
from .forms import (
    NoticeSettingsForm,
)
from .models import (
    Notice,
    overdue_condition,
)
from .views import _actor


@login_required
def notices_page(request: HttpRequest) -> HttpResponse:
    """Reminders sent lately, and the paper letters per class for schools that hand them out."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    if request.method == "POST" and request.POST.get("action") == "send":
        circulation_jobs.queue_notices(_actor(request), school)
        messages.success(request, _("The notices are being sent. Sent notices are listed here."))
        return redirect("circulation-notices")
    today = timezone.localdate()
    overdue = letters.overdue_loans(school, today)
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
    loans = list(letters.overdue_loans(school, today, group))
    people = list({loan.patron.pk: loan.patron for loan in loans if loan.patron}.values())
    letters.note_letters_printed(_actor(request), school, group, people)
    pdf = letters.letters_pdf(school, loans, today, group)
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
