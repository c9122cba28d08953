"""Settings from the environment (``MARKETREG_*``); refuses default secrets outside development."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - the sentinel that production refuses
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MARKETREG_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEV_SECRET
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'marketreg.db'}"
    # Background jobs: "sqlite" (file queue, consumer threads in the web process),
    # "redis" (separate worker processes), or "immediate" (run inline; tests of task bodies).
    task_backend: Literal["sqlite", "redis", "immediate"] = "sqlite"
    task_sqlite_path: str = str(PROJECT_ROOT / "var" / "tasks.db")
    redis_url: str = "redis://127.0.0.1:6379/0"
    task_workers: int = 2
    # Public portal rate limits (slowapi syntax); storage in Redis when scaled out.
    public_rate_limit: str = "60/minute"
    rate_limit_storage: str = "memory://"
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    session_max_age_seconds: int = 8 * 3600
    import_chunk_rows: int = 50_000  # rows per import transaction (about a second of the SQLite writer)
    # Share of closed complaints and reports picked for a follow-up visit (回访, optional under
    # SAMR Order 121 Art. 26); 0 turns the quality check off.
    complaint_follow_up_share: float = 0.1

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("MARKETREG_SECRET_KEY must be set in production")
        if self.environment == "production" and (self.argon2_time_cost < 2 or self.argon2_memory_kib < 19456):
            raise ValueError("argon2 cost below the OWASP minimum (t>=2, m>=19 MiB) in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
