"""Query limits: depth, aliases and tokens, each refused with a clear, coded error.

Depth and aliases are validation rules (nothing executes past them), counted on each
operation with its fragments expanded (``schema.fragments``); the token limit
is the parser's own (``max_tokens``), whose syntax error gets a code here. Page size
is limited where pages are made (``first`` at most ``max_page_size``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from schema.fragments import Fragments, Memo, fragments_of, level_fields

TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "QUERY_TOO_MANY_ALIASES"
TOO_LARGE = "QUERY_TOO_LARGE"


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """The limits one schema enforces."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000


def _depth(
    selections: SelectionSetNode | None, fragments: Fragments, memo: Memo[int]
) -> int:
    if selections is None:
        return 0
    deepest = 0
    for _, node in level_fields(selections, fragments):
        if node.name.value.startswith("__"):
            continue  # introspection is not the data graph
        inner = memo.of(node, lambda n: _depth(n.selection_set, fragments, memo))
        deepest = max(deepest, 1 + inner)
    return deepest


def _aliases(
    selections: SelectionSetNode | None, fragments: Fragments, memo: Memo[int]
) -> int:
    if selections is None:
        return 0
    count = 0
    for _, node in level_fields(selections, fragments):
        inner = memo.of(node, lambda n: _aliases(n.selection_set, fragments, memo))
        count += inner + (node.alias is not None)
    return count


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A rule refusing operations nested deeper than ``max_depth`` fields.

    Depth is counted with fragments expanded (each fragment walked once).
    """

    class DepthLimit(ValidationRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_: Any
        ) -> None:
            fragments = fragments_of(self.context.document)
            depth = _depth(node.selection_set, fragments, Memo(0))
            if depth > max_depth:
                self.report_error(
                    GraphQLError(
                        f"the operation is {depth} fields deep; at most {max_depth} "
                        "are allowed",
                        node,
                        extensions={"code": TOO_DEEP},
                    )
                )

    return DepthLimit


def alias_rule(max_aliases: int) -> type[ValidationRule]:
    """A rule refusing operations with more than ``max_aliases`` aliases.

    Aliases are counted on the operation with fragments expanded: an alias inside
    a fragment counts once for every place the fragment is spread.
    """

    class AliasLimit(ValidationRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_: Any
        ) -> None:
            fragments = fragments_of(self.context.document)
            count = _aliases(node.selection_set, fragments, Memo(0))
            if count > max_aliases:
                self.report_error(
                    GraphQLError(
                        f"the operation has {count} aliases with its fragments "
                        f"expanded; at most {max_aliases} are allowed",
                        node,
                        extensions={"code": TOO_MANY_ALIASES},
                    )
                )

    return AliasLimit


class TokenLimit(SchemaExtension):
    """Has the parser stop past ``max_tokens`` and codes that error."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.max_tokens
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or []:
            if "tokens. Parsing aborted" in error.message:
                error.message = (
                    f"the document has more than {self.max_tokens} tokens; send a "
                    "smaller query"
                )
                error.extensions = {"code": TOO_LARGE}
