from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any, cast

from django.core.management.base import CommandError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core import services
from reol.core.models import ApiToken, User
from reol.core.permissions import SYSTEM
from reol.core.selectors import same_code

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str, gettext_lazy("API tokens: `reol token create USERNAME` prints a new token once.")
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("create a token and print it"))
        create.add_argument("username")
        create.add_argument("--name", default="", help=_("what the token is for (unique)"))
        listing = sub.add_parser("list", help=_("list a person's tokens"))
        listing.add_argument("username")
        listing.add_argument("--json", action="store_true", help=_("machine-readable output"))
        revoke = sub.add_parser("revoke", help=_("revoke a token by its prefix"))
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"], revoked_at=None).first()
            if token is None:
                raise CommandError(_("No active token has that prefix."))
            services.revoke_api_token(SYSTEM, token)
            self.stdout.write(self.style.SUCCESS(_("Revoked.")))
            return
        user = User.objects.filter(same_code("username", options["username"])).first()
        if user is None:
            raise CommandError(
                _("No person has the username “%(name)s”.") % {"name": options["username"]}
            )
        if action == "list":
            self._list(user, as_json=options["json"])
            return
        _token, secret = services.create_api_token(SYSTEM, user, name=options["name"])
        self.stdout.write(secret)

    def _list(self, user: User, *, as_json: bool) -> None:
        rows = list(user.api_tokens.order_by("created_at"))
        if as_json:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "prefix": t.prefix,
                            "name": t.name,
                            "created_at": t.created_at.isoformat(),
                            "revoked": t.revoked_at is not None,
                        }
                        for t in rows
                    ]
                )
            )
            return
        if not rows:
            self.stdout.write(_("%(user)s has no tokens.") % {"user": user.username})
        for t in rows:
            self.stdout.write(
                _("%(prefix)s…  “%(name)s”, created %(date)s, %(state)s")
                % {
                    "prefix": t.prefix,
                    "name": t.name or _("no name"),
                    "date": formats.date_format(t.created_at, "SHORT_DATE_FORMAT"),
                    "state": _("revoked") if t.revoked_at else _("active"),
                }
            )
