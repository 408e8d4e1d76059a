"""What the sync reports about each platform: its phase, freshness and budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gateway.records import Provider


class SyncPhase(StrEnum):
    """Where one platform's sync stands."""

    BACKFILLING = "backfilling"
    """Walking the platform once; until done its reads stay live."""
    LIVE = "live"
    """Backfilled and following changes: reads come from the index."""
    FAILING = "failing"
    """The last attempt failed; the index serves what it holds and retries."""
    STANDBY = "standby"
    """Another process on the same store syncs this platform; this one reads."""
    OFF = "off"
    """Not synced: ``read_mode = "live"``, or the sync is disabled."""


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """One platform's sync, as ``providers { sync { ... } }`` and /metrics show it.

    ``lag_seconds``: how old the newest confirmed state is (now minus the last
    successful sync or webhook); ``None`` before the first. ``budget_used``: the
    share (0..1) of the sync's allowance used in its tightest window now;
    ``calls``: sync calls made by this process since it started.
    """

    provider: Provider
    phase: SyncPhase
    reviews: int
    last_success_at: datetime | None = None
    lag_seconds: float | None = None
    budget_used: float = 0.0
    calls: int = 0
    last_error: str | None = None
