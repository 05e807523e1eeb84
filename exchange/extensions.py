"""The Flask extensions, created once and bound to the app in ``create_app``."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy as BaseSQLAlchemy
from flask_wtf import CSRFProtect

from exchange.db import Base, render_migration_item


class SQLAlchemy(BaseSQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        """Flask-SQLAlchemy's, with ``?page=`` clamped to what the database can count to
        (``?page=9223372036854775808`` would overflow the query's OFFSET)."""
        if page is None:
            from exchange.core.bounds import page_number

            page = page_number()
        return super().paginate(select, page=page, **kwargs)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # mypy cannot take a base class from an attribute (python/mypy#8603); ``db.Model`` is
    # ``Base`` with Flask-SQLAlchemy's table-name and bind mixins, so the models type as Base's
    Model = Base
else:
    Model = db.Model

migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_item)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
#: no default limits: the views that need one (log-in, password reset) say so; the storage
#: comes from RATELIMIT_STORAGE_URI
limiter = Limiter(key_func=get_remote_address)
