from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core import keys
from reol.core.permissions import SYSTEM

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str,
        gettext_lazy(
            "Seal the stored secrets (authenticator keys, providers' client secrets) again "
            "under the current SECRET_KEY, after a key change with the old key kept in "
            "REOL_SECRET_KEY_FALLBACKS."
        ),
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = keys.reseal_all(SYSTEM)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(n)d stored secrets are sealed under the current key.") % {"n": count}
            )
        )
