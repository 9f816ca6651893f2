"""The shape of formgen/web: its modules import one another one way only (no circle, not
even through an import inside a function), and none grows past 800 lines. Read from the
source with ``ast``: no server, nothing imported."""

from __future__ import annotations

import ast
from pathlib import Path

import formgen.web

WEB = Path(formgen.web.__file__).parent
PACKAGE = "formgen.web"
MAX_LINES = 800


def imports_of(path: Path, package: str, modules: set[str]) -> set[str]:
    """The modules of ``package`` (names in ``modules``) that ``path`` imports, wherever
    the import stands (top level, in a function, under TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .x import y
                base = ".".join([package, *filter(None, [base])])
            # ``from package import x`` names a module x; ``from package.x import y`` x
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.startswith(package + "."):
                module = name[len(package) + 1 :].split(".")[0]
                if module in modules:
                    found.add(module)
    return found


def import_graph(folder: Path, package: str) -> dict[str, set[str]]:
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    return {m: imports_of(folder / f"{m}.py", package, modules) - {m} for m in sorted(modules)}


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle (``[a, b, …, a]``), or None when the graph has none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph[module]):
            found = visit(imported)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in graph:
        found = visit(module)
        if found:
            return found
    return None


def test_the_web_modules_import_one_another_without_a_circle() -> None:
    graph = import_graph(WEB, PACKAGE)
    assert {"app", "templating", "problems", "recording_page", "api_models"} <= set(graph)
    assert "templating" in graph["problems"]  # the graph sees the imports at all
    assert a_cycle(graph) is None, " -> ".join(a_cycle(graph) or [])


def test_only_the_application_and_serve_import_app() -> None:
    """app.py assembles the application: the pages and the API import what they share
    from modules of their own, never from it."""
    graph = import_graph(WEB, PACKAGE)
    assert sorted(m for m, imported in graph.items() if "app" in imported) == ["serve"]


def test_a_circle_is_found(tmp_path: Path) -> None:
    """The check above can fail: a circle through a function-level and a relative import."""
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "one.py").write_text("from pkg.two import x\n")
    (tmp_path / "two.py").write_text("def f():\n    from . import three\n")
    (tmp_path / "three.py").write_text("import pkg.one\n")
    (tmp_path / "four.py").write_text("from pkg import two\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"four": {"two"}, "one": {"two"}, "three": {"one"}, "two": {"three"}}
    assert a_cycle(graph) == ["two", "three", "one", "two"]
    graph["three"] = set()
    assert a_cycle(graph) is None


def test_no_web_module_is_longer_than_800_lines() -> None:
    lengths = {p.name: len(p.read_text().splitlines()) for p in WEB.glob("*.py")}
    assert len(lengths) > 20
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
