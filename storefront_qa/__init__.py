"""QA kit for the Harbor & Pine store: page objects, a server starter and a pytest plugin.

- `storefront_qa.pages`: page objects over the data-testid contract (docs/QA.md), `Store` bundles them.
- `storefront_qa.journeys`: a browser per person (`shopper`, `staff`, `on_behalf_of`) and shared journeys
  (`three_browsers`, `csr_opens_more_tabs`).
- `storefront_qa.server`: `StoreServer`, the production build on a free port with a freshly seeded database.
- `storefront_qa.plugin`: pytest fixtures `store_server`, `base_url`, `browser`, `new_context`, `page`,
  `store`, `store_db`, `mail_outbox`, and a screenshot plus a Playwright trace for every failing test.
- `storefront_qa.raw_client`: a browser session over the raw websocket, for forged events (`signed_in`,
  `run_sync`).
- `storefront_qa.live_truth`: this repository's live-truth matrix (needs the project's models).
- `storefront_qa.demo`: the seeded demo identities and the test card.
"""
