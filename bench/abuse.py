"""Abuse benchmark: the costliest anonymous operations the limits let through.

Starts the sandbox and a gateway as real processes on loopback (the result cache
off, so every operation is cold: the worst case for the platforms), then runs, as
an anonymous caller:

* each candidate attack, grown to the largest size whose estimated cost fits the
  gateway's budget (``GATEWAY_MAX_COST``, the estimate computed here with the
  gateway's own ``schema.cost``): a catalog sweep (every SKU, summaries and a page
  of reviews each), shop-wide sorted reads under many aliases (each alias a
  different filter, so nothing is shared), and the largest review pages;
* the old reproductions of issue 9: 1,000 SKUs with ``reviews(first: 100)``, and
  20,000 ``_entities`` representations.

After one small warm-up query, for each it prints the answer (or the refusal's
code), the upstream calls per platform (the sandbox's request log), wall time,
response bytes, the gateway's peak RSS during it (``VmHWM``, reset before each
run) and ``/healthz`` latency measured every 5 ms while it runs (how long the
event loop was held).

As in ``bench/run.py`` the platforms' rate limits are off, in the sandbox and in
the gateway's limiter: the figures show what the gateway asks of the platforms.

Run: ``make bench-abuse`` (or ``.venv/bin/python bench/abuse.py``).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from graphql import get_operation_ast, get_variable_values, parse
from harness import LIVE_PATH, NO_GATEWAY_LIMITS, NO_SANDBOX_LIMITS, free_port, process

from schema import schema
from schema.cost import CostLimits, estimate
from schema.fragments import fragments_of

NO_LIMITS = {**NO_GATEWAY_LIMITS, **LIVE_PATH}
"""The live path these figures are about, without the gateway's own limiters."""
LIMITS = CostLimits()
"""The gateway runs with its defaults; the estimate here uses the same."""

REVIEW = """id provider rating ratingExact title body language createdAt status
            verified imported author { displayName country } reply { body }"""

CATALOG_SWEEP = f"""
query Sweep($skus: [String!]!, $first: Int!) {{
  products(skus: $skus) {{
    sku name brand
    ratingSummary {{ count average providers {{ provider count average }} }}
    attributeSummaries {{ name average count }}
    reviews(first: $first) {{ totalCount edges {{ node {{ {REVIEW} }} }} }}
  }}
}}
"""
SORTED = "LOWEST_RATED"
FILTERS = [
    *(f"{{ ratings: [{r}] }}" for r in range(1, 6)),
    *(f'{{ language: "{lang}" }}' for lang in ("en", "de", "nl", "fr", "es", "id")),
    "{ verified: true }",
    "{ verified: false }",
    "{ withMedia: true }",
    "{ withMedia: false }",
    *(f"{{ ratings: [{r}], verified: true }}" for r in range(1, 6)),
    *(f"{{ ratings: [{r}], withMedia: true }}" for r in range(1, 6)),
    *(f"{{ ratings: [{r}], verified: false }}" for r in range(1, 4)),
]


def sorted_reads(aliases: int) -> str:
    fields = " ".join(
        f"r{i}: reviews(first: 1, orderBy: {SORTED}, filter: {FILTERS[i]}) "
        "{ totalCount edges { node { id rating } } }"
        for i in range(aliases)
    )
    return "{ " + fields + " }"


def big_pages(aliases: int) -> str:
    orders = ["NEWEST", "OLDEST", "HIGHEST_RATED", "LOWEST_RATED"]
    fields = " ".join(
        f"p{i}: reviews(first: 100, orderBy: {orders[i % 4]}, "
        f"filter: {FILTERS[i // 4]}) {{ edges {{ node {{ {REVIEW} }} }} }}"
        for i in range(aliases)
    )
    return "{ " + fields + " }"


OLD_SKUS = """
query Old($skus: [String!]!) {
  products(skus: $skus) { reviews(first: 100) { edges { node { rating body } } } }
}
"""
OLD_ENTITIES = """
query Entities($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Product { ratingSummary { count } } }
}
"""


def cost(query: str, variables: dict[str, Any]) -> int:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    graph = schema._schema
    values = get_variable_values(graph, operation.variable_definitions or (), variables)
    assert not isinstance(values, list), values
    return estimate(
        graph, fragments_of(document), operation, values, CostLimits(10**9, 10**9)
    )


def largest(make: Callable[[int], tuple[str, dict[str, Any]]], top: int) -> int:
    """The largest n in 1..top whose operation fits the budget."""
    fitting = 0
    for n in range(1, top + 1):
        if cost(*make(n)) > LIMITS.max_cost:
            break
        fitting = n
    return fitting


@dataclass
class Run:
    status: int
    outcome: str
    calls: Counter[str]
    seconds: float
    size: int
    peak_rss_mb: float
    healthz_ms: list[float]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


async def probe_healthz(
    http: aiohttp.ClientSession, url: str, stop: asyncio.Event
) -> list[float]:
    samples = []
    while not stop.is_set():
        started = time.perf_counter()
        async with http.get(url) as response:
            await response.read()
        samples.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.005)
    return samples


