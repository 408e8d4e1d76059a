"""Pacing: a long list is completed in batches, with the event loop free in between.

graphql-core completes a list's items (and everything beneath them that resolves
without waiting) in one go: a page of 100 reviews is about 1,600 fields, tens of
milliseconds during which no other request is served, ``/healthz`` included.
``PacedExecutor`` completes the first ``BATCH`` items at once and the rest one
batch per turn of the event loop: item ``i`` waits ``i // BATCH`` turns before it
is completed. Results, their order, paths and errors are as without pacing.

Only lists whose selected fields all resolve without waiting are paced. A field
that waits (an async resolver) usually loads through a per-request dataloader,
which batches the keys asked for in one turn: pacing its items would split one
batch call (Trustpilot's batch-summaries for 40 products) into several. Those
lists stay bounded by the cost budget instead (``schema.cost``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Any, Final

from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    is_composite_type,
)
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from schema.fragments import level_fields

BATCH: Final = 10
"""Items completed per turn of the event loop."""


async def _after_turns(item: Any, turns: int) -> Any:
    for _ in range(turns):
        await asyncio.sleep(0)
    return item


class PacedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing long lists of objects in batches."""

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: AsyncIterable[Any] | Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if (
            isinstance(result, list | tuple)
            and len(result) > BATCH
            and not self._waits(get_named_type(return_type), field_details_list)
        ):
            is_awaitable = self.is_awaitable
            result = [
                item
                if i < BATCH or is_awaitable(item)
                else _after_turns(item, i // BATCH)
                for i, item in enumerate(result)
            ]
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _waits(self, item_type: GraphQLNamedType, details: Sequence[Any]) -> bool:
        """Whether an item's selection reaches a resolver that waits (or a scalar)."""
        if not is_composite_type(item_type):
            return True  # scalars are cheap to complete: nothing to pace
        return any(
            self._selection_waits(d.node.selection_set, item_type) for d in details
        )

    def _selection_waits(
        self, selections: SelectionSetNode | None, parent: GraphQLNamedType
    ) -> bool:
        if selections is None:
            return False
        for condition, node in level_fields(selections, self.fragment_definitions):
            owner = self.schema.get_type(condition.name.value) if condition else parent
            for owner_type in self._concrete(owner):
                field = owner_type.fields.get(node.name.value)
                if field is None:
                    continue
                strawberry_field = (field.extensions or {}).get(
                    GraphQLCoreConverter.DEFINITION_BACKREF
                )
                if getattr(strawberry_field, "is_async", False):
                    return True
                if self._selection_waits(
                    node.selection_set, get_named_type(field.type)
                ):
                    return True
        return False

    def _concrete(
        self, owner: GraphQLNamedType | None
    ) -> Sequence[GraphQLObjectType | GraphQLInterfaceType]:
        if owner is None:
            return ()
        if is_abstract_type(owner):
            return self.schema.get_possible_types(owner)
        if isinstance(owner, GraphQLObjectType):
            return (owner,)
        return ()
