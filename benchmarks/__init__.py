"""Benchmarks at 25 years of data (``make bench``); not part of ``make test``."""
