"""GraphQL over HTTP: the Strawberry view, as the GraphQL-over-HTTP spec asks.

- ``Accept: application/graphql-response+json`` gets that media type; a request that
  fails before execution (syntax, validation, a bad operation) then answers 400.
  ``application/json`` (or no preference) keeps the legacy 200 with ``errors``.
- An ``Accept`` that allows neither answers 406.
- Transport errors (bad JSON, no query, a mutation over GET) answer in the GraphQL
  error shape with a 4xx status, never as plain text.
- The context is built per request from the services and the authenticated caller.
- An answer larger than ``max_response_bytes`` is not sent: it is replaced by one
  error with code ``RESPONSE_TOO_LARGE`` (never a truncated body).
"""

from __future__ import annotations

import json
from typing import Any, Final

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult

from gateway.errors import GatewayError
from resolvers.context import Context, build_context

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
    request: Request, error: GatewayError | str, *, status_code: int
) -> Response:
    """A GraphQL-shaped error answer for a request that never executed."""
    message = error if isinstance(error, str) else str(error)
    body: dict[str, object] = {"message": message}
    if isinstance(error, GatewayError):
        body["extensions"] = error.extensions
    media = negotiate(request.headers.get("accept")) or JSON
    return Response(
        json.dumps({"errors": [body]}),
        status_code=status_code,
        media_type=media,
    )


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with the gateway's context and media negotiation."""

    def __init__(
        self, schema: BaseSchema, *, max_response_bytes: int, **options: Any
    ) -> None:
        super().__init__(schema, **options)
        self.max_response_bytes = max_response_bytes

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
            return await self.run(request)
        except HTTPException as error:
            return graphql_error_response(
                request, error.reason, status_code=error.status_code
            )

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
