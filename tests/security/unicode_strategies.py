"""Hypothesis strategies for Unicode that people paste: invisible format characters."""
from __future__ import annotations

import sys
import unicodedata

from hypothesis import strategies as st

# Every code point of category Cf (format: zero-width space/joiner/non-joiner, soft hyphen,
# word joiner, BOM, LRM/RLM/ALM, bidi embeddings, overrides and isolates, tags, ...), from the
# Unicode database of this Python, plus the Hangul fillers (default-ignorable letters).
INVISIBLE_CHARS = tuple(chr(code) for code in range(sys.maxunicode + 1)
                        if unicodedata.category(chr(code)) == "Cf") + ("\u115f", "\u1160", "\u3164", "\uffa0")
INVISIBLE = st.sampled_from(INVISIBLE_CHARS)

assert {"\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202b", "\u2067",
        "\u061c"} <= set(INVISIBLE_CHARS)


def insert(value: str, insertions) -> str:
    """`value` with each (position, character) inserted; positions beyond the end append."""
    text = value
    for position, char in insertions:
        position = min(position, len(text))
        text = text[:position] + char + text[position:]
    return text
