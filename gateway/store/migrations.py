"""The SQLite store's schema, as an ordered list of versioned migration steps.

The file's ``PRAGMA user_version`` says which steps it has had; ``migrate`` applies
the rest in order, each in its own ``BEGIN IMMEDIATE`` transaction (so two
processes opening one file at once migrate it once), and refuses a file newer than
this code. Never edit a released step: append one.

Layout (version 1):

- ``reviews``: one row per ``(provider, review_id)``, public fields only (see
  ``gateway.store.rows``). Indexes: one per order for shop-wide lists, by date and
  by rating for product lists (``sku`` first), by date for a language's lists, by
  last sighting for ``prune``. An index gives an order's leading columns; SQLite
  sorts the rare ties on ``(provider, review_id)`` itself.
- ``review_attributes``: a review's attribute ratings, in their order.
- ``reviews_fts``: FTS5 over title and body, an external-content table kept in step
  by triggers.
- ``sku_tally`` / ``provider_tally``: how many reviews per ([sku,] provider, kind,
  status, rating, rating_exact, language, verified, has_media, has_reply), kept by
  triggers. Exact totals and summaries come from these without scanning reviews
  (integer counts, so they never drift).
- ``sync_state``: the sync's position per platform; ``leases``: named locks.

Version 2 adds ``conversations``: reply threads, a public one whole and a private
one as its state only (``gateway.store.threads``), dropped with their review.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.errors import ConfigError


class StoreVersionError(ConfigError):
    """The store file was written by a newer gateway than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One step: the schema version it produces and the statements that do it."""

    version: int
    description: str
    statements: tuple[str, ...]


TALLIED = (
    "provider",
    "kind",
    "status",
    "rating",
    "rating_exact",
    "language",
    "verified",
    "has_media",
    "has_reply",
)
"""What the tallies count reviews by (``sku_tally`` also by ``sku``)."""

NULL_CODES = {"sku": "''", "language": "''", "verified": "2"}
"""How a NULL is counted in a tally's key (key columns cannot be NULL): a filter
on the code's own value (an empty SKU or language) is counted over rows instead."""


def _tally_triggers(table: str, with_sku: bool) -> tuple[str, ...]:
    """Triggers keeping ``table`` (counts per key) in step with ``reviews``."""
    columns = ["sku", *TALLIED] if with_sku else list(TALLIED)
    keys = ", ".join(columns)

    def value(row: str, column: str) -> str:
        code = NULL_CODES.get(column)
        return (
            f"{row}.{column}" if code is None else f"coalesce({row}.{column}, {code})"
        )

    def where(row: str) -> str:
        return " AND ".join(f"{c} = {value(row, c)}" for c in columns)

    new = ", ".join(value("new", c) for c in columns)
    up = f"""INSERT INTO {table} ({keys}, n) VALUES ({new}, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;"""
    down = f"""UPDATE {table} SET n = n - 1 WHERE {where("old")};
        DELETE FROM {table} WHERE {where("old")} AND n = 0;"""
    watched = ", ".join(columns)
    moved = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
    return (
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON reviews BEGIN {up} END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON reviews BEGIN {down} END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF {watched} ON reviews "
        f"WHEN {moved} BEGIN {down} {up} END",
    )


_ORDER_INDEXES = {
    "newest": "created_us",
    "rated": "rating_exact, created_us",
    "lowest": "rating_exact, created_us DESC",
    "updated": "activity_us",
}
"""Shop-wide lists: one index per order's leading columns (read either way)."""

_SKU_INDEXES = {"newest": "created_us", "rated": "rating_exact, created_us"}
"""Product lists: a product holds hundreds of reviews, so the other orders sort
what these find (a LOWEST_RATED page sorts one rating's reviews by date)."""


def _order_indexes() -> tuple[str, ...]:
    shop = [
        f"CREATE INDEX reviews_{name} ON reviews (status, {columns}, provider, kind)"
        for name, columns in _ORDER_INDEXES.items()
    ]
    product = [
        f"CREATE INDEX reviews_sku_{name} ON reviews "
        f"(sku, status, {columns}, provider, kind)"
        for name, columns in _SKU_INDEXES.items()
    ]
    return (*shop, *product)


_TALLY_COLUMNS = """provider INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            status INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            rating_exact REAL NOT NULL,
            language TEXT NOT NULL,
            verified INTEGER NOT NULL,
            has_media INTEGER NOT NULL,
            has_reply INTEGER NOT NULL,
            n INTEGER NOT NULL"""
_TALLY_REST = "rating, rating_exact, language, verified, has_media, has_reply"

