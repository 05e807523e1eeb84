"""The shape of the code, as docs/ARCHITECTURE.md writes it: the order of the feature packages
(no package imports one above it, no import cycle between modules), no module over 500 lines,
no helper written twice.

Every import is read with ``ast``: at the top of a module, inside functions and under
``if TYPE_CHECKING:`` alike.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "exchange"
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
MAX_LINES = 500


def layer_order() -> list[str]:
    """The packages in the order the architecture page lists them, lowest first."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## The packages, lowest first", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\d+\. `(\w+)`", section, flags=re.MULTILINE)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    """``exchange.<package>.…`` is that package; ``exchange`` itself (create_app) and
    ``exchange.cli`` are ``app``; the other single modules (clock, db, errors…) are ``core``."""
    parts = module.split(".")
    if module in ("exchange", "exchange.cli"):
        return "app"
    if len(parts) > 2 or (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "core"


def imports_of(module: str) -> set[str]:
    """The modules of ``exchange`` that ``module`` imports, wherever the import statement is."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from exchange.auth import services`` imports the module exchange.auth.services
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in MODULES and name != module)
    return found


GRAPH = {module: imports_of(module) for module in MODULES}


def test_the_architecture_page_places_every_package():
    order = layer_order()
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert len(order) == len(set(order)), "a package is listed twice"
    assert set(order) == packages | {"core", "app"}


def test_no_package_imports_one_above_it():
    rank = {name: index for index, name in enumerate(layer_order())}
    upward = [
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if rank[layer_of(target)] > rank[layer_of(module)]
    ]
    assert upward == []


def test_no_import_cycle_between_modules():
    """Tarjan's strongly connected components: a component of more than one module (or a
    module importing itself) is a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_500_lines(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it (docs/ARCHITECTURE.md)"


def _body_without_docstring(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    body = function.body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body = body[1:]
    return body


def _too_small(body: list[ast.stmt]) -> bool:
    """An empty body, or one short ``return``: a one-line delegation, too small to count."""
    if not body:
        return True
    one_line = len(body) == 1 and isinstance(body[0], ast.Return | ast.Pass)
    return one_line and len(ast.dump(body[0])) < 400


def test_no_helper_is_written_twice():
    """Two module-level functions with the same arguments and the same body are one helper
    written twice: keep one, import it where the other was."""
    seen: dict[str, list[str]] = defaultdict(list)
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            body = _body_without_docstring(node)
            if _too_small(body):
                continue
            shape = ast.dump(node.args) + "".join(ast.dump(statement) for statement in body)
            seen[shape].append(f"{module}.{node.name}")
    twice = [names for names in seen.values() if len(names) > 1]
    assert twice == []


def test_no_helper_name_is_defined_twice_in_the_same_feature_layer():
    """Loaders and listing helpers are named once: ``get_partner_or_404``, ``list_partners``,
    ``get_exchange``, ``escape_like``… (views named alike in different blueprints are fine,
    and a view named as the service it calls: ``views.py`` or ``<subject>_views.py``)."""
    names: dict[str, list[str]] = defaultdict(list)
    for module, path in MODULES.items():
        if module.endswith(("views", ".cli")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("__"):
                names[node.name].append(module)
    #: entry points every module of a kind has by design: ``register(app)`` of the app's
    #: steps, ``generate(session, …)`` of the demo generators
    shared = {"register", "generate"}
    twice = {
        name: modules for name, modules in names.items() if len(modules) > 1 and name not in shared
    }
    assert twice == {}


def test_test_modules_share_helpers_and_factories_through_their_modules():
    """Helpers come from tests/helpers.py and factories from tests/factories.py, never from
    conftest.py (which holds fixtures only) or a second factory module."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("tests.conftest", "conftest"):
                offenders.append(f"{path.relative_to(ROOT)} imports from conftest")
    factories = [path.name for path in (ROOT / "tests").glob("*factories*.py")]
    assert offenders == []
    assert factories == ["factories.py"]


def test_every_form_view_goes_through_the_one_form_flow():
    """Views hand forms to ``forms_util.submit`` (validate, call, commit or roll back, status):
    none validates a submitted form or works out its 422 itself."""
    offenders = []
    for module, path in MODULES.items():
        if not module.endswith(".views"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "validate_on_submit":
                offenders.append(f"{module}:{node.lineno}")
    assert offenders == []


def test_every_loader_that_answers_404_lives_in_an_access_module():
    """``get_*_or_404`` is how a page loads what its viewer may see: one per model, in the
    feature's access.py, the only place scope rules are written."""
    elsewhere = []
    for module, path in MODULES.items():
        if module.endswith(".access"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and re.fullmatch(r"get_\w+_or_404", node.name):
                elsewhere.append(f"{module}.{node.name}")
    assert elsewhere == []
