"""Settings from the environment (``MARKETREG_*``); refuses default secrets outside development."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - the sentinel that production refuses
DEV_AUDIT_KEY = "dev-only-audit-key-change-me"  # the audit chain's key sentinel, refused in production too
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
    # Files shared by the web process and the workers (uploads, the audit chain's anchored head):
    # on a shared volume when workers run on other machines.
    storage_dir: str = str(PROJECT_ROOT / "var")
    # The audit chain's HMAC-SM3 key: kept outside the database so that whoever can rewrite the
    # audit table cannot recompute the chain. MARKETREG_AUDIT_KEY, or a file holding it.
    audit_key: str = DEV_AUDIT_KEY
    audit_key_file: str = ""
    task_workers: int = 2
    # Public portal rate limits (slowapi syntax); storage in Redis when scaled out.
    public_rate_limit: str = "60/minute"
    rate_limit_storage: str = "memory://"
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # Sign-in: free failures per account name and per client address within the window, then a
    # doubling delay between attempts up to the cap (never a lockout); hashes computed at once.
    login_free_failures_per_account: int = 5
    login_free_failures_per_address: int = 20
    login_window_seconds: int = 900
    login_max_delay_seconds: int = 60
    password_hash_slots: int = 2
    # Requests: bodies arrive whole before the app runs (larger for bulk imports), within a time;
    # at most ``write_slots`` write requests inside at once, the rest queue up to
    # ``write_queue_seconds`` and then answer 503 with Retry-After.
    max_body_mb: int = 25
    body_timeout_seconds: float = 60.0
    write_slots: int = 4
    write_queue_seconds: float = 15.0
    retry_after_seconds: int = 5
    # Evidence attachments of one filing or record, all files together.
    attachments_max_total_mb: int = 20
    # Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks); none by default,
    # so a client cannot pick its own address for rate limits and audit.
    trusted_proxies: list[str] = []
    session_max_age_seconds: int = 8 * 3600
    import_chunk_rows: int = 50_000  # rows per import transaction (about a second of the SQLite writer)
    # Share of closed complaints and reports picked for a follow-up visit (回访, optional under
    # SAMR Order 121 Art. 26); 0 turns the quality check off.
    complaint_follow_up_share: float = 0.1

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError("MARKETREG_SECRET_KEY must be set in production")
        if self.environment == "production" and self.audit_key_bytes() == DEV_AUDIT_KEY.encode():
            raise ValueError("MARKETREG_AUDIT_KEY (or MARKETREG_AUDIT_KEY_FILE) must be set in production")
        if self.environment == "production" and (self.argon2_time_cost < 2 or self.argon2_memory_kib < 19456):
            raise ValueError("argon2 cost below the OWASP minimum (t>=2, m>=19 MiB) in production")
        return self

    def audit_key_bytes(self) -> bytes:
        if self.audit_key_file:
            return Path(self.audit_key_file).read_bytes().strip()
        return self.audit_key.encode()

    def storage_path(self, *parts: str) -> Path:
        """A path under the shared storage location, its folder created."""
        path = Path(self.storage_dir, *parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


@lru_cache
def get_settings() -> Settings:
    return Settings()
