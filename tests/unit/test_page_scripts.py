"""What the pages put in the browser's scripts: nothing that loads a whole icon set."""

import app.app  # noqa: F401 - registers every page
from components.shell import PAGES


def test_no_page_renders_a_dynamic_icon():
    """An `rx.icon` whose name is a Var renders lucide's DynamicIcon, which brings a loader for each of
    lucide's 1,900 icons into the shared scripts (240 KB of the shell's 416 KB): use two fixed icons
    under an `rx.cond` (components.ui.lock_icon)."""
    assert PAGES
    dynamic = sorted(
        spec.route
        for spec in PAGES
        for imports in spec.component()._get_all_imports().values()
        for imported in imports
        if imported.tag == "DynamicIcon"
    )
    assert dynamic == []
