"""The layering rules that keep live truth a mechanism (docs/LIVE.md), checked on the source itself.

- No module in app/state other than the guard opens a database session: every event's data goes through
  the guard's unit of work, which publishes what changed. (The guard test below fails if one does.)
- No handler publishes by hand: only app/state/live.py writes a LiveCart, and only the
  guard calls its publish.
- Services never import Reflex.
- The layers run one way, models <- services <- state <- pages/components: no layer imports one above it,
  models and services never import Reflex, pages and components never import models, SQLModel/SQLAlchemy
  or services (what they show comes from a state). No modules of app/, models/ and components/ import
  each other in a cycle. Imports inside functions count: a local import hides a cycle from the
  interpreter, not from a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAMES = {"session_scope", "get_engine", "Session", "create_engine", "make_engine", "use_engine"}


def _imports(path: Path) -> set[str]:
    """Every module and name a file imports (at any depth, so imports inside functions count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _calls(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            f = node.func
            out.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return out


def test_only_the_guard_opens_a_database_session():
    offenders = {}
    for path in sorted((ROOT / "app/state").glob("*.py")):
        if path.name == "guard.py":
            continue
        reached = {
            name
            for name in _imports(path)
            if name.startswith(("app.services.db.", "sqlmodel.", "sqlalchemy"))
            and name.rsplit(".", 1)[-1] in DB_NAMES
        } | (_calls(path) & {"session_scope", "get_engine"})
        if reached:
            offenders[path.name] = sorted(reached)
    assert offenders == {}, f"app/state modules opening the database outside the guard: {offenders}"


def test_the_check_itself_catches_a_module_that_opens_the_database(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f():\n    from app.services.db import session_scope\n    with session_scope() as db:\n        pass\n"
    )
    assert "app.services.db.session_scope" in _imports(bad) and "session_scope" in _calls(bad)


def test_no_handler_publishes_by_hand():
    for path in sorted((ROOT / "app/state").glob("*.py")):
        if path.name in ("guard.py", "live.py"):
            continue
        calls = _calls(path)
        assert not calls & {"publish", "_publish_cart_out_of_band", "_publish_session_out_of_band"}, path.name


def test_services_never_import_reflex():
    for path in sorted((ROOT / "app/services").glob("*.py")):
        assert not any(name == "reflex" or name.startswith("reflex.") for name in _imports(path)), path.name


# -- the layers, one way, and no cycles --------------------------------------------------------------

PACKAGES = ("app", "models", "components")
# Lower layers first; a module may import its own layer or those below it.
LAYERS = (("models",), ("app.services",), ("app.state",), ("app.pages", "components"))


def _modules(root: Path) -> dict[str, Path]:
    """Every module of the packages under `root`, by dotted name."""
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imported(path: Path, module: str) -> set[str]:
    """Every module and name a file imports, at any depth, relative imports made absolute."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph(root: Path) -> dict[str, set[str]]:
    """module -> the modules of the packages it imports (`from app.services import auth` is app.services.auth)."""
    modules = _modules(root)

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in modules.items():
        targets = {owner(name) for name in _imported(path, module)}
        graph[module] = {t for t in targets if t is not None and t != module}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each with a loop through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _describe(graph: dict[str, set[str]], component: list[str]) -> str:
    inside = set(component)
    return "; ".join(f"{a} -> {b}" for a in component for b in sorted(graph[a] & inside))


def test_no_import_cycles():
    graph = _graph(ROOT)
    assert "app.state.guard" in graph["app.state.session"]  # the check sees the imports at all
    cycles = [_describe(graph, c) for c in _cycles(graph)]
    assert cycles == [], "import cycles (imports inside functions count):\n" + "\n".join(cycles)


def test_the_cycle_check_catches_a_cycle_hidden_in_a_function(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "app/a.py").write_text("from app import b\n")
    (tmp_path / "app/b.py").write_text("def f():\n    from . import a\n")
    (tmp_path / "app/c.py").write_text("from app.b import f\n")
    graph = _graph(tmp_path)
    assert "app.b" in graph["app.a"] and "app.a" in graph["app.b"] and "app.b" in graph["app.c"]
    assert _cycles(graph) == [["app.a", "app.b"]]


def _layer(module: str) -> int | None:
    for level, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return None


def test_the_layers_run_one_way():
    graph = _graph(ROOT)
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if _layer(module) is not None and _layer(target) is not None and _layer(target) > _layer(module)
    )
    assert upward == [], (
        f"imports of a higher layer (models <- services <- state <- pages/components): {upward}"
    )


def test_models_and_services_never_import_reflex():
    modules = _modules(ROOT)
    offenders = sorted(
        module
        for module, path in modules.items()
        if _layer(module) in (0, 1)
        and any(
            name == "reflex" or name.startswith(("reflex.", "reflex_")) for name in _imported(path, module)
        )
    )
    assert offenders == [], f"models or services importing Reflex: {offenders}"


def test_pages_and_components_reach_data_only_through_states():
    forbidden = ("models", "sqlmodel", "sqlalchemy", "app.services")
    offenders = {}
    for module, path in _modules(ROOT).items():
        if _layer(module) != 3:
            continue
        reached = sorted(
            name
            for name in _imported(path, module)
            if any(name == f or name.startswith(f + ".") for f in forbidden)
        )
        if reached:
            offenders[module] = reached
    assert offenders == {}, f"pages or components importing models, the database or services: {offenders}"
