"""Reading runs in a child with a memory ceiling and a time limit; going over either is a clear refusal."""

from __future__ import annotations

import time

import pytest

from integration.isolation import BudgetExceeded, run_isolated


def allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def fail() -> None:
    raise ValueError("bad xref table")


def test_a_result_within_budget_comes_back():
    assert run_isolated(allocate, 10, memory_mb=200, seconds=30) == 10 * 1024 * 1024


def test_more_memory_than_the_budget_is_refused():
    with pytest.raises(BudgetExceeded, match="more than its memory budget of 100 MB"):
        run_isolated(allocate, 400, memory_mb=100, seconds=30)


def test_more_time_than_the_budget_is_refused():
    with pytest.raises(BudgetExceeded, match="longer than its budget of 0.5 s"):
        run_isolated(sleep, 30, memory_mb=100, seconds=0.5)


def test_an_error_in_the_child_is_told_in_words_with_the_detail_kept_for_the_log():
    with pytest.raises(BudgetExceeded, match="the reader stopped on something in this file") as stopped:
        run_isolated(fail, memory_mb=100, seconds=30)
    assert "ValueError" not in str(stopped.value) and stopped.value.detail == "ValueError: bad xref table"


def test_a_file_over_the_memory_budget_becomes_ok_false(app, monkeypatch):
    """Through the reading path: the certificate says why, and goes to review."""
    from integration.reading import read_file

    class Stored:
        id, filename, storage_key = 1, "huge.pdf", "k"

    monkeypatch.setattr("integration.reading.extract", lambda content, name: allocate(400))
    monkeypatch.setattr("integration.reading.get_storage", lambda: type("S", (), {"get": lambda self, k: b""})())
    app.config["READ_MEMORY_MB"] = 100
    result = read_file(Stored())
    assert result.ok is False and "memory budget of 100 MB" in result.error and result.needs_review
