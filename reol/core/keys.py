"""After a ``SECRET_KEY`` change: seal the stored secrets again under the new key."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction

from . import audit
from .permissions import Actor
from .sealed import SealedField


@transaction.atomic
def reseal_all(actor: Actor) -> int:
    """Seal every stored secret again under the current key (``reol reseal``), the old key
    being kept in the fallbacks meanwhile. Returns how many rows were sealed again."""
    count = 0
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, SealedField)]
        if not names:
            continue
        for row in model._default_manager.select_for_update().only("pk", *names):
            # read clear through the fallbacks; written sealed under the current key
            values = {name: getattr(row, name) for name in names}
            model._default_manager.filter(pk=row.pk).update(**values)
            count += 1
    audit.record(actor, "security.secrets_resealed", None, details={"count": count})
    return count
