"""Two gateways on one store: only one syncs a platform; the other takes over."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from gateway.records import Provider
from gateway.sync.status import SyncPhase
from sandbox.server import RunningSandbox
from tests.sync.conftest import FAST, StoreOpener, eventually, sync_rig

SHORT_LOCK = replace(FAST, lock_ttl_s=0.3)


async def test_one_process_syncs_the_other_stands_by_then_takes_over(
    sandbox: RunningSandbox, open_test_store: StoreOpener, tmp_path: Path
) -> None:
    path = tmp_path / "reviews.sqlite3"
    only = (Provider.TRUSTOO,)
    first_store, second_store = await open_test_store(path), await open_test_store(path)
    async with sync_rig(
        sandbox, first_store, providers=only, sync=SHORT_LOCK, owner="first"
    ) as first:

        async def first_live() -> bool:
            status = await first.service.status(Provider.TRUSTOO)
            return status.phase is SyncPhase.LIVE

        await eventually(first_live)
        async with sync_rig(
            sandbox, second_store, providers=only, sync=SHORT_LOCK, owner="second"
        ) as second:
            assert second.service.serves(Provider.TRUSTOO), "it reads the stored state"
            standby = await second.service.status(Provider.TRUSTOO)
            assert standby.phase is SyncPhase.STANDBY
            await asyncio.sleep(SHORT_LOCK.lock_ttl_s * 3)  # several renewals
            assert await first_live()
            standby = await second.service.status(Provider.TRUSTOO)
            assert standby.phase is SyncPhase.STANDBY
            assert second.budgets[Provider.TRUSTOO].calls == 0
            await first.service.stop()

            async def second_live() -> bool:
                status = await second.service.status(Provider.TRUSTOO)
                return status.phase is SyncPhase.LIVE

            await eventually(second_live)
            took_over = second.budgets[Provider.TRUSTOO].calls
            assert 0 < took_over < 10, "incremental runs, no second backfill"
            assert first.budgets[Provider.TRUSTOO].calls > 50, (
                "the backfill was first's"
            )


async def test_an_expired_lock_is_taken_over(
    sandbox: RunningSandbox, open_test_store: StoreOpener, tmp_path: Path
) -> None:
    store = await open_test_store(tmp_path / "reviews.sqlite3")
    assert await store.claim("sync:mayar", "a-crashed-gateway", 0.3)
    async with sync_rig(
        sandbox, store, providers=(Provider.MAYAR,), sync=SHORT_LOCK
    ) as rig:
        status = await rig.service.status(Provider.MAYAR)
        assert status.phase is SyncPhase.STANDBY
        assert not rig.service.serves(Provider.MAYAR)

        async def taken_over() -> bool:
            status = await rig.service.status(Provider.MAYAR)
            return status.phase is not SyncPhase.STANDBY

        await eventually(taken_over)
    assert await store.claim("sync:mayar", "the-next-gateway", 0.3), "released at stop"
