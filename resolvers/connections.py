"""Relay connections as records: a page of nodes, each with the cursor after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from gateway.errors import InvalidInput
from gateway.records import Provider

T = TypeVar("T")


def check_first(first: int, maximum: int) -> None:
    """Refuse a page size outside ``0..maximum`` (``max_page_size``)."""
    if not 0 <= first <= maximum:
        raise InvalidInput(f"`first` must be between 0 and {maximum}")


@dataclass(frozen=True, slots=True)
class Edge(Generic[T]):
    """A node and the cursor just after it."""

    cursor: str
    node: T


@dataclass(frozen=True, slots=True)
class Connection(Generic[T]):
    """One page of a list: its edges and where it stands.

    ``missing`` are the platforms that failed while this page was read: it lacks their
    part, and the list stays open for them (``has_next_page``). ``resume_cursor`` is
    where such a page stands when it has no edge, so that paging on from an empty page
    starts where it stood, not from the beginning.
    """

    edges: tuple[Edge[T], ...]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None
    missing: tuple[Provider, ...] = ()
    resume_cursor: str | None = None

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def start_cursor(self) -> str | None:
        return self.edges[0].cursor if self.edges else self.resume_cursor

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1].cursor if self.edges else self.resume_cursor
