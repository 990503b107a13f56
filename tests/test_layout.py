"""The house rules of STYLE.md that a machine can check: rooms, one-way imports, no circles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "services", "storage", "sandbox", "bench", "seeding", "play")
# Who may import whom: bot → handlers → services → storage; sandbox stands apart.
MAY_IMPORT = {
    # The front door also starts the sandbox (demo) and, lazily, the benchmark and play.
    "bot": {"bot", "handlers", "services", "storage", "sandbox", "bench", "play"},
    "handlers": {"handlers", "services"},
    "services": {"services", "storage"},
    "storage": {"storage"},
    "sandbox": {"sandbox"},
    "bench": {"bench", "seeding", "bot", "handlers", "services", "storage", "sandbox"},
    "seeding": {"seeding", "services", "storage"},
    # The web page around the sandbox and the real bot; it reads the catalogs for its frame.
    "play": {"play", "bot", "handlers", "sandbox", "storage"},
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    modules = {_module(p): p for p in files}
    return {
        name: {i for i in _imports(path) if i in modules and i != name}
        for name, path in modules.items()
    }


def test_imports_point_one_way() -> None:
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in _graph().items()
        for target in targets
        if target.split(".")[0] not in MAY_IMPORT[name.split(".")[0]]
    )
    assert wrong == []


@pytest.mark.parametrize("package", ["telegram"])
def test_services_and_storage_never_speak_telegram(package: str) -> None:
    speaking = sorted(
        str(p.relative_to(ROOT))
        for pkg in ("services", "storage")
        for p in (ROOT / pkg).rglob("*.py")
        if any(i == package or i.startswith(package + ".") for i in _imports(p))
    )
    assert speaking == []


def test_no_import_circles_inside_handlers_or_services() -> None:
    graph = _graph()
    circles: list[list[str]] = []

    def visit(node: str, path: list[str], on_path: set[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in on_path:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in done:
                on_path.add(nxt)
                visit(nxt, [*path, nxt], on_path, done)
                on_path.discard(nxt)
        done.add(node)

    done: set[str] = set()
    for start in sorted(n for n in graph if n.split(".")[0] in ("handlers", "services")):
        if start not in done:
            visit(start, [start], {start}, done)
    assert circles == []


def test_handlers_keep_few_modules_at_the_top() -> None:
    top = sorted(p.name for p in (ROOT / "handlers").glob("*.py"))
    assert len(top) <= 16, top