async def run(
    http: aiohttp.ClientSession,
    gateway: str,
    sandbox: str,
    pid: int,
    query: str,
    variables: dict[str, Any],
) -> Run:
    async with http.delete(sandbox + "/_sandbox/requests"):
        pass
    # Encoded before the probe starts: the probe shares this process's event loop.
    payload = json.dumps({"query": query, "variables": variables}).encode()
    reset_peak_rss(pid)
    stop = asyncio.Event()
    prober = asyncio.create_task(probe_healthz(http, gateway + "/healthz", stop))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    async with http.post(
        gateway + "/graphql",
        data=payload,
        headers={"Content-Type": "application/json"},
    ) as response:
        raw = await response.read()
        status = response.status
    seconds = time.perf_counter() - started
    stop.set()
    healthz = await prober
    body = json.loads(raw)
    codes = Counter(
        str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []
    )
    outcome = "data" if body.get("data") else "no data"
    if codes:
        outcome += ", errors " + ", ".join(f"{c} x{n}" for c, n in codes.items())
    async with http.get(sandbox + "/_sandbox/requests") as response:
        log = await response.json()
    calls = Counter(entry["provider"] for entry in log)
    return Run(status, outcome, calls, seconds, len(raw), peak_rss_mb(pid), healthz)


def report(name: str, estimated: int | None, result: Run) -> list[str]:
    by_platform = ", ".join(f"{p} {n}" for p, n in sorted(result.calls.items()))
    health = result.healthz_ms or [float("nan")]
    budget = f"cost {estimated} of {LIMITS.max_cost}" if estimated is not None else ""
    return [
        f"{name} ({budget}):" if budget else f"{name}:",
        f"  answer: HTTP {result.status}, {result.outcome}",
        f"  upstream calls: {sum(result.calls.values())}"
        + (f" ({by_platform})" if by_platform else ""),
        f"  wall {result.seconds * 1000:.0f} ms, response {result.size:,} bytes,"
        f" gateway peak RSS {result.peak_rss_mb:.0f} MB",
        f"  /healthz while running: {len(health)} probes, median"
        f" {statistics.median(health):.1f} ms, max {max(health):.1f} ms",
    ]


async def main() -> None:
    sandbox_port, gateway_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    gateway = f"http://127.0.0.1:{gateway_port}"
    timeout = aiohttp.ClientTimeout(total=120)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        process(
            http,
            [
                "sandbox",
                "--port",
                str(sandbox_port),
                *NO_SANDBOX_LIMITS,
            ],
            sandbox + "/_sandbox/catalog",
        ),
        process(
            http,
            ["serve", "--port", str(gateway_port), "--sandbox-url", sandbox],
            gateway + "/healthz",
            {"GATEWAY_CACHE_TTL_S": "0", **NO_LIMITS},
        ) as proc,
    ):
        async with http.get(sandbox + "/_sandbox/catalog") as response:
            products = (await response.json())["products"]
        await scenarios(http, gateway, sandbox, proc, [p["sku"] for p in products])


async def scenarios(
    http: aiohttp.ClientSession,
    gateway: str,
    sandbox: str,
    proc: subprocess.Popen[bytes],
    catalog: list[str],
) -> None:
    skus = [catalog[i % len(catalog)] for i in range(LIMITS.max_skus)]
    # One small query first, so that start-up work (connections, tokens, lazy
    # imports) is not counted against the first attack.
    warm_up = "{ products(skus: $skus) { ratingSummary { count } } }"
    await run(
        http,
        gateway,
        sandbox,
        proc.pid,
        "query W($skus: [String!]!) " + warm_up,
        {"skus": catalog[:1]},
    )

    def sweep(first: int) -> tuple[str, dict[str, Any]]:
        return CATALOG_SWEEP, {"skus": catalog, "first": first}

    attacks: dict[str, tuple[str, dict[str, Any]]] = {
        "catalog sweep, every SKU": sweep(largest(sweep, 100)),
        "shop-wide sorted reads, one alias per filter": (
            sorted_reads(largest(lambda n: (sorted_reads(n), {}), len(FILTERS))),
            {},
        ),
        "largest review pages, every order": (
            big_pages(largest(lambda n: (big_pages(n), {}), len(FILTERS))),
            {},
        ),
    }
    for name, (query, variables) in attacks.items():
        estimated = cost(query, variables)
        result = await run(http, gateway, sandbox, proc.pid, query, variables)
        for line in report(name, estimated, result):
            print(line, flush=True)
    old = {
        "old reproduction: 1,000 SKUs, reviews(first: 100)": (
            OLD_SKUS,
            {"skus": [catalog[i % len(catalog)] for i in range(1000)]},
        ),
        "old reproduction: 100 SKUs (the cap), reviews(first: 100)": (
            OLD_SKUS,
            {"skus": skus},
        ),
        "old reproduction: 20,000 representations": (
            OLD_ENTITIES,
            {
                "reps": [
                    {"__typename": "Product", "sku": catalog[i % len(catalog)]}
                    for i in range(20_000)
                ]
            },
        ),
    }
    for name, (query, variables) in old.items():
        result = await run(http, gateway, sandbox, proc.pid, query, variables)
        for line in report(name, None, result):
            print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
