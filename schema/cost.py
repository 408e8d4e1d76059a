"""Demand control: an operation's cost, estimated and limited before anything runs.

The estimate is an upper bound on the objects the answer can hold, from the sizes
the caller asks for (README, "Limits"):

* every object (a field of an object, interface or union type) counts 1; scalars
  and enums count 0; introspection (``__schema``, ``__typename``...) counts 0;
* a field sized by an argument counts once per item: ``first`` (a connection: its
  default, ``resolvers.reviews.DEFAULT_FIRST`` (20), when left out or null; at
  least 1), the number of ``skus``, the number of ``representations``; everything
  inside it counts once per item too (nested lists multiply). A connection's
  ``edges`` and ``nodes`` are already counted by its ``first``; any other list
  counts ``ASSUMED_LIST_SIZE`` items;
* a list read in an order no platform offers (``orderBy`` other than ``NEWEST``),
  or filtered on what no platform filters (``withMedia``, ``verified``,
  ``hasReply``, ``search``), may read every matching review of each platform:
  ``SORTED_READ`` more for a product's list, ``SORTED_SHOP_READ`` for the whole
  shop's (the estimate runs before execution and counts every platform as live,
  the costlier path; the review index reads such a list in pages);
* a mutation field counts ``WRITE`` more.

Fragments are expanded (``schema.fragments``: each field node computed once) and
variables and argument defaults are resolved as the executor will. Over the limits:

* ``skus`` or ``representations`` longer than allowed: ``BAD_USER_INPUT`` with
  ``{code, argument, count, max}``;
* a cost over the budget: ``QUERY_TOO_EXPENSIVE`` with ``{code, cost, maxCost}``.

``DemandControl`` runs this when execution starts (it needs the variables) and, on
a refusal, answers in place of the executor: nothing resolves, no platform is
called. A request whose variables do not coerce is left to the executor, which
reports that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    VariableValues,
    Visitor,
    get_argument_values,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    get_variable_values,
    is_composite_type,
    is_list_type,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.reviews import DEFAULT_FIRST
from schema.fragments import Fragments, Memo, fragments_of, level_fields

TOO_EXPENSIVE: Final = "QUERY_TOO_EXPENSIVE"
BAD_USER_INPUT: Final = "BAD_USER_INPUT"

ASSUMED_LIST_SIZE: Final = 5
"""Items counted for a list no argument sizes (media, comments, userErrors...)."""
SORTED_READ: Final = 20
"""Extra cost of a product's list sorted or filtered in the gateway: it may read the
product's whole list at each platform."""
SORTED_SHOP_READ: Final = 1000
"""Extra cost of the shop's list sorted or filtered in the gateway (``Query.reviews``):
it reads up to 10,000 reviews at each platform (measured: 60 calls, 5,551 reviews,
1 s)."""
GATEWAY_FILTERS: Final = ("withMedia", "verified", "hasReply")
"""Filters no platform applies: the gateway reads on until a page is full, so a
list asking for a rare match may read the whole list (hasReply also reads the
threads that decide)."""
WRITE: Final = 10
"""Extra cost of a mutation field: a write at a platform."""
NATIVE_ORDER: Final = "NEWEST"
CONNECTION_LISTS: Final = frozenset({"edges", "nodes"})


@dataclass(frozen=True, slots=True)
class CostLimits:
    """The budget and the caps on argument lists one operation may ask for."""

    max_cost: int = 2000
    max_skus: int = 100
    max_representations: int = 100


class Refused(Exception):
    """The operation is refused before execution, with this GraphQL error."""

    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.error = error


