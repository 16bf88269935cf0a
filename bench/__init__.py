"""Benchmarks for the performance targets of docs/PRODUCT.md §Quality bars (run with `python -m bench` or
`make bench`).

Benchmarks measure and report; they never fail on a time. Results go to bench/results.json (gitignored);
figures worth keeping are written up by hand in bench/RESULTS.md.
"""
