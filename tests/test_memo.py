"""The memos kept from one document to the next (assembler.memo): bounded, and all emptied by forget()."""

from __future__ import annotations

from assembler.memo import KEPT_LENGTH, KEPT_TEXTS, Kept, forget, kept


def test_results_are_kept_for_so_many_texts_up_to_so_long():
    calls = []

    @kept()
    def length(text: str) -> tuple[int]:
        calls.append(text)
        return (len(text),)

    short, long = "a" * KEPT_LENGTH, "b" * (KEPT_LENGTH + 1)
    assert length(short) == length(short) == (KEPT_LENGTH,) and calls == [short]
    assert length(long) == length(long) == (KEPT_LENGTH + 1,) and calls == [short, long, long]
    assert length.cache_info().maxsize == KEPT_TEXTS
    assert length.__wrapped__("xy") == length.fresh("xy") == (2,) and calls == [short, long, long, "xy", "xy"]


def test_a_memo_of_short_keys_keeps_any_length_and_drops_the_least_recently_used():
    calls = []

    @kept(2, longest=None)
    def double(word: str) -> str:
        calls.append(word)
        return word * 2

    long = "c" * (KEPT_LENGTH + 1)
    assert [double(w) for w in ("a", long, "a", "b", long)] == ["aa", long * 2, "aa", "bb", long * 2]
    assert calls == ["a", long, "b", long]          # the long key was dropped for "b", "a" used since


def test_a_kept_memo_is_bounded():
    memo = Kept(3)
    for n in range(10):
        memo.put(n, str(n))
    assert list(memo.entries) == [7, 8, 9] and memo.get(9) == "9" and memo.get(1) is None


def test_forget_empties_every_memo():
    calls = []

    @kept()
    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = Kept(4)
    memo.put("x", 1)
    upper("a"), upper("a")
    forget()
    upper("a")
    assert calls == ["a", "a"] and memo.get("x") is None


def _size(clear) -> int:
    owner = clear.__self__
    if isinstance(owner, dict):
        return len(owner)
    return owner.cache_info().currsize if hasattr(owner, "cache_info") else len(owner.entries)


def test_forget_empties_the_checks_memos():
    """A check fills the memos of the rules and the reader; after forget() every one is empty again, as in a fresh
    process."""
    from pathlib import Path

    from assembler.check.runner import check_paths
    from assembler.memo import _CLEARS

    lpa = Path(__file__).parent / "fixtures" / "word-saved" / "ilpa-model-lpa-whole-of-fund.docx"
    check_paths([lpa])
    assert len(_CLEARS) > 10 and sum(_size(clear) for clear in _CLEARS) > 1000
    forget()
    assert [_size(clear) for clear in _CLEARS] == [0] * len(_CLEARS)


def _old_kept(maxsize: int = KEPT_TEXTS, longest: int | None = KEPT_LENGTH):
    """kept() as it was before each count of arguments had a call of its own (the reference)."""
    from functools import lru_cache, wraps

    def wrap(function):
        memo = lru_cache(maxsize=maxsize)(function)
        if longest is None:
            return memo

        @wraps(function)
        def call(text, *rest):
            return memo(text, *rest) if len(text) <= longest else function(text, *rest)
        return call
    return wrap



def _functions(log: list) -> dict:
    """Functions of one to five arguments, of *args and with a default, each logging its calls in *log*."""
    def one(a):
        log.append((a,))
        return ("one", a)

    def two(a, b):
        log.append((a, b))
        return ("two", a, b)

    def three(a, b, c):
        log.append((a, b, c))
        return ("three", a, b, c)

    def four(a, b, c, d):
        log.append((a, b, c, d))
        return ("four", a, b, c, d)

    def five(a, b, c, d, e):
        log.append((a, b, c, d, e))
        return ("five", a, b, c, d, e)

    def starred(a, *rest):
        log.append((a, *rest))
        return ("starred", a, rest)

    def defaulted(a, b=7):
        log.append((a, b))
        return ("defaulted", a, b)

    return {"one": (one, [1]), "two": (two, [2]), "three": (three, [3]), "four": (four, [4]), "five": (five, [5]),
            "starred": (starred, [1, 2, 4]), "defaulted": (defaulted, [1, 2])}


def test_each_count_of_arguments_is_kept_as_by_the_old_call():
    """A function of one to four arguments (a call of its own), of more, of *args and with a default: the same
    results, and the function called for the same arguments, as by the old call, for short and long texts, in a
    bounded memo that drops some of them."""
    import random

    rng = random.Random(11)
    old_log: list = []
    new_log: list = []
    olds, news = _functions(old_log), _functions(new_log)
    for name, (function, counts) in olds.items():
        old, new = _old_kept(5, longest=6)(function), kept(5, longest=6)(news[name][0])
        old_log.clear()
        new_log.clear()
        for _ in range(300):
            text = "x" * rng.randrange(0, 9) + rng.choice("ab")
            args = (text, *(rng.randrange(3) for _ in range(rng.choice(counts) - 1)))
            assert new(*args) == old(*args) == function(*args)
            old_log.pop()
        assert new_log == old_log and len(new_log) > 20, name
        assert new.__wrapped__ is news[name][0] and new.__name__ == name
