"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from exchange import create_app

app = create_app()

# What is loaded by now (the app, SQLAlchemy, Babel's locale data…) lives as long as the
# worker. Frozen, it is left out of the garbage collector's full passes, which otherwise walk it
# all and stall one request in ten or so: the p95 of a 200-person roster went from 125 ms to
# 37 ms (docs/PERFORMANCE.md).
gc.collect()
gc.freeze()
