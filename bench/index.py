"""Benchmark: the review index against the live fan-out, side by side in one run.

Two parts, each on its own sandbox process:

1. Backfill under the platforms' documented limits (the sandbox as `make serve`
   runs it: Mayar 20 calls a minute, Trustpilot 833 per 5 minutes and 10,000 an
   hour): a gateway with an empty index starts, and the bench prints, per platform,
   the seconds until its sync is LIVE, the calls it made, and the 429 answers the
   sandbox gave (the whole run).
2. Page views, limits off (they would measure the platforms' rates): three gateways
   on one sandbox, `indexed` (reads from the synced store, result cache off), `live
   cold` (every platform `read_mode = "live"`, result cache off) and `live warm`
   (live, result cache on). For the catalog page (40 products: summaries + 3
   reviews) and the product page (README's query: summary, 20 reviews with replies
   and threads): upstream calls per page view, latency p50/p99 and req/s with 8
   clients, and each figure's ratio to `live cold`.

Run: ``make bench`` (or ``.venv/bin/python bench/index.py [--quick]``).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from harness import NO_GATEWAY_LIMITS, NO_SANDBOX_LIMITS, free_port, post, process
from run import CATALOG_PAGE, calls_per_query, latencies, throughput

PROVIDERS = ("trustpilot", "etrusted", "trustoo", "mayar")
PRODUCT_PAGE = """
query Product($sku: String!) {
  product(sku: $sku) {
    name brand
    ratingSummary {
      count average
      distribution { oneStar twoStars threeStars fourStars fiveStars }
      providers { provider count average }
    }
    reviews(first: 20, orderBy: NEWEST) {
      totalCount
      edges { node { id provider kind rating ratingExact title body language
                     createdAt author { displayName country } media { type url }
                     reply { body } conversation { state comments { body
                     author { type } } } } }
      pageInfo { hasNextPage endCursor }
    }
    attributeSummaries { name average count }
  }
}
"""
SYNC = "{ providers { provider sync { state reviews budgetUsed } } }"
LIVE_EVERYWHERE = {
    **{f"GATEWAY_{p.upper()}_READ_MODE": "live" for p in PROVIDERS},
    "GATEWAY_STORE_PATH": ":memory:",
}
"""Every platform ``read_mode = "live"``: the fan-out path, through the same app."""
NO_LIMITS = NO_GATEWAY_LIMITS


async def sync_states(http: aiohttp.ClientSession, url: str) -> dict[str, str]:
    async with http.post(url, json={"query": SYNC}) as response:
        body = await response.json()
    return {
        p["provider"].lower(): (p["sync"] or {}).get("state", "OFF")
        for p in body["data"]["providers"]
    }


async def until_live(
    http: aiohttp.ClientSession, url: str, timeout_s: float
) -> dict[str, float]:
    """Seconds from now until each platform's sync is LIVE."""
    started = time.monotonic()
    done: dict[str, float] = {}
    while len(done) < len(PROVIDERS):
        states = await sync_states(http, url)
        for provider, state in states.items():
            if state == "LIVE" and provider not in done:
                done[provider] = time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise RuntimeError(f"sync not LIVE after {timeout_s:.0f} s: {states}")
        await asyncio.sleep(0.2)
    return done


async def request_log(http: aiohttp.ClientSession, sandbox: str) -> list[Any]:
    async with http.get(sandbox + "/_sandbox/requests") as response:
        return list(await response.json())


async def backfill(http: aiohttp.ClientSession, data: Path) -> list[str]:
    """Part 1: an empty index filled under the documented limits."""
    sandbox_port, gateway_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    gateway = f"http://127.0.0.1:{gateway_port}/graphql"
    env = {"GATEWAY_STORE_PATH": str(data / "backfill.sqlite3")}
    async with (
        process(
            http,
            ["sandbox", "--port", str(sandbox_port)],
            sandbox + "/_sandbox/catalog",
        ),
        process(
            http,
            ["serve", "--port", str(gateway_port), "--sandbox-url", sandbox],
            gateway.replace("/graphql", "/healthz"),
            env,
        ),
    ):
        seconds = await until_live(http, gateway, timeout_s=300)
        log = await request_log(http, sandbox)
    calls = Counter(e["provider"] for e in log)
    limited = Counter(e["provider"] for e in log if e["status"] == 429)
    lines = ["backfill of an empty index, documented limits on (the sandbox's):"]
    for provider in PROVIDERS:
        lines.append(
            f"  {provider:<10} LIVE after {seconds[provider]:6.1f} s,"
            f" {calls[provider]:4d} calls, {limited[provider]} x 429"
        )
    lines.append(
        f"  all LIVE after {max(seconds.values()):.1f} s;"
        f" {sum(calls.values())} calls; {sum(limited.values())} x 429 in the run"
    )
    return lines


