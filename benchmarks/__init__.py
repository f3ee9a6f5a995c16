"""Benchmarks: scripts that print tables (run ``python benchmarks/run.py``); never tests."""