V1 = Migration(
    1,
    "reviews, attributes, full text, tallies, sync state, leases",
    (
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            provider INTEGER NOT NULL,
            review_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            sku TEXT,
            status INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            rating_exact REAL NOT NULL,
            created_us INTEGER NOT NULL,
            updated_us INTEGER,
            activity_us INTEGER NOT NULL,
            language TEXT,
            verified INTEGER,
            imported INTEGER NOT NULL,
            has_media INTEGER NOT NULL,
            has_reply INTEGER NOT NULL,
            title TEXT,
            body TEXT,
            author_name TEXT NOT NULL,
            author_country TEXT,
            has_product INTEGER NOT NULL,
            product_id TEXT,
            product_name TEXT,
            product_gtin TEXT,
            product_mpn TEXT,
            product_brand TEXT,
            product_url TEXT,
            product_image_url TEXT,
            media TEXT,
            reply_body TEXT,
            reply_created_us INTEGER,
            reply_updated_us INTEGER,
            reply_notify INTEGER,
            conversation_id TEXT,
            locator TEXT,
            digest BLOB NOT NULL,
            seen_us INTEGER NOT NULL,
            UNIQUE (provider, review_id)
        )""",
        "CREATE INDEX reviews_seen ON reviews (provider, seen_us)",
        "CREATE INDEX reviews_language ON reviews "
        "(language, status, created_us, provider, kind)",
        *_order_indexes(),
        """CREATE TABLE review_attributes (
            review INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            attribute_id TEXT NOT NULL,
            name TEXT NOT NULL,
            rating INTEGER NOT NULL,
            PRIMARY KEY (review, position)
        ) WITHOUT ROWID""",
        """CREATE VIRTUAL TABLE reviews_fts USING fts5 (
            title, body, content = 'reviews', content_rowid = 'id',
            tokenize = 'unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER reviews_fts_ai AFTER INSERT ON reviews BEGIN
            INSERT INTO reviews_fts (rowid, title, body)
            VALUES (new.id, new.title, new.body);
        END""",
        """CREATE TRIGGER reviews_fts_ad AFTER DELETE ON reviews BEGIN
            INSERT INTO reviews_fts (reviews_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        END""",
        """CREATE TRIGGER reviews_fts_au AFTER UPDATE OF title, body ON reviews
        WHEN old.title IS NOT new.title OR old.body IS NOT new.body BEGIN
            INSERT INTO reviews_fts (reviews_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
            INSERT INTO reviews_fts (rowid, title, body)
            VALUES (new.id, new.title, new.body);
        END""",
        f"""CREATE TABLE sku_tally (
            sku TEXT NOT NULL,
            {_TALLY_COLUMNS},
            PRIMARY KEY (sku, status, kind, provider, {_TALLY_REST})
        ) WITHOUT ROWID""",
        *_tally_triggers("sku_tally", with_sku=True),
        f"""CREATE TABLE provider_tally (
            {_TALLY_COLUMNS},
            PRIMARY KEY (status, kind, provider, {_TALLY_REST})
        ) WITHOUT ROWID""",
        *_tally_triggers("provider_tally", with_sku=False),
        """CREATE TABLE sync_state (
            provider TEXT PRIMARY KEY,
            backfilled INTEGER NOT NULL,
            cursor TEXT,
            watermark_us INTEGER,
            last_success_us INTEGER,
            last_reconciled_us INTEGER,
            last_error TEXT,
            extra TEXT NOT NULL
        )""",
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_us INTEGER NOT NULL
        )""",
    ),
)

V2 = Migration(
    2,
    "reply threads: public ones whole, private ones as a state only",
    (
        """CREATE TABLE conversations (
            provider INTEGER NOT NULL,
            conversation_id TEXT NOT NULL,
            review_id TEXT,
            state INTEGER NOT NULL,
            comments TEXT NOT NULL,
            PRIMARY KEY (provider, conversation_id)
        ) WITHOUT ROWID""",
        # A thread goes with its review (deleted upstream, or pruned).
        """CREATE TRIGGER reviews_conversation_gone AFTER DELETE ON reviews
        WHEN old.conversation_id IS NOT NULL BEGIN
            DELETE FROM conversations
            WHERE provider = old.provider AND conversation_id = old.conversation_id;
        END""",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (V1, V2)
"""Every step, in order; the last one's version is the code's schema version."""


def migrate(conn: sqlite3.Connection, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database on ``conn`` (autocommit mode) up to the last of ``steps``.

    Returns the version it is at. Raises ``StoreVersionError`` for a file written
    by a newer schema than ``steps`` know.
    """
    latest = steps[-1].version if steps else 0
    for step in steps:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = _version(conn)
            if current > latest:
                raise StoreVersionError(
                    f"the review store is at schema version {current}, newer than "
                    f"this gateway knows ({latest}): upgrade the gateway or point "
                    "[store] path at another file"
                )
            if current < step.version:
                for statement in step.statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return _version(conn)


def _version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])
