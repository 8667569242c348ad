"""Import a roster: match it against the school's patrons, plan every change, then write it.

Planning reads and never writes, so a dry run is the plan alone, and it says exactly what the
real run would do. The real run plans again inside one transaction (the school's row locked,
so two imports of one school take turns) and writes the plan in bulk: people (``core.User``),
their role at the school (``core.Membership``), patrons, groups and group members, then one
audit event with the counts. Nothing is written when a row was rejected, unless the librarian
chose to import the good rows.

People are matched on the roster's id (``Patron.source_id`` at this school), then on the card
barcode, then on the username (both ignoring case, as ``core.services.create_person`` checks
them). A person found by card or username must be someone the librarian may manage, in the
school's municipality; anyone else's card or username is "taken", with the same words as the
people page. An import changes only what its file says: an empty cell or a missing column never
erases a stored value, so running an import twice changes nothing the second time.

Patrons of the school that came from a roster (they have a source id) and are not in a complete
roster have left: they are made inactive (``left_on`` today); their group memberships stay, for
the year-end list of leavers' loans. Rows that were rejected never count as absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.bulk import refresh_statistics
from reol.core.models import Membership, School, User
from reol.core.permissions import STAFF_ROLES, Actor, Perm, require, schools_with
from reol.core.text import fold
from reol.patrons.cards import fold_ascii
from reol.patrons.models import Group, GroupMember, Patron

from .plan_counts import WRITTEN_COUNTS, count_plan
from .plan_groups import plan_groups, plan_members
from .report import Progress, Report
from .roster import ERROR, STUDENT, WARNING, Person, Problem, Roster
from .writing import ROLE_OF, chunks, write_plan

NEW = -1  # the "user id" of a person this import adds


class _Refused(Exception):
    pass


def import_roster(
    actor: Actor,
    school: School,
    roster: Roster,
    *,
    dry_run: bool = True,
    good_rows: bool = False,
    deactivate_missing: bool = True,
    job: Any = None,
    progress: Progress | None = None,
) -> Report:
    """Plan (dry run) or import ``roster`` into ``school``; see the module's docstring."""
    require(actor, Perm.PEOPLE_MANAGE, school)
    report = Report(dry_run=dry_run)
    report.facts.update({k: v for k, v in roster.facts.items() if not k.startswith("_")})
    if dry_run:
        _Plan(actor, school, roster, report, deactivate_missing).build()
        return report
    if roster.fatal or (roster.errors and not good_rows):
        _Plan(actor, school, roster, report, deactivate_missing).build()
        report.refused = True
        return report
    try:
        with transaction.atomic():
            School.objects.select_for_update().filter(pk=school.pk).first()
            plan = _Plan(actor, school, roster, report, deactivate_missing)
            plan.build()
            if report.errors and not good_rows:
                raise _Refused
            write_plan(plan, progress)
            audit.record(
                actor,
                "roster.import",
                job,
                school=school,
                details={"kind": roster.kind, **report.counts},
            )
    except _Refused:
        report.refused = True
        return report
    except IntegrityError:
        report.problems.append(
            Problem(
                "",
                0,
                _(
                    "Someone changed people at this school while the import ran; nothing was "
                    "saved. Run the import again."
                ),
            )
        )
        report.refused = True
        return report
    report.saved = True
    written = sum(n for key, n in report.counts.items() if key in WRITTEN_COUNTS)
    refresh_statistics(written, User, Membership, Patron, Group, GroupMember)
    return report


# --- Planning ---------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One person of the roster, matched (or not) to the database."""

    person: Person
    user_id: int = 0  # 0 until a new person is inserted
    user: User | None = None  # an existing person, loaded to compare
    user_values: dict[str, Any] | None = None  # a new person's columns
    patron_id: int = 0
    patron: Patron | None = None  # an existing patron of the school
    patron_values: dict[str, Any] | None = None  # a new patron's columns
    user_changes: list[str] = field(default_factory=list)
    patron_changes: list[str] = field(default_factory=list)
    needs_role: bool = False
    reactivated: bool = False
    staff: bool = False  # has a staff role somewhere: groups at most (see _Plan._staff)

    @property
    def new_user(self) -> bool:
        return self.user_values is not None

    @property
    def new_patron(self) -> bool:
        return self.patron_values is not None


