from __future__ import annotations

from typing import Any

from reol.core.demo import load_demo

from ._base import ReolCommand


class Command(ReolCommand):
    help = "Load the demo municipality (idempotent) and print its logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = load_demo()
        width = max(len(login.who) for login in logins)
        self.stdout.write(self.style.SUCCESS("Demo loaded. Sign in at http://127.0.0.1:8000/ as:"))
        for login in logins:
            self.stdout.write(f"  {login.who:<{width}}  {login.username:<18}  {login.secret}")
