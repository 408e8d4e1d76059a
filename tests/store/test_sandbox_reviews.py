"""Every review the real clients read from the sandbox round-trips through the store."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from gateway.config import Settings
from gateway.http import open_session
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider, Review, ReviewQuery, ReviewStatus
from gateway.sandbox import sandbox_settings
from gateway.store.interface import SortOrder, StoredQuery
from gateway.store.sqlite import SqliteStore
from sandbox.mayar import MayarSettings as MayarSimulator
from sandbox.server import run_simulators
from tests.store.factory import T0

EVERY_STATUS = frozenset(ReviewStatus)


async def walk(client: object, query: ReviewQuery) -> list[Review]:
    found: list[Review] = []
    position: str | None = None
    while True:
        page = await client.list_reviews(query, position, 100)  # type: ignore[attr-defined]
        found.extend(page.items)
        position = page.next
        if position is None:
            return found


async def clients(settings: Settings, stack: AsyncExitStack) -> dict[Provider, object]:
    made: dict[Provider, object] = {}
    catalog = settings.catalog
    for provider, options, kind in (
        (Provider.TRUSTPILOT, settings.trustpilot, TrustpilotClient),
        (Provider.ETRUSTED, settings.etrusted, EtrustedClient),
        (Provider.TRUSTOO, settings.trustoo, TrustooClient),
        (Provider.MAYAR, settings.mayar, MayarClient),
    ):
        assert options is not None
        session = await stack.enter_async_context(open_session(options))
        made[provider] = kind(options, session, catalog=catalog)  # type: ignore[arg-type]
    return made


@pytest.fixture
async def sandbox_reviews() -> AsyncIterator[list[Review]]:
    unlimited = {"mayar": MayarSimulator(rate_limit_per_minute=None)}
    async with run_simulators(settings=unlimited) as running, AsyncExitStack() as stack:
        settings = sandbox_settings(running)
        found: list[Review] = []
        for client in (await clients(settings, stack)).values():
            found += await walk(client, ReviewQuery(statuses=EVERY_STATUS))
        yield found


async def test_sandbox_reviews_round_trip(
    tmp_path: Path, sandbox_reviews: list[Review]
) -> None:
    assert {r.provider for r in sandbox_reviews} == set(Provider)
    assert any(r.customer is not None for r in sandbox_reviews)
    for field in ("reply", "media", "attribute_ratings", "updated_at", "locator"):
        assert any(getattr(r, field) for r in sandbox_reviews), field
    assert any(r.conversation_id for r in sandbox_reviews)
    assert len({r.status for r in sandbox_reviews}) > 1
    assert len({r.kind for r in sandbox_reviews}) == 2
    keys = [(r.provider, r.provider_review_id) for r in sandbox_reviews]
    assert len(set(keys)) == len(keys)
    store = await SqliteStore.open(tmp_path / "sandbox.sqlite3")
    try:
        assert await store.upsert(sandbox_reviews, seen_at=T0) == len(keys)
        assert await store.upsert(sandbox_reviews, seen_at=T0) == 0
        public = [dataclasses.replace(r, customer=None) for r in sandbox_reviews]
        assert await store.get(keys) == public
        for provider in Provider:
            held = sum(1 for r in sandbox_reviews if r.provider is provider)
            assert await store.count(provider) == held
        page = await store.list_reviews(
            StoredQuery(providers=frozenset(Provider), statuses=EVERY_STATUS),
            SortOrder.NEWEST,
            limit=1000,
        )
        assert page.total == len(keys)
    finally:
        await store.close()
