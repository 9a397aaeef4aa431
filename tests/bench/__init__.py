"""The benchmark's machinery: settings, a minimal view, measuring and load.

`python -m tests.bench` (cli.py) drives it (see BENCHMARKS.md); nothing here runs
in the test suite except through tests/test_benchmark_command.py on tiny sizes.
"""
