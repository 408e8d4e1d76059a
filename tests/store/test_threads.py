from datetime import timedelta
from pathlib import Path

from gateway.records import (
    Comment,
    CommentAuthorType,
    Conversation,
    ConversationState,
    Provider,
)
from gateway.store.migrations import MIGRATIONS
from gateway.store.sqlite import SqliteStore
from tests.store.factory import T0, review

TP = Provider.TRUSTPILOT


def _thread(thread_id: str, state: ConversationState, review_id: str) -> Conversation:
    return Conversation(
        provider=TP,
        id=thread_id,
        state=state,
        comments=(
            Comment("c1", "Thank you!", T0, CommentAuthorType.BUSINESS, "bu-1"),
            Comment(
                "c2",
                "You're welcome",
                T0 + timedelta(hours=1),
                CommentAuthorType.CONSUMER,
                updated_at=T0 + timedelta(hours=2),
            ),
        ),
        review_id=review_id,
    )


async def test_a_public_thread_is_kept_whole(store: SqliteStore) -> None:
    thread = _thread("t1", ConversationState.PUBLIC, "r1")
    assert await store.upsert_conversations([thread]) == 1
    assert await store.get_conversations([(TP, "t1"), (TP, "nope")]) == [thread, None]
    # The same thread again changes nothing.
    assert await store.upsert_conversations([thread]) == 0


async def test_a_private_thread_is_kept_as_its_state_only(store: SqliteStore) -> None:
    await store.upsert_conversations([_thread("t2", ConversationState.PRIVATE, "r2")])
    [held] = await store.get_conversations([(TP, "t2")])
    assert held is not None
    assert held.state is ConversationState.PRIVATE
    assert held.comments == ()


async def test_a_thread_goes_with_its_review(store: SqliteStore) -> None:
    kept = review(TP, "r1", conversation_id="t1")
    dropped = review(TP, "r2", conversation_id="t2")
    await store.upsert([kept, dropped], seen_at=T0)
    await store.upsert_conversations(
        [
            _thread("t1", ConversationState.PUBLIC, "r1"),
            _thread("t2", ConversationState.PUBLIC, "r2"),
        ]
    )
    await store.delete(TP, ["r2"])
    held = await store.get_conversations([(TP, "t1"), (TP, "t2")])
    assert [t is not None for t in held] == [True, False]


async def test_a_version_one_file_gains_the_threads_table(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = await SqliteStore.open(path, migrations=MIGRATIONS[:1])
    await old.upsert([review(TP, "r1")], seen_at=T0)
    await old.close()
    store = await SqliteStore.open(path)
    try:
        assert [r is not None for r in await store.get([(TP, "r1")])] == [True]
        thread = _thread("t1", ConversationState.PUBLIC, "r1")
        await store.upsert_conversations([thread])
        assert await store.get_conversations([(TP, "t1")]) == [thread]
    finally:
        await store.close()
