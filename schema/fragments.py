"""Walking an operation with its fragments expanded, without ever walking one twice.

The query limits (aliases, depth) and the cost estimate count what executes: a
fragment's fields count once per place it is spread. Expanding fragments naively
is exponential (fragments that each spread the next ones twice), and during
validation a document may still hold a fragment cycle. So:

* ``level_fields`` lists the fields one selection set executes at its own level,
  collecting each fragment once per level as graphql-core's executor does, and
  never following a fragment twice (no cycle, no repetition);
* ``Memo`` folds a value over the field nodes, computing each field node once
  (a field node sits at one place in the document, so its value is fixed); a
  field reached again while it is being computed (a cycle) counts 0.

The work is then linear in the document (times its fragments per level).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
)

Fragments = Mapping[str, FragmentDefinitionNode]
"""The document's fragments by name."""

T = TypeVar("T")


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The fragments ``document`` defines, by name (the last of a name wins)."""
    return {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def level_fields(
    selections: SelectionSetNode, fragments: Fragments
) -> list[tuple[NamedTypeNode | None, FieldNode]]:
    """The fields ``selections`` executes at its own level, fragments expanded.

    Each field comes with the type condition it sits under (``None``: the level's
    own type). A fragment spread twice at one level is collected once, as the
    executor collects it; an unknown fragment is skipped (validation reports it).
    """
    found: list[tuple[NamedTypeNode | None, FieldNode]] = []
    seen: set[str] = set()
    pending: list[tuple[SelectionSetNode, NamedTypeNode | None]] = [(selections, None)]
    while pending:
        current, condition = pending.pop()
        for node in current.selections:
            if isinstance(node, FieldNode):
                found.append((condition, node))
            elif isinstance(node, InlineFragmentNode):
                pending.append((node.selection_set, node.type_condition or condition))
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                fragment = fragments.get(node.name.value)
                if fragment is not None:
                    pending.append((fragment.selection_set, fragment.type_condition))
    return found


class Memo(Generic[T]):
    """A value per field node, each computed once; ``zero`` while in progress."""

    def __init__(self, zero: T) -> None:
        self.zero = zero
        self._values: dict[int, T] = {}
        self._nodes: list[FieldNode] = []  # keeps the ids in ``_values`` valid

    def of(self, node: FieldNode, compute: Callable[[FieldNode], T]) -> T:
        """``compute(node)``, or its value from before."""
        key = id(node)
        if key in self._values:
            return self._values[key]
        self._values[key] = self.zero
        self._nodes.append(node)
        value = compute(node)
        self._values[key] = value
        return value
