"""Settings from the environment: clear refusals for what cannot work, safe defaults otherwise."""

from __future__ import annotations

import stat

import pytest

from exchange.config import (
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    load_config,
    normalise_database_url,
)

GOOD_SECRET = "0123456789abcdef" * 4


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "EXCHANGE_ENV",
        "ADMIN_EMAIL",
        "LOG_LEVEL",
        "TEST_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


# --- DATABASE_URL ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["not a url", "localhost:5432/exchange", "://nothing"])
def test_malformed_database_url_is_a_clear_config_error(url):
    with pytest.raises(ConfigError) as raised:
        normalise_database_url(url)
    assert "DATABASE_URL is not a database URL" in raised.value.message
    assert "postgresql+psycopg://" in raised.value.message  # an example of a good one
    assert str(raised.value.code).startswith("Configuration error: ")


def test_malformed_database_url_in_the_environment_stops_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "no database here")
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config(tmp_path, "development")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://ola:s3cret@db.example:5432/exchange",
         "postgresql+psycopg://ola:s3cret@db.example:5432/exchange"),
        ("postgresql://ola:s3cret@db.example/exchange",
         "postgresql+psycopg://ola:s3cret@db.example/exchange"),
        ("postgresql+psycopg2://ola@localhost/exchange",
         "postgresql+psycopg://ola@localhost/exchange"),
        ("postgresql+psycopg://ola@localhost/exchange",
         "postgresql+psycopg://ola@localhost/exchange"),
        ("sqlite:////var/lib/exchange/exchange.db", "sqlite:////var/lib/exchange/exchange.db"),
    ],
)  # fmt: skip
def test_postgres_urls_get_the_psycopg3_driver(url, expected):
    assert normalise_database_url(url) == expected


def test_database_url_from_the_environment_is_normalised(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://ola:s3cret@db.example/exchange")
    config = load_config(tmp_path, "development")
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://ola:s3cret@db.example/exchange"


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/exchange", "mysql+pymysql://root@localhost/exchange"]
)
def test_mysql_is_refused(url):
    with pytest.raises(ConfigError) as raised:
        normalise_database_url(url)
    assert "mysql" in raised.value.message
    assert "only sqlite and postgresql are supported" in raised.value.message


def test_without_database_url_development_uses_sqlite_in_the_instance_folder(tmp_path):
    settings = load_config(tmp_path, "development").as_dict()
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'exchange.db'}"


# --- SECRET_KEY -----------------------------------------------------------------------------


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, "production")
    assert not (tmp_path / "secret_key").exists()  # no silently generated key


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_production_with_a_short_secret_key_refuses_to_start(monkeypatch, tmp_path, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_config(tmp_path, "production")


def test_production_environment_variable_chooses_production(monkeypatch, tmp_path):
    monkeypatch.setenv("EXCHANGE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path)
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    config = load_config(tmp_path)
    assert isinstance(config, ProductionConfig)
    assert config.SECRET_KEY == GOOD_SECRET


def test_development_generates_a_secret_key_once_and_reuses_it(tmp_path):
    instance = tmp_path / "instance"  # created when missing
    first = load_config(instance, "development")
    key_file = instance / "secret_key"
    assert key_file.read_text() == first.SECRET_KEY
    assert len(first.SECRET_KEY) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by the owner only

    second = load_config(instance, "development")
    assert second.SECRET_KEY == first.SECRET_KEY  # sessions survive a restart

    elsewhere = load_config(tmp_path / "other", "development")
    assert elsewhere.SECRET_KEY != first.SECRET_KEY


def test_development_uses_secret_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    config = load_config(tmp_path, "development")
    assert config.SECRET_KEY == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_the_kept_lists_are_set_from_the_environment(monkeypatch, tmp_path):
    assert load_config(tmp_path, "development").FRAGMENT_CACHE_SIZE == 256
    monkeypatch.setenv("FRAGMENT_CACHE_SIZE", "0")
    assert load_config(tmp_path, "development").FRAGMENT_CACHE_SIZE == 0


# --- EXCHANGE_ENV ---------------------------------------------------------------------------


def test_default_environment_is_development(tmp_path):
    assert isinstance(load_config(tmp_path), DevelopmentConfig)


@pytest.mark.parametrize("name", ["prod", "Production", "staging"])
def test_unknown_environment_is_refused(monkeypatch, tmp_path, name):
    monkeypatch.setenv("EXCHANGE_ENV", name)
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert repr(name) in raised.value.message
    assert "development, production, testing" in raised.value.message


def test_unknown_environment_given_to_create_app_is_refused():
    from exchange import create_app

    with pytest.raises(ConfigError, match="EXCHANGE_ENV='staging' is unknown"):
        create_app(env="staging")


# --- cookies --------------------------------------------------------------------------------


def test_production_cookies_are_sent_over_https_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    settings = load_config(tmp_path, "production").as_dict()
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_cookies_work_over_plain_http(tmp_path):
    settings = load_config(tmp_path, "development").as_dict()
    assert settings.get("SESSION_COOKIE_SECURE", False) is False
