"""Provider adapters: one per API, behind ``base.Provider``."""

from __future__ import annotations

import httpx

from ..core.models import ProviderId
from .base import Provider


def make_provider(
    provider: ProviderId | str,
    client: httpx.AsyncClient,
    api_key: str,
    *,
    base_url: str | None = None,
    upload_base_url: str | None = None,
) -> Provider:
    """Build the adapter for ``provider``; base URLs default to the real hosts."""
    pid = ProviderId(provider)
    if pid is ProviderId.SONIC:
        from .sonic import SonicProvider as cls
    else:
        from .sunoapi import SunoApiProvider as cls
    return cls(client, api_key, base_url=base_url, upload_base_url=upload_base_url)
