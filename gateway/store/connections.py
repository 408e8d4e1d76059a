"""SQLite connections that each live on their own thread, awaited from the loop.

stdlib ``sqlite3`` blocks, so every connection gets a single-thread executor and
every call is a whole unit of work (a page: its rows, its total and their
attributes) run there in one hop. That is aiosqlite's model, minus a hop per
``execute``/``fetch`` and minus a dependency. SQLite releases the GIL while it
works, so readers on their own threads run in parallel with the writer (WAL mode).

One writer connection takes every write, in ``BEGIN IMMEDIATE`` transactions (so a
second process on the same file waits its turn through the busy timeout instead of
failing half-way); a small pool of readers takes the reads.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Final, TypeVar

from gateway.errors import InvalidInput

T = TypeVar("T")

MAX_READ_S: Final = 2.0
"""The longest one read may run on a reader before SQLite abandons it. A page view
takes milliseconds; a read that runs for seconds (an exact total over a date window
of a million reviews, say) would hold one of the few readers that every page view
needs, so it is refused instead (``ReadTooCostly``)."""
PROGRESS_STEPS: Final = 1_000
"""SQLite virtual-machine steps between two looks at the clock."""


class ReadTooCostly(InvalidInput):
    """A read from the review index that ran past ``MAX_READ_S``."""


BUSY_TIMEOUT_MS = 10_000
"""How long a statement waits for another connection's (or process's) lock."""


MMAP_BYTES = 256 * 1024 * 1024


class Connection:
    """One sqlite3 connection and the one thread that may use it."""

    def __init__(self, executor: ThreadPoolExecutor, conn: sqlite3.Connection):
        self._executor = executor
        self._conn = conn

    @classmethod
    async def open(
        cls, target: str, *, uri: bool = False, read_only: bool = False
    ) -> Connection:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(
                target, isolation_level=None, check_same_thread=False, uri=uri
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            # Reads map the file (no copy per page); the writer keeps more pages,
            # since a batch of upserts touches every index at random places.
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            if read_only:
                conn.execute("PRAGMA query_only = ON")
                conn.execute("PRAGMA cache_size = -16000")
            else:
                conn.execute("PRAGMA cache_size = -64000")
            return conn

        loop = asyncio.get_running_loop()
        try:
            conn = await loop.run_in_executor(executor, connect)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, conn)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(conn)`` on this connection's thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, work, self._conn)

    async def close(self) -> None:
        await self.run(lambda conn: conn.close())
        self._executor.shutdown(wait=True)


class ReaderPool:
    """A few reader connections; each read borrows one for its whole unit of work.

    A read that runs past ``max_read_s`` is interrupted (a progress handler) and
    raises ``ReadTooCostly``.
    """

    def __init__(
        self,
        connections: list[Connection],
        *,
        owned: bool = True,
        max_read_s: float = MAX_READ_S,
    ):
        self._max_read_s = max_read_s
        self._all = connections if owned else []
        self._idle: asyncio.Queue[Connection] = asyncio.Queue()
        for conn in connections:
            self._idle.put_nowait(conn)

    @asynccontextmanager
    async def borrow(self) -> AsyncIterator[Connection]:
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        async with self.borrow() as conn:
            return await conn.run(lambda c: _bounded(c, work, self._max_read_s))

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()


def transaction(conn: sqlite3.Connection, work: Callable[[], T]) -> T:
    """Run ``work`` inside ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _bounded(
    conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], limit_s: float
) -> T:
    deadline = time.monotonic() + limit_s
    conn.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
    try:
        return work(conn)
    except sqlite3.OperationalError as error:
        if "interrupted" not in str(error):
            raise
        raise ReadTooCostly(
            "this list is too costly to read from the review index (an exact "
            "count over too many reviews); narrow the filter: a product, a "
            "platform, a rating, or no date window"
        ) from None
    finally:
        conn.set_progress_handler(None, 0)
