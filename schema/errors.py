"""Errors at the edge: masking, platform failures beside partial data, the trace.

``should_mask`` hides every error whose cause is not a ``GatewayError`` (a bug must not
leak a stack trace or an upstream body). ``ProviderErrors``:

* appends the platform failures resolvers reported while still returning the other
  platforms' data: one error per failed platform, code and top-level field, at the
  first path it affected, with ``extensions`` from the exception (code, provider,
  httpStatus, retryAfter) and ``paths``: every path whose object lacks that
  platform's data (each such object also says so: ``complete``, ``missingProviders``);
* appends one warning per platform whose expired cached data was served because it
  failed, with ``stale: true``;
* counts every error by code in the metrics;
* on request (``X-Reviews-Trace: 1``) adds ``extensions.providers``: per platform its
  status (error, rate_limited, stale, ok, skipped: see ``gateway.trace``), calls,
  cache hits and wall-time milliseconds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway import trace
from gateway.errors import GatewayError, ProviderError
from gateway.records import Provider
from resolvers.context import Context, ProviderProblem

logger = logging.getLogger(__name__)


def should_mask(error: GraphQLError) -> bool:
    """Mask everything that is not one of the gateway's own errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        # A syntax, validation or variable-coercion error: safe and useful.
        return False
    return not isinstance(original, GatewayError)


def _provider_errors(context: Context) -> list[GraphQLError]:
    """One error per (platform, code, top-level field), listing every path."""
    groups: dict[tuple[str, str, str | int | None], list[ProviderProblem]] = {}
    for problem in context.problems:
        error = problem.error
        top = problem.path[0] if problem.path else None
        groups.setdefault((error.provider, error.code, top), []).append(problem)
    errors = []
    for problems in groups.values():
        first = problems[0]
        paths = list(dict.fromkeys(p.path for p in problems if p.path))
        logger.warning(
            "provider failed",
            extra={"provider": first.error.provider, "code": first.error.code},
        )
        errors.append(
            GraphQLError(
                str(first.error),
                path=list(paths[0]) if paths else None,
                original_error=first.error,
                extensions={
                    **first.error.extensions,
                    "paths": [list(path) for path in paths],
                },
            )
        )
    return errors


def _stale_warnings(stale: list[ProviderError]) -> list[GraphQLError]:
    warnings: dict[str, GraphQLError] = {}
    for error in stale:
        if error.provider not in warnings:
            warnings[error.provider] = GraphQLError(
                f"{error.provider}: failed; served its cached data from before",
                extensions={**error.extensions, "stale": True},
            )
    return list(warnings.values())


class ProviderErrors(SchemaExtension):
    """See the module docstring."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, Context) or result is None:
            return
        errors = list(getattr(result, "errors", None) or [])
        current = trace.current()
        if current is not None:
            # A platform failure raised through a field (not reported beside partial
            # data) still tells the trace what happened to that platform.
            for error in errors:
                if isinstance(error.original_error, ProviderError):
                    current.failed(error.original_error)
        errors += _provider_errors(context)
        if current is not None:
            errors += _stale_warnings(current.stale)
        if errors:
            result.errors = errors
        metrics = context.services.metrics
        if metrics is not None:
            for error in errors:
                code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
                metrics.errors.labels(str(code)).inc()

    def get_results(self) -> dict[str, object]:
        context = self.execution_context.context
        current = trace.current()
        if not isinstance(context, Context) or not context.show_trace or not current:
            return {}
        rows = []
        for provider in Provider:
            if provider not in context.services.sources:
                continue
            entry = current.of(provider.value)
            rows.append(
                {
                    "provider": provider.name,
                    "status": entry.status,
                    "calls": entry.calls,
                    "cacheHits": entry.cache_hits,
                    "ms": round(entry.ms, 1),
                }
            )
        return {"providers": rows}
