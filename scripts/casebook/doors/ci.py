"""Problems as GitHub Actions shows them: an annotation on the pull request's line, and a job summary.

Only the CLI calls this, and only when it runs inside GitHub Actions; locally the output stays plain.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..core.problems import Problem
from ..core.safety import one_line


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(problem: Problem) -> str:
    """One workflow command: GitHub puts the message on that line of the pull request's diff."""
    title = _property(problem.path or "整个文件")
    return (f"::error file={_property(problem.file)},line={problem.line},col={problem.col},title={title}::"
            f"{_data(problem.message)}")


def summary(problems: list[Problem]) -> str:
    """A short Markdown table for the job summary page."""
    files = len({p.file for p in problems})
    rows = [f"| `{p.file}` | {p.line} | `{p.path or '整个文件'}` | {one_line(p.message).replace('|', '｜')} |" for p in problems]
    return "\n".join([f"### 案例检查发现 {len(problems)} 个问题（{files} 个文件）", "",
                      "| 文件 | 行 | 字段 | 说明 |", "|---|---|---|---|", *rows, "",
                      "每个问题也标在 pull request 的“Files changed”页对应的行上。按说明修改后再次提交即可。", ""])


def report(problems: list[Problem]) -> None:
    """Print annotations and append the summary, when there is a summary file to append to."""
    for problem in problems:
        print(annotation(problem), flush=True)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with Path(summary_file).open("a", encoding="utf-8") as out:
            out.write(summary(problems))
