"""Password hashing (argon2id). Defaults follow argon2-cffi (RFC 9106 low-memory profile);
the test suite lowers the cost through settings to keep hundreds of sign-ins fast.

Each hash takes ~64 MiB and a core for tens of milliseconds, so at most
``password_hash_slots`` run at once; a caller that cannot get a slot within the write queue
time gets ``HashingBusy`` (the web layer answers 503) instead of piling up threads and memory.
Callers hash outside any database transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from marketreg.platform.settings import get_settings

_settings = get_settings()
_hasher = PasswordHasher(time_cost=_settings.argon2_time_cost, memory_cost=_settings.argon2_memory_kib)
_slots = threading.BoundedSemaphore(_settings.password_hash_slots)


class HashingBusy(Exception):
    """Every hashing slot stayed taken for the whole queue time."""


@contextmanager
def _slot() -> Iterator[None]:
    if not _slots.acquire(timeout=get_settings().write_queue_seconds):
        raise HashingBusy
    try:
        yield
    finally:
        _slots.release()


def hash_password(password: str) -> str:
    with _slot():
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _slot():
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
