"""Settings: read from the environment once, typed, with safe embedded defaults for the demo."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The demo's secrets are public on purpose; production refuses to start with them.
DEMO_SECRET_KEY = "gapline-demo-secret-key-not-for-production"
DEMO_TOKEN_KEY = "Z2FwbGluZS1kZW1vLXRva2VuLWtleS0zMi1ieXRlcyE="  # urlsafe base64 of 32 bytes
DEMO_CLIENT_SECRET = "gapline-demo-secret"  # the sandbox emulator's registered app
EMULATOR_BASE = "http://127.0.0.1:5001"  # where `make run` starts the Procore sandbox emulator
ENVIRONMENTS = ("development", "test", "production")
MIN_SECRET_KEY_BYTES = 32

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or malformed."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int, *, low: int | None = None,
         high: int | None = None) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must be 0 or more seconds, got {raw!r}")
    return value


def _time_of_day(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    hour, _, minute = raw.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60 and len(minute) == 2):
        raise ConfigError(f"{name} must be a time of day as HH:MM (24-hour), got {raw!r}")
    return f"{int(hour):02d}:{minute}"


def _timezone(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip() or default
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"{name} must be an IANA timezone such as America/New_York, got {raw!r}") from exc
    return raw


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Every setting Gapline reads, parsed once at start-up."""

    env: str = "development"
    secret_key: str = DEMO_SECRET_KEY
    token_encryption_key: str = DEMO_TOKEN_KEY
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'gapline.db'}"
    redis_url: str = ""
    procore_client_id: str = "gapline-demo"
    procore_client_secret: str = DEMO_CLIENT_SECRET
    procore_api_base: str = EMULATOR_BASE
    procore_login_base: str = EMULATOR_BASE
    public_base_url: str = "http://127.0.0.1:5000"
    # Who background jobs act as: the app's service account (client credentials, Procore's DMSA model)
    # or the admin who connected the company (their refreshed authorization-code token).
    procore_job_auth: str = "service_account"
    mail_server: str = ""
    mail_port: int = 25
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_default_sender: str = "Gapline <no-reply@gapline.local>"
    storage_path: str = str(INSTANCE_DIR / "storage")
    s3_bucket: str = ""  # set: documents go to this S3-compatible bucket instead of STORAGE_PATH
    s3_endpoint_url: str = ""  # for MinIO, R2 and other S3-compatible services
    s3_region: str = ""
    s3_prefix: str = "documents"
    # A session lasts a working day at most, and ends sooner after this long without a request.
    session_lifetime_hours: int = 12
    session_idle_minutes: int = 120
    # The most one web request may wait on Procore in all (gunicorn kills a request after 60 s).
    procore_request_seconds: int = 20
    # A status change reaches Procore after the debounce; under a stream of changes, pushes of one company
    # start at most once per interval (15 s: 240 writes an hour at worst, well inside a 600-an-hour limit).
    push_debounce_seconds: float = 3.0
    push_min_interval_seconds: float = 15.0
    # The nightly reconcile with Procore: a time of day (HH:MM) in a timezone.
    reconcile_at: str = "02:00"
    reconcile_timezone: str = "America/New_York"
    # The demo's SQLite: how long a write waits for another writer before the page says "busy, try again".
    sqlite_busy_seconds: float = 5.0

    @property
    def embedded(self) -> bool:
        """True when jobs run in-process (no Redis configured)."""
        return not self.redis_url

    @property
    def production(self) -> bool:
        """True when GAPLINE_ENV=production."""
        return self.env == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Parse settings from environment variables (os.environ by default)."""
        env = os.environ if env is None else env
        d = cls()
        settings = cls(
            env=_choice(env, "GAPLINE_ENV", ENVIRONMENTS, d.env),
            secret_key=env.get("SECRET_KEY", "") or d.secret_key,
            token_encryption_key=env.get("TOKEN_ENCRYPTION_KEY", "") or d.token_encryption_key,
            database_url=_normalise_db_url(env.get("DATABASE_URL", "") or d.database_url),
            redis_url=env.get("REDIS_URL", ""),
            procore_client_id=env.get("PROCORE_CLIENT_ID", "") or d.procore_client_id,
            procore_client_secret=env.get("PROCORE_CLIENT_SECRET", "") or d.procore_client_secret,
            procore_api_base=(env.get("PROCORE_API_BASE", "") or d.procore_api_base).rstrip("/"),
            procore_login_base=(env.get("PROCORE_LOGIN_BASE", "") or d.procore_login_base).rstrip("/"),
            public_base_url=(env.get("PUBLIC_BASE_URL", "") or d.public_base_url).rstrip("/"),
            procore_job_auth=_choice(env, "PROCORE_JOB_AUTH", ("service_account", "company_user"), d.procore_job_auth),
            mail_server=env.get("MAIL_SERVER", ""),
            mail_port=_int(env, "MAIL_PORT", d.mail_port),
            mail_username=env.get("MAIL_USERNAME", ""),
            mail_password=env.get("MAIL_PASSWORD", ""),
            mail_use_tls=_bool(env.get("MAIL_USE_TLS"), d.mail_use_tls),
            mail_default_sender=env.get("MAIL_DEFAULT_SENDER", "") or d.mail_default_sender,
            storage_path=env.get("STORAGE_PATH", "") or d.storage_path,
            s3_bucket=env.get("S3_BUCKET", ""),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL", ""),
            s3_region=env.get("S3_REGION", ""),
            s3_prefix=env.get("S3_PREFIX", "") or d.s3_prefix,
            session_lifetime_hours=_int(env, "SESSION_LIFETIME_HOURS", d.session_lifetime_hours, low=1, high=24),
            session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", d.session_idle_minutes, low=5, high=24 * 60),
            procore_request_seconds=_int(env, "PROCORE_REQUEST_SECONDS", d.procore_request_seconds, low=1, high=45),
            push_debounce_seconds=_seconds(env, "PUSH_DEBOUNCE_SECONDS", d.push_debounce_seconds),
            push_min_interval_seconds=_seconds(env, "PUSH_MIN_INTERVAL_SECONDS", d.push_min_interval_seconds),
            reconcile_at=_time_of_day(env, "RECONCILE_AT", d.reconcile_at),
            reconcile_timezone=_timezone(env, "RECONCILE_TIMEZONE", d.reconcile_timezone),
            sqlite_busy_seconds=_seconds(env, "SQLITE_BUSY_SECONDS", d.sqlite_busy_seconds),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse unsafe production settings, naming each variable and why it is unsafe."""
        if not self.production:
            return
        problems = _production_problems(self)
        if problems:
            raise ConfigError("GAPLINE_ENV=production refuses to start:\n  - " + "\n  - ".join(problems))

    def flask_config(self) -> dict:
        """The Flask config keys derived from these settings."""
        return {
            "GAPLINE": self,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options(),
            "SESSION_COOKIE_SECURE": self.production,
            # Procore frames the app on another site: the session cookie must cross sites, and browsers
            # that block third-party cookies in frames keep a partitioned one (CHIPS) for Procore's site.
            "SESSION_COOKIE_SAMESITE": "None" if self.production else "Lax",
            "SESSION_COOKIE_PARTITIONED": self.production,
            "SESSION_COOKIE_HTTPONLY": True,
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=self.session_lifetime_hours),
            # The cookie is signed and sent again only when the session changes: its idle clock moves at most once
            # a minute (embedded_views.auth.SEEN_RESOLUTION), which keeps its expiry fresh, and a page served from
            # the kept table pages costs no signing.
            "SESSION_REFRESH_EACH_REQUEST": False,
            "MAX_CONTENT_LENGTH": 6 * 25 * 1024 * 1024 + 1024 * 1024,
        }

    def engine_options(self) -> dict:
        """SQLAlchemy engine options: SQLite waits ``sqlite_busy_seconds`` for the write lock."""
        options: dict = {"pool_pre_ping": True}
        if self.database_url.startswith("sqlite"):
            options["connect_args"] = {"timeout": self.sqlite_busy_seconds}
        return options

    def as_dict(self) -> dict:
        """Settings without secrets, for the health page and logs."""
        hidden = {"secret_key", "token_encryption_key", "procore_client_secret", "mail_password"}
        return {k: ("***" if k in hidden and v else v) for k, v in asdict(self).items()}


