"""The embedded sandbox's control routes, reachable through the gateway at /_sandbox/.

In embedded sandbox mode (``reviews-gateway serve`` with no configuration) the
simulators listen on a loopback port of their own that a newcomer does not know.
``SandboxProxy`` forwards the sandbox's control routes (``catalog``, ``requests``,
``faults``, ``activity``, ``reviews``, ``webhooks``) from the gateway's own address
to it: GET, POST, PUT and DELETE, the query string and the body passed through both
ways, over one session of its own. Request bodies are bounded (``MAX_BODY_BYTES``,
413 beyond: ``gateway.bodies``); nothing but those control routes is forwarded
(never a platform's simulated API, never a path with ``..``). A sandbox that does
not answer is a 502 with a JSON body, not a traceback.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Final

import aiohttp
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.bodies import BodyRefused, bounded_body

CONTROL_ROUTES: Final = frozenset(
    {"catalog", "requests", "faults", "activity", "reviews", "webhooks"}
)
"""The sandbox's ``/_sandbox/<route>`` control endpoints (DESIGN.md section 4)."""
METHODS: Final = ("GET", "POST", "PUT", "DELETE")
MAX_BODY_BYTES: Final = 64 * 1024
"""The largest request body forwarded (a faults or activity document is far less)."""
TIMEOUT_S: Final = 10.0


def _error(message: str, status: int) -> Response:
    return JSONResponse({"error": message}, status_code=status)


class SandboxProxy:
    """Forwards ``/_sandbox/<route>`` to the embedded sandbox at ``base_url``."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")

    @staticmethod
    def session() -> AbstractAsyncContextManager[aiohttp.ClientSession]:
        """The proxy's own session (enter it on the app's lifespan stack)."""
        return aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_S), auto_decompress=False
        )

    async def forward(self, request: Request, route: str) -> Response:
        """Answer ``request`` for the control ``route`` with the sandbox's answer."""
        if route not in CONTROL_ROUTES:
            return _error(f"the sandbox has no /_sandbox/{route[:40]} route", 404)
        try:
            body = await bounded_body(request, MAX_BODY_BYTES)
        except BodyRefused as refused:
            return _error(str(refused), refused.status)
        headers = {}
        if "content-type" in request.headers:
            headers["Content-Type"] = request.headers["content-type"]
        url = f"{self.base_url}/_sandbox/{route}"
        try:
            async with self._session.request(
                request.method,
                url,
                params=list(request.query_params.multi_items()),
                data=body or None,
                headers=headers,
                allow_redirects=False,
            ) as upstream:
                content = await upstream.read()
                media = upstream.headers.get("Content-Type")
                return Response(content, upstream.status, media_type=media)
        except (aiohttp.ClientError, TimeoutError):
            return _error("the embedded sandbox did not answer", 502)
