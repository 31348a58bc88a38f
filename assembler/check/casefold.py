"""Cheap tests that tell when a case-insensitive pattern cannot match, so that it need not be run.

A case-insensitive pattern of ASCII letters matches each letter in either case, and three other
characters that do not lower-case to that letter: "İ" (lower case "i̇", two characters), "ı" (i) and "ſ"
(s). A text without them matches such a pattern only where its lower case holds the pattern's letters:
`str.lower` maps every other character that such a pattern matches to its ASCII letter, one for one.
"""

from __future__ import annotations

from assembler.memo import kept

ODD_CASE = frozenset("İıſ")   # matched by an ASCII letter case-insensitively, not lower-cased to it


@kept()
def lower_case(text: str) -> str:
    """`text.lower()`, kept for recent texts: several rules read the same paragraphs lower-cased, and a batch reads
    the same paragraphs in variant after variant."""
    return text.lower()


def may_hold(text: str, *words: str) -> bool:
    """Whether a case-insensitive pattern that needs one of *words* (lower-case ASCII) may match in *text*. (The
    lower case is the one kept for recent texts: rules ask of the same paragraph for other words.)"""
    if "İ" in text or "ı" in text or "ſ" in text:     # ODD_CASE, each looked for without a generator's cost
        return True
    lower = lower_case(text)
    return any(w in lower for w in words)


#: `may_hold`, kept for recent texts (a batch reads the same paragraphs in variant after variant)
may_hold_kept = kept()(may_hold)
