from __future__ import annotations

import os
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core.demo import demo_url, load_demo

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(str, gettext_lazy("Load the demo municipality (idempotent) and print its logins."))

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        width = max(len(login.who) for login in logins)
        url = demo_url(os.environ)
        self.stdout.write(
            self.style.SUCCESS(_("Demo loaded. Sign in at %(url)s as:") % {"url": url})
        )
        for login in logins:
            self.stdout.write(f"  {login.who:<{width}}  {login.username:<18}  {login.secret}")
