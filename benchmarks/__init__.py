"""Benchmarks of the project: command-line tools that print and write figures, run as
modules from the project root (`python -m benchmarks.compare ...`), and the helpers
they share. See docs/benchmarks.md."""
