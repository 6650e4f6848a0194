"""Settings are parsed once, typed, with demo defaults; production refuses unsafe values by name."""

from __future__ import annotations

import pytest

from integration.settings import DEMO_SECRET_KEY, ConfigError, Settings

REAL_KEY = "4hX1cQ3W0mU1pY6d2l0q0v8yUuN9Xy3m8S1Vw7h7s9E="  # a valid Fernet key for tests only


def test_demo_defaults_are_embedded_sqlite():
    settings = Settings.from_env({})
    assert settings.embedded is True
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("instance/gapline.db")
    assert settings.production is False


def test_values_are_typed_and_urls_normalised():
    settings = Settings.from_env({
        "MAIL_PORT": "2525", "MAIL_USE_TLS": "yes", "REDIS_URL": "redis://h:6379/1",
        "DATABASE_URL": "postgres://u@h/db", "PUBLIC_BASE_URL": "https://g.example/",
    })
    assert settings.mail_port == 2525 and settings.mail_use_tls is True
    assert settings.embedded is False
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.public_base_url == "https://g.example"


def test_malformed_number_names_the_variable():
    with pytest.raises(ConfigError, match="MAIL_PORT must be a whole number"):
        Settings.from_env({"MAIL_PORT": "twenty-five"})


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"TOKEN_ENCRYPTION_KEY": REAL_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": "s3cret-from-vault"}, "TOKEN_ENCRYPTION_KEY"),
        ({"SECRET_KEY": DEMO_SECRET_KEY, "TOKEN_ENCRYPTION_KEY": REAL_KEY}, "SECRET_KEY"),
    ],
)
def test_production_refuses_a_missing_secret_and_names_it(env, missing):
    env = {"GAPLINE_ENV": "production", "DATABASE_URL": "postgresql://db/gapline", **env}
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env)
    assert f"{missing} is missing" in str(refused.value)


def test_production_refuses_sqlite():
    env = {"GAPLINE_ENV": "production", "SECRET_KEY": "s3cret", "TOKEN_ENCRYPTION_KEY": REAL_KEY}
    with pytest.raises(ConfigError, match="DATABASE_URL must point at PostgreSQL"):
        Settings.from_env(env)


def test_production_starts_with_real_secrets():
    env = {"GAPLINE_ENV": "production", "SECRET_KEY": "s3cret", "TOKEN_ENCRYPTION_KEY": REAL_KEY,
           "DATABASE_URL": "postgresql://db/gapline"}
    assert Settings.from_env(env).production is True


def test_create_app_in_production_without_secrets_refuses(monkeypatch):
    from app import create_app

    monkeypatch.setenv("GAPLINE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", REAL_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/gapline")
    with pytest.raises(ConfigError, match="SECRET_KEY is missing"):
        create_app()


def test_as_dict_hides_secrets():
    shown = Settings.from_env({"SECRET_KEY": "hunter2"}).as_dict()
    assert shown["secret_key"] == "***" and "hunter2" not in str(shown)


def test_job_auth_is_a_named_choice():
    assert Settings.from_env({}).procore_job_auth == "service_account"
    assert Settings.from_env({"PROCORE_JOB_AUTH": "company_user"}).procore_job_auth == "company_user"
    with pytest.raises(ConfigError, match="PROCORE_JOB_AUTH must be one of service_account, company_user"):
        Settings.from_env({"PROCORE_JOB_AUTH": "root"})
