"""`python -m bench [options]`: run every benchmark available (today: find customer).

The options are those of bench.find_customer; see `python -m bench --help`.
"""

from __future__ import annotations

import sys

from bench import find_customer

BENCHMARKS = [find_customer]


def main(argv: list[str] | None = None) -> int:
    status = 0
    for module in BENCHMARKS:
        status = max(status, module.main(argv))
    return status


if __name__ == "__main__":
    sys.exit(main())
