"""One rule, one place (rule 9 of the house), kept by reading the source: "open loan" is written
only in circulation's models (``LoanQuerySet.open()``, ``open_condition``), loans and holds are
written only by ``circulation/actions/``, and the school year and ISO weeks are computed only in
``core/calendar.py``. Each finder is also shown a line that breaks its rule, so it can fail.
Tests, migrations and demo data are left out (they may build any state they like).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "reol"

Finder = Callable[[ast.AST], Iterator[str]]


def _sources() -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(APPS.rglob("*.py")):
        parts = path.relative_to(APPS).parts
        if "tests" in parts or "migrations" in parts or path.stem.startswith("demo"):
            continue
        yield "/".join(parts), ast.parse(path.read_text(encoding="utf-8"))


def _root_name(node: ast.AST) -> str:
    """``Loan`` for ``Loan.objects.filter(...).update``: the name a call chain starts from."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return node.id if isinstance(node, ast.Name) else ""


def open_loan_written_out(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg and "returned_at__isnull" in node.arg:
            yield f"line {node.value.lineno}: {node.arg}="
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "returned_at__isnull" in node.value
        ):
            yield f"line {node.lineno}: {node.value!r}"


WRITES = {"create", "bulk_create", "update", "bulk_update", "delete", "get_or_create"}


def loan_or_hold_written(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
            and _root_name(node.func) in {"Loan", "Hold"}
        ):
            yield f"line {node.lineno}: {_root_name(node.func)}….{node.func.attr}()"


def _is_month(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "month"


def school_year_or_week_computed(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            _is_month(side) for side in [node.left, *node.comparators]
        ):
            if any(isinstance(c, ast.Constant) and c.value in (7, 8) for c in node.comparators):
                yield f"line {node.lineno}: a school year's first month compared by hand"
        elif isinstance(node, ast.Attribute) and node.attr in ("isocalendar", "fromisocalendar"):
            yield f"line {node.lineno}: .{node.attr} (ISO weeks belong to core.calendar)"
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and ("%V" in node.value or "%G" in node.value)
        ):
            yield f"line {node.lineno}: an ISO week formatted by hand"


def _broken(finder: Finder, allowed: Callable[[str], bool]) -> list[str]:
    return [
        f"{name} {problem}"
        for name, tree in _sources()
        if not allowed(name)
        for problem in finder(tree)
    ]


def test_open_loan_is_written_out_only_in_circulations_models():
    assert _broken(open_loan_written_out, lambda name: name == "circulation/models.py") == []


def test_loans_and_holds_are_written_only_by_circulations_actions():
    broken = _broken(loan_or_hold_written, lambda name: name.startswith("circulation/actions/"))
    assert broken == []


def test_school_years_and_weeks_are_computed_only_in_the_core_calendar():
    broken = _broken(school_year_or_week_computed, lambda name: name == "core/calendar.py")
    assert broken == []


def _found(finder: Finder, source: str) -> list[str]:
    return list(finder(ast.parse(source)))


def test_the_finders_catch_what_they_are_for():
    assert _found(open_loan_written_out, "Loan.objects.filter(returned_at__isnull=True)")
    assert _found(open_loan_written_out, "Q(**{f'{p}returned_at__isnull': True})")
    assert _found(loan_or_hold_written, "Loan.objects.filter(pk=1).update(state='returned')")
    assert _found(loan_or_hold_written, "Hold.objects.create(record=r)")
    assert _found(school_year_or_week_computed, "y = d.year if d.month >= 8 else d.year - 1")
    assert _found(school_year_or_week_computed, "week = day.isocalendar()[1]")
    assert _found(school_year_or_week_computed, "day.strftime('%G-W%V')")
    # and leave alone what is not theirs
    assert not _found(open_loan_written_out, "Loan.objects.open()")
    assert not _found(loan_or_hold_written, "Loan.objects.filter(pk=1).count()")
    assert not _found(school_year_or_week_computed, "d.month == 12")
