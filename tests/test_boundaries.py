"""Which part of the engine may import which, no import cycles, and SQL only in storage.

The layers, lowest first (docs/architecture.md draws them): a module may import its own
layer's modules and those of the layers listed as allowed for it, nothing else. Every
import counts, also those inside functions, since a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "survey"

# layer: the top-level modules or packages of survey/ in it
LAYERS = {
    "base": {"errors", "tokens", "resources", "settings", "gc_pause", "dates"},
    "core": {
        "questionnaire",
        "scoring",
        "records",
        "addresses",
        "accounts",
        "csvfile",
        "return_codes",
    },
    "formats": {"invitation_list", "responses_csv", "workbooks", "spreadsheet", "mail", "report"},
    "storage": {"storage"},
    "operations": {"operations", "demo", "workers"},
    "web": {"web"},
    "cli": {"cli", "server"},
    "entry": {"__init__"},
}
ALLOWED = {
    "base": set(),
    "core": {"base"},
    "formats": {"base", "core"},
    "storage": {"base", "core"},
    "operations": {"base", "core", "formats", "storage"},
    "web": {"base", "core", "formats", "storage", "operations"},
    # the CLI serves the web app (`survey run`, `survey serve` through survey.server)
    "cli": {"base", "core", "formats", "storage", "operations", "web"},
    "entry": {"web", "cli"},
}
SQL = re.compile(
    r"^\s*(SELECT \S|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|INDEX)|PRAGMA \w|BEGIN\b)"
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_files" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks: imports for annotations only."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside |= {id(child) for part in node.body for child in ast.walk(part)}
    return inside


def _imports(path: Path, *, annotations: bool = True) -> set[str]:
    """The survey modules ``path`` imports (``from survey.x import y`` counts as survey.x.y
    when y is a module, else as survey.x); with ``annotations`` False, only those imported
    when the module runs (not those under ``if TYPE_CHECKING:``)."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if annotations else _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("survey"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("survey")}
    return found


def _layer(module: str) -> str:
    top = module.split(".")[1] if "." in module else "__init__"
    top = top.removesuffix(".py")
    for layer, members in LAYERS.items():
        if top in members:
            return layer
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in this test")


def _graph(*, annotations: bool) -> dict[str, set[str]]:
    return {
        module: {
            dep
            for dep in _imports(path, annotations=annotations)
            if dep in MODULES and dep != module and not dep.startswith(module + ".")
        }
        for module, path in MODULES.items()
    }


GRAPH = _graph(annotations=True)  # every import, for the layers
RUNTIME = _graph(annotations=False)  # what runs, for cycles: annotations may look both ways


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_each_layer_imports_only_what_it_may():
    wrong = []
    for module, deps in GRAPH.items():
        layer = _layer(module)
        for dep in deps:
            other = _layer(dep)
            if other != layer and other not in ALLOWED[layer]:
                wrong.append(f"{module} ({layer}) imports {dep} ({other})")
    assert wrong == []


def test_there_are_no_import_cycles_at_run_time():
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in RUNTIME[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in RUNTIME:
        if node not in index:
            visit(node)
    assert cycles == []


def test_sql_is_written_only_in_storage():
    found = []
    for module, path in MODULES.items():
        if _layer(module) == "storage":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.match(node.value)
            ):
                found.append(f"{module}:{node.lineno}: {node.value[:40]!r}")
    assert found == []


def test_the_checks_can_fail():
    """The rules above see what they are meant to see (a guard against a test that passes
    because it found nothing)."""
    assert GRAPH["survey.web.manage"] & {"survey.operations.rounds"}
    assert "survey.storage.rounds" in GRAPH["survey.operations.rounds"]
    assert _layer("survey.storage.rounds") == "storage"
    assert SQL.match("SELECT 1") and not SQL.match("Select a file") and not SQL.match("create")
