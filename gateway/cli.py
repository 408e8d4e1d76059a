"""The ``reviews-gateway`` command line: ``serve`` the graph, or run the ``sandbox``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Sequence

import uvicorn

from gateway.app import create_app
from gateway.config import Mode, Settings, load_settings, with_default_mode
from gateway.errors import ConfigError
from gateway.logs import UVICORN_LOG_CONFIG, configure_logging
from gateway.sandbox import remote_sandbox_settings, sandbox_index
from sandbox.ratelimit import Window
from sandbox.server import serve_sandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviews-gateway",
        description="One GraphQL endpoint over four product-review platforms.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve the GraphQL endpoint (and GraphiQL) at /graphql",
        description=(
            "Serve the gateway. With no configuration it starts the embedded sandbox "
            "and points every platform at it."
        ),
    )
    serve.add_argument("--config", help="a TOML file (default: $GATEWAY_CONFIG)")
    serve.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    serve.add_argument("--port", type=int, default=8000, help="default: %(default)s")
    serve.add_argument(
        "--sandbox-url",
        help="use the sandbox already running at this URL instead of the embedded one",
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="serve the four platform simulators from one local server",
        description=(
            "Serve the Trustpilot, eTrusted, Trustoo and Mayar simulators under "
            "/trustpilot, /etrusted (+ /etrusted-login), /trustoo and /mayar, with "
            "the /_sandbox control endpoints."
        ),
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    sandbox.add_argument("--port", type=int, default=8700, help="default: %(default)s")
    sandbox.add_argument(
        "--seed", type=int, default=1, help="seed of the generated data (default: 1)"
    )
    sandbox.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="latency added to every simulated call (default: 0)",
    )
    sandbox.add_argument(
        "--mayar-rate-limit",
        type=int,
        default=20,
        help="Mayar's calls per minute per client, as Mayar documents (0: off)",
    )
    sandbox.add_argument(
        "--trustpilot-rate-limit",
        type=int,
        default=833,
        help="Trustpilot's calls per 5 minutes per API key, as documented (0: off)",
    )
    sandbox.add_argument(
        "--trustpilot-hourly-limit",
        type=int,
        default=10_000,
        help="Trustpilot's calls per hour per API key, as documented (0: off)",
    )
    sandbox.add_argument(
        "--webhook-delay-scale",
        type=float,
        default=1.0,
        help="multiplies Trustoo's webhook retry delays, 0, 3, ... 27 minutes "
        "(default: 1.0, as documented; 0.001 makes them fractions of a second)",
    )
    return parser


def _sandbox_limits(args: argparse.Namespace) -> tuple[Window, ...] | None:
    """Trustpilot's windows from the flags (``None``: a flag is out of range)."""
    five_minutes, hourly = args.trustpilot_rate_limit, args.trustpilot_hourly_limit
    if five_minutes < 0 or hourly < 0 or args.mayar_rate_limit < 0:
        return None
    windows = ((five_minutes, 300.0), (hourly, 3600.0))
    return tuple(Window(calls, window) for calls, window in windows if calls)


def _serve_settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(
        args.config or os.environ.get("GATEWAY_CONFIG"), os.environ
    )
    sandbox_url = args.sandbox_url or settings.sandbox_url
    if sandbox_url:
        options = settings.gateway_options()
        settings = asyncio.run(remote_sandbox_settings(sandbox_url, **options))
    settings = with_default_mode(settings)
    if settings.mode is Mode.SANDBOX:
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        settings = sandbox_index(settings, f"http://{host}:{args.port}")
    return settings


def _announcer(host: str, port: int) -> Callable[[str], None]:
    """Prints where the embedded sandbox listens, and its door on the gateway."""

    def announce(sandbox_url: str) -> None:
        door = f"http://{host}:{port}/_sandbox/"
        print(  # noqa: T201
            f"reviews-gateway: embedded sandbox at {sandbox_url}; its control "
            "routes (catalog, requests, faults, activity, reviews, webhooks) "
            f"also at {door}",
            file=sys.stderr,
            flush=True,
        )

    return announce


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = _serve_settings(args)
    except ConfigError as error:
        print(f"reviews-gateway: {error}", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(logging.INFO)
    uvicorn.run(
        create_app(settings, announce=_announcer(args.host, args.port)),
        host=args.host,
        port=args.port,
        lifespan="on",
        server_header=False,
        timeout_graceful_shutdown=20,
        # JSON lines through the root logger; the app logs each request itself
        # (uvicorn's access log would print the query string and its variables).
        log_config=UVICORN_LOG_CONFIG,
        access_log=False,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reviews-gateway`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _sandbox(args)


def _sandbox(args: argparse.Namespace) -> int:
    if not 0 <= args.latency_ms <= 600_000:
        print("--latency-ms must be from 0 to 600000", file=sys.stderr)  # noqa: T201
        return 2
    limits = _sandbox_limits(args)
    if limits is None:
        print("rate limits must be 0 (off) or more", file=sys.stderr)  # noqa: T201
        return 2
    if not 0.0 <= args.webhook_delay_scale <= 1000.0:
        print("--webhook-delay-scale must be from 0 to 1000", file=sys.stderr)  # noqa: T201
        return 2
    serve_sandbox(
        args.host,
        args.port,
        seed=args.seed,
        latency_ms=args.latency_ms,
        mayar_rate_limit=args.mayar_rate_limit or None,
        trustpilot_rate_limits=limits,
        webhook_delay_scale=args.webhook_delay_scale,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
