"""A costly result is made once per key, even when asked for by several threads at once."""

import threading

import pytest

from league.memo import Memo

WAIT_SECONDS = 120  # generous: CI machines may be busy


def test_threads_asking_together_wait_for_one_making():
    memo, made, asked, release = Memo(size=4), [], threading.Event(), threading.Event()

    def make():
        made.append(1)
        asked.set()
        assert release.wait(WAIT_SECONDS)
        return "forecast"

    results = []
    first = threading.Thread(target=lambda: results.append(memo.get("key", make)))
    first.start()
    assert asked.wait(WAIT_SECONDS)
    others = [threading.Thread(target=lambda: results.append(memo.get("key", make))) for _ in range(3)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(WAIT_SECONDS)
    assert results == ["forecast"] * 4 and made == [1]
    assert "key" in memo


def test_a_failed_making_is_not_kept_and_its_error_reaches_every_asker():
    memo = Memo(size=4)
    with pytest.raises(ZeroDivisionError):
        memo.get("key", lambda: 1 / 0)
    assert "key" not in memo
    assert memo.get("key", lambda: 2) == 2


def test_only_the_newest_results_are_kept():
    memo = Memo(size=2)
    for key in "abc":
        memo.get(key, lambda key=key: key.upper())
    memo.get("b", lambda: "made again")  # asked again: newest now
    memo.get("d", lambda: "D")
    assert "a" not in memo and "c" not in memo and "b" in memo and "d" in memo


def blocked_background_making(memo: Memo, key: str) -> tuple[threading.Thread, threading.Event, dict]:
    """A making of `key` in the background, started and held until the returned event is set."""
    started, release, results = threading.Event(), threading.Event(), {}

    def slow():
        started.set()
        assert release.wait(WAIT_SECONDS)
        return "made in the background"

    thread = threading.Thread(target=lambda: results.setdefault("background", memo.get(key, slow, background=True)))
    thread.start()
    assert started.wait(WAIT_SECONDS)
    return thread, release, results


def test_a_visitor_does_not_wait_for_a_making_in_the_background():
    memo = Memo(size=4)
    thread, release, results = blocked_background_making(memo, "key")
    assert memo.get("key", lambda: "made by the visitor") == "made by the visitor"  # while it is still held
    release.set()
    thread.join(WAIT_SECONDS)
    assert results == {"background": "made in the background"}
    assert memo.get("key", lambda: "made later") == "made by the visitor"  # the first finished is kept


def test_the_background_waits_for_its_own_making():
    memo, made = Memo(size=4), []
    thread, release, _ = blocked_background_making(memo, "key")
    again = threading.Thread(target=lambda: made.append(memo.get("key", lambda: "made twice", background=True)))
    again.start()
    release.set()
    for waited in (thread, again):
        waited.join(WAIT_SECONDS)
    assert made == ["made in the background"]
