from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, cast

from django.utils.translation import gettext_lazy

from reol.core.demo import load_demo

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(str, gettext_lazy("Load the demo municipality (idempotent) and print its logins."))

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        width = max(len(login.who) for login in logins)
        url = demo_url(os.environ)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded. Sign in at {url} as:"))
        for login in logins:
            self.stdout.write(f"  {login.who:<{width}}  {login.username:<18}  {login.secret}")


def demo_url(env: Mapping[str, str]) -> str:
    """Where the server will listen: $HOST and $PORT when set (as `make run` passes them)."""
    host = env.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - listening everywhere: this machine works too
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{env.get('PORT') or '8000'}/"
