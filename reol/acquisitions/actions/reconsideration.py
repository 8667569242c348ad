"""Reconsideration of materials: anyone with a role at the school asks (``request``, with why
and what they read); the library starts the committee's review (``review``), which follows the
school's policy on whether the title stays on the shelf meanwhile; the decision is recorded
with its reasons (``decide``). Every step is audited. A decision to withdraw is recorded here;
the copies are withdrawn by the cataloguer through the catalogue, where copy status is kept."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at

from ..errors import AcquisitionError
from ..models import (
    Reconsideration,
    ReconsiderationDecision,
    ReconsiderationState,
    SelectionPolicy,
)


@transaction.atomic
def request(
    actor: User, school: School, record: Record, *, reason: str, read_whole: bool, what_read: str
) -> Reconsideration:
    if not roles_at(actor, school):
        raise AcquisitionError("not_here", _("You can ask only at your own school."), status=403)
    if record.municipality_id != school.municipality_id:
        raise AcquisitionError("unknown_record", _("There is no such title."), status=422)
    if not reason.strip():
        raise AcquisitionError("no_reason", _("Say what concerns you about it."), status=422)
    policy = SelectionPolicy.objects.filter(school=school).first()
    asked = Reconsideration.objects.create(
        school=school,
        record=record,
        requester=actor,
        reason=reason.strip(),
        read_whole=read_whole,
        what_read=what_read.strip(),
        available_during_review=policy.keep_available_during_review if policy else True,
    )
    audit.record(actor, "reconsideration.request", asked, school=school)
    return asked


def _locked(asked: Reconsideration) -> Reconsideration:
    return Reconsideration.objects.select_for_update().get(pk=asked.pk)


@transaction.atomic
def review(actor: Actor, asked: Reconsideration, *, committee: str) -> Reconsideration:
    require(actor, Perm.ACQUISITIONS, asked.school)
    asked = _locked(asked)
    if asked.state != ReconsiderationState.RECEIVED:
        raise AcquisitionError("not_received", _("The review has already started."))
    asked.state = ReconsiderationState.REVIEW
    asked.committee = committee.strip()
    asked.save(update_fields=["state", "committee"])
    audit.record(
        actor,
        "reconsideration.review",
        asked,
        school=asked.school,
        details={"committee": asked.committee, "available": asked.available_during_review},
    )
    return asked


@transaction.atomic
def decide(actor: Actor, asked: Reconsideration, decision: str, *, reasons: str) -> Reconsideration:
    require(actor, Perm.ACQUISITIONS, asked.school)
    asked = _locked(asked)
    if asked.state != ReconsiderationState.REVIEW:
        raise AcquisitionError("not_in_review", _("Decide after the committee's review."))
    if decision not in ReconsiderationDecision.values or not reasons.strip():
        raise AcquisitionError(
            "no_reasons", _("Choose a decision and give its reasons."), status=422
        )
    asked.state = ReconsiderationState.DECIDED
    asked.decision = decision
    asked.decision_reasons = reasons.strip()
    asked.decided_at = timezone.now()
    asked.save(update_fields=["state", "decision", "decision_reasons", "decided_at"])
    audit.record(
        actor,
        "reconsideration.decide",
        asked,
        school=asked.school,
        details={"decision": decision, "reasons": asked.decision_reasons},
    )
    return asked
