"""The migrations build exactly the schema the models describe, and can be undone, on both
databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from exchange import create_app
from exchange.extensions import db
from tests.helpers import IsolatedClient, fresh_database, make_config


def _build_app(url: str, tmp_path) -> Flask:
    app = create_app(make_config(url, tmp_path))
    app.test_client_class = IsolatedClient
    return app


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def _differences() -> list:
    """What ``flask db migrate`` would write: the models compared with the migrated database."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_have_a_single_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_migrations_build_the_models_schema_and_go_down_and_up_again(backend, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        app = _build_app(url, tmp_path)
        model_tables = {table.name for table in db.metadata.sorted_tables}
        try:
            with app.app_context():
                assert _tables() == set()

                upgrade()
                assert _tables() == model_tables | {"alembic_version"}
                assert _differences() == []

                downgrade(revision="base")
                assert _tables() == {"alembic_version"}
                with db.engine.connect() as connection:
                    versions = connection.execute(sa.text("SELECT * FROM alembic_version"))
                    assert versions.all() == []

                upgrade()
                assert _tables() == model_tables | {"alembic_version"}
                assert _differences() == []
        finally:
            with app.app_context():
                db.engine.dispose()


def test_migrated_database_works_for_the_app(backend, tmp_path):
    """A freshly migrated database takes the seed and serves the public pages."""
    with fresh_database(backend, tmp_path) as url:
        app = _build_app(url, tmp_path)
        try:
            with app.app_context():
                upgrade()
            result = app.test_cli_runner().invoke(args=["seed"])
            assert result.exit_code == 0, result.output
            response = app.test_client().get("/partners/")
            assert response.status_code == 200
            assert "Province of Perugia" in response.get_data(as_text=True)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
