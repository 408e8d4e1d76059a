"""What the sync reports: phases, failures, metrics and log lines (no secrets)."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from gateway.config import ReadMode
from gateway.metrics import Metrics
from gateway.records import Provider, ReviewKey
from gateway.store import ReviewStore
from gateway.sync.status import SyncPhase
from sandbox.control import FaultSettings
from sandbox.server import RunningSandbox
from tests.sync.conftest import FAST, eventually, sync_rig


async def test_live_read_mode_and_a_disabled_sync_are_off(
    sandbox: RunningSandbox, store: ReviewStore
) -> None:
    live = {Provider.TRUSTOO: {"read_mode": ReadMode.LIVE}}
    providers = (Provider.TRUSTOO, Provider.ETRUSTED)
    async with sync_rig(sandbox, store, providers=providers, tuning=live) as rig:
        trustoo = await rig.service.status(Provider.TRUSTOO)
        etrusted = await rig.service.status(Provider.ETRUSTED)
        mayar = await rig.service.status(Provider.MAYAR)  # no client given
        assert rig.service.webhooks is None, "nothing to apply for a live platform"
        await rig.service.refresh(Provider.TRUSTOO, [ReviewKey("1")])
    assert trustoo.phase is SyncPhase.OFF
    assert not rig.service.serves(Provider.TRUSTOO)
    assert rig.calls(Provider.TRUSTOO) == 0
    assert etrusted.phase is SyncPhase.BACKFILLING
    assert mayar.phase is SyncPhase.OFF
    off = replace(FAST, enabled=False)
    async with sync_rig(sandbox, store, providers=providers, sync=off) as rig:
        phases = {(await rig.service.status(p)).phase for p in providers}
    assert phases == {SyncPhase.OFF}


async def test_a_failing_platform_is_failing_then_live_again(
    sandbox: RunningSandbox, store: ReviewStore
) -> None:
    control = sandbox.sandbox.controls["trustoo"]
    only = (Provider.TRUSTOO,)
    async with sync_rig(sandbox, store, providers=only) as rig:

        async def phase_is(phase: SyncPhase) -> bool:
            return (await rig.service.status(Provider.TRUSTOO)).phase is phase

        await eventually(lambda: phase_is(SyncPhase.LIVE))
        control.apply(FaultSettings(error_rate=1.0, error_status=503))
        await eventually(lambda: phase_is(SyncPhase.FAILING))
        failing = await rig.service.status(Provider.TRUSTOO)
        assert rig.service.serves(Provider.TRUSTOO), "the index still serves"
        control.apply(FaultSettings())
        await eventually(lambda: phase_is(SyncPhase.LIVE))
        recovered = await rig.service.status(Provider.TRUSTOO)
    assert failing.last_error is not None
    assert "503" in failing.last_error
    assert "http" not in failing.last_error.lower().replace("http 503", "")
    assert recovered.last_error is None
    assert recovered.lag_seconds is not None
    assert recovered.lag_seconds < 5


async def test_metrics_and_log_lines_report_the_sync(
    sandbox: RunningSandbox, store: ReviewStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    metrics = Metrics()
    only = (Provider.TRUSTOO,)
    async with sync_rig(sandbox, store, providers=only, metrics=metrics) as rig:

        async def served() -> bool:
            return all(rig.service.serves(p) for p in only)

        await eventually(served)
        statuses = {p: await rig.service.status(p) for p in only}
        rendered = metrics.render().decode()
        secrets = [
            rig.settings.trustoo.private_token.reveal() if rig.settings.trustoo else "",
            rig.settings.etrusted.client_secret.reveal()
            if rig.settings.etrusted
            else "",
        ]
    await rig.service.status(Provider.MAYAR)  # not synced here: OFF
    assert 'gateway_sync_phase{provider="mayar"} 0.0' in metrics.render().decode()
    for provider, status in statuses.items():
        name = provider.value
        assert f'gateway_sync_reviews{{provider="{name}"}} {float(status.reviews)}' in (
            rendered
        )
        assert f'gateway_sync_phase{{provider="{name}"}} 3.0' in rendered
        assert f'gateway_sync_calls_total{{provider="{name}"}}' in rendered
        assert f'gateway_sync_budget_used{{provider="{name}"}}' in rendered
        assert f'gateway_sync_lag_seconds{{provider="{name}"}}' in rendered
    sync_lines = [r for r in caplog.records if r.name.startswith("gateway.sync")]
    phases = [
        (r.__dict__["provider"], r.__dict__["phase"])
        for r in sync_lines
        if r.getMessage() == "sync phase"
    ]
    assert ("trustoo", "backfilling") in phases
    assert ("trustoo", "live") in phases
    [done] = [
        r
        for r in sync_lines
        if r.getMessage() == "sync backfill done"
        and r.__dict__["provider"] == "trustoo"
    ]
    assert done.__dict__["reviews"] == statuses[Provider.TRUSTOO].reviews
    assert done.__dict__["calls"] > 0
    assert done.__dict__["seconds"] >= 0
    everything = " ".join(str(r.__dict__) for r in caplog.records)
    for secret in secrets:
        assert secret
        assert secret not in everything
    assert "?" not in " ".join(str(r.__dict__.get("path", "")) for r in caplog.records)
