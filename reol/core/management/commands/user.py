from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any, cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.core import passwords, services
from reol.core.models import Municipality, Role, School, User
from reol.core.permissions import SYSTEM
from reol.core.selectors import same_code

from ._base import ReolCommand


class Command(ReolCommand):
    help = cast(
        str, gettext_lazy("Manage people: `reol user add USERNAME --role ROLE --school CODE`.")
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help=gettext_noop("add a person with a role"))
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--school", help=gettext_noop("school code (every role but consultant)"))
        add.add_argument("--municipality", help=gettext_noop("municipality code (consultant)"))
        add.add_argument("--first-name", default="")
        add.add_argument("--last-name", default="")
        add.add_argument("--email", default="")
        add.add_argument("--card", help=gettext_noop("library card barcode"))
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help=gettext_noop("read the password from standard input"),
        )
        add.add_argument(
            "--no-password", action="store_true", help=gettext_noop("card and PIN only")
        )
        grant = sub.add_parser(
            "grant", help=gettext_noop("give an existing person a role at a school")
        )
        grant.add_argument("username")
        grant.add_argument("--role", required=True, choices=Role.values)
        grant.add_argument("--school", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "grant":
            user = self._user(options["username"])
            services.grant_role(SYSTEM, user, self._school(options["school"]), options["role"])
            self.stdout.write(
                self.style.SUCCESS(
                    _("%(user)s is %(role)s.")
                    % {"user": user.username, "role": Role(options["role"]).label}
                )
            )
            return
        password = None if options["no_password"] else self._password(options["password_stdin"])
        if options["role"] == Role.CONSULTANT:
            municipality = Municipality.objects.filter(code=options["municipality"] or "").first()
            if municipality is None:
                raise CommandError(_("A consultant needs --municipality CODE of an existing one."))
            user = User(
                username=options["username"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
            services.validate_username(user.username)
            services.validate_person_name(user.first_name, user.last_name)
            if User.objects.filter(same_code("username", user.username)).exists():
                raise CommandError(_("The username %(user)s is taken.") % {"user": user.username})
            if password:
                passwords.mark_staff(user)  # a consultant is staff: 12 characters at least
                try:
                    validate_password(password, user)
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from None
            user.set_password(password) if password else user.set_unusable_password()
            user.save()
            services.appoint_consultant(SYSTEM, user, municipality)
        else:
            if not options["school"]:
                raise CommandError(_("Name the school with --school CODE."))
            user = services.create_person(
                SYSTEM,
                self._school(options["school"]),
                username=options["username"],
                role=options["role"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                password=password,
                card_barcode=options["card"],
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Added %(user)s (%(role)s).")
                % {"user": user.username, "role": Role(options["role"]).label}
            )
        )

    def _school(self, code: str) -> School:
        school = School.objects.filter(code=code).first()
        if school is None:
            raise CommandError(
                _("No school has the code “%(code)s”. See `reol school list`.") % {"code": code}
            )
        return school

    def _user(self, username: str) -> User:
        user = User.objects.filter(same_code("username", username)).first()
        if user is None:
            raise CommandError(_("No person has the username “%(name)s”.") % {"name": username})
        return user

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            if not sys.stdin.isatty():
                raise CommandError(_("No terminal to ask for a password: use --password-stdin."))
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("The passwords differ."))
        if not password:
            raise CommandError(_("The password is empty."))
        return password
