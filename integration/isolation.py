"""Reading untrusted files in a child process with a memory ceiling and a wall-clock limit.

A hostile or huge document can exhaust memory inside a PDF or image library; running the reader
in a forked child with RLIMIT_AS means only the child dies, and the caller gets a clear refusal.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Callable
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


class BudgetExceeded(Exception):
    """The work needed more memory or time than its budget, or failed; the message says which in words.

    ``detail`` holds the child's own error (type and text) for the log; it is never shown to users.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


def _virtual_size() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * PAGE


def _child(conn, func: Callable[..., Any], args: tuple, extra_bytes: int) -> None:
    limit = _virtual_size() + extra_bytes  # the fork shares the parent's mappings; allow this much more
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("ok", func(*args)))
    except MemoryError:
        conn.send(("memory", None))
    except BaseException as exc:  # reported to the parent, which decides
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_isolated(func: Callable[..., Any], *args: Any, memory_mb: int, seconds: float) -> Any:
    """``func(*args)`` in a forked child limited to ``memory_mb`` more memory and ``seconds`` of wall time."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, func, args, memory_mb * 1024 * 1024), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise BudgetExceeded(f"reading took longer than its budget of {seconds:g} s")
        kind, value = parent.recv()
    except EOFError as exc:  # the child was killed, usually by the memory ceiling
        raise BudgetExceeded(f"reading needed more than its memory budget of {memory_mb} MB") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if kind == "memory":
        raise BudgetExceeded(f"reading needed more than its memory budget of {memory_mb} MB")
    if kind == "error":
        raise BudgetExceeded("the reader stopped on something in this file it could not handle", detail=value)
    return value
