"""The one record every check reports: where a problem is and what is expected."""
from __future__ import annotations

from dataclasses import dataclass

from .safety import one_line


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        # Values quoted in a message may hold line breaks; a problem is always one line.
        return one_line(f"{self.file}:{self.line}:{self.col}: {self.path or '（整个文件）'}: {self.message}")


class ProblemsFound(Exception):
    """Raised by the build doors when validation found problems; carries them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(path: tuple) -> str:
    """('outcomes', 0, 'value') -> 'outcomes[0].value'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
