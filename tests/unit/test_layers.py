"""The layering rules that keep live truth a mechanism (docs/LIVE.md), checked on the source itself.

- No module in app/state other than the guard opens a database session: every event's data goes through
  the guard's unit of work, which publishes what changed. (The guard test below fails if one does.)
- No handler publishes by hand: only app/state/live.py writes a LiveCart, and only the
  guard calls its publish.
- Services never import Reflex.
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
