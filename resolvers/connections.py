"""Relay connections as records: a page of nodes, each with the cursor after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Edge(Generic[T]):
    """A node and the cursor just after it."""

    cursor: str
    node: T


@dataclass(frozen=True, slots=True)
class Connection(Generic[T]):
    """One page of a list: its edges and where it stands."""

    edges: tuple[Edge[T], ...]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0].cursor if self.edges else None

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else None
