"""The identity memo: an answer only for the very objects it came from."""

from __future__ import annotations

import pytest

from gpuatlas.memo import IdentityMemo, object_key


def test_an_answer_needs_the_very_objects_it_came_from() -> None:
    memo: IdentityMemo[str, int] = IdentityMemo(8)
    first, equal_but_another = [1], [1]
    assert memo.answer("k", (first,), lambda: 10) == 10
    assert memo.answer("k", (first,), lambda: 20) == 10  # remembered
    assert memo.answer("k", (equal_but_another,), lambda: 30) == 30  # another object: afresh
    assert memo.answer("k", (first,), lambda: 40) == 40  # the entry now holds the other one


def test_names_match_by_value() -> None:
    memo: IdentityMemo[str, int] = IdentityMemo(8)
    name = "".join(["rtx", "-4090"])  # built at run time: not the literal's object
    assert memo.answer("k", (name,), lambda: 1) == 1
    assert memo.answer("k", ("rtx-4090",), lambda: 2) == 1
    assert object_key(name) == "rtx-4090"
    first, second = [1], [1]
    assert object_key(first) == id(first) != object_key(second)


def test_an_error_is_computed_afresh_and_a_full_memo_starts_again() -> None:
    memo: IdentityMemo[int, int] = IdentityMemo(2)

    def fails() -> int:
        raise ValueError("no answer")

    with pytest.raises(ValueError):
        memo.answer(1, (), fails)
    assert memo.answer(1, (), lambda: 5) == 5
    memo.answer(2, (), lambda: 6)
    assert len(memo) == 2
    memo.answer(3, (), lambda: 7)  # the limit: emptied, then this one kept
    assert len(memo) == 1
    assert memo.answer(1, (), lambda: 8) == 8
