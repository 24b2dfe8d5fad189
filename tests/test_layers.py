"""The layer rules, read from the source: an import graph over ``sonic_studio/``.

Every ``import``/``from … import`` is counted, at module level and inside functions
(a lazy import is still a dependency; only ``if TYPE_CHECKING:`` blocks are skipped,
they never run).  The rules:

- no import cycles between modules;
- layers import downwards only: entry points → ui → services → providers/store/audio → core;
  the emulator stands apart (core and audio only);
- inside ui/: the shell (main window, start-up, status bar) composes pages; pages
  (tabs/, panels/, dialogs/) are composition only and never import another page;
  components/ know the services but no page; widgets/ are app-free (no services, no
  store, no bridge, no components).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "sonic_studio"
PKG = "sonic_studio"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that ``name`` imports (resolved; submodules preferred)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def resolve(level: int, module: str | None) -> str:
        if level == 0:
            return module or ""
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (level - 1)]
        return ".".join(base + ([module] if module else []))

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith(PKG):
                        found.add(alias.name)
            elif isinstance(child, ast.ImportFrom):
                target = resolve(child.level, child.module)
                if not target.startswith(PKG):
                    continue
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in known else target)
            visit(child)

    visit(ast.parse(path.read_text("utf-8")))
    found.discard(name)
    return {m for m in found if m in known}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


# ---------------------------------------------------------------------------- layers

_RANK = {"core": 0, "resources": 0, "providers": 1, "store": 1, "audio": 1, "services": 2,
         "logs": 2.5, "ui": 3, "app": 4, "cli": 4, "__main__": 5}

def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _ui_kind(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 3 or parts[1] != "ui":
        return None
    if parts[2] in ("tabs", "panels", "dialogs") and len(parts) > 3:
        return "page"
    if parts[2] in ("components", "widgets") and len(parts) > 3:
        return parts[2][:-1]  # component, widget
    if parts[2] in ("main_window", "bootstrap", "status"):
        return "shell"
    return "base"  # bridge, tasks_runner, theme, icons, format, gc_guard, package inits


_UI_ALLOWED = {  # what each kind of ui module may import from ui/
    "shell": {"shell", "page", "component", "widget", "base"},
    "page": {"component", "widget", "base"},  # plus itself; never another page
    "component": {"component", "widget", "base"},
    "widget": {"widget", "base"},
    "base": {"base"},
}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return cycles


def test_there_are_no_import_cycles(graph):
    assert _cycles(graph) == []


def test_layers_import_downwards_only(graph):
    wrong = []
    for module, targets in graph.items():
        top = _top(module)
        for target in targets:
            other = _top(target)
            if top == "emulator":
                if other not in ("emulator", "core", "audio", "resources"):
                    wrong.append((module, target))
            elif other == "emulator":
                if top not in ("cli", "ui"):  # demo mode and 'demo-server' start it
                    wrong.append((module, target))
            elif top in _RANK and other in _RANK and other != top and _RANK[other] >= _RANK[top]:
                wrong.append((module, target))
    assert wrong == []


def test_ui_pages_compose_and_never_import_each_other(graph):
    wrong = []
    for module, targets in graph.items():
        kind = _ui_kind(module)
        if kind is None:
            continue
        for target in targets:
            other = _ui_kind(target)
            if other is None:
                if kind == "widget" and _top(target) in ("services", "store", "providers"):
                    wrong.append((module, target, "widgets are app-free"))
                continue
            if other == "page" and kind == "page" and target != module:
                wrong.append((module, target, "page imports a page"))
            elif other not in _UI_ALLOWED[kind] and not (kind == "page" and other == "page"):
                wrong.append((module, target, f"{kind} imports a {other}"))
    assert wrong == []


def test_the_rules_see_real_imports(graph):
    """Guards the test itself: lazy (in-function) imports and relative imports are resolved."""
    assert "sonic_studio.ui.panels.library" in graph["sonic_studio.ui.main_window"]  # inside attach()
    assert "sonic_studio.ui.tasks_runner" in graph["sonic_studio.ui.tabs.upload"]
    assert "sonic_studio.core.models" in graph["sonic_studio.services.eligibility"]
    assert defaultdict(set, graph)["sonic_studio.ui.widgets.waveform"] >= {"sonic_studio.ui.format"}
