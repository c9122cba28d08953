"""Rate limits per client (slowapi; Redis storage when scaled out) and the sign-in throttle.

The client is the connection's peer address, or the address a *configured* reverse proxy
reports in ``X-Forwarded-For`` (``MARKETREG_TRUSTED_PROXIES``; none by default, so a client
cannot choose its own address). The public portal's routes share one bucket per client, so a
client cannot multiply its allowance by spreading requests over routes.
"""

from __future__ import annotations

import ipaddress
import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits.storage import Storage, storage_from_string
from slowapi import Limiter
from starlette.requests import Request

from marketreg.platform.settings import get_settings

_settings = get_settings()


@lru_cache
def _trusted(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted(tuple(get_settings().trusted_proxies)))


def client_address(request: Request) -> str:
    """The client's address: the peer, or — behind trusted proxies only — the nearest address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (entries further left are the
    client's own claims)."""
    peer = request.client.host if request.client else "unknown"
    if not _is_trusted(peer):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            return hop
    return peer


limiter = Limiter(key_func=client_address, storage_uri=_settings.rate_limit_storage, headers_enabled=False)
public_limit = limiter.shared_limit(lambda: get_settings().public_rate_limit, scope="public")


@dataclass(frozen=True, slots=True)
class Rule:
    """``free`` failures within ``window`` seconds cost nothing; each further failure doubles the
    wait before the next attempt (1 s, 2 s, 4 s …) up to ``cap`` seconds."""

    scope: str
    free: int
    window: int
    cap: int

    def delay(self, failures: int) -> int:
        return 0 if failures < self.free else min(self.cap, 2 ** (failures - self.free))


class LoginThrottle:
    """Sign-in throttling per client address and per account name, with a growing delay.

    No lockout: a throttled account waits at most ``cap`` seconds between attempts, so an
    attacker cannot lock a victim out. Accounts are keyed by the name as typed, whether or not
    such a user exists, so throttling answers the same for unknown and real names.
    """

    def __init__(self, storage: Storage, *, per_address: Rule, per_account: Rule):
        self.storage = storage
        self.rules = (per_address, per_account)

    def _keys(self, address: str, username: str) -> tuple[str, str]:
        return f"login:{self.rules[0].scope}:{address}", f"login:{self.rules[1].scope}:{username.strip().lower()}"

    def wait_seconds(self, address: str, username: str) -> int:
        """Seconds before this address may try this account again (0: go ahead)."""
        now = time.time()
        waits = [self.storage.get_expiry(f"{key}:wait") - now
                 for key in self._keys(address, username) if self.storage.get(f"{key}:wait")]
        return max((math.ceil(w) for w in waits if w > 0), default=0)

    def attempt(self, address: str, username: str) -> int:
        """Admit an attempt: the seconds to wait if throttled, else 0 — and the attempt is then
        counted as a failure *before* the password is checked, so that a burst of concurrent
        guesses is throttled too, not only guesses that arrive after earlier ones failed."""
        if wait := self.wait_seconds(address, username):
            return wait
        for rule, key in zip(self.rules, self._keys(address, username), strict=True):
            failures = self.storage.incr(f"{key}:failures", rule.window)
            if delay := rule.delay(failures):
                self.storage.clear(f"{key}:wait")
                self.storage.incr(f"{key}:wait", delay)
        return 0

    def succeeded(self, address: str, username: str) -> None:
        """A right password: the account's count is cleared, the address's loses this attempt (one
        good account must not reset a guessing run over others)."""
        rule, (address_key, account_key) = self.rules[0], self._keys(address, username)
        self.storage.clear(f"{account_key}:failures")
        self.storage.clear(f"{account_key}:wait")
        if self.storage.incr(f"{address_key}:failures", rule.window, amount=-1) < rule.free:
            self.storage.clear(f"{address_key}:wait")

    def reset(self) -> None:
        self.storage.reset()


def _login_throttle() -> LoginThrottle:
    s = get_settings()
    return LoginThrottle(storage_from_string(s.rate_limit_storage),
                         per_address=Rule("address", s.login_free_failures_per_address, s.login_window_seconds,
                                          s.login_max_delay_seconds),
                         per_account=Rule("account", s.login_free_failures_per_account, s.login_window_seconds,
                                          s.login_max_delay_seconds))


login_throttle = _login_throttle()
