"""The import graph of obcms: no cycles, and imports only run down the floors.

Read from the source with ``ast`` (every ``import`` statement, those inside functions too:
an import deferred to call time is still a dependency). A package's ``__init__`` counts only
for what it imports itself; Python also runs it before each of its modules, but that is load
order, not a dependency either way.

The floors, lowest first. A module may import from its own floor and the floors below it:

- environment: typed reading of the environment, the version;
- settings: the settings module and the helpers it imports;
- database and locks: migration state, planner statistics, the Redis client, the locks;
- services: probes, operations, Celery and beat, request security;
- registry: the apps of the product, and any app not listed elsewhere;
- entry points: what a framework loads by name and nothing imports (the package root, which
  loads the Celery app; the URL map; WSGI/ASGI; gunicorn's web worker; every management
  command).

A cycle is also refused between packages (``obcms.ops`` <-> ``obcms.geography``), where two
apps would each need the other: a management command of ``ops`` may fill the registry, so
the registry must not reach back into ``ops``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import REPO

FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("environment", ("obcms.env", "obcms.version")),
    (
        "settings",
        ("obcms.settings", "obcms.platform", "obcms.logs", "obcms.sentry", "obcms.maptiles"),
    ),
    ("database and locks", ("obcms.db", "obcms.locks")),
    (
        "services",
        (
            "obcms.health",
            "obcms.ops",
            "obcms.celery",
            "obcms.beat",
            "obcms.security",
            "obcms.redis_broker",
            "obcms.embedded_broker",
        ),
    ),
    ("registry", ()),  # every package of obcms not named on another floor
    (
        "entry points",
        ("obcms", "obcms.urls", "obcms.wsgi", "obcms.asgi", "obcms.web", "obcms.web_worker"),
    ),
]
REGISTRY = [name for name, _ in FLOORS].index("registry")
ENTRY_POINTS = len(FLOORS) - 1


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported obcms module
    where: str  # path:line of the statement


def modules(root: Path) -> dict[str, Path]:
    """Module name -> file, for every .py file of the ``obcms`` package under ``root``."""
    found = {}
    for path in sorted((root / "obcms").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(root: Path) -> list[Import]:
    """Every import of one obcms module by another, resolved to the module it loads."""
    known = modules(root)
    edges = []
    for source, path in known.items():
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            for target in _targets(node, package, known):
                if target != source:
                    edges.append(Import(source, target, where))
    return edges


def _targets(node: ast.AST, package: str, known: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield from _longest_known(alias.name, known)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: from . import x, from ..y import z
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([base] if base else [])])
        for alias in node.names:
            if f"{base}.{alias.name}" in known:  # from obcms.health import views
                yield f"{base}.{alias.name}"
            else:  # from obcms.health.views import health
                yield from _longest_known(base, known)


def _longest_known(name: str, known: dict[str, Path]) -> Iterator[str]:
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in known:
            yield ".".join(parts[:end])
            return


def floor(module: str, packages: set[str]) -> int | None:
    """The floor of ``module``; None for a top-level module that no floor names. ``packages``
    are the names of obcms's packages (a module in an unlisted one is on the registry floor)."""
    if ".management.commands." in module:
        return ENTRY_POINTS
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            # "obcms" is the root package's __init__ alone, not everything under it.
            within = prefix != "obcms" and module.startswith(prefix + ".")
            if (module == prefix or within) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    if best is None and package(module) in packages:
        return REGISTRY
    return best


def package(module: str) -> str:
    """``obcms.ops`` for ``obcms.ops.management.commands.release``; ``obcms`` for the root."""
    return ".".join(module.split(".")[:2])


def package_names(root: Path) -> set[str]:
    return {name for name, path in modules(root).items() if path.name == "__init__.py"}


def unplaced(root: Path) -> list[str]:
    return sorted(name for name in modules(root) if floor(name, package_names(root)) is None)


