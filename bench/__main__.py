"""`python -m bench [--suite find,locks,events,pageload] [options]`.

The default suite is `find` (the find-customer benchmark, bench.find_customer), as before. Other suites:
`locks` (bench.locks), `events` (bench.events), `pageload` (bench.pageload), `unitofwork`
(bench.unitofwork: the database part of an add-to-cart alone, in process), `statewrites`
(bench.statewrites: one worker's states written to disk after an event, Reflex's way and the store's). Each
suite reads the options it knows; see `python -m bench --help` for find's, and each module's docstring for the others.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SUITES = ("find", "locks", "events", "pageload", "unitofwork", "statewrites")
EXTRA_OUTPUT = Path(__file__).resolve().parent / "results_extra.json"


def split_suite(argv: list[str]) -> tuple[list[str], list[str]]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--suite", default="find")
    known, rest = parser.parse_known_args(argv)
    suites = [s.strip() for s in known.suite.split(",") if s.strip()]
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {unknown}; choose from {','.join(SUITES)}")
    return suites, rest


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    suites, rest = split_suite(argv)
    status = 0
    extra: dict = {}
    for suite in suites:
        if suite == "find":
            from bench import find_customer

            status = max(status, find_customer.main(_find_args(rest)))
            continue
        if suite == "locks":
            from bench import locks as module
        elif suite == "events":
            from bench import events as module
        elif suite == "unitofwork":
            from bench import unitofwork as module
        elif suite == "statewrites":
            from bench import statewrites as module
        else:
            from bench import pageload as module
        try:
            extra[suite] = module.main(rest)
        except Exception as e:  # noqa: BLE001 - a benchmark reports, it never fails the run on a figure
            print(f"!! {suite}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            extra[suite] = {"error": f"{type(e).__name__}: {e}"}
            status = 1
    if extra:
        EXTRA_OUTPUT.write_text(json.dumps(extra, indent=2, default=str) + "\n")
        print(f"\nwrote {EXTRA_OUTPUT}")
    return status


def _find_args(rest: list[str]) -> list[str]:
    """Drop the options only the other suites know, so find's strict parser accepts the rest."""
    out, i = [], 0
    while i < len(rest):
        arg = rest[i]
        name = arg.split("=", 1)[0]
        if name.startswith("--") and name not in _find_options():
            i += 1 if "=" in arg or i + 1 >= len(rest) or rest[i + 1].startswith("--") else 2
            continue
        out.append(arg)
        i += 1
    return out


def _find_options() -> set[str]:
    return {
        "--sizes",
        "--databases",
        "--iterations",
        "--warmup",
        "--mixes",
        "--output",
        "--markdown",
        "-h",
        "--help",
    }


if __name__ == "__main__":
    sys.exit(main())
