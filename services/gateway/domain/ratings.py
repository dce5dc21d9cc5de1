"""A plan's RAG rating in the words every page, chart and export uses: never colour alone."""

from __future__ import annotations

# In the order a person reports them (the progress form's choices).
RAG_WORDS = {"green": "Green: on track", "amber": "Amber: at risk", "red": "Red: off track"}
UNRATED = "Not rated yet"


def rag_words(rag: str | None) -> str:
    return RAG_WORDS.get(rag or "", UNRATED)
