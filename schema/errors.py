"""Errors at the edge: masking, and platform failures beside partial data.

``should_mask`` hides every error whose cause is not a ``GatewayError`` (a bug must not
leak a stack trace or an upstream body). ``ProviderErrors`` appends the platform
failures that resolvers reported while still returning the other platforms' data: one
error per failed platform, at the first field it affected, with ``extensions`` from
the exception (code, provider, httpStatus, retryAfter).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.errors import GatewayError
from resolvers.context import Context

logger = logging.getLogger(__name__)


def should_mask(error: GraphQLError) -> bool:
    """Mask everything that is not one of the gateway's own errors."""
    original = error.original_error
    if original is None:
        return False  # a GraphQL syntax or validation error: safe and useful
    return not isinstance(original, GatewayError)


class ProviderErrors(SchemaExtension):
    """Adds the platform failures reported during execution to the result."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, Context) or result is None or not context.problems:
            return
        seen: set[tuple[str, str]] = set()
        errors = list(getattr(result, "errors", None) or [])
        for problem in context.problems:
            error = problem.error
            if (error.provider, error.code) in seen:
                continue
            seen.add((error.provider, error.code))
            logger.warning(
                "provider failed",
                extra={"provider": error.provider, "code": error.code},
            )
            errors.append(
                GraphQLError(
                    str(error),
                    path=list(problem.path) if problem.path else None,
                    original_error=error,
                    extensions=error.extensions,
                )
            )
        result.errors = errors
