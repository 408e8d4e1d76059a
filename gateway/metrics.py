"""Prometheus metrics of one gateway process (``GET /metrics``).

One ``Metrics`` per app, on its own registry (so two apps in one test process never
collide): GraphQL requests by HTTP status, errors by code, upstream calls and latency
by platform and status, cache lookups by result, and each platform's breaker state;
per platform the sync's phase, reviews held, lag, budget used and calls
(``gateway.sync``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
BREAKER_VALUES: Final = {"closed": 0, "half_open": 1, "open": 2}
SYNC_PHASE_VALUES: Final = {
    "off": 0,
    "standby": 1,
    "backfilling": 2,
    "live": 3,
    "failing": 4,
}
"""``gateway_sync_phase``: the value of each ``SyncPhase``."""
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class _CacheCollector(Collector):
    """Reads the cache's counters at scrape time."""

    def __init__(self, read: Callable[[], dict[str, int]]) -> None:
        self._read = read

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "gateway_cache_lookups",
            "Result cache lookups by result.",
            labels=["result"],
        )
        for result, value in self._read().items():
            family.add_metric([result], value)
        yield family


class Metrics:
    """The gateway's metrics and the hooks that feed them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_graphql_requests",
            "GraphQL requests by HTTP status.",
            ["status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "gateway_graphql_errors",
            "Errors in GraphQL responses by code.",
            ["code"],
            registry=self.registry,
        )
        self.upstream_calls = Counter(
            "gateway_upstream_calls",
            "Calls to the platforms (every attempt).",
            ["provider", "status"],
            registry=self.registry,
        )
        self.upstream_latency = Histogram(
            "gateway_upstream_latency_seconds",
            "Latency of calls to the platforms.",
            ["provider"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.breaker = Gauge(
            "gateway_breaker_state",
            "Circuit breaker: 0 closed, 1 half-open, 2 open.",
            ["provider"],
            registry=self.registry,
        )

        self.sync_phase = Gauge(
            "gateway_sync_phase",
            "Sync phase: 0 off, 1 standby, 2 backfilling, 3 live, 4 failing.",
            ["provider"],
            registry=self.registry,
        )
        self.sync_reviews = Gauge(
            "gateway_sync_reviews",
            "Reviews held in the index.",
            ["provider"],
            registry=self.registry,
        )
        self.sync_lag = Gauge(
            "gateway_sync_lag_seconds",
            "Seconds since the last successful sync or webhook.",
            ["provider"],
            registry=self.registry,
        )
        self.sync_budget_used = Gauge(
            "gateway_sync_budget_used",
            "Share (0..1) of the sync's budget used in its tightest window.",
            ["provider"],
            registry=self.registry,
        )
        self.sync_calls = Counter(
            "gateway_sync_calls",
            "Calls the sync made to the platforms (every attempt).",
            ["provider"],
            registry=self.registry,
        )

    def watch_cache(self, read: Callable[[], dict[str, int]]) -> None:
        """Export the cache's hit/miss/stale counters."""
        self.registry.register(_CacheCollector(read))

    def on_attempt(self, provider: str, status: int | None, ms: float) -> None:
        label = str(status) if status is not None else "network_error"
        self.upstream_calls.labels(provider, label).inc()
        self.upstream_latency.labels(provider).observe(ms / 1000)

    def on_breaker(self, provider: str, state: str) -> None:
        self.breaker.labels(provider).set(BREAKER_VALUES[state])

    def on_sync_call(self, provider: str) -> None:
        self.sync_calls.labels(provider).inc()

    def on_sync_status(
        self,
        provider: str,
        phase: str,
        reviews: int,
        lag_seconds: float | None,
        budget_used: float,
    ) -> None:
        """One platform's sync status (``SyncStatus`` fields; phase by value)."""
        self.sync_phase.labels(provider).set(SYNC_PHASE_VALUES[phase])
        self.sync_reviews.labels(provider).set(reviews)
        if lag_seconds is not None:
            self.sync_lag.labels(provider).set(lag_seconds)
        self.sync_budget_used.labels(provider).set(budget_used)

    def render(self) -> bytes:
        return generate_latest(self.registry)
