"""A leader's view of the staff's training records (school leader or municipal consultant)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from reol.core import denials
from reol.core.permissions import Perm, schools_with

from .. import certificates, forms, selectors, training
from ..models import Course
from .common import me


@login_required
def records(request: HttpRequest) -> HttpResponse:
    user = me(request)
    allowed = schools_with(user, Perm.TRAINING_RECORDS).order_by("name")
    first = allowed.first()
    if first is None:
        raise PermissionDenied
    form = forms.RecordsFilterForm(request.GET or None, schools=allowed)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    school = data.get("school")
    schools = allowed.filter(pk=school.pk) if school else allowed
    starts, ends = training.period(school or first, data.get("starts"), data.get("ends"))
    rows = training.training_records(
        user,
        schools,
        starts,
        ends,
        team=data.get("team", ""),
        subject=data.get("subject", ""),
    )
    teams, subjects = training.teams_and_subjects(schools, starts, ends)
    return render(
        request,
        "competence/records.html",
        {
            "form": form,
            "rows": rows,
            "starts": starts,
            "ends": ends,
            "teams": teams,
            "subjects": subjects,
            "by_team": training.attendance_by_team(schools, starts, ends),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
def certificate(request: HttpRequest, person: int, course: int) -> HttpResponse:
    """The certificate a person of the leader's schools earned: the same file the person
    downloads themself. Someone the leader may not see, or a course not completed, is a 404."""
    user = me(request)
    found = denials.get_or_404(
        request, training.staff_of(schools_with(user, Perm.TRAINING_RECORDS)), pk=person
    )
    done = get_object_or_404(Course.objects.select_related("network"), pk=course)
    if found not in selectors.completers(done):
        raise Http404
    return certificates.certificate_response(done, found)
