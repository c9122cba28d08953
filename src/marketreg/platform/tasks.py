"""Background jobs through one facade over huey.

Embedded default: a SQLite-file queue with consumer threads inside the web process.
Scaled out: Redis, with ``marketreg worker`` processes on as many machines as needed (run
the periodic scheduler on exactly one of them: ``--no-periodic`` on the others).
Tasks take ids, never objects (huey pickles arguments), and must be idempotent. Periodic
schedules are in Asia/Shanghai (``utc=False`` with the process clock set to that zone by
``make_huey``): huey's crontab is UTC by default, so "02:10" used to run at 10:10 Beijing time.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey import crontab as utc_crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer

from marketreg.kernel.clock import BUSINESS_TZ
from marketreg.platform.settings import Settings, get_settings

log = logging.getLogger(__name__)


def make_huey(settings: Settings, name: str = "marketreg") -> Huey:
    if settings.task_backend == "redis":
        return RedisHuey(name, url=settings.redis_url)
    if settings.task_backend == "immediate":
        return MemoryHuey(name, immediate=True)
    from pathlib import Path

    Path(settings.task_sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=settings.task_sqlite_path)


huey: Huey = make_huey(get_settings())
task = huey.task
periodic = huey.periodic_task
__all__ = ["crontab", "huey", "kick", "periodic", "task"]


def crontab(**fields: str) -> Callable[[dt.datetime], bool]:
    """huey's crontab read on the China clock: huey hands periodic checks a naive UTC timestamp."""
    matches = utc_crontab(**fields)

    def in_china(timestamp: dt.datetime) -> bool:
        return matches(timestamp.replace(tzinfo=dt.UTC).astimezone(BUSINESS_TZ).replace(tzinfo=None))

    return in_china


_last_kick: dict[str, float] = {}
_kick_lock = threading.Lock()


def kick(job: TaskWrapper, *, window: float = 1.0) -> None:
    """Queue a draining job (one that processes everything pending) to run ``window`` seconds
    from now, unless this process queued one within the window: commits in a burst share one
    run instead of one queue write each. The inline test backend leaves draining to explicit
    calls (a delayed task never runs there)."""
    if huey.immediate:
        return
    now = time.monotonic()
    with _kick_lock:
        if now - _last_kick.get(job.name, -math.inf) < window:
            return
        _last_kick[job.name] = now
    try:
        job.schedule(delay=window)
    except Exception:  # called after a commit: the periodic run picks the work up instead
        log.exception("could not queue %s", job.name)


class _EmbeddedConsumer(Consumer):
    """A consumer that lives inside the web process: it must not take over the server's
    signal handlers."""

    def _set_signal_handlers(self) -> None:
        return None


class EmbeddedWorkers:
    """Consumer threads started and stopped with the web application."""

    def __init__(self, instance: Huey, workers: int):
        self.consumer = _EmbeddedConsumer(instance, workers=workers, worker_type="thread", periodic=True)
        self._lock = threading.Lock()
        self.running = False

    def start(self) -> None:
        with self._lock:
            if not self.running and not self.consumer.huey.immediate:
                self.consumer.start()
                self.running = True
                log.info("embedded task workers started")

    def stop(self) -> None:
        with self._lock:
            if self.running:
                self.consumer.stop(graceful=True)
                self.running = False


def run_worker(*, workers: int, periodic_tasks: bool) -> None:
    """A separate worker process (``marketreg worker``), for the Redis backend."""
    Consumer(huey, workers=workers, worker_type="thread", periodic=periodic_tasks).run()
