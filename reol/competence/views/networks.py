"""The competence home, a network's page (its coordinator's), the survey and its analysis."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reol.core.permissions import Perm

from .. import access, forms, selectors
from ..models import (
    CompetenceArea,
    Course,
    CourseFeed,
    Network,
    Placement,
    Registration,
    Survey,
    SurveyResponse,
)
from ..services import courses, mapping, networks
from .common import as_int, me, network_for, run


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A person's networks: open surveys, courses, their registrations, placements."""
    user = me(request)
    mine = list(access.networks_with(user, Perm.COMPETENCE))
    coordinated = set(
        access.networks_with(user, Perm.NETWORK_COORDINATE).values_list("pk", flat=True)
    )
    if not mine:  # the menu shows the page to every librarian: say why it is empty
        return render(request, "competence/no_network.html")
    surveys = Survey.objects.filter(network__in=mine, status="open").select_related("network")
    answered = set(SurveyResponse.objects.filter(user=user).values_list("survey_id", flat=True))
    courses = (
        Course.objects.filter(network__in=mine).exclude(status="draft").select_related("network")
    )
    registrations = {
        r.course_id: r for r in Registration.objects.filter(user=user).exclude(status="cancelled")
    }
    return render(
        request,
        "competence/home.html",
        {
            "networks": [(n, n.pk in coordinated) for n in mine],
            "surveys": [(s, s.pk in answered) for s in surveys],
            "courses": [(c, registrations.get(c.pk)) for c in courses],
            "placements": Placement.objects.filter(network__in=mine).count(),
            "feeds": CourseFeed.objects.filter(user=user, revoked_at__isnull=True),
            "completed": selectors.completed_courses(user),
        },
    )


def _network_actions(request: HttpRequest, network: Network) -> tuple[bool, dict[str, object]]:
    user, action = me(request), request.POST.get("action", "")
    data = request.POST if request.method == "POST" else None
    f: dict[str, object] = {
        "municipality_form": forms.MunicipalityForm(
            data if action == "municipality" else None, prefix="m"
        ),
        "library_form": forms.LibraryForm(data if action == "library" else None, prefix="lib"),
        "staff_form": forms.StaffForm(
            data if action == "staff" else None, network=network, prefix="staff"
        ),
        "area_form": forms.AreaForm(data if action == "area" else None, prefix="area"),
        "survey_form": forms.SurveyForm(data if action == "survey" else None, prefix="survey"),
        "course_form": forms.CourseForm(
            data if action == "course" else None, network=network, prefix="course"
        ),
    }
    calls = {
        "municipality": lambda d: networks.add_municipality(user, network, d["municipality"]),
        "library": lambda d: networks.add_library(user, network, name=d["name"], kind=d["kind"]),
        "staff": lambda d: networks.add_library_staff(
            user, d["library"], d["username"], is_leader=d["is_leader"], title=d["title"]
        ),
        "area": lambda d: networks.save_area(user, network, **d),
        "survey": lambda d: mapping.create_survey(user, network, title=d["title"]),
        "course": lambda d: courses.create_course(user, network, **d),
    }
    if action in calls:
        done = run(f[f"{action}_form"], calls[action])
        return done, f
    if action in ("publish", "close"):
        survey = get_object_or_404(Survey, pk=as_int(request.POST.get("survey")), network=network)
        mapping.set_survey_status(user, survey, "open" if action == "publish" else "closed")
        return True, f
    return False, f


@login_required
def network(request: HttpRequest, pk: int) -> HttpResponse:
    network = network_for(request, pk, Perm.NETWORK_COORDINATE)
    done, f = _network_actions(request, network)
    if done:
        messages.success(request, _("Saved."))
        return redirect("competence-network", pk=network.pk)
    return render(
        request,
        "competence/network.html",
        {
            "network": network,
            "municipalities": network.members.select_related("municipality"),
            "libraries": network.libraries.prefetch_related("staff__user"),
            "areas": network.areas.all(),
            "surveys": network.surveys.all(),
            "courses": network.courses.all(),
            **f,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a survey (the person's own answers only; they can change them while it is open)."""
    user = me(request)
    survey = get_object_or_404(Survey.objects.select_related("network"), pk=pk)
    network_for(request, survey.network_id)
    places = access.workplaces(user, survey.network)
    areas = list(survey.network.areas.all())
    mine = SurveyResponse.objects.filter(user=user).filter(survey=survey).first()
    initial: dict[str, object] = {}
    if mine:
        initial = {"wishes": mine.wishes, "comment": mine.comment}
        for a in mine.answers.all():
            initial |= {
                f"level-{a.area_id}": a.level,
                f"needed-{a.area_id}": a.needed,
                f"wish-{a.area_id}": a.wish,
            }
    form = forms.AnswerForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        areas=areas,
        workplaces=[(w.key, w.name) for w in places],
    )

    def save(d: dict[str, object]) -> None:
        place = next(w for w in places if w.key == d["workplace"])
        answers = {
            a.pk: mapping.Answer(
                int(str(d[f"level-{a.pk}"])),
                int(str(d[f"needed-{a.pk}"])),
                bool(d[f"wish-{a.pk}"]),
            )
            for a in areas
        }
        mapping.answer_survey(
            user, survey, place, answers, wishes=str(d["wishes"]), comment=str(d["comment"])
        )

    if request.method == "POST" and run(form, save):
        messages.success(request, _("Thank you: your answers are saved."))
        return redirect("competence-home")
    return render(
        request,
        "competence/survey.html",
        {"survey": survey, "form": form, "mine": mine},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """The needs analysis: mean gaps per area and group, as a heat map and a table."""
    survey = get_object_or_404(Survey.objects.select_related("network"), pk=pk)
    network_for(request, survey.network_id, Perm.NETWORK_VIEW)
    by = request.GET.get("by", "library")
    if by not in ("library", "municipality", "network"):
        by = "library"
    result = selectors.needs_analysis(survey, by)
    return render(
        request,
        "competence/analysis.html",
        {
            "survey": survey,
            "network": survey.network,
            "by": by,
            "result": result,
            "weakest": result.ranking[0] if result.ranking else None,
        },
    )


@login_required
def answers_i_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader sees the individual answers given from the workplaces they lead."""
    user = me(request)
    survey = get_object_or_404(Survey.objects.select_related("network"), pk=pk)
    network_for(request, survey.network_id)
    shown = [
        r
        for r in survey.responses.select_related("user", "school", "library").prefetch_related(
            "answers__area"
        )
        if access.may_see_answer(user, r)
    ]
    return render(
        request,
        "competence/answers.html",
        {
            "survey": survey,
            "responses": shown,
            "areas": CompetenceArea.objects.filter(network=survey.network),
        },
    )
