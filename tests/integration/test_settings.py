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


REAL_SECRET = "p9Zk3Qv7Lw2Rt8Yx1Bn6Mc4Hd0Fg5Js-aEiOuT"  # 40 bytes, varied: what secrets.token_urlsafe gives
SAFE_PRODUCTION = {
    "GAPLINE_ENV": "production", "SECRET_KEY": REAL_SECRET, "TOKEN_ENCRYPTION_KEY": REAL_KEY,
    "DATABASE_URL": "postgresql://db/gapline", "REDIS_URL": "redis://redis:6379/0",
    "PROCORE_CLIENT_ID": "gapline-prod", "PROCORE_CLIENT_SECRET": "a-real-client-secret-from-procore",
    "PROCORE_API_BASE": "https://api.procore.com", "PROCORE_LOGIN_BASE": "https://login.procore.com",
    "PUBLIC_BASE_URL": "https://gapline.example.com", "MAIL_SERVER": "smtp.example.com",
}


def refusal(**changes: str | None) -> str:
    """The start-up refusal for the safe production settings with ``changes`` (None unsets a variable)."""
    env = {**SAFE_PRODUCTION, **changes}
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({k: v for k, v in env.items() if v is not None})
    return str(refused.value)


def test_production_starts_with_safe_settings():
    settings = Settings.from_env(SAFE_PRODUCTION)
    assert settings.production is True and settings.embedded is False


def test_an_unknown_environment_is_refused_by_name():
    assert "GAPLINE_ENV must be one of development, test, production, got 'prod'" in refusal(GAPLINE_ENV="prod")


@pytest.mark.parametrize(("changes", "message"), [
    ({"SECRET_KEY": None}, "SECRET_KEY is missing or still the demo value"),
    ({"SECRET_KEY": DEMO_SECRET_KEY}, "SECRET_KEY is missing or still the demo value"),
    ({"SECRET_KEY": "x"}, "SECRET_KEY must hold at least 32 bytes of randomness (this one has 1)"),
    ({"SECRET_KEY": "a" * 40}, "SECRET_KEY must hold at least 32 bytes of randomness"),
    ({"TOKEN_ENCRYPTION_KEY": None}, "TOKEN_ENCRYPTION_KEY is missing or still the demo value"),
    ({"PROCORE_CLIENT_SECRET": None}, "PROCORE_CLIENT_SECRET is missing or still the demo emulator's secret"),
    ({"PROCORE_CLIENT_SECRET": "gapline-demo-secret"}, "PROCORE_CLIENT_SECRET is missing or still the demo"),
    ({"PROCORE_API_BASE": None}, "PROCORE_API_BASE is unset, so it points at the demo's Procore emulator"),
    ({"PROCORE_LOGIN_BASE": None}, "PROCORE_LOGIN_BASE is unset, so it points at the demo's Procore emulator"),
    ({"PROCORE_API_BASE": "http://api.procore.com"}, "PROCORE_API_BASE must be an https:// URL"),
    ({"PUBLIC_BASE_URL": "http://gapline.example.com"}, "PUBLIC_BASE_URL must be an https:// URL"),
    ({"PUBLIC_BASE_URL": None}, "PUBLIC_BASE_URL must be an https:// URL"),
    ({"DATABASE_URL": None}, "DATABASE_URL must point at PostgreSQL in production"),
    ({"REDIS_URL": None}, "REDIS_URL is unset, so jobs would run inside web requests, past gunicorn's 60 s"),
    ({"MAIL_SERVER": None}, "MAIL_SERVER is unset, so emails would reach only the demo's dev mailbox page"),
])
def test_production_refuses_each_unsafe_setting_and_names_it(changes, message):
    assert message in refusal(**changes)


def test_every_unsafe_setting_is_named_at_once():
    message = refusal(SECRET_KEY="short", REDIS_URL=None, PUBLIC_BASE_URL="http://g.example")
    assert all(name in message for name in ("SECRET_KEY", "REDIS_URL", "PUBLIC_BASE_URL"))


def test_development_keeps_its_demo_defaults():
    assert Settings.from_env({"GAPLINE_ENV": "development", "SECRET_KEY": "x"}).secret_key == "x"


def test_create_app_in_production_without_secrets_refuses(monkeypatch):
    from app import create_app

    for name, value in SAFE_PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ConfigError, match="SECRET_KEY is missing"):
        create_app()


def test_production_cookies_cross_sites_partitioned_and_secure():
    config = Settings.from_env(SAFE_PRODUCTION).flask_config()
    assert config["SESSION_COOKIE_SECURE"] is True and config["SESSION_COOKIE_SAMESITE"] == "None"
    assert config["SESSION_COOKIE_PARTITIONED"] is True and config["SESSION_COOKIE_HTTPONLY"] is True
    assert Settings.from_env({}).flask_config()["SESSION_COOKIE_PARTITIONED"] is False


def test_session_lifetimes_are_settings_with_bounds():
    settings = Settings.from_env({"SESSION_LIFETIME_HOURS": "10", "SESSION_IDLE_MINUTES": "30"})
    assert (settings.session_lifetime_hours, settings.session_idle_minutes) == (10, 30)
    assert Settings.from_env({}).flask_config()["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
    with pytest.raises(ConfigError, match="SESSION_LIFETIME_HOURS must be between 1 and 24, got 744"):
        Settings.from_env({"SESSION_LIFETIME_HOURS": "744"})
    with pytest.raises(ConfigError, match="PROCORE_REQUEST_SECONDS must be between 1 and 45, got 123"):
        Settings.from_env({"PROCORE_REQUEST_SECONDS": "123"})


def test_as_dict_hides_secrets():
    shown = Settings.from_env({"SECRET_KEY": "hunter2"}).as_dict()
    assert shown["secret_key"] == "***" and "hunter2" not in str(shown)


def test_job_auth_is_a_named_choice():
    assert Settings.from_env({}).procore_job_auth == "service_account"
    assert Settings.from_env({"PROCORE_JOB_AUTH": "company_user"}).procore_job_auth == "company_user"
    with pytest.raises(ConfigError, match="PROCORE_JOB_AUTH must be one of service_account, company_user"):
        Settings.from_env({"PROCORE_JOB_AUTH": "root"})
