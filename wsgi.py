"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

from exchange import create_app

app = create_app()
