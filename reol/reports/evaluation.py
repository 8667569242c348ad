"""The programme self-evaluation: shipped templates, and the services that start and fill in a
school's evaluation of a year.

Templates are starting points, copied into the school's own ``Evaluation`` in the school's
language, so a school edits its criteria without touching anyone else's:

* ``aasl``: the six Shared Foundations of the AASL National School Library Standards (2018),
  as the school library's side of each (paraphrased; the standards themselves are AASL's);
* ``plc``: the Danish requirements of a pedagogical learning centre (Bekendtgørelse om
  folkeskolens pædagogiske læringscentre, 2014, and the ministry's guidance), as criteria;
* ``last``: last year's criteria, without their levels, so a year compares with the one before.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from . import framework
from .models import Criterion, Evaluation, Level

Template = tuple[str | Promise, tuple[tuple[str | Promise, str | Promise], ...]]

TEMPLATES: dict[str, Template] = {
    "aasl": (
        gettext_lazy("AASL National School Library Standards"),
        (
            (
                gettext_lazy("Inquire"),
                gettext_lazy(
                    "The library helps learners build new knowledge by inquiring, thinking "
                    "critically and solving problems."
                ),
            ),
            (
                gettext_lazy("Include"),
                gettext_lazy(
                    "The library shows a commitment to inclusiveness and respect for diversity "
                    "in its collection, spaces and teaching."
                ),
            ),
            (
                gettext_lazy("Collaborate"),
                gettext_lazy(
                    "The library works with teachers and learners to broaden perspectives and "
                    "reach shared goals."
                ),
            ),
            (
                gettext_lazy("Curate"),
                gettext_lazy(
                    "The collection is selected, kept current and organised for the school's "
                    "curriculum and readers."
                ),
            ),
            (
                gettext_lazy("Explore"),
                gettext_lazy(
                    "The library fosters curiosity, reading for pleasure and personal growth."
                ),
            ),
            (
                gettext_lazy("Engage"),
                gettext_lazy(
                    "The library teaches the safe, legal and ethical use of information and media."
                ),
            ),
        ),
    ),
    "plc": (
        gettext_lazy("The Danish requirements of a pedagogical learning centre"),
        (
            (
                gettext_lazy("Supports students' learning"),
                gettext_lazy(
                    "The learning centre supports every student's learning and well-being, in "
                    "the subjects and across them."
                ),
            ),
            (
                gettext_lazy("Guides the teachers"),
                gettext_lazy(
                    "The learning centre guides teachers and pedagogues in planning, teaching "
                    "and evaluating."
                ),
            ),
            (
                gettext_lazy("Develops the school"),
                gettext_lazy(
                    "The learning centre takes part in the school's development and its "
                    "evaluation culture."
                ),
            ),
            (
                gettext_lazy("Reading and literature"),
                gettext_lazy(
                    "The learning centre furthers reading and the encounter with literature, for "
                    "all ages."
                ),
            ),
            (
                gettext_lazy("Digital and media literacy"),
                gettext_lazy(
                    "The learning centre furthers students' digital literacy and critical use of "
                    "media."
                ),
            ),
            (
                gettext_lazy("Materials and resources"),
                gettext_lazy(
                    "The learning centre makes materials, books and digital resources available "
                    "for teaching."
                ),
            ),
            (
                gettext_lazy("Staff and competence"),
                gettext_lazy(
                    "The centre's staff have the qualifications the task asks and keep them "
                    "current."
                ),
            ),
        ),
    ),
}
LAST_YEAR = "last"


def template_choices() -> list[tuple[str, str]]:
    return [(k, str(t[0])) for k, t in TEMPLATES.items()] + [(LAST_YEAR, _("Last year's criteria"))]


def previous(evaluation: Evaluation) -> Evaluation | None:
    """The school's evaluation of the year before this one, if it made one."""
    return (
        Evaluation.objects.filter(school=evaluation.school, school_year__lt=evaluation.school_year)
        .order_by("-school_year")
        .first()
    )


@transaction.atomic
def start_evaluation(actor: Actor, school: School, school_year: str, template: str) -> Evaluation:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if Evaluation.objects.filter(school=school, school_year=school_year).exists():
        raise ValidationError(_("This school year already has a self-evaluation."))
    if template == LAST_YEAR:
        before = (
            Evaluation.objects.filter(school=school, school_year__lt=school_year)
            .order_by("-school_year")
            .first()
        )
        if before is None:
            raise ValidationError(_("There is no earlier self-evaluation to start from."))
        standard = before.standard
        rows = [(c.heading, c.text) for c in before.criteria.all()]
    elif template in TEMPLATES:
        with translation.override(school.default_language):
            name, criteria = TEMPLATES[template]
            standard = str(name)
            rows = [(str(h), str(t)) for h, t in criteria]
    else:
        raise ValidationError(_("Choose a standard to evaluate against."))
    evaluation = Evaluation.objects.create(
        school=school, school_year=school_year, standard=standard
    )
    Criterion.objects.bulk_create(
        Criterion(evaluation=evaluation, position=i, heading=h[:200], text=t)
        for i, (h, t) in enumerate(rows, start=1)
    )
    audit.record(
        actor, "evaluation.start", evaluation, school=school, details={"template": template}
    )
    return evaluation


@transaction.atomic
def save_criterion(
    actor: Actor,
    criterion: Criterion,
    *,
    level: int | None,
    comment: str,
    evidence: Sequence[str],
    goals: str,
    heading: str | None = None,
    text: str | None = None,
) -> Criterion:
    """Fill in (or edit) one criterion: its level, comment, reports as evidence and goals."""
    school = criterion.evaluation.school
    require(actor, Perm.SCHOOL_MANAGE, school)
    if level is not None and level not in Level.values:
        raise ValidationError({"level": _("Choose a level.")})
    unknown = [key for key in evidence if framework.get(key) is None]
    if unknown:
        raise ValidationError({"evidence": _("Unknown report: %(k)s") % {"k": ", ".join(unknown)}})
    criterion.level = level
    criterion.comment = comment.strip()
    criterion.evidence = list(dict.fromkeys(evidence))
    criterion.goals = goals.strip()
    if heading is not None and heading.strip():
        criterion.heading = heading.strip()[:200]
    if text is not None:
        criterion.text = text.strip()
    criterion.save()
    audit.record(actor, "evaluation.criterion", criterion, school=school, details={"level": level})
    return criterion


@transaction.atomic
def add_criterion(actor: Actor, evaluation: Evaluation, *, heading: str, text: str) -> Criterion:
    require(actor, Perm.SCHOOL_MANAGE, evaluation.school)
    if not heading.strip():
        raise ValidationError({"heading": _("Give the criterion a name.")})
    last = evaluation.criteria.order_by("-position").first()
    criterion = Criterion.objects.create(
        evaluation=evaluation,
        position=(last.position + 1) if last else 1,
        heading=heading.strip()[:200],
        text=text.strip(),
    )
    audit.record(actor, "evaluation.criterion_add", criterion, school=evaluation.school)
    return criterion
