"""GraphQL over HTTP: the Strawberry view, as the GraphQL-over-HTTP spec asks.

- ``Accept: application/graphql-response+json`` gets that media type; a request that
  fails before execution (syntax, validation, a bad operation) then answers 400.
  ``application/json`` (or no preference) keeps the legacy 200 with ``errors``.
- An ``Accept`` that allows neither answers 406.
- Transport errors (bad JSON, no query, a mutation over GET) answer in the GraphQL
  error shape with a 4xx status and the code ``BAD_REQUEST``, never as plain text; a
  body over ``max_body_bytes`` answers 413 ``PAYLOAD_TOO_LARGE``, a JSON array over
  ``max_list_items`` items 400 ``BAD_REQUEST`` (``request_body``).
- The context is built per request from the services and the authenticated caller.
- Browsers get the GraphiQL page of ``schema.graphiql`` (a fallback when its CDN
  scripts cannot load, the README's product-page query, the sandbox key header).
- An answer larger than ``max_response_bytes`` is not sent: it is replaced by one
  error with code ``RESPONSE_TOO_LARGE`` (never a truncated body).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from gateway.errors import GatewayError
from resolvers.context import Context, build_context
from schema.graphiql import graphiql_page
from schema.request_body import BAD_REQUEST, bounded, read_json, transport_code

GRAPHQL_RESPONSE: Final = "application/graphql-response+json"
JSON: Final = "application/json"
TRACE_HEADER: Final = "X-Reviews-Trace"
TOO_LARGE: Final = "RESPONSE_TOO_LARGE"


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or ``None`` when none is acceptable."""
    if not accept:
        return JSON
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, media.lower()))
    for _, _, media in sorted(ranked):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return None


def graphql_error_response(
    request: Request,
    error: GatewayError | str,
    *,
    status_code: int,
    code: str = BAD_REQUEST,
) -> Response:
    """A GraphQL-shaped error answer for a request that never executed.

    A ``GatewayError`` brings its own extensions; a message gets ``code``.
    """
    message = error if isinstance(error, str) else str(error)
    body: dict[str, object] = {"message": message, "extensions": {"code": code}}
    if isinstance(error, GatewayError):
        body["extensions"] = error.extensions
    media = negotiate(request.headers.get("accept")) or JSON
    return Response(
        json.dumps({"errors": [body]}),
        status_code=status_code,
        media_type=media,
    )


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's context and media negotiation.

    ``ide_headers`` are the request headers GraphiQL's default tab starts with;
    ``max_body_bytes`` bounds what is read of a request (413 past it),
    ``max_list_items`` each JSON array in it (400 past it), and
    ``max_response_bytes`` what is sent back (``RESPONSE_TOO_LARGE`` past it); the
    three come from ``Settings``, which holds their defaults. The GraphiQL page is
    built here, so a Strawberry template it no longer fits fails at start-up.
    """

    def __init__(
        self,
        *args: Any,
        ide_headers: Mapping[str, str] | None = None,
        max_body_bytes: int,
        max_list_items: int,
        max_response_bytes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_response_bytes = max_response_bytes
        self.max_body_bytes = max_body_bytes
        self.max_list_items = max_list_items
        self._ide_page = (
            graphiql_page(self.graphql_ide_html, dict(ide_headers or {}))
            if self.graphql_ide
            else ""
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._ide_page)

    async def handle(self, request: Request) -> Response:
        """Answer one HTTP request (the caller is already on ``request.state``)."""
        if request.method == "POST" or request.query_params.get("query") is not None:
            media = negotiate(request.headers.get("accept"))
            if media is None:
                return graphql_error_response(
                    request,
                    f"answerable as {GRAPHQL_RESPONSE} or {JSON} only",
                    status_code=406,
                )
        try:
            return await self.run(await bounded(request, self.max_body_bytes))
        except HTTPException as error:
            return graphql_error_response(
                request,
                error.reason,
                status_code=error.status_code,
                code=transport_code(error.status_code),
            )

    def decode_json(self, data: str | bytes) -> object:
        return read_json(data, self.max_list_items)

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        context = build_context(request.state.services, request.state.caller)
        # The per-platform trace is for server callers and the GraphiQL explorer.
        asked = request.headers.get(TRACE_HEADER) == "1"
        allowed = (
            context.caller.key_name is not None or context.services.settings.graphiql
        )
        context.show_trace = asked and allowed
        return context

    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept")) or JSON
        request.state.sub_response = sub_response
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if (
            result.errors
            and result.data is None
            and all(error.path is None for error in result.errors)
        ):
            # Nothing executed (a parse or validation error): a request error, which
            # carries no `data` entry, and a 400 under the new media type.
            processed.pop("data", None)
            sub_response: Response = request.state.sub_response
            if sub_response.media_type == GRAPHQL_RESPONSE:
                sub_response.status_code = 400
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        body = self.encode_json(response_data)
        if len(body) > self.max_response_bytes:
            body = json.dumps(
                {
                    "errors": [
                        {
                            "message": "the answer is larger than "
                            f"{self.max_response_bytes} bytes; ask for fewer items "
                            "or fields",
                            "extensions": {
                                "code": TOO_LARGE,
                                "maxBytes": self.max_response_bytes,
                            },
                        }
                    ]
                }
            )
        response = Response(
            body,
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        response.headers.raw.extend(
            (name, value)
            for name, value in sub_response.headers.raw
            if name.lower() not in (b"content-type", b"content-length")
        )
        return response
