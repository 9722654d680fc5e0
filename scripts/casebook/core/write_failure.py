"""One Chinese line for a file that could not be written: which path, and why (space, read-only, permission).

A build, an export, a release or the cache writing into a full disk or a read-only folder fails with an
OSError whose path is often a temporary name beside the target (`.site.building-…`); the line names the
path the user asked for, and says that what was there before is still whole.
"""
from __future__ import annotations

import errno
import re

_START = "无法写入 "
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS}
_DENIED = {errno.EACCES, errno.EPERM}
# The hidden names atomic.beside() and releases give work in progress: `.site.building-123-ab12cd34`.
_TEMPORARY = re.compile(r"(^|/)\.([^/]+?)\.(?:building|partial|spool|old)-\d+-[0-9a-f]+(?=/|$)")


def is_write_failure(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _FULL | _READ_ONLY | _DENIED


def reason(exc: OSError) -> str:
    if exc.errno in _FULL:
        return "磁盘空间不足"
    if exc.errno in _READ_ONLY:
        return "所在的文件系统是只读的"
    if exc.errno in _DENIED:
        return "没有写入权限（文件夹只读或文件被锁定）"
    return exc.strerror or str(exc)


def shown_path(exc: OSError, fallback: object = None) -> str:
    """The path written to (a copy's destination, not its source), with temporary names as the target's."""
    path = exc.filename2 if exc.filename2 is not None else exc.filename
    path = str(path) if path is not None else (str(fallback) if fallback is not None else "")
    return _TEMPORARY.sub(r"\1\2", path.removesuffix(".partial"))


def is_line(text: str) -> bool:
    """Whether a message (sent from another process, say) is such a line."""
    return text.startswith(_START)


def line(exc: OSError, fallback: object = None, kept: str = "原有的文件保持不变，没有留下写了一半的文件") -> str:
    path = shown_path(exc, fallback)
    return f"{_START}{path or '输出文件'}：{reason(exc)}。{kept}。"


class Stop(SystemExit):
    """Ends a build with the line alone: MkDocs logs every Exception raised while it reads a page
    ("Error reading page …") before its own abort; a SystemExit passes, and Python prints the line."""
