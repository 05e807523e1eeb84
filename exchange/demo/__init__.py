"""Synthetic demo data (``flask --app exchange demo-data``): never imported by the app at run time,
only by the command, the benchmarks and the tests."""
