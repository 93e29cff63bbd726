"""Benchmarks: each script says what it measures and how to run it; figures go to docs/benchmarks.md."""
