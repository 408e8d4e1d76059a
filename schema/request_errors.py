"""Codes for the errors GraphQL itself raises, as Apollo clients expect them.

=====================================================  ===========================
what failed                                            ``extensions.code``
=====================================================  ===========================
the document does not parse (syntax, nesting)          GRAPHQL_PARSE_FAILED
the document does not validate against the schema      GRAPHQL_VALIDATION_FAILED
a variable's value does not fit its type, or is        BAD_USER_INPUT
missing
anything else without a code (a masked bug)            INTERNAL_SERVER_ERROR
=====================================================  ===========================

A code already set wins: the QUERY_TOO_* limits of ``schema.limits`` and the
gateway's own errors keep theirs. A parse or validation error caused by a Python
exception (an integer literal longer than Python reads, 4,300 digits) is the
caller's input, not a bug: it loses the exception (so it is neither masked nor
logged with a traceback) and its message does not echo the literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

PARSE_FAILED: Final = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED: Final = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT: Final = "BAD_USER_INPUT"
INTERNAL: Final = "INTERNAL_SERVER_ERROR"
_EXPECTED: Final = re.compile(r"^Expected value of type '[^']{1,200}'")


def code_of(error: GraphQLError) -> str | None:
    """The code ``error`` carries, if any."""
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def _code(errors: Iterable[GraphQLError] | None, code: str, what: str) -> None:
    for error in errors or ():
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            expected = _EXPECTED.match(error.message)
            prefix = expected.group(0) if expected else f"The {what}"
            error.message = f"{prefix}: a value in it cannot be read."
            error.original_error = None
        if code_of(error) is None:
            error.extensions = {**(error.extensions or {}), "code": code}


class RequestErrorCodes(SchemaExtension):
    """See the module docstring."""

    def on_parse(self) -> Iterator[None]:
        yield
        _code(self.execution_context.pre_execution_errors, PARSE_FAILED, "document")

    def on_validate(self) -> Iterator[None]:
        yield
        errors = self.execution_context.pre_execution_errors
        _code(errors, VALIDATION_FAILED, "document")

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            # Without a path, it stopped execution before any field ran: variables.
            original = error.original_error
            from_graphql = original is None or isinstance(original, GraphQLError)
            if error.path is None and from_graphql and code_of(error) is None:
                error.extensions = {**(error.extensions or {}), "code": BAD_USER_INPUT}

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            if code_of(error) is None:
                error.extensions = {**(error.extensions or {}), "code": INTERNAL}
