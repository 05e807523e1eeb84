"""Settings from the environment, one class per environment.

``EXCHANGE_ENV`` chooses the class: ``development`` (the default), ``production`` or ``testing``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(SystemExit):
    """A setting is missing or wrong.

    It is a ``SystemExit`` so that gunicorn and the ``flask`` command stop with the message alone,
    not with a traceback: the person starting the app needs the sentence, not the stack.
    """

    def __init__(self, message: str) -> None:
        super().__init__(f"Configuration error: {message}")
        self.message = message


def normalise_database_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver for PostgreSQL, or raise ``ConfigError``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigError(
            "DATABASE_URL is not a database URL. Use for example "
            "postgresql+psycopg://user:password@host:5432/dbname or sqlite:///path/to/file.db."
        ) from None
    try:
        port = parsed.port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError("DATABASE_URL names a port that is not a number from 1 to 65535.")
    if parsed.drivername in {"postgres", "postgresql", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL uses {parsed.get_backend_name()!r}; "
            "only sqlite and postgresql are supported."
        )
    return parsed.render_as_string(hide_password=False)


def _instance_secret_key(instance_path: Path) -> str:
    """Generate a development secret key once and keep it in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if number < 0:
        raise ConfigError(f"{name} must not be negative.")
    return number


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


