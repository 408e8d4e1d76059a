"""Full-text search as the gateway applies it to live platforms' reviews.

The store searches with its full-text index (``StoredQuery.search``); for a live
platform the gateway applies the same rule to what the platform returns: every word
of the search must occur, as a whole word, in the review's title or body, in any
case and with accents folded (``Crème`` finds ``creme``). A word is a run of
letters and digits; everything else in the caller's text separates words and is
never syntax, so no text is refused for what it contains.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from gateway.errors import InvalidInput
from gateway.records import Review

MAX_SEARCH_CHARS: Final = 200
MAX_SEARCH_WORDS: Final = 16
_WORD: Final = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """``text`` in lower case without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, each once, in order."""
    return tuple(dict.fromkeys(_WORD.findall(fold(text))))


def search_words(text: str) -> tuple[str, ...]:
    """The words a ``search`` argument asks for; ``InvalidInput`` when unusable.

    Too long a text, too many words, or none at all (only punctuation) is refused
    as BAD_USER_INPUT rather than read as "everything".
    """
    if len(text) > MAX_SEARCH_CHARS:
        raise InvalidInput(f"`search` must be at most {MAX_SEARCH_CHARS} characters")
    found = words(text)
    if not found:
        raise InvalidInput("`search` must contain at least one word")
    if len(found) > MAX_SEARCH_WORDS:
        raise InvalidInput(f"`search` may hold at most {MAX_SEARCH_WORDS} words")
    return found


def matches(review: Review, wanted: tuple[str, ...]) -> bool:
    """Whether every word of ``wanted`` occurs in ``review``'s title or body."""
    held = set(words(f"{review.title or ''} {review.body or ''}"))
    return all(word in held for word in wanted)
