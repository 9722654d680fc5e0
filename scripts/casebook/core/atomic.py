"""Writing files and folders so that a failure never leaves half of one behind.

Everything is written to a temporary name beside its target (same folder, so the same
filesystem: `os.replace` across filesystems fails, e.g. when /tmp is a tmpfs) and moved into
place in one step at the end. A failure or Ctrl-C removes the temporary file instead.
"""
from __future__ import annotations

import atexit
import contextlib
import errno
import hashlib
import os
import secrets
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterator

_STAGING = ".building-"
_OLD = ".old-"
SPOOL = ".spool-"  # files a build makes before its generator reads them (plugin.py)


def beside(target: Path, kind: str) -> Path:
    """A fresh hidden name in the target's folder, carrying our process id (to tell stale ones apart)."""
    return target.parent / f".{target.name}{kind}{os.getpid()}-{secrets.token_hex(4)}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on any failure it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = beside(target, ".partial-")
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError) and exc.filename is None:  # zipfile's writes name no file: say which one
            exc.filename = str(target)
        raise


def write_new(target: Path, text: str) -> None:
    """Create `target` with `text` whole, or not at all; never overwrite an existing file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = beside(target, ".partial-")
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            os.link(tmp, target)  # unlike a rename, fails if the target appeared meanwhile
        except FileExistsError:
            raise
        except OSError:  # a filesystem without hard links
            if target.exists():
                raise FileExistsError(errno.EEXIST, "已经存在", str(target)) from None
            os.replace(tmp, target)
    finally:
        _remove(tmp)


def interrupt_on_sigterm() -> Callable[[], None]:
    """Let SIGTERM stop this process as Ctrl-C does, so that what atexit removes is removed; returns the undo.

    By default SIGTERM ends Python at once, leaving the build's temporary folders and its renderer
    behind. Processes forked meanwhile inherit the handler; in them SIGTERM still simply ends them.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return lambda: None  # someone else decides what SIGTERM does here
    owner = os.getpid()

    def interrupt(signum, frame) -> None:
        if os.getpid() != owner:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL)


def disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


# --- a whole folder (the built site) ---------------------------------------------------------------

class StagedFolder:
    """Build into a temporary folder beside `target`; `commit()` swaps it in, anything else discards it."""

    def __init__(self, target: Path):
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(self.target)
        self.path = beside(self.target, _STAGING)
        self.path.mkdir()
        atexit.register(self.discard)  # Ctrl-C skips the build's error handling, not the interpreter's exit

    def discard(self) -> None:
        _remove(self.path)

    def commit(self) -> None:
        """Swap the new folder in under a lock, so concurrent builds each leave a whole site."""
        with _lock(self.target):
            old = beside(self.target, _OLD)
            try:
                if self.target.exists():
                    os.rename(self.target, old)
                os.rename(self.path, self.target)
            except OSError:  # the target is a mount point or a link: fill it in place instead
                if old.exists() and not self.target.exists():
                    os.rename(old, self.target)
                _copy_into(self.path, self.target)
            _remove(old)
        self.discard()


def _copy_into(source: Path, target: Path) -> None:
    target.mkdir(exist_ok=True)
    for child in target.iterdir():
        _remove(child)
    shutil.copytree(source, target, dirs_exist_ok=True)


def _remove_stale(target: Path) -> None:
    """Staging folders left by builds that were killed (their process is gone)."""
    prefix = f".{target.name}"
    for path in target.parent.glob(f"{prefix}.*-*"):
        rest = path.name[len(prefix):]
        kind = next((k for k in (_STAGING, _OLD, SPOOL, ".partial-") if rest.startswith(k)), None)
        if kind is None:
            continue
        pid = rest[len(kind):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            _remove(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no concurrent builds to guard against in practice
        yield
        return
    name = "casebook-" + hashlib.sha1(str(target).encode()).hexdigest()[:12] + ".lock"
    with open(Path(tempfile.gettempdir()) / name, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
