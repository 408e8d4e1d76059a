"""Placeholder: the etrusted simulator is being written (issue 2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from gateway.simulators.catalog import Catalog
from gateway.simulators.control import Clock, ProviderControl


def render_error(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)


def create_apps(
    catalog: Catalog,
    control: ProviderControl,
    *,
    seed: int,
    clock: Clock,
    settings: Any = None,
) -> Mapping[str, web.Application]:
    prefix = "/etrusted"
    return {
        prefix: web.Application(middlewares=[control.middleware(render_error, prefix)])
    }
