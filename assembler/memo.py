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

_STARRED = 0x04 | 0x08    # a code object's flags CO_VARARGS and CO_VARKEYWORDS: it takes *args or **kwargs

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
            call = wraps(function)(_bounded(function, memo, longest))
            call.cache_clear, call.cache_info = memo.cache_clear, memo.cache_info  # type: ignore[attr-defined]
        call.fresh = function  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]
    return wrap


def _positional(function: Callable[..., Any]) -> int | None:
    """How many arguments *function* takes, if all positional without defaults (None otherwise)."""
    code = getattr(function, "__code__", None)
    if code is None or code.co_flags & _STARRED or code.co_kwonlyargcount or getattr(function, "__defaults__", None):
        return None
    return code.co_argcount


def _bounded(function: Callable[..., Any], memo: Callable[..., Any], longest: int) -> Callable[..., Any]:
    """A call of *memo* for a first argument up to *longest* long, of *function* for a longer one. A function of one
    to four arguments has a call of its own count (packing and unpacking `*rest` cost more than the memo's look-up,
    and a batch makes thousands of these calls a variant)."""
    count = _positional(function)
    if count == 1:
        def call1(text):
            return memo(text) if len(text) <= longest else function(text)
        return call1
    if count == 2:
        def call2(text, b):
            return memo(text, b) if len(text) <= longest else function(text, b)
        return call2
    if count == 3:
        def call3(text, b, c):
            return memo(text, b, c) if len(text) <= longest else function(text, b, c)
        return call3
    if count == 4:
        def call4(text, b, c, d):
            return memo(text, b, c, d) if len(text) <= longest else function(text, b, c, d)
        return call4

    def call(text: str, *rest: Any) -> Any:
        return memo(text, *rest) if len(text) <= longest else function(text, *rest)
    return call


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
