"""Query limits: depth, aliases and tokens, each refused with a clear, coded error.

Depth and aliases are validation rules (nothing executes past them); the token limit
is the parser's own (``max_tokens``), whose syntax error gets a code here. Page size
is limited where pages are made (``first`` at most ``max_page_size``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

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
    selections: SelectionSetNode | None,
    context: ValidationContext,
    seen: frozenset[str],
) -> int:
    if selections is None:
        return 0
    deepest = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            if node.name.value.startswith("__"):
                continue  # introspection is not the data graph
            deepest = max(deepest, 1 + _depth(node.selection_set, context, seen))
        elif isinstance(node, InlineFragmentNode):
            deepest = max(deepest, _depth(node.selection_set, context, seen))
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = context.get_fragment(node.name.value)
            if fragment is not None:
                inner = seen | {node.name.value}
                deepest = max(deepest, _depth(fragment.selection_set, context, inner))
    return deepest


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A rule refusing operations nested deeper than ``max_depth`` fields."""

    class DepthLimit(ValidationRule):
        def enter_operation_definition(
            self, node: OperationDefinitionNode, *_: Any
        ) -> None:
            depth = _depth(node.selection_set, self.context, frozenset())
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
    """A rule refusing documents with more than ``max_aliases`` aliases."""

    class AliasLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0
            self.reported = False

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is None:
                return
            self.count += 1
            if self.count > max_aliases and not self.reported:
                self.reported = True
                self.report_error(
                    GraphQLError(
                        f"at most {max_aliases} aliases are allowed",
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