def upward(edges: Iterable[Import], packages: set[str]) -> list[str]:
    """One line per import from a lower floor into a higher one."""
    found = []
    for edge in edges:
        low, high = floor(edge.source, packages), floor(edge.target, packages)
        if low is not None and high is not None and low < high:
            found.append(
                f"{edge.where}: {edge.source} ({FLOORS[low][0]}) imports {edge.target} "
                f"({FLOORS[high][0]}), a floor up"
            )
    return sorted(found)


def cycles(edges: Iterable[Import], unit=lambda module: module) -> list[str]:
    """One line per cycle (one per strongly connected group), naming every import in it.
    ``unit`` groups modules (by package, say) before the search."""
    graph: dict[str, dict[str, Import]] = {}
    for edge in edges:
        source, target = unit(edge.source), unit(edge.target)
        if source != target:
            graph.setdefault(source, {}).setdefault(target, edge)
            graph.setdefault(target, {})
    found = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            path = _shortest_cycle(graph, min(group), group)
            steps = [f"{a} -> {b} ({graph[a][b].where})" for a, b in itertools.pairwise(path)]
            found.append(f"cycle among {', '.join(sorted(group))}: " + "; ".join(steps))
    return sorted(found)


def _strongly_connected(graph: dict[str, dict[str, Import]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (no recursion limit to meet)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups


def _shortest_cycle(graph: dict[str, dict[str, Import]], start: str, group: set[str]) -> list:
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node]):
            if child == start:
                return [*paths[node], start]
            if child in group and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError(f"no cycle through {start}")


EDGES = imports(REPO)


def test_every_module_stands_on_a_floor():
    assert unplaced(REPO) == [], (
        "add these modules to a floor in FLOORS (tests/test_import_graph.py)"
    )


def test_no_import_cycle_among_obcms_modules():
    found = cycles(EDGES)
    assert not found, "\n".join(found)


def test_no_import_cycle_among_obcms_packages():
    found = cycles(EDGES, unit=package)
    assert not found, "\n".join(found)


def test_imports_run_down_the_floors():
    found = upward(EDGES, package_names(REPO))
    assert not found, "move the shared piece down instead:\n" + "\n".join(found)


@pytest.fixture
def tangled(tmp_path) -> Path:
    """A small obcms with one cycle (celery -> ops.release -> health.checks -> celery) and one
    import a floor up (a registry loader reaching into a management command)."""
    files = {
        "obcms/__init__.py": "",
        "obcms/env.py": "",
        "obcms/celery.py": "def f():\n    from obcms.ops.release import wait\n",
        "obcms/ops/__init__.py": "",
        "obcms/ops/release.py": "from obcms.health.checks import check\n",
        "obcms/health/__init__.py": "",
        "obcms/health/checks.py": "from obcms.celery import app\n",
        "obcms/geography/__init__.py": "",
        "obcms/geography/loading.py": "from ..ops.management.commands.seed import x\n",
        "obcms/ops/management/__init__.py": "",
        "obcms/ops/management/commands/__init__.py": "",
        "obcms/ops/management/commands/seed.py": "import obcms.geography.loading\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_negative_twins_a_cycle_and_an_upward_import_are_named(tangled):
    edges = imports(tangled)
    assert cycles(edges) == [
        "cycle among obcms.celery, obcms.health.checks, obcms.ops.release: "
        "obcms.celery -> obcms.ops.release (obcms/celery.py:2); "
        "obcms.ops.release -> obcms.health.checks (obcms/ops/release.py:1); "
        "obcms.health.checks -> obcms.celery (obcms/health/checks.py:1)",
        "cycle among obcms.geography.loading, obcms.ops.management.commands.seed: "
        "obcms.geography.loading -> obcms.ops.management.commands.seed "
        "(obcms/geography/loading.py:1); obcms.ops.management.commands.seed -> "
        "obcms.geography.loading (obcms/ops/management/commands/seed.py:1)",
    ]
    assert upward(edges, package_names(tangled)) == [
        "obcms/geography/loading.py:1: obcms.geography.loading (registry) imports "
        "obcms.ops.management.commands.seed (entry points), a floor up"
    ]
    (packages,) = cycles(edges, unit=package)
    assert packages.startswith("cycle among obcms.celery, obcms.geography, obcms.health, obcms.ops")
