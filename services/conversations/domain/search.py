"""The words a post is found by: its thread's title and its own body, lower-cased, each
once. A search matches posts holding every word it asks for. Pure."""

from __future__ import annotations

import re

from services.conversations.domain.writing import MENTION

MAX_WORDS = 1000  # a post's index entries: a long post is found by its first thousand words
MAX_QUERY_WORDS = 8


def words_of(*texts: str) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        plain = MENTION.sub(lambda m: m[1], text)
        for word in re.findall(r"\w+", plain.lower()):
            found.setdefault(word)
            if len(found) >= MAX_WORDS:
                return list(found)
    return list(found)


def query_words(text: str) -> tuple[str, ...]:
    """The words a search asks for (at most MAX_QUERY_WORDS), longest first: the longest is
    the rarest, so the index narrows most by it."""
    words = sorted(set(re.findall(r"\w+", text.lower())), key=lambda w: (-len(w), w))
    return tuple(words[:MAX_QUERY_WORDS])