_USER_FIELDS = ("first_name", "last_name", "username", "card_barcode", "email")
_IDENTITY_FIELDS = ("username", "email")  # the person's (reol.core.accounts), not the school's


class _Plan:
    def __init__(
        self,
        actor: Actor,
        school: School,
        roster: Roster,
        report: Report,
        deactivate_missing: bool,
    ) -> None:
        self.actor, self.school, self.roster, self.report = actor, school, roster, report
        self.deactivate_missing = deactivate_missing
        self.today = timezone.localdate()
        self.entries: list[_Entry] = []
        self.deactivations: list[Patron] = []
        self.new_groups: list[Group] = []
        self.changed_groups: list[tuple[Group, list[str]]] = []
        self.retired_groups: list[Group] = []
        self.group_of: dict[str, Group] = {}
        self.member_adds: list[tuple[_Entry, str, str]] = []  # (entry, group key, role)
        self.member_roles: list[tuple[int, str]] = []  # (GroupMember id, new role)
        self.member_removals: list[int] = []
        self.previewed: dict[str, int] = {}
        self.moved: set[int] = set()  # existing patrons whose groups change (0: new ones)

    # -- the whole plan ------------------------------------------------------------------------

    def build(self) -> None:
        report, roster = self.report, self.roster
        report.problems.extend(roster.problems)
        if roster.fatal:
            self._count_rejections()
            return
        self._load()
        for person in roster.people:
            entry = self._match(person)
            if entry is not None:
                self.entries.append(entry)
        self._user_changes()
        plan_groups(self)
        plan_members(self)
        self._plan_deactivations()
        self._count_rejections()
        count_plan(self)

    def _count_rejections(self) -> None:
        self.report.counts["rows_rejected"] = len(
            {(p.file, p.line) for p in self.report.problems if p.level == ERROR and p.line}
        )

    def _load(self) -> None:
        school = self.school
        self.patrons = list(
            Patron.objects.filter(school=school).only(
                "id",
                "user_id",
                "source_id",
                "category",
                "grade",
                "guardian_emails",
                "guardian_language",
                "valid_until",
                "active",
                "left_on",
                "school_id",
            )
        )
        self.patron_by_source = {p.source_id.casefold(): p for p in self.patrons if p.source_id}
        self.patron_by_user = {p.user_id: p for p in self.patrons}
        self.user_by_name: dict[str, int] = {}
        self.user_by_card: dict[str, int] = {}
        for pk, username, card in User.objects.values_list("id", "username", "card_barcode"):
            self.user_by_name[username.casefold()] = pk
            if card:
                self.user_by_card[card.casefold()] = pk
        manageable = schools_with(self.actor, Perm.PEOPLE_MANAGE).filter(
            municipality_id=school.municipality_id
        )
        self.manageable = list(manageable.values_list("pk", flat=True))
        self.allowed = set(
            Membership.objects.filter(school__in=manageable).values_list("user_id", flat=True)
        ) | set(self.patron_by_user)
        # People who work at a school (teachers too), anywhere: an import never changes their
        # name, e-mail, username, card, role or patron profile, and never makes them a patron;
        # it only puts an existing patron of this school into the file's groups (issue 12).
        self.protected: set[int] = set(
            Membership.objects.filter(role__in=STAFF_ROLES).values_list("user_id", flat=True)
        ) | set(User.objects.filter(is_superuser=True).values_list("id", flat=True))
        self.roles_here = set(
            Membership.objects.filter(school=school, role__in=ROLE_OF.values()).values_list(
                "user_id", "role"
            )
        )
        self.claimed: dict[int, Person] = {}  # user id → the row that matched them
        # Usernames the file gives; a made-up username never takes one of them.
        self.new_names = {p.username.casefold() for p in self.roster.people if p.username}

    # -- people --------------------------------------------------------------------------------

    def _reject(self, person: Person, reason: str) -> None:
        self.report.problems.append(Problem(person.file, person.line, reason))
        for value in (person.source_id, person.card_barcode, person.username):
            if value:
                self.roster.held_back.add(value.casefold())

    def _match(self, person: Person) -> _Entry | None:
        source, card, username = (
            person.source_id.casefold(),
            person.card_barcode.casefold(),
            person.username.casefold(),
        )
        patron = self.patron_by_source.get(source) if source else None
        card_owner = self.user_by_card.get(card) if card else None
        name_owner = self.user_by_name.get(username) if username else None
        if patron is not None:
            user_id: int | None = patron.user_id
        elif card_owner and name_owner and card_owner != name_owner:
            self._reject(
                person,
                _(
                    "The card barcode “%(card)s” and the username “%(u)s” belong to two "
                    "different people."
                )
                % {"card": person.card_barcode, "u": person.username},
            )
            return None
        else:
            user_id = card_owner or name_owner
            if user_id is not None and user_id not in self.allowed:
                self._reject_taken(person, by_card=bool(card_owner))
                return None
            patron = self.patron_by_user.get(user_id) if user_id else None
        if card_owner not in (None, user_id):
            self._reject(person, _("Another person has this card barcode."))
            return None
        if name_owner not in (None, user_id):
            self._reject_taken(person, by_card=False)
            return None
        if user_id is not None and user_id in self.claimed:
            earlier = self.claimed[user_id]
            self._reject(
                person,
                _("This is the same person as on line %(line)d of %(file)s.")
                % {"line": earlier.line, "file": earlier.file},
            )
            return None
        if user_id is None:
            return self._new_person(person)
        self.claimed[user_id] = person
        return self._existing(person, user_id, patron)

    def _reject_taken(self, person: Person, *, by_card: bool) -> None:
        if by_card:
            self._reject(person, _("Another person has this card barcode."))
        else:
            self._reject(
                person,
                _("The username “%(u)s” is taken. Choose another.") % {"u": person.username},
            )

    def _new_person(self, person: Person) -> _Entry:
        username = person.username or self._make_username(person)
        self.new_names.add(username.casefold())
        self.user_by_name[username.casefold()] = NEW
        if person.card_barcode:
            self.user_by_card[person.card_barcode.casefold()] = NEW
        values = {
            "username": username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "card_barcode": person.card_barcode or None,
        }
        if not person.username:
            self.report.count("usernames_made")
        return _Entry(
            person=person,
            user_values=values,
            patron_values=self._new_patron(person),
            needs_role=True,
        )

    def _new_patron(self, person: Person) -> dict[str, Any]:
        return {
            "school_id": self.school.pk,
            "category": person.category,
            "grade": person.grade if person.category == STUDENT else None,
            "guardian_emails": "\n".join(person.guardian_emails),
            "guardian_language": person.guardian_language,
            "valid_until": person.valid_until,
            "source_id": person.source_id,
            "active": True,
        }

    def _make_username(self, person: Person) -> str:
        # ASCII only (æ → ae, ø → oe, å → aa, accents stripped): a username may end up as the
        # barcode on a library card, and Code 128 drops what is not ASCII.
        base = ".".join(
            re.sub(r"[^a-z0-9-]+", "", part)
            for part in fold_ascii(fold(f"{person.first_name} {person.last_name}")).split()
        ).strip(".-") or ("elev" if person.category == STUDENT else "laerer")
        base = base[:140]
        candidate, n = base, 1
        while candidate.casefold() in self.user_by_name or candidate.casefold() in self.new_names:
            n += 1
            candidate = f"{base}{n}"
        return candidate

    def _existing(self, person: Person, user_id: int, patron: Patron | None) -> _Entry:
        if user_id in self.protected:
            return self._staff(person, user_id, patron)
        provides = self.roster.provides
        entry = _Entry(
            person=person,
            user_id=user_id,
            patron=patron,
            patron_id=patron.pk if patron else 0,
            patron_values=None if patron else self._new_patron(person),
        )
        entry.needs_role = (user_id, ROLE_OF[person.category]) not in self.roles_here
        if patron is not None:
            changes = entry.patron_changes
            if person.source_id and patron.source_id != person.source_id:
                changes.append("source_id")
                patron.source_id = person.source_id
            if "category" in provides and patron.category != person.category:
                changes.append("category")
                patron.category = person.category
            grade = person.grade if patron.category == STUDENT else None
            if grade is not None and patron.grade != grade:
                changes.append("grade")
                patron.grade = grade
            guardians = "\n".join(person.guardian_emails)
            if guardians and patron.guardian_emails != guardians:
                changes.append("guardian_emails")
                patron.guardian_emails = guardians
            if person.guardian_language and patron.guardian_language != person.guardian_language:
                changes.append("guardian_language")
                patron.guardian_language = person.guardian_language
            if person.valid_until and patron.valid_until != person.valid_until:
                changes.append("valid_until")
                patron.valid_until = person.valid_until
            if not patron.active:
                patron.active, patron.left_on = True, None
                changes += ["active", "left_on"]
                entry.reactivated = True
        return entry

    def _staff(self, person: Person, user_id: int, patron: Patron | None) -> _Entry:
        """A person with a staff role: group memberships at most, and the dry run says so."""
        self.report.count("staff_left_alone")
        if patron is None:
            text = _(
                "%(name)s works at a school and is not a patron here: the import leaves them "
                "out. Make them a patron on the patrons page to put them in groups."
            )
        else:
            text = _(
                "%(name)s works at a school: only their groups are imported; their name, "
                "e-mail, username, card, role and patron profile are left as they are."
            )
        self.report.problems.append(
            Problem(person.file, person.line, text % {"name": person.name}, WARNING)
        )
        return _Entry(
            person=person,
            user_id=user_id,
            patron=patron,
            patron_id=patron.pk if patron else 0,
            patron_values=None,
            needs_role=False,
            staff=True,
        )

    # -- what existing people's User rows need -------------------------------------------------

    def _user_changes(self) -> None:
        existing = {e.user_id: e for e in self.entries if not e.new_user}
        ids = list(existing)
        for chunk in chunks(ids, 5000):
            # People who also belong to a school the importer does not manage: their e-mail and
            # username are theirs, changed only by someone who manages them everywhere.
            elsewhere = set(
                Membership.objects.filter(user_id__in=chunk)
                .exclude(school__in=self.manageable)
                .values_list("user_id", flat=True)
            )
            for user in User.objects.filter(pk__in=chunk).only("id", *_USER_FIELDS):
                entry = existing[user.pk]
                entry.user = user
                if user.pk in self.protected:
                    continue
                person = entry.person
                for name in _USER_FIELDS:
                    value = getattr(person, name)
                    if name not in self.roster.provides or not value:
                        continue
                    if user.pk in elsewhere and name in _IDENTITY_FIELDS:
                        continue
                    current = getattr(user, name) or ""
                    if current != value and not (
                        name == "username" and current.casefold() == value.casefold()
                    ):
                        entry.user_changes.append(name)
                        setattr(user, name, value)
                if entry.user_changes and (set(entry.user_changes) & set(User.SEARCHED_FIELDS)):
                    entry.user_changes.append("search_text")

    # -- groups --------------------------------------------------------------------------------

    # -- group members -------------------------------------------------------------------------

    # -- leavers -------------------------------------------------------------------------------

    def _plan_deactivations(self) -> None:
        roster = self.roster
        present = {e.patron_id for e in self.entries if e.patron_id}
        held = roster.held_back
        leaving = {s.casefold() for s in roster.leaving}
        for patron in self.patrons:
            if not patron.active or patron.pk in present or not patron.source_id:
                continue
            source = patron.source_id.casefold()
            absent = (
                # A file in which nobody could be read is surely not the whole school.
                bool(self.entries)
                and roster.complete
                and self.deactivate_missing
                and patron.category in roster.categories
            )
            if (source in leaving or absent) and source not in held:
                patron.active, patron.left_on = False, self.today
                self.deactivations.append(patron)
        earlier = sum(1 for p in self.patrons if p.active and p.source_id)
        if len(self.deactivations) > max(10, earlier // 2):
            self.report.problems.append(
                Problem(
                    "",
                    0,
                    _(
                        "This would deactivate %(n)d of the %(all)d patrons from earlier imports. "
                        "Is the file the whole school?"
                    )
                    % {"n": len(self.deactivations), "all": earlier},
                    WARNING,
                )
            )

    # -- the report ----------------------------------------------------------------------------
