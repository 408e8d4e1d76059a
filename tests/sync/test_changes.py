"""Upstream changes reach the index: incremental runs, reconciles, write-through."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace

import pytest

from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustoo.review_input import ReviewDraft
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import ConversationState, Provider, ReviewStatus
from gateway.store import ReviewStore
from gateway.sync.walks import ALL_REVIEWS
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import RunningSandbox, run_simulators
from sandbox.trustpilot import TrustpilotSettings as SimulatedTrustpilot
from tests.sync.conftest import (
    FAST,
    Rig,
    direct_clients,
    eventually,
    held,
    platform_reviews,
    sync_rig,
)

BUYER = "new.buyer@buyer.sandbox.example"
CHANGING = (Provider.ETRUSTED, Provider.TRUSTOO, Provider.MAYAR)


@pytest.fixture
async def unlimited() -> AsyncIterator[RunningSandbox]:
    """The sandbox without Mayar's and Trustpilot's limits (fast runs, many)."""
    settings = {
        "mayar": SimulatedMayar(rate_limit_per_minute=None),
        "trustpilot": SimulatedTrustpilot(rate_limits=()),
    }
    async with run_simulators(settings=settings) as running:
        yield running


async def backfilled(rig: Rig) -> None:
    async def served() -> bool:
        return all(rig.service.serves(p) for p in rig.clients)

    await eventually(served)


def mayar_sku(rig: Rig) -> str:
    return next(e.sku for e in rig.settings.catalog if e.mayar_payment_link_id)


async def test_incremental_runs_pick_up_new_reviews_and_edits(
    unlimited: RunningSandbox, store: ReviewStore
) -> None:
    async with sync_rig(unlimited, store, providers=CHANGING) as rig:
        await backfilled(rig)
        trustoo = rig.clients[Provider.TRUSTOO]
        mayar = rig.clients[Provider.MAYAR]
        etrusted = rig.clients[Provider.ETRUSTED]
        assert isinstance(trustoo, TrustooClient)
        assert isinstance(mayar, MayarClient)
        assert isinstance(etrusted, EtrustedClient)
        created = await trustoo.create_review(
            ReviewDraft(rating=4, author="Nia Putri", body="Arrived quickly.")
        )
        assert created is not None
        sold = await mayar.create_review(mayar_sku(rig), BUYER, 5, body="Mantap")
        # An old eTrusted review gets a reply: its updatedAt moves, not its date.
        first = await etrusted.list_reviews(ALL_REVIEWS, None, 100)
        old = (await etrusted.list_reviews(ALL_REVIEWS, first.next, 1)).items[0]
        await etrusted.save_reply(old.provider_review_id, "Thanks for your words!")

        async def arrived() -> bool:
            found = [
                *await held(store, Provider.TRUSTOO, [created.provider_review_id]),
                *await held(store, Provider.MAYAR, [sold.provider_review_id]),
            ]
            [edited] = await held(store, Provider.ETRUSTED, [old.provider_review_id])
            reply = None if edited is None else edited.reply
            replied = reply is not None and reply.body == "Thanks for your words!"
            return None not in found and replied

        await eventually(arrived)
    [nia] = await held(store, Provider.TRUSTOO, [created.provider_review_id])
    assert nia is not None
    assert nia.author.display_name == "Nia Putri"
    assert nia.customer is None, "the index holds no PII"
    [mantap] = await held(store, Provider.MAYAR, [sold.provider_review_id])
    assert mantap is not None
    assert mantap.body == "Mantap"
    [edited] = await held(store, Provider.ETRUSTED, [old.provider_review_id])
    assert edited is not None
    assert edited.reply is not None
    assert edited.reply.body == "Thanks for your words!"


async def test_a_reconcile_removes_deleted_and_updates_edited_reviews(
    unlimited: RunningSandbox, store: ReviewStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.sync")
    sync = replace(FAST, reconcile_interval_s=0.3)
    providers = (Provider.TRUSTOO, Provider.MAYAR)
    async with sync_rig(unlimited, store, providers=providers, sync=sync) as rig:
        await backfilled(rig)
        trustoo = rig.clients[Provider.TRUSTOO]
        mayar = rig.clients[Provider.MAYAR]
        assert isinstance(trustoo, TrustooClient)
        assert isinstance(mayar, MayarClient)
        first = await trustoo.list_reviews(ALL_REVIEWS, None, 100)
        gone = (await trustoo.list_reviews(ALL_REVIEWS, first.next, 1)).items[0]
        await trustoo.delete_review(gone.provider_review_id)
        page = await mayar.list_reviews(ALL_REVIEWS, None, 100)
        edited, hidden = page.items[50], page.items[60]
        assert edited.rating != 1
        assert hidden.status is not ReviewStatus.HIDDEN
        await mayar.update_review(edited.key, rating=1)
        await mayar.set_review_statuses([(hidden.key, ReviewStatus.HIDDEN)])

        async def reconciled() -> bool:
            [deleted] = await held(store, Provider.TRUSTOO, [gone.provider_review_id])
            now = await held(
                store,
                Provider.MAYAR,
                [edited.provider_review_id, hidden.provider_review_id],
            )
            return (
                deleted is None
                and now[0] is not None
                and now[0].rating == 1
                and now[1] is not None
                and now[1].status is ReviewStatus.HIDDEN
            )

        await eventually(reconciled)
    done = [r for r in caplog.records if r.getMessage() == "sync reconcile done"]
    assert any(getattr(r, "removed", 0) == 1 for r in done), "the deletion was pruned"
    assert all(getattr(r, "calls", 0) > 0 for r in done)


async def test_refresh_writes_through_at_once(
    unlimited: RunningSandbox, store: ReviewStore
) -> None:
    slow = replace(FAST, interval_s=60.0)
    providers = (Provider.TRUSTOO, Provider.TRUSTPILOT)
    async with sync_rig(unlimited, store, providers=providers, sync=slow) as rig:
        await backfilled(rig)
        trustoo = rig.clients[Provider.TRUSTOO]
        assert isinstance(trustoo, TrustooClient)
        created = await trustoo.create_review(
            ReviewDraft(rating=2, author="Budi S", body="Too small.")
        )
        assert created is not None
        key = created.key
        assert await held(store, Provider.TRUSTOO, [key.id]) == [None]
        await rig.service.refresh(Provider.TRUSTOO, [key])
        [now] = await held(store, Provider.TRUSTOO, [key.id])
        assert now is not None
        assert now.body == "Too small."
        await trustoo.delete_review(key.id)
        await rig.service.refresh(Provider.TRUSTOO, [key])
        assert await held(store, Provider.TRUSTOO, [key.id]) == [None]
        # Trustpilot: the refreshed review carries its thread's public reply.
        async with AsyncExitStack() as stack:
            direct = await direct_clients(unlimited, stack)
            reviews = await platform_reviews(direct[Provider.TRUSTPILOT])
        threaded = next(
            r for r in reviews.values() if r.conversation_id and r.reply is not None
        )
        await store.delete(Provider.TRUSTPILOT, [threaded.provider_review_id])
        await rig.service.refresh(Provider.TRUSTPILOT, [threaded.key])
        assert await held(
            store, Provider.TRUSTPILOT, [threaded.provider_review_id]
        ) == [threaded]


async def test_a_reconcile_reads_trustpilot_threads_again(
    unlimited: RunningSandbox, store: ReviewStore
) -> None:
    """A thread made private at Trustpilot changes no review: only its thread."""
    sync = replace(FAST, reconcile_interval_s=1.0)
    roomy = {Provider.TRUSTPILOT: {"rate_limit_calls": 100_000}}
    only = (Provider.TRUSTPILOT,)
    async with (
        sync_rig(unlimited, store, providers=only, sync=sync, tuning=roomy) as rig,
        AsyncExitStack() as stack,
    ):
        await backfilled(rig)
        pilot = (await direct_clients(unlimited, stack))[Provider.TRUSTPILOT]
        assert isinstance(pilot, TrustpilotClient)
        reviews = await platform_reviews(pilot)
        replied = next(r for r in reviews.values() if r.reply is not None)
        assert replied.conversation_id is not None
        [before] = await held(store, Provider.TRUSTPILOT, [replied.provider_review_id])
        assert before == replied
        await pilot.set_conversation_state(
            replied.conversation_id, ConversationState.PRIVATE
        )

        async def hidden() -> bool:
            [now] = await held(store, Provider.TRUSTPILOT, [replied.provider_review_id])
            return now is not None and now.reply is None

        await eventually(hidden)
