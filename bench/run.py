"""Benchmark: upstream calls per query, latency p50/p99 and requests per second.

Starts the sandbox and two gateways as real processes on loopback (one with the
result cache off, "cold", one with it on, "warm"), then runs two queries:

* catalog page: 40 products, each with its star summary and first 3 reviews;
* product page: one product, its summary and 20 merged reviews with replies and
  conversations.

It prints the upstream calls each query makes per platform (from the sandbox's request
log), latency p50/p99 over sequential runs, and requests per second with 8 concurrent
clients, with the sandbox at 0 ms and at 50 ms of added latency. The platforms'
documented rate limits (Mayar 20 calls a minute, Trustpilot 833 per 5 minutes) are
switched off here, in the sandbox and in the gateway's own limiter: they would cap
the cold figures at the platforms' rates rather than measure the gateway.

Run: ``make bench`` (or ``.venv/bin/python bench/run.py [--quick]``).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from typing import Any

import aiohttp
from harness import (
    LIVE_PATH,
    NO_GATEWAY_LIMITS,
    NO_SANDBOX_LIMITS,
    free_port,
    post,
    process,
)

NO_LIMITS = {**NO_GATEWAY_LIMITS, **LIVE_PATH}
"""The live path these figures are about, without the gateway's own limiters."""

CATALOG_PAGE = """
query Catalog($skus: [String!]!) {
  products(skus: $skus) {
    sku name
    ratingSummary { count average }
    reviews(first: 3) { edges { node { provider rating title body createdAt } } }
  }
}
"""
PRODUCT_PAGE = """
query Product($sku: String!) {
  product(sku: $sku) {
    name
    ratingSummary { count average distribution { oneStar fiveStars }
                    providers { provider count average } }
    reviews(first: 20) {
      edges { node { provider rating body createdAt author { displayName }
                     reply { body } conversation { comments { body } } } }
    }
  }
}
"""


async def calls_per_query(
    http: aiohttp.ClientSession,
    sandbox: str,
    gateway: str,
    query: str,
    variables: dict[str, Any],
) -> Counter[str]:
    async with http.delete(sandbox + "/_sandbox/requests"):
        pass
    await post(http, gateway, query, variables)
    async with http.get(sandbox + "/_sandbox/requests") as response:
        log = await response.json()
    return Counter(entry["provider"] for entry in log)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, round(share * (len(ordered) - 1)))
    return ordered[index] * 1000


async def latencies(
    http: aiohttp.ClientSession,
    gateway: str,
    query: str,
    variables: dict[str, Any],
    runs: int,
) -> tuple[float, float]:
    samples = [await post(http, gateway, query, variables) for _ in range(runs)]
    return percentile(samples, 0.5), percentile(samples, 0.99)


async def throughput(
    http: aiohttp.ClientSession,
    gateway: str,
    query: str,
    variables: dict[str, Any],
    seconds: float,
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await post(http, gateway, query, variables)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(8)))
    return done / (time.perf_counter() - started)


async def scenario(
    http: aiohttp.ClientSession, latency_ms: int, runs: int, seconds: float
) -> list[str]:
    sandbox_port, cold_port, warm_port = free_port(), free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    cold = f"http://127.0.0.1:{cold_port}/graphql"
    warm = f"http://127.0.0.1:{warm_port}/graphql"
    lines = []
    async with (
        process(
            http,
            [
                "sandbox",
                "--port",
                str(sandbox_port),
                "--latency-ms",
                str(latency_ms),
                *NO_SANDBOX_LIMITS,
            ],
            sandbox + "/_sandbox/catalog",
        ),
        process(
            http,
            ["serve", "--port", str(cold_port), "--sandbox-url", sandbox],
            cold.replace("/graphql", "/healthz"),
            {"GATEWAY_CACHE_TTL_S": "0", **NO_LIMITS},
        ),
        process(
            http,
            ["serve", "--port", str(warm_port), "--sandbox-url", sandbox],
            warm.replace("/graphql", "/healthz"),
            {"GATEWAY_CACHE_TTL_S": "600", **NO_LIMITS},
        ),
    ):
        async with http.get(sandbox + "/_sandbox/catalog") as response:
            products = (await response.json())["products"]
        queries = {
            "catalog page (40 products)": (
                CATALOG_PAGE,
                {"skus": [p["sku"] for p in products[:40]]},
            ),
            "product page (1 product)": (PRODUCT_PAGE, {"sku": products[0]["sku"]}),
        }
        for name, (query, variables) in queries.items():
            calls = await calls_per_query(http, sandbox, cold, query, variables)
            await post(http, warm, query, variables)
            warm_calls = await calls_per_query(http, sandbox, warm, query, variables)
            cold_p50, cold_p99 = await latencies(http, cold, query, variables, runs)
            warm_p50, warm_p99 = await latencies(http, warm, query, variables, runs)
            cold_rps = await throughput(http, cold, query, variables, seconds)
            warm_rps = await throughput(http, warm, query, variables, seconds)
            by_platform = ", ".join(f"{p} {n}" for p, n in sorted(calls.items()))
            lines += [
                f"{name}, sandbox +{latency_ms} ms:",
                f"  upstream calls cold: {sum(calls.values())} ({by_platform});"
                f" warm: {sum(warm_calls.values())}",
                f"  latency cold p50 {cold_p50:.1f} ms, p99 {cold_p99:.1f} ms;"
                f" warm p50 {warm_p50:.1f} ms, p99 {warm_p99:.1f} ms",
                f"  throughput (8 clients): cold {cold_rps:.1f} req/s,"
                f" warm {warm_rps:.1f} req/s",
            ]
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter")
    args = parser.parse_args()
    runs, seconds = (10, 2.0) if args.quick else (40, 5.0)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for latency_ms in (0, 50):
            for line in await scenario(http, latency_ms, runs, seconds):
                print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
