"""E2E tests use the QA kit's pytest plugin (storefront_qa.plugin, registered in tests/conftest.py):
`base_url` (the production build on a free port with a freshly seeded SQLite database), `browser`,
`new_context`, `page`, `store`, and a screenshot plus a trace in test-artifacts/ for every failing test."""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# A store that asks customer service for the customer's verification code, with opt-in consent
# (tests/e2e/test_assist_code.py and the QA contract's journey through those pages share it).
VERIFY_ENV = {"ASSISTANCE_CONSENT": "opt-in", "ASSISTANCE_VERIFY": "code"}


@pytest.fixture(scope="session")
def verify_store(tmp_path_factory, pytestconfig):
    if pytestconfig.getoption("--store-url"):
        pytest.skip("needs a fresh store of its own (not --store-url)")
    from storefront_qa.server import StoreServer

    server = StoreServer(tmp_path_factory.mktemp("assist-code"), env=VERIFY_ENV)
    server.start()
    try:
        yield server
    finally:
        server.stop()