def _production_problems(settings: Settings) -> list[str]:
    """Each unsafe production setting, naming the variable and why it is unsafe."""
    problems = []
    if settings.secret_key == DEMO_SECRET_KEY:
        problems.append("SECRET_KEY is missing or still the demo value")
    elif len(settings.secret_key.encode()) < MIN_SECRET_KEY_BYTES or len(set(settings.secret_key)) < 8:
        problems.append(f"SECRET_KEY must hold at least {MIN_SECRET_KEY_BYTES} bytes of randomness (this one has "
                        f"{len(settings.secret_key.encode())}); generate one with "
                        "python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    if settings.token_encryption_key == DEMO_TOKEN_KEY:
        problems.append("TOKEN_ENCRYPTION_KEY is missing or still the demo value")
    if settings.procore_client_secret == DEMO_CLIENT_SECRET:
        problems.append("PROCORE_CLIENT_SECRET is missing or still the demo emulator's secret")
    for name, value in (("PROCORE_API_BASE", settings.procore_api_base),
                        ("PROCORE_LOGIN_BASE", settings.procore_login_base)):
        if value == EMULATOR_BASE:
            problems.append(f"{name} is unset, so it points at the demo's Procore emulator ({EMULATOR_BASE}); "
                            "set Procore's https host")
        elif not value.startswith("https://"):
            problems.append(f"{name} must be an https:// URL (tokens travel on it), got {value!r}")
    if not settings.public_base_url.startswith("https://"):
        problems.append(f"PUBLIC_BASE_URL must be an https:// URL (sessions and links are secure-only), "
                        f"got {settings.public_base_url!r}")
    if settings.database_url.startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    if not settings.redis_url:
        problems.append("REDIS_URL is unset, so jobs would run inside web requests, past gunicorn's 60 s timeout")
    if not settings.mail_server:
        problems.append("MAIL_SERVER is unset, so emails would reach only the demo's dev mailbox page, not people")
    return problems


def _normalise_db_url(url: str) -> str:
    """Use the psycopg 3 driver for postgres URLs given in the common Heroku form."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
