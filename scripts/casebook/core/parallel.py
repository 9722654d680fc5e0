"""Many independent pieces of work on every core: forked workers inherit what they need.

Forking shares the casebook, vocabulary and templates with the workers for free;
only small items go to them and results come back. A process with threads (such
as `mkdocs serve`) must not fork, so callers pass workers=1 there.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import sys
import threading
from typing import Callable, Iterable, Sequence, TypeVar

from . import write_failure

T = TypeVar("T")
R = TypeVar("R")

# Windows has no fork: there everything runs in the calling process.
CAN_FORK = "fork" in multiprocessing.get_all_start_methods()

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

_WORK: tuple[Callable, Sequence] | None = None  # set before forking: the workers inherit it, only indices are sent


def fork_map(work: Callable[[T], R], items: Sequence[T], workers: int, least: int = 400,
             chunksize: int = 50) -> list[R]:
    """[work(item) for item in items], on `workers` forked processes when there are at least `least` items."""
    if workers <= 1 or len(items) < least or not CAN_FORK:
        return [work(item) for item in items]
    global _WORK
    _WORK = (work, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_call, range(len(items)), chunksize=chunksize)
    finally:
        _WORK = None


def _call(index: int):
    work, items = _WORK  # type: ignore[misc]
    return work(items[index])


class StreamError(Exception):
    """The producing process failed or ended early; the message says how."""


_END = "\0end"
_FAILED = "\0failed"


class Stream:
    """(key, value) pairs a forked process makes one after another, handed out as they are asked for.

    Lets a consumer start on the first items (a site generator converting the first pages)
    while the rest are still being made on another core. A thread takes each item off the
    pipe as it comes, so the producer is never held back by a consumer busy elsewhere: it
    finishes early and its memory is freed while the consumer still works. (A site generator
    keeps every page it has read until it ends, so items read ahead cost it no more than that.)
    """

    def __init__(self, produce: Callable[[], Iterable[tuple[str, object]]],
                 expected: tuple[type[Exception], ...] = ()):
        """`expected`: failures whose message is for the user as it stands (others are named by their type)."""
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_all, args=(produce, send, receive, os.getpid(), expected),
                                        daemon=True)
        # Frozen, the objects both processes hold are never scanned by the child's collector, so their
        # memory stays shared instead of being copied page by page.
        gc.freeze()
        try:
            self._process.start()
        finally:
            gc.unfreeze()
        send.close()  # only the child writes: its end closing is how the parent learns it has gone
        self._held: dict[str, object] = {}
        self._ended = False
        self._error: str | None = None
        self._arrived = threading.Condition()
        self._pump = threading.Thread(target=self._take_all, args=(receive,), daemon=True)
        self._pump.start()

    def get(self, key: str) -> object:
        """The value for `key`, waiting for it if it has not been made yet."""
        with self._arrived:
            self._arrived.wait_for(lambda: key in self._held or self._ended)
            if key in self._held:
                return self._held.pop(key)
        raise StreamError(self._error or f"没有生成 {key}")

    def rest(self) -> dict[str, object]:
        """Everything not asked for yet, once the producer has finished."""
        with self._arrived:
            self._arrived.wait_for(lambda: self._ended)
            if self._error:
                raise StreamError(self._error)
            rest, self._held = self._held, {}
        return rest

    def close(self) -> None:
        """Stop the producer (if it still runs) and the thread reading from it."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._pump.join()

    def _take_all(self, receive) -> None:
        try:
            while True:
                key, value = receive.recv()
                if key in (_END, _FAILED):
                    self._finish(value if key == _FAILED else None)
                    return
                with self._arrived:
                    self._held[key] = value
                    self._arrived.notify_all()
        except (EOFError, OSError):
            self._finish("生成页面的子进程意外退出")
        finally:
            receive.close()

    def _finish(self, error: str | None) -> None:
        with self._arrived:
            self._ended, self._error = True, error
            self._arrived.notify_all()


def _send_all(produce: Callable[[], Iterable[tuple[str, object]]], send, receive, parent: int,
              expected: tuple) -> None:
    _die_with(parent)
    # The reading end came along with the fork; holding it open, this process would fill the pipe and
    # wait for ever once the parent is gone instead of learning (EPIPE) that nobody reads any more.
    receive.close()
    try:
        for item in produce():
            send.send(item)
        send.send((_END, None))
    except expected as exc:
        send.send((_FAILED, str(exc)))
    except OSError as exc:  # a full disk or read-only folder: the parent says so in one line
        send.send((_FAILED, write_failure.line(exc) if write_failure.is_write_failure(exc)
                   else f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the build with it
        send.send((_FAILED, f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _die_with(parent: int) -> None:
    """End this process as soon as `parent` ends, however it ends (even by SIGKILL).

    Linux signals a child whose parent thread exits (PR_SET_PDEATHSIG; streams are started from
    the main thread); the parent may have gone before that was asked, so its id is checked after.
    A SIGTERM the parent turned into Ctrl-C is plain termination again here.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops us
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: a closed pipe still ends this process at its next page
    if os.getppid() != parent:
        os._exit(1)

