"""Benchmark under faults: what share of queries still answer, and how completely.

Starts the sandbox as a process on loopback and, for each scenario, a fresh gateway
process (cache off, so every query reaches the platforms; fresh, so no breaker or
stale entry carries over from the scenario before), sets the faults through
``PUT /_sandbox/faults`` and runs product-page queries over the catalog:

* one platform down (Trustpilot answers 503 to everything);
* one platform slow (eTrusted 2 s on every call);
* one platform rate limiting (Trustoo 30 calls a minute, 429 with Retry-After);
* 30 % server errors on one platform (Mayar 503 on 30 % of calls).

Per scenario it prints the share of queries answered within the request deadline,
the share with complete data (no error), the upstream calls per query and the
latency p50/p99. Run: ``make bench-faults`` (or ``.venv/bin/python bench/faults.py``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from typing import Any

import aiohttp
from harness import LIVE_PATH, NO_SANDBOX_LIMITS, answer, free_port, process

QUERY = """
query Product($sku: String!) {
  product(sku: $sku) {
    ratingSummary { count average providers { provider count } }
    reviews(first: 10) { edges { node { provider rating body reply { body } } } }
  }
}
"""
DEADLINE_S = 3.0
SCENARIOS: dict[str, dict[str, Any]] = {
    "healthy": {},
    "Trustpilot down (503)": {"trustpilot": {"errorRate": 1.0, "errorStatus": 503}},
    "eTrusted slow (2 s)": {"etrusted": {"latencyMs": 2000}},
    "Trustoo rate limiting (30/min)": {"trustoo": {"rateLimitPerMinute": 30}},
    "Mayar 30 % 503": {"mayar": {"errorRate": 0.3, "errorStatus": 503}},
}


async def run_scenario(
    http: aiohttp.ClientSession,
    sandbox: str,
    gateway: str,
    skus: list[str],
    faults: dict[str, Any],
) -> str:
    reset = {p: {} for p in ("trustpilot", "etrusted", "trustoo", "mayar")}
    async with http.put(sandbox + "/_sandbox/faults", json={**reset, **faults}):
        pass
    async with http.delete(sandbox + "/_sandbox/requests"):
        pass
    timings: list[float] = []
    complete = 0
    codes: Counter[str] = Counter()
    for sku in skus:
        seconds, body = await answer(http, gateway, QUERY, {"sku": sku})
        timings.append(seconds)
        errors = body.get("errors") or []
        complete += not errors
        codes.update(e.get("extensions", {}).get("code", "?") for e in errors)
    async with http.get(sandbox + "/_sandbox/requests") as response:
        calls = len(await response.json())
    timings.sort()
    within = sum(t <= DEADLINE_S for t in timings)
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    share = f"{within / len(skus):.0%} within {DEADLINE_S:.0f} s deadline"
    return (
        f"  {share}, {complete / len(skus):.0%} complete, "
        f"{calls / len(skus):.1f} upstream calls/query, "
        f"p50 {timings[len(timings) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
        + (f"; errors: {dict(codes)}" if codes else "")
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    sandbox_port = free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {
        "GATEWAY_CACHE_TTL_S": "0",
        "GATEWAY_REQUEST_DEADLINE_S": str(DEADLINE_S),
        **LIVE_PATH,
    }
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
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
    ):
        async with http.get(sandbox + "/_sandbox/catalog") as response:
            products = (await response.json())["products"]
        skus = [p["sku"] for p in products][: args.queries]
        for name, faults in SCENARIOS.items():
            port = free_port()
            gateway = f"http://127.0.0.1:{port}/graphql"
            async with process(
                http,
                ["serve", "--port", str(port), "--sandbox-url", sandbox],
                gateway.replace("/graphql", "/healthz"),
                env,
            ):
                line = await run_scenario(http, sandbox, gateway, skus, faults)
            print(f"{name}:\n{line}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
