"""The new-materials digest: a person subscribes to a subject and/or grade at their school
(``subscribe``, ``unsubscribe``); ``send_digests`` mails each subscription the titles that
arrived since its last mail, at most once a week, in the person's language. The subscription's
``last_sent_on`` is written in the transaction that sends, so a second run sends nothing."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, roles_at

from .. import selectors
from ..errors import AcquisitionError
from ..models import DigestSubscription

EVERY_DAYS = 7


@transaction.atomic
def subscribe(
    actor: User, school: School, *, subject: str = "", grade: int | None = None
) -> DigestSubscription:
    if not roles_at(actor, school):
        raise AcquisitionError("not_here", _("You can follow only your own school."), status=403)
    if not actor.email:
        raise AcquisitionError(
            "no_email", _("Add an e-mail address to your account first."), status=422
        )
    subscription, _created = DigestSubscription.objects.get_or_create(
        user=actor, school=school, subject=subject.strip().lower()[:100], grade=grade
    )
    audit.record(actor, "digest.subscribe", subscription, school=school)
    return subscription


@transaction.atomic
def unsubscribe(actor: User, subscription: DigestSubscription) -> None:
    if subscription.user_id != actor.pk:
        raise AcquisitionError("not_yours", _("This is not your subscription."), status=404)
    audit.record(actor, "digest.unsubscribe", subscription, school=subscription.school)
    subscription.delete()


def send_digests(today: dt.date | None = None, actor: Actor = SYSTEM) -> int:
    """Mail every subscription that is due; returns how many mails went out."""
    today = today or timezone.localdate()
    due = DigestSubscription.objects.filter(user__is_active=True).exclude(
        last_sent_on__gt=today - dt.timedelta(days=EVERY_DAYS)
    )
    sent = 0
    for pk in due.values_list("pk", flat=True).order_by("pk"):
        sent += _send_one(pk, today, actor)
    return sent


@transaction.atomic
def _send_one(pk: int, today: dt.date, actor: Actor) -> int:
    subscription = (
        DigestSubscription.objects.select_for_update()
        .select_related("user", "school")
        .filter(pk=pk)
        .first()
    )
    if subscription is None or (
        subscription.last_sent_on and subscription.last_sent_on > today - dt.timedelta(EVERY_DAYS)
    ):
        return 0
    since = subscription.last_sent_on or today - dt.timedelta(days=EVERY_DAYS)
    rows = selectors.arrivals(
        subscription.school, since, subject=subscription.subject, grade=subscription.grade
    )
    subscription.last_sent_on = today
    subscription.save(update_fields=["last_sent_on"])
    if not rows or not subscription.user.email:
        return 0
    user = subscription.user
    with translation.override(user.preferred_language or subscription.school.default_language):
        subject = _("New in the library at %(school)s") % {"school": subscription.school.name}
        body = render_to_string(
            "acquisitions/digest.txt", {"rows": rows, "subscription": subscription}
        )
    mail = EmailMessage(subject, body, to=[user.email])
    transaction.on_commit(mail.send)
    audit.record(
        actor,
        "digest.send",
        subscription,
        school=subscription.school,
        details={"titles": len(rows)},
    )
    return 1
