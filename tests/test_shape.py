"""The package's shape (docs/architecture.md): no module over 800 lines, and the modules
import each other without a cycle, so each part can be read from the bottom up."""

from __future__ import annotations

import ast
from pathlib import Path

import formgen

PACKAGE = Path(formgen.__file__).parent
LONGEST = 800


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue  # Alembic's revisions are history, not the package's shape
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imported_at_load(path: Path, known: set[str]) -> set[str]:
    """The formgen modules a module imports when it is loaded: its top-level imports,
    not those inside functions (taken at first use) or under TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                found.add(whole if whole in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name in known}


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        trail.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_is_longer_than_800_lines() -> None:
    long = {
        name: count
        for name, path in modules().items()
        if (count := len(path.read_text().splitlines())) > LONGEST
    }
    assert not long, f"split these along their seams: {long}"


def test_the_modules_import_each_other_without_a_cycle() -> None:
    found = modules()
    graph = {name: imported_at_load(path, set(found)) - {name} for name, path in found.items()}
    # a package's __init__ is loaded before its modules: an edge to it is not a cycle's
    graph = {
        name: {d for d in deps if not name.startswith(d + ".")} for name, deps in graph.items()
    }
    assert cycle(graph) is None, f"an import cycle: {' -> '.join(cycle(graph) or [])}"


def test_the_cycle_check_can_fail() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_the_record_and_the_rules_do_not_reach_up() -> None:
    """The lower parts never import the upper ones when they are loaded."""
    found = modules()
    upper = ("formgen.api", "formgen.access", "formgen.cli", "formgen.web", "formgen.aftercare")
    for name, path in found.items():
        if name.startswith(("formgen.record", "formgen.rules")):
            up = {d for d in imported_at_load(path, set(found)) if d.startswith(upper)}
            assert not up, f"{name} imports {up}"
        if name.startswith("formgen.rules"):
            below = imported_at_load(path, set(found))
            assert all(
                d.startswith(("formgen.rules", "formgen.words", "formgen.errors")) for d in below
            ), (name, below)
