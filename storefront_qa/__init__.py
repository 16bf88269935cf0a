"""QA kit for the Harbor & Pine store: page objects, a server starter and a pytest plugin.

- `storefront_qa.pages`: page objects over the data-testid contract (docs/QA.md), `Store` bundles them.
- `storefront_qa.server`: `StoreServer`, the production build on a free port with a freshly seeded database.
- `storefront_qa.plugin`: pytest fixtures `store_server`, `base_url`, `browser`, `new_context`, `page`,
  `store`, and a screenshot plus a Playwright trace for every failing test.
- `storefront_qa.demo`: the seeded demo identities and the test card.
"""
