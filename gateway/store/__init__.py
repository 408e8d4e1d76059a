"""The review index (see ``gateway.store.interface`` for the contract).

``open_store(settings)`` (in ``gateway.store.opening``) opens the configured
implementation and runs its migrations; everything else depends on ``ReviewStore``.
"""

from gateway.store.interface import (
    ReviewStore,
    SortOrder,
    StoredPage,
    StoredQuery,
    SyncState,
)
from gateway.store.opening import open_store

__all__ = [
    "ReviewStore",
    "SortOrder",
    "StoredPage",
    "StoredQuery",
    "SyncState",
    "open_store",
]
