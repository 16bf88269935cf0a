"""E2E tests use the QA kit's pytest plugin (storefront_qa.plugin, registered in tests/conftest.py):
`base_url` (the production build on a free port with a freshly seeded SQLite database), `browser`,
`new_context`, `page`, `store`, and a screenshot plus a trace in test-artifacts/ for every failing test."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