class _Estimate:
    """The walk over one operation, with its variables coerced."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Fragments,
        variables: VariableValues,
        limits: CostLimits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.memo: Memo[int] = Memo(0)

    def selection(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType
    ) -> int:
        """The cost of one object of type ``parent`` answering ``selections``."""
        if selections is None:
            return 0
        total = 0
        for condition, node in level_fields(selections, self.fragments):
            owner = self._type(condition) or parent
            total += self.memo.of(node, partial(self.field, owner=owner))
        return total

    def _type(self, condition: NamedTypeNode | None) -> GraphQLNamedType | None:
        return self.schema.get_type(condition.name.value) if condition else None

    def field(self, node: FieldNode, owner: GraphQLNamedType) -> int:
        """The cost of ``node`` once: its objects and everything inside them."""
        if node.name.value.startswith("__"):
            return 0
        if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = owner.fields.get(node.name.value)
        if definition is None or not is_composite_type(get_named_type(definition.type)):
            return 0
        arguments = self._arguments(definition, node)
        size = self._size(node, owner, definition, arguments)
        inner = self.selection(node.selection_set, get_named_type(definition.type))
        return size * (1 + inner) + self._whole_list_read(owner, arguments)

    def _whole_list_read(
        self, owner: GraphQLNamedType, arguments: Mapping[str, Any]
    ) -> int:
        """The extra cost of a list the gateway itself sorts or filters."""
        order = arguments.get("orderBy")
        filters = arguments.get("filter")
        in_gateway = arguments.get("search") is not None or (
            isinstance(filters, Mapping)
            and any(filters.get(name) is not None for name in GATEWAY_FILTERS)
        )
        if getattr(order, "name", order) in (None, NATIVE_ORDER) and not in_gateway:
            return 0
        return SORTED_SHOP_READ if owner is self.schema.query_type else SORTED_READ

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(definition, node, self.variables)
        except GraphQLError:
            return {}  # the executor reports it; count the defaults meanwhile

    def _size(
        self,
        node: FieldNode,
        owner: GraphQLNamedType,
        definition: GraphQLField,
        arguments: Mapping[str, Any],
    ) -> int:
        if "first" in arguments:
            first = arguments["first"]
            # `first: 0` still reads the platforms (pageInfo, totalCount): 1 at least.
            return DEFAULT_FIRST if first is None else max(1, int(first))
        for name, cap in _caps(self.limits).items():
            if isinstance(arguments.get(name), list):
                return _capped(node, name, len(arguments[name]), cap)
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        if owner.name.endswith("Connection") and node.name.value in CONNECTION_LISTS:
            return 1
        return ASSUMED_LIST_SIZE


def _caps(limits: CostLimits) -> dict[str, int]:
    """The list arguments with a cap on their length, and the caps."""
    return {"skus": limits.max_skus, "representations": limits.max_representations}


class _RawCaps(Visitor):
    """Checks capped arguments given as variables before the variables are coerced.

    Coercing 20,000 representations takes the event loop for a quarter second; a
    list over its cap is refused before that.
    """

    def __init__(self, variables: Mapping[str, Any], caps: Mapping[str, int]) -> None:
        super().__init__()
        self.variables = variables
        self.caps = caps

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        for argument in node.arguments or ():
            cap = self.caps.get(argument.name.value)
            if cap is None or not isinstance(argument.value, VariableNode):
                continue
            raw = self.variables.get(argument.value.name.value)
            if isinstance(raw, list):
                _capped(node, argument.name.value, len(raw), cap)


def _capped(node: FieldNode, argument: str, count: int, cap: int) -> int:
    if count > cap:
        raise Refused(
            GraphQLError(
                f"`{argument}` holds {count} items; at most {cap} are allowed",
                node,
                extensions={
                    "code": BAD_USER_INPUT,
                    "argument": argument,
                    "count": count,
                    "max": cap,
                },
            )
        )
    return count


def estimate(
    schema: GraphQLSchema,
    fragments: Fragments,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    limits: CostLimits,
) -> int:
    """The cost of ``operation``; raises ``Refused`` for an argument over its cap."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _Estimate(schema, fragments, variables, limits)
    cost = walk.selection(operation.selection_set, root)
    if operation.operation is OperationType.MUTATION:
        cost += WRITE * sum(
            not node.name.value.startswith("__")
            for _, node in level_fields(operation.selection_set, fragments)
        )
    return cost


def refusal(
    schema: GraphQLSchema, execution: ExecutionContext, limits: CostLimits
) -> GraphQLError | None:
    """Why the operation of ``execution`` is refused; ``None``: it may run."""
    document = execution.graphql_document
    if document is None:
        return None
    operation = get_operation_ast(document, execution.operation_name)
    if operation is None:
        return None
    raw = execution.variables or {}
    try:
        visit(document, _RawCaps(raw, _caps(limits)))
        # One error is enough to leave the request to the executor (which reports
        # up to 50): graphql-core builds each error message from the whole value.
        variables = get_variable_values(
            schema, operation.variable_definitions or (), raw, max_errors=1
        )
        if isinstance(variables, list):
            return None  # the executor reports the coercion errors
        cost = estimate(schema, fragments_of(document), operation, variables, limits)
    except Refused as refused:
        return refused.error
    if cost <= limits.max_cost:
        return None
    return GraphQLError(
        f"the operation's estimated cost is {cost}; at most {limits.max_cost} is "
        "allowed (ask for fewer items, or fewer nested lists)",
        operation,
        extensions={"code": TOO_EXPENSIVE, "cost": cost, "maxCost": limits.max_cost},
    )


class DemandControl(SchemaExtension):
    """Refuses an operation over its cost or caps before it executes (see module)."""

    def __init__(self, limits: CostLimits) -> None:
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None:
            error = refusal(context.schema._schema, context, self.limits)
            if error is not None:
                context.result = ExecutionResult(data=None, errors=[error])
        yield
