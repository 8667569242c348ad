"""Competence surveys: the coordinator publishes and closes one; staff answer it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import User
from reol.core.permissions import Actor, Perm

from .. import access
from ..models import AreaAnswer, Network, Survey, SurveyResponse


@transaction.atomic
def create_survey(actor: Actor, network: Network, *, title: str) -> Survey:
    access.require(actor, Perm.NETWORK_COORDINATE, network)
    if not title.strip():
        raise ValidationError({"title": _("Give the survey a title.")})
    survey = Survey.objects.create(network=network, title=title.strip())
    audit.record(actor, "survey.create", survey)
    return survey


@transaction.atomic
def set_survey_status(actor: Actor, survey: Survey, status: str) -> Survey:
    """Publish (``open``) or close a survey. A closed survey is not opened again."""
    access.require(actor, Perm.NETWORK_COORDINATE, survey.network)
    allowed = {"draft": {"open"}, "open": {"closed"}, "closed": set()}
    if status not in allowed[survey.status]:
        raise ValidationError(
            _("The survey cannot go from %(a)s to %(b)s.")
            % {"a": survey.get_status_display(), "b": status}
        )
    survey.status = status
    if status == Survey.Status.OPEN:
        survey.published_at = timezone.now()
    survey.save(update_fields=["status", "published_at"])
    audit.record(actor, f"survey.{status}", survey)
    return survey


@dataclass(frozen=True)
class Answer:
    level: int
    needed: int
    wish: bool = False


@transaction.atomic
def answer_survey(
    actor: User,
    survey: Survey,
    workplace: access.Workplace,
    answers: dict[int, Answer],
    *,
    wishes: str = "",
    comment: str = "",
) -> SurveyResponse:
    """Save (or replace) ``actor``'s own self-assessment, given from one of their workplaces."""
    access.require(actor, Perm.COMPETENCE, survey.network)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("This survey is not open for answers."))
    if workplace not in access.workplaces(actor, survey.network):
        raise PermissionDenied(_("You do not work there."))
    areas = list(survey.network.areas.all())
    missing = [a.name for a in areas if a.pk not in answers]
    if missing:
        raise ValidationError(_("Answer every area: %(areas)s.") % {"areas": ", ".join(missing)})
    for answer in answers.values():
        if not (1 <= answer.level <= 5 and 1 <= answer.needed <= 5):
            raise ValidationError(_("Levels go from 1 to 5."))
    response, _created = SurveyResponse.objects.update_or_create(
        survey=survey,
        user=actor,
        defaults={
            "school": workplace.school,
            "library": workplace.library,
            "wishes": wishes,
            "comment": comment,
        },
    )
    response.answers.all().delete()
    AreaAnswer.objects.bulk_create(
        AreaAnswer(
            response=response,
            area=a,
            level=answers[a.pk].level,
            needed=answers[a.pk].needed,
            wish=answers[a.pk].wish,
        )
        for a in areas
    )
    audit.record(actor, "survey.answer", survey)  # which survey, not what was answered
    return response