async def page_views(
    http: aiohttp.ClientSession, data: Path, runs: int, seconds: float
) -> list[str]:
    """Part 2: indexed against live, on one sandbox without limits."""
    ports = [free_port() for _ in range(4)]
    sandbox = f"http://127.0.0.1:{ports[0]}"
    urls = {
        "indexed": f"http://127.0.0.1:{ports[1]}/graphql",
        "live cold": f"http://127.0.0.1:{ports[2]}/graphql",
        "live warm": f"http://127.0.0.1:{ports[3]}/graphql",
    }
    envs = {
        "indexed": {
            "GATEWAY_CACHE_TTL_S": "0",
            "GATEWAY_STORE_PATH": str(data / "pages.sqlite3"),
            **NO_LIMITS,
        },
        "live cold": {"GATEWAY_CACHE_TTL_S": "0", **LIVE_EVERYWHERE, **NO_LIMITS},
        "live warm": {"GATEWAY_CACHE_TTL_S": "600", **LIVE_EVERYWHERE, **NO_LIMITS},
    }

    def gateway(name: str, port: int) -> Any:
        return process(
            http,
            ["serve", "--port", str(port), "--sandbox-url", sandbox],
            urls[name].replace("/graphql", "/healthz"),
            envs[name],
        )

    lines: list[str] = []
    async with (
        process(
            http,
            [
                "sandbox",
                "--port",
                str(ports[0]),
                *NO_SANDBOX_LIMITS,
            ],
            sandbox + "/_sandbox/catalog",
        ),
        gateway("indexed", ports[1]),
        gateway("live cold", ports[2]),
        gateway("live warm", ports[3]),
    ):
        await until_live(http, urls["indexed"], timeout_s=120)
        async with http.get(sandbox + "/_sandbox/catalog") as response:
            products = (await response.json())["products"]
        queries = {
            "catalog page (40 products)": (
                CATALOG_PAGE,
                {"skus": [p["sku"] for p in products[:40]]},
            ),
            "product page (README query)": (
                PRODUCT_PAGE,
                {"sku": products[0]["sku"]},
            ),
        }
        for title, (query, variables) in queries.items():
            lines.append(f"{title}:")
            figures: dict[str, tuple[int, float, float, float]] = {}
            for name, url in urls.items():
                await post(http, url, query, variables)
                calls = await calls_per_query(http, sandbox, url, query, variables)
                p50, p99 = await latencies(http, url, query, variables, runs)
                rps = await throughput(http, url, query, variables, seconds)
                figures[name] = (sum(calls.values()), p50, p99, rps)
            base = figures["live cold"]
            for name, (calls_n, p50, p99, rps) in figures.items():
                lines.append(
                    f"  {name:<10} {calls_n:4d} upstream calls per view;"
                    f" p50 {p50:6.1f} ms, p99 {p99:6.1f} ms; {rps:7.1f} req/s"
                    f" ({rps / base[3]:.1f}x live cold)"
                )
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter")
    parser.add_argument(
        "--skip-backfill", action="store_true", help="part 2 only (no 90 s wait)"
    )
    args = parser.parse_args()
    runs, seconds = (10, 2.0) if args.quick else (40, 5.0)
    timeout = aiohttp.ClientTimeout(total=60)
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        data = Path(tmp)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            if not args.skip_backfill:
                for line in await backfill(http, data):
                    print(line, flush=True)
            for line in await page_views(http, data, runs, seconds):
                print(line, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
