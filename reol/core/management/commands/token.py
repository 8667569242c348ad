from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from reol.core import services
from reol.core.models import ApiToken, User
from reol.core.permissions import SYSTEM
from reol.core.selectors import same_code

from ._base import ReolCommand


class Command(ReolCommand):
    help = "API tokens: `reol token create USERNAME` prints a new token once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        listing = sub.add_parser("list", help="list a person's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"], revoked_at=None).first()
            if token is None:
                raise CommandError("No active token has that prefix.")
            services.revoke_api_token(SYSTEM, token)
            self.stdout.write(self.style.SUCCESS("Revoked."))
            return
        user = User.objects.filter(same_code("username", options["username"])).first()
        if user is None:
            raise CommandError(f"No person has the username {options['username']!r}.")
        if action == "list":
            for row in user.api_tokens.order_by("created_at"):
                state = "revoked" if row.revoked_at else "active"
                self.stdout.write(f"{row.prefix}\t{row.name}\t{row.created_at:%Y-%m-%d}\t{state}")
            return
        _token, secret = services.create_api_token(SYSTEM, user, name=options["name"])
        self.stdout.write(secret)
