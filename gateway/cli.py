"""The ``reviews-gateway`` command line: ``sandbox`` (and, later, ``serve``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway.sandbox import serve_sandbox


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviews-gateway",
        description="One GraphQL endpoint over four product-review platforms.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reviews-gateway`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        if not 0 <= args.latency_ms <= 600_000:
            print("--latency-ms must be from 0 to 600000", file=sys.stderr)  # noqa: T201
            return 2
        serve_sandbox(args.host, args.port, seed=args.seed, latency_ms=args.latency_ms)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
