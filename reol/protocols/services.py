"""The one write of this app: a school's choice of what it shares."""

from __future__ import annotations

from django.db import transaction

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from .models import SchoolPublication


@transaction.atomic
def set_publication(actor: Actor, school: School, *, sru: bool, oai: bool) -> SchoolPublication:
    """Whether ``school``'s holdings are searchable over SRU and harvestable over OAI-PMH."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    found, _created = SchoolPublication.objects.select_for_update().get_or_create(school=school)
    before = {"sru": found.sru, "oai": found.oai}
    found.sru, found.oai = sru, oai
    found.save()
    audit.record(
        actor,
        "publication.save",
        found,
        school=school,
        details={"before": before, "after": {"sru": sru, "oai": oai}},
    )
    return found
