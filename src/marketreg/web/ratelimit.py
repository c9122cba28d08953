"""Rate limits for the public portal (slowapi; Redis storage when scaled out)."""

from __future__ import annotations

from slowapi import Limiter
from slowapi.util import get_remote_address

from marketreg.platform.settings import get_settings

_settings = get_settings()
limiter = Limiter(key_func=get_remote_address, storage_uri=_settings.rate_limit_storage,
                  headers_enabled=False)
public_limit = limiter.limit(lambda: get_settings().public_rate_limit)
