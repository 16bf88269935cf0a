"""Comments point at the project's own documentation (docs/), which a newcomer has, and at nothing else.

- No file of the product (app/, models/, components/, storefront_qa/) points at documents outside the
  repository: the design notes and the tracker the team worked from ("SPEC §4", "seed 004", "issue 5").
- Every `docs/NAME.md` a file of the project points at exists, and a `docs/NAME.md §Section` pointer names
  the start of one of that file's headings (so renaming a section breaks this test, not the reader).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_DIRS = ("app", "models", "components", "storefront_qa")
POINTER_DIRS = (*PRODUCT_DIRS, "tests", "bench", "migrations", "scripts")
OUTSIDE = re.compile(r"SPEC\.md|SPEC §|\bseeds? 0\d|\bissue \d", re.IGNORECASE)
POINTER = re.compile(r"docs/([\w-]+\.md)(?: §([^\n()\[\],;:.\"]+))?")
HEADING = re.compile(r"^#+\s+(.*)$", re.MULTILINE)


def _texts(*dirs: str) -> list[tuple[Path, str]]:
    out = []
    for name in dirs:
        for path in sorted((ROOT / name).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path == Path(__file__).resolve():
                continue
            try:
                out.append((path, path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:
                continue  # images and other binaries
    return out


def test_no_pointer_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)}"
        for path, text in _texts(*PRODUCT_DIRS)
        for m in OUTSIDE.finditer(text)
    ]
    assert not found, "point at docs/ (PRODUCT.md, ARCHITECTURE.md, ...) instead:\n" + "\n".join(found)


def test_every_docs_pointer_exists():
    headings: dict[str, list[str]] = {}
    broken = []
    for path, text in _texts(*POINTER_DIRS):
        for m in POINTER.finditer(text):
            doc, section = m.group(1), (m.group(2) or "").strip()
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}"
            target = ROOT / "docs" / doc
            if not target.is_file():
                broken.append(f"{where}: docs/{doc} does not exist")
                continue
            if doc not in headings:
                headings[doc] = [
                    h.strip().lower() for h in HEADING.findall(target.read_text(encoding="utf-8"))
                ]
            if section and not any(h.startswith(section.lower()) for h in headings[doc]):
                broken.append(f"{where}: docs/{doc} has no section starting {section!r}")
    assert not broken, "\n".join(broken)


def test_the_checks_catch_what_they_should():
    assert OUTSIDE.search("see SPEC §5") and OUTSIDE.search("(Seed 004 step 7)")
    assert OUTSIDE.search("seeds 000-002") and OUTSIDE.search("issue 16, item 3")
    assert not OUTSIDE.search("SPEC_HOOKS = [") and not OUTSIDE.search("the security issues below")
    m = POINTER.search("(docs/PRODUCT.md §Cart lock, §Audit)")
    assert m and m.groups() == ("PRODUCT.md", "Cart lock")
