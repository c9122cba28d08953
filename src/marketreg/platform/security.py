"""Password hashing (argon2id). Defaults follow argon2-cffi (RFC 9106 low-memory profile);
the test suite lowers the cost through settings to keep hundreds of sign-ins fast."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marketreg.platform.settings import get_settings

_settings = get_settings()
_hasher = PasswordHasher(time_cost=_settings.argon2_time_cost, memory_cost=_settings.argon2_memory_kib)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
