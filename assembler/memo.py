"""What one process keeps from one document to the next: bounded memos, and one call that empties them all.

A batch checks the same paragraphs in variant after variant, a document may repeat a paragraph, and several
rules read the same text: the functions of a paragraph's text (or of a term, or of a part's bytes) that they
call keep their recent results. Every memo is bounded in entries, a text memo also in the length of the texts
it keeps, and what a memo gives must be immutable (a string, a number, a flag, a frozen value or a tuple of
them), so that no caller can change the next caller's result. `forget()` empties every memo, leaving the
process as a fresh one would find them (the benchmarks time a check so).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache, wraps
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

KEPT_TEXTS = 2048      # results a text memo keeps, the least recently used dropped first
KEPT_LENGTH = 2000     # the longest text whose results are kept (a longer one is worked out each time)

_CLEARS: list[Callable[[], None]] = []


def remember(clear: Callable[[], None]) -> Callable[[], None]:
    """Have `forget()` call *clear* (which empties a memo kept elsewhere); gives *clear* back."""
    _CLEARS.append(clear)
    return clear


def forget() -> None:
    """Empty every memo."""
    for clear in _CLEARS:
        clear()


def kept(maxsize: int = KEPT_TEXTS, longest: int | None = KEPT_LENGTH) -> Callable[[F], F]:
    """A memo of a function of a text (its first argument) and other hashable arguments: the results of its
    *maxsize* most recent calls, for texts up to *longest* characters (None: any first argument, for short
    keys such as a term). The function itself stays at hand as `.fresh` (and `__wrapped__`)."""
    def wrap(function: F) -> F:
        memo = lru_cache(maxsize=maxsize)(function)
        remember(memo.cache_clear)
        if longest is None:
            call = memo
        else:
            @wraps(function)
            def call(text: str, *rest: Any) -> Any:
                return memo(text, *rest) if len(text) <= longest else function(text, *rest)
            call.cache_clear, call.cache_info = memo.cache_clear, memo.cache_info  # type: ignore[attr-defined]
        call.fresh = function  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]
    return wrap


def keep(store: dict, key: Hashable, value: Any, most: int) -> None:
    """Put *value* in *store* under *key*, first dropping its oldest entries past *most* - 1 (safe beside another
    thread doing the same: an entry it drops first is passed over)."""
    while len(store) >= most > 0:
        store.pop(next(iter(store), None), None)
    store[key] = value


class Kept:
    """A memo of at most *size* entries, the oldest dropped first, for values made by the caller; *remembered*:
    emptied by `forget()` (False for a memo an object holds, which goes with it)."""

    def __init__(self, size: int, remembered: bool = True) -> None:
        self.size = size
        self.entries: dict[Hashable, Any] = {}
        if remembered:
            remember(self.cache_clear)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: Hashable) -> Any:
        return self.entries.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        keep(self.entries, key, value, self.size)

    def cache_clear(self) -> None:
        self.entries.clear()

    clear = cache_clear
