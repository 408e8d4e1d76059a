"""``SyncService``: keeps the review index fresh, one task per platform.

It is the ``ReviewIndex`` reads and writes go through (``resolvers.sources``):
``store``, ``serves(p)``, ``status(p)`` and ``refresh(p, keys)``. The app builds it
at start-up and stops it at shutdown::

    budgets = budgets_for(settings, on_call=metrics.on_sync_call)
    # the sync's own sessions (apart from the live ones) carry the budget, innermost:
    #   open_session(options, (*resilience.middlewares(), budgets[p].middleware))
    service = SyncService(settings, store, clients, budgets=budgets, metrics=metrics)
    await service.start()
    ...                                  # ReviewIndex for the resolvers
    if service.webhooks and settings.sync.public_url:
        await service.webhooks.register_webhooks(settings.sync.public_url)
    ...                                  # POST /webhooks/trustoo: webhooks.receive
    await service.stop()                 # before the store closes: releases locks

``webhooks.receive(headers, body, topic)`` takes the raw body bytes (bound their
size at the route) and the ``topic`` query parameter, and answers
``(status, JSON object)``.

Per platform (phases in ``gateway.sync.status``): ``read_mode = "live"`` or the sync
disabled -> OFF. Else the process claims the store lock ``sync:<provider>``
(renewed every ``lock_ttl_s / 3``); while another process holds it the platform is
STANDBY (claim retried, and the stored state re-read, every ``lock_ttl_s``). The
holder backfills (BACKFILLING), then is LIVE: an incremental run every
``interval_s``, a reconcile every ``reconcile_interval_s``. A failed run -> FAILING,
retried with capped exponential backoff, then LIVE again. Losing the lock cancels
the runs and goes back to claiming.

``serves(p)`` is true when ``p`` reads from the index (read mode ``indexed``) and its
backfill is complete in the store, known at start from the stored state: a gateway
restarted on the same file serves at once and syncs incrementally (no second
backfill); a STANDBY process follows the holder's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from gateway.config import ProviderSettings, ReadMode, Settings
from gateway.errors import GatewayError
from gateway.metrics import Metrics
from gateway.providers.trustoo import TrustooClient
from gateway.records import Provider, ReviewKey
from gateway.store import ReviewStore, SyncState

from .budget import Budget, budgets_for
from .runs import PlatformRuns
from .status import SyncPhase, SyncStatus
from .walks import SyncClient, walk_for
from .webhooks import TrustooWebhooks

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]
BACKOFF_CAP_S: Final = 300.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def describe(error: BaseException) -> str:
    """A failure as the status shows it, naming no URL or secret.

    A gateway error's own message; for anything else only the exception's type.
    """
    if isinstance(error, GatewayError):
        return str(error)[:300]
    return f"{type(error).__name__} (internal error)"


@dataclass(slots=True)
class _Platform:
    """What the service knows of one platform now."""

    provider: Provider
    runs: PlatformRuns
    synced: bool
    phase: SyncPhase = SyncPhase.OFF
    backfilled: bool = False
    last_success_at: datetime | None = None
    last_error: str | None = None


class SyncService:
    """The review index and its sync; see the module docstring.

    ``clients`` are the sync's own: their sessions carry ``budgets[p].middleware``
    (``budgets_for(settings)``, built first and passed in; built here when not
    given); ``refresh`` reads through them too, so the write-through counts
    against the sync's share. ``clock`` (wall time), ``monotonic`` and ``sleep``
    are seams for tests; ``owner`` names this process's locks (default: random).
    """

    def __init__(
        self,
        settings: Settings,
        store: ReviewStore,
        clients: Mapping[Provider, SyncClient],
        *,
        metrics: Metrics | None = None,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        budgets: Mapping[Provider, Budget] | None = None,
        owner: str | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._metrics = metrics
        self._clock = clock
        self._sleep = sleep
        self.owner = owner or uuid.uuid4().hex
        on_call = None if metrics is None else metrics.on_sync_call
        self._budgets = dict(
            budgets
            if budgets is not None
            else budgets_for(
                settings, on_call=on_call, monotonic=monotonic, sleep=sleep
            )
        )
        self._platforms: dict[Provider, _Platform] = {}
        page_size = settings.sync.page_size
        for provider, budget in self._budgets.items():
            options: ProviderSettings = getattr(settings, provider.value)
            client = clients.get(provider)
            if client is None:
                continue
            runs = PlatformRuns(
                walk_for(client, page_size, budget),
                store,
                budget,
                clock=clock,
                monotonic=monotonic,
            )
            synced = settings.sync.enabled and options.read_mode is ReadMode.INDEXED
            self._platforms[provider] = _Platform(provider, runs, synced)
        self.webhooks: TrustooWebhooks | None = None
        """Trustoo's webhook receiver; ``None`` without a Trustoo client or when
        Trustoo is read live (then ``/webhooks/trustoo`` has nothing to apply)."""
        trustoo = clients.get(Provider.TRUSTOO)
        if (
            isinstance(trustoo, TrustooClient)
            and Provider.TRUSTOO in self._platforms
            and settings.trustoo is not None
            and settings.trustoo.read_mode is ReadMode.INDEXED
        ):
            runs = self._platforms[Provider.TRUSTOO].runs
            self.webhooks = TrustooWebhooks(
                settings.trustoo,
                trustoo,
                store,
                clock=clock,
                confirm=runs.refresh,
                on_applied=lambda: self._succeeded(Provider.TRUSTOO),
            )
        self._tasks: list[asyncio.Task[None]] = []

    # -- the ReviewIndex protocol ---------------------------------------------------

    @property
    def store(self) -> ReviewStore:
        return self._store

    def serves(self, provider: Provider) -> bool:
        """Whether ``provider``'s public reads come from the store now."""
        platform = self._platforms.get(provider)
        options: ProviderSettings | None = getattr(self._settings, provider.value)
        return (
            platform is not None
            and options is not None
            and options.read_mode is ReadMode.INDEXED
            and platform.backfilled
        )

    async def status(self, provider: Provider) -> SyncStatus:
        """The platform's sync as ``providers { sync }`` and /metrics show it."""
        reviews = await self._store.count(provider)
        platform = self._platforms.get(provider)
        budget = self._budgets.get(provider)
        if platform is None or budget is None:
            status = SyncStatus(provider, SyncPhase.OFF, reviews)
        else:
            status = self._status(platform, budget, reviews)
        if self._metrics is not None:
            self._metrics.on_sync_status(
                provider.value,
                status.phase.value,
                reviews,
                status.lag_seconds,
                status.budget_used,
            )
        return status

    def _status(self, platform: _Platform, budget: Budget, reviews: int) -> SyncStatus:
        lag = None
        if platform.last_success_at is not None:
            lag = max(0.0, (self._clock() - platform.last_success_at).total_seconds())
        return SyncStatus(
            platform.provider,
            platform.phase,
            reviews,
            platform.last_success_at,
            lag,
            budget.used,
            budget.calls,
            platform.last_error,
        )

    async def refresh(self, provider: Provider, keys: Sequence[ReviewKey]) -> None:
        """Write-through after a write: ``keys`` read from the platform and applied.

        A review gone upstream is removed; nothing for a ``live`` platform. A
        platform failure is logged, not raised (the write itself succeeded; the
        next sync run catches up).
        """
        platform = self._platforms.get(provider)
        options: ProviderSettings | None = getattr(self._settings, provider.value)
        if platform is None or not keys or options is None:
            return
        if options.read_mode is not ReadMode.INDEXED:
            return  # a live platform is not held
        try:
            await platform.runs.refresh(keys)
        except GatewayError as error:
            logger.warning(
                "sync refresh failed",
                extra={"provider": provider.value, "error": describe(error)},
            )

    # -- the rest of the app's API ----------------------------------------------------

    def budget(self, provider: Provider) -> Budget:
        """``provider``'s sync budget: add ``.middleware`` to the sync's session."""
        return self._budgets[provider]

    async def start(self) -> None:
        """Read each platform's stored state, then start the synced ones' tasks."""
        for platform in self._platforms.values():
            await self._reload(platform)
        for platform in self._platforms.values():
            if not platform.synced:
                continue
            # The first claim here: the phase is known once start() returns.
            holding = await self._claim(platform)
            if not holding:
                phase = SyncPhase.STANDBY
            else:
                phase = SyncPhase.LIVE if platform.backfilled else SyncPhase.BACKFILLING
            await self._set_phase(platform, phase)
            task = asyncio.create_task(
                self._run(platform, holding), name=f"sync:{platform.provider.value}"
            )
            self._tasks.append(task)

    async def stop(self) -> None:
        """Cancel every task, wait for them, and give up the locks held."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for platform in self._platforms.values():
            if platform.synced:
                await self._store.release(self._lock(platform), self.owner)

    # -- per platform -----------------------------------------------------------------

    @staticmethod
    def _lock(platform: _Platform) -> str:
        return f"sync:{platform.provider.value}"

    async def _reload(self, platform: _Platform) -> SyncState:
        state = await self._store.load_state(platform.provider)
        state = state or SyncState(platform.provider)
        platform.backfilled = state.backfilled
        platform.last_success_at = state.last_success_at
        if platform.phase is not SyncPhase.FAILING:
            platform.last_error = state.last_error
        return state

    def _succeeded(self, provider: Provider) -> None:
        platform = self._platforms.get(provider)
        if platform is not None:
            platform.last_success_at = self._clock()

    async def _set_phase(self, platform: _Platform, phase: SyncPhase) -> None:
        if phase is platform.phase:
            return
        previous, platform.phase = platform.phase, phase
        logger.info(
            "sync phase",
            extra={
                "provider": platform.provider.value,
                "phase": phase.value,
                "previous": previous.value,
            },
        )
        await self._publish(platform)

    async def _publish(self, platform: _Platform) -> None:
        if self._metrics is not None:
            with contextlib.suppress(Exception):  # metrics never stop a sync
                await self.status(platform.provider)

    async def _claim(self, platform: _Platform) -> bool:
        ttl = self._settings.sync.lock_ttl_s
        try:
            return await self._store.claim(self._lock(platform), self.owner, ttl)
        except Exception as error:  # a store failure: not the holder now
            logger.warning(
                "sync lock claim failed",
                extra={"provider": platform.provider.value, "error": describe(error)},
            )
            return False

    async def _run(self, platform: _Platform, holding: bool) -> None:
        """Sync while holding the lock; otherwise stand by and claim again."""
        ttl = self._settings.sync.lock_ttl_s
        while True:
            if holding or await self._claim(platform):
                holding = False
                await self._lead(platform)
                continue
            await self._set_phase(platform, SyncPhase.STANDBY)
            with contextlib.suppress(Exception):
                await self._reload(platform)
            await self._sleep(ttl)

    async def _lead(self, platform: _Platform) -> None:
        """Sync ``platform`` until the lock is lost (renewed every ttl / 3)."""
        work = asyncio.create_task(self._work(platform))
        try:
            while not work.done():
                await self._sleep(self._settings.sync.lock_ttl_s / 3)
                if not await self._claim(platform):
                    logger.warning(
                        "sync lock lost", extra={"provider": platform.provider.value}
                    )
                    return
        finally:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work

    async def _work(self, platform: _Platform) -> None:
        """Backfill, then incremental and reconcile runs; failures back off.

        The state is read from the store at the start and after every failure
        (a failed backfill resumes at the position it saved).
        """
        sync = self._settings.sync
        state: SyncState | None = None
        failures = 0
        while True:
            try:
                if state is None:
                    state = await self._reload(platform)
                state = await self._cycle(platform, state)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                state = None
                failures += 1
                platform.last_error = describe(error)
                await self._set_phase(platform, SyncPhase.FAILING)
                logger.warning(
                    "sync run failed",
                    extra={
                        "provider": platform.provider.value,
                        "error": platform.last_error,
                        "failures": failures,
                    },
                )
                delay = sync.interval_s * 2 ** min(failures - 1, 8)
                await self._sleep(min(delay, max(sync.interval_s, BACKOFF_CAP_S)))
                continue
            failures = 0
            platform.last_error = None
            await self._set_phase(platform, SyncPhase.LIVE)
            await self._publish(platform)
            await self._sleep(sync.interval_s)

    async def _cycle(self, platform: _Platform, state: SyncState) -> SyncState:
        """One run: backfill until done, a reconcile when due, else incremental."""
        runs = platform.runs
        if not state.backfilled:
            await self._set_phase(platform, SyncPhase.BACKFILLING)
            state = await runs.backfill(state)
        elif self._reconcile_due(state):
            state = await runs.reconcile(state)
        else:
            state = await runs.incremental(state)
        await self._store.save_state(state)
        platform.backfilled = state.backfilled
        platform.last_success_at = state.last_success_at
        return state

    def _reconcile_due(self, state: SyncState) -> bool:
        last = state.last_reconciled_at
        if last is None:
            return True
        elapsed = (self._clock() - last).total_seconds()
        return elapsed >= self._settings.sync.reconcile_interval_s
