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
