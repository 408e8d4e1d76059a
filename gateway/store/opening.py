"""Open the configured review store: ``open_store(settings.store)``.

Today the embedded SQLite store (a file path, or ``:memory:``); a ``postgresql://``
URL is reserved for the PostgreSQL store of the next issue. Migrations run here, so
a store that opens is ready to use.
"""

from __future__ import annotations

import re

from gateway.config import StoreSettings
from gateway.errors import ConfigError
from gateway.store.interface import ReviewStore
from gateway.store.sqlite import MEMORY, SqliteStore

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


async def open_store(settings: StoreSettings) -> ReviewStore:
    """The store ``settings.path`` names, open and migrated.

    Raises ``ConfigError`` for a URL scheme no store implements (the message names
    the scheme, never the rest of the URL: it may hold a password).
    """
    path = settings.path.strip()
    if not path:
        raise ConfigError("[store] path is empty: give a SQLite file or :memory:")
    scheme = _SCHEME.match(path)
    if scheme is not None and path != MEMORY:
        raise ConfigError(
            f"[store] path: no review store for the scheme {scheme.group(1)!r} "
            "(use a SQLite file path or :memory:)"
        )
    return await SqliteStore.open(path)