class Config:
    ENV_NAME = "development"
    TESTING = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    #: hide_parameters: an error's message and SQLAlchemy's log show the statement, never its
    #: values (names, dates of birth, medical notes…)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    #: make every lazy load that would run SQL an error (the tests turn this on)
    RAISE_ON_LAZY_LOAD = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    LANGUAGES = ("en", "pl")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    #: a session ends after a working day without requests (see exchange.auth.sessions)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    #: … and this long after log-in however busy it is, so a stolen cookie cannot be kept alive
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
    #: where Flask-Limiter counts attempts; "memory://" is per process, use Redis in production
    RATELIMIT_STORAGE_URI = "memory://"
    #: put before every key in that storage: one Redis may serve several sites (or test runs)
    RATELIMIT_KEY_PREFIX = "exchange"
    RATELIMIT_HEADERS_ENABLED = True
    #: failed log-ins allowed per e-mail address from one client address, so a stranger who
    #: uses up the tries of an account does not lock its owner out (the owner is elsewhere)…
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "5 per minute"
    #: … per e-mail address from all client addresses together (a guesser with many addresses)…
    LOGIN_RATE_LIMIT_PER_ACCOUNT_GLOBAL = "50 per hour"
    #: … and per client address, whichever e-mail addresses it tries
    LOGIN_RATE_LIMIT_PER_IP = "20 per minute"
    #: password-reset e-mails that may be asked for
    RESET_LINK_RATE_LIMIT_PER_ACCOUNT = "3 per hour"
    RESET_LINK_RATE_LIMIT_PER_IP = "10 per hour"
    #: how many proxies set X-Forwarded-For / X-Forwarded-Proto in front of the app (0: none)
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    #: the site's address as its users reach it, for links in e-mails: https://exchange.example
    PUBLIC_URL: str | None = None
    #: outgoing e-mail; without MAIL_SERVER messages are written to the log (development only)
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_FROM = "noreply@localhost"
    #: argon2id with OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane)
    PASSWORD_HASH_MEMORY_KIB = 19 * 1024
    PASSWORD_HASH_TIME_COST = 2
    ADMIN_EMAIL = "admin@example.org"
    LOG_LEVEL = "INFO"
    ITEMS_PER_PAGE = 25
    #: rendered list pages each worker keeps until the data changes (0: none; see
    #: exchange/core/fragments.py)
    FRAGMENT_CACHE_SIZE = 256
    #: participants' personal data is anonymised this many months after their last exchange
    RETENTION_MONTHS = 24
    #: requests larger than this answer 413 (participant spreadsheets); the views that take
    #: documents have their own bound, below
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    #: bytes of one document (an exchange's attachment, a signed consent form)
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    #: a request carrying a document: the document and room for the form around it
    DOCUMENT_MAX_CONTENT_LENGTH = DOCUMENT_MAX_BYTES + 256 * 1024
    #: participant imports one user may start
    IMPORT_RATE_LIMIT = "5 per minute"
    #: fetches of personal calendar links per client address (a calendar app fetches a few an
    #: hour; a guesser of tokens many)
    CALENDAR_FEED_RATE_LIMIT = "60 per minute"
    #: whom the public pages of the exchanges tell visitors to ask: city hall's office for the
    #: partner cities (an office's address, never a person's)
    CONTACT_EMAIL: str | None = None
    CONTACT_PHONE: str | None = None
    #: the addressee of a school's notice of a trip abroad, one line each (the education
    #: superintendent of the voivodeship); ``\n`` in the environment separates the lines
    SUPERINTENDENT_ADDRESS = (
        "Warmińsko-Mazurski Kurator Oświaty\nal. Marszałka J. Piłsudskiego 7/9\n10-575 Olsztyn"
    )

    def __init__(self, instance_path: Path) -> None:
        self.instance_path = instance_path
        default_db = f"sqlite:///{instance_path / 'exchange.db'}"
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        )
        self.SECRET_KEY = self.secret_key()
        self.ADMIN_EMAIL = os.environ.get("ADMIN_EMAIL", self.ADMIN_EMAIL)
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", self.LOG_LEVEL)
        self.RETENTION_MONTHS = int(os.environ.get("RETENTION_MONTHS", self.RETENTION_MONTHS))
        self.FRAGMENT_CACHE_SIZE = int(
            os.environ.get("FRAGMENT_CACHE_SIZE", self.FRAGMENT_CACHE_SIZE)
        )
        self.RATELIMIT_STORAGE_URI = (
            os.environ.get("RATELIMIT_STORAGE_URI") or self.RATELIMIT_STORAGE_URI
        )
        self.RATELIMIT_KEY_PREFIX = (
            os.environ.get("RATELIMIT_KEY_PREFIX") or self.RATELIMIT_KEY_PREFIX
        )
        self.PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", self.PROXY_FIX_X_FOR)
        self.PROXY_FIX_X_PROTO = _env_int("PROXY_FIX_X_PROTO", self.PROXY_FIX_X_PROTO)
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL") or self.PUBLIC_URL
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or self.MAIL_SERVER
        self.MAIL_PORT = _env_int("MAIL_PORT", self.MAIL_PORT)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or self.MAIL_USERNAME
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or self.MAIL_PASSWORD
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", self.MAIL_USE_TLS)
        self.MAIL_FROM = os.environ.get("MAIL_FROM") or self.MAIL_FROM
        self.CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL") or self.CONTACT_EMAIL
        self.CONTACT_PHONE = os.environ.get("CONTACT_PHONE") or self.CONTACT_PHONE
        #: where the documents' files are kept: outside the static folder; in production a
        #: volume every app server shares
        self.DOCUMENTS_DIR = os.environ.get("DOCUMENTS_DIR") or str(instance_path / "documents")
        self.SUPERINTENDENT_ADDRESS = (
            os.environ.get("SUPERINTENDENT_ADDRESS", "").replace("\\n", "\n")
            or self.SUPERINTENDENT_ADDRESS
        )

    def secret_key(self) -> str:
        return os.environ.get("SECRET_KEY") or _instance_secret_key(self.instance_path)

    def as_dict(self) -> dict:
        return {
            name: getattr(self, name)
            for name in dir(self)
            if name.isupper() and not name.startswith("_")
        }


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    LOG_LEVEL = "WARNING"

    def secret_key(self) -> str:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise ConfigError(
                "SECRET_KEY must be set to a random string of at least 32 characters in "
                "production, e.g. python -c 'import secrets; print(secrets.token_hex(32))'."
            )
        return key


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    RAISE_ON_LAZY_LOAD = True
    LOG_LEVEL = "WARNING"
    # cheaper hashing keeps the suite fast; the algorithm is the same
    PASSWORD_HASH_MEMORY_KIB = 1024
    PASSWORD_HASH_TIME_COST = 1

    def __init__(self, instance_path: Path) -> None:
        super().__init__(instance_path)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(
            os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        )
        # the tests never reach a real mail server, a Redis or a proxy of the developer's shell
        self.MAIL_SERVER = None
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.PROXY_FIX_X_FOR = self.PROXY_FIX_X_PROTO = 0
        self.PUBLIC_URL = None
        self.CONTACT_EMAIL = self.CONTACT_PHONE = None
        self.SUPERINTENDENT_ADDRESS = Config.SUPERINTENDENT_ADDRESS

    def secret_key(self) -> str:
        return "testing-secret-key-not-for-production"  # noqa: S105


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load_config(instance_path: Path, env_name: str | None = None) -> Config:
    name = env_name or os.environ.get("EXCHANGE_ENV", "development")
    try:
        config_class = CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"EXCHANGE_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}."
        ) from None
    return config_class(instance_path)
