"""The apps form a ladder: an app imports only apps on a lower rung, and nothing imports a front
door. The rungs are read from ``docs/architecture.md`` (the block between ``<!-- ladder -->``
markers), so the page and the test cannot disagree. Every import counts, also one inside a
function (a lazy import hides a cycle; it does not remove it). Tests and migrations are left
out: tests may reach anything, and migrations name other apps only as dependencies.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONT = "front"


def ladder() -> dict[str, int | str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- ladder -->(.*?)<!-- /ladder -->", text, re.S)
    assert block, "docs/architecture.md lost its ladder block"
    rungs: dict[str, int | str] = {}
    for line in block.group(1).splitlines():
        words = line.strip(" `").split()
        if len(words) < 2 or not (words[0].isdigit() or words[0] == FRONT):
            continue
        for app in words[1:]:
            rungs[app] = int(words[0]) if words[0].isdigit() else FRONT
    return rungs


def imported(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) of every ``reol.…`` import in ``source``, relative ones resolved."""
    found = []
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return [(line, name) for line, name in found if name.startswith("reol.")]


def violations(source: str, module: str, rungs: dict[str, int | str]) -> list[str]:
    """What ``module`` (``reol.<app>.…``) imports against the ladder, as sentences."""
    app = module.split(".")[1]
    mine = rungs.get(app)
    problems = []
    for line, name in imported(source, module):
        other = name.split(".")[1] if name.count(".") else ""
        if not other or other == app:
            continue
        theirs = rungs.get(other)
        if theirs is None:
            problems.append(f"{module}:{line} imports {name}: {other} is not on the ladder")
        elif theirs == FRONT:
            if mine != FRONT:  # the URL conf mounts the API: front doors may meet each other
                problems.append(f"{module}:{line} imports the front door {name}")
        elif mine != FRONT and (mine is None or not isinstance(mine, int) or theirs >= mine):
            problems.append(f"{module}:{line} imports {name} (rung {theirs} ≥ {app}'s {mine})")
    return problems


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted((ROOT / "reol").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = ".".join(p for p in parts if p != "__init__")
        if name.count(".") >= 1:
            found.append((name, path))
    return found


def test_every_app_imports_only_down_the_ladder():
    rungs = ladder()
    problems = []
    for name, path in modules():
        app = name.split(".")[1]
        if app not in rungs:
            problems.append(f"{name}: the app {app} is not on the ladder in docs/architecture.md")
            continue
        problems += violations(path.read_text(encoding="utf-8"), name, rungs)
    assert problems == []


def test_the_check_catches_an_upward_import_even_inside_a_function():
    rungs = ladder()
    lazy = "def f():\n    from reol.circulation.models import Loan\n"
    assert violations(lazy, "reol.patrons.views", rungs)
    relative = "from ..circulation import models\n"
    assert violations(relative, "reol.patrons.views", rungs)
    assert violations("import reol.opac.views\n", "reol.planning.services", rungs)
    assert not violations("from reol.patrons.models import Group\n", "reol.circulation.x", rungs)
    assert not violations("from .models import Loan\n", "reol.circulation.views", rungs)
