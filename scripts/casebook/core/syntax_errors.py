"""A YAML syntax error in the words an editor understands, and every further one found by repairing
the file in turn.

PyYAML stops at the first mistake, in English, often below the line that is wrong. `syntax_problems`
asks syntax_hints.py where the mistake really is and how its line reads repaired, repairs it, and
parses again, so one run reports every mistake it can; it also returns the repaired text, so the
checks can still read the rest of the file. A mistake with no sure repair ends the list with STOPPED.
"""
from __future__ import annotations

import yaml

from . import syntax_hints
from .problems import Problem
from .syntax_hints import Hint

MAX_REPAIRS = 20  # syntax mistakes repaired in turn to read the rest of a file; beyond, the editor has enough to do
STOPPED = "；改好这一处之前，文件的其余部分无法检查：YAML 从这里起读不下去，猜不出后面的结构"

# PyYAML's English problems, in the words an editor understands.
_YAML_MESSAGES = [
    ("found character '\\t'", "这里有制表符（Tab）：YAML 的缩进只能用空格"),
    ("mapping values are not allowed", "这里不能出现冒号“:”：检查上一行的缩进；文本里有冒号时请把整段文本用引号括起来"),
    ("could not find expected ':'", "缺少冒号“:”：每个字段都写成“字段名: 值”"),
    ("found unexpected end of stream", "引号没有闭合：检查这一段文本前后的引号是否成对"),
    ("expected <block end>", "缩进不一致：同一层的字段要对齐，下一层多缩进两个空格"),
    ("did not find expected key", "缩进不一致或缺少“- ”：检查这一行和上一行的缩进"),
    ("did not find expected '-'", "列表项缺少“- ”：检查这一行的缩进"),
    ("found undefined alias", "用了没有定义的别名（*）：案例文件不需要锚点和别名，请删去"),
    ("expected a single document", "文件里有多个 YAML 文档（“---”）：一个文件只写一个案例"),
    ("found unknown escape character", "双引号里有无法识别的反斜杠转义：改用单引号，或写成两个反斜杠"),
    ("unacceptable character", "文件里有不允许的控制字符：请删去"),
]


def syntax_problems(exc: yaml.MarkedYAMLError, display: str, text: str,
                    loader: type) -> tuple[list[Problem], str | None]:
    """Every syntax mistake found by repairing one after another as its message says, and the repaired
    text (None when a mistake has no sure repair: then the message says checking stopped there)."""
    problems: list[Problem] = []
    lines = text.split("\n")
    for _ in range(MAX_REPAIRS):
        problem, hint = _yaml_problem(exc, display, "\n".join(lines))
        if hint is None or lines[hint.line - 1] == hint.repaired:
            problems.append(Problem(problem.file, problem.line, problem.col, "", problem.message + STOPPED))
            return problems, None
        problems.append(problem)
        lines[hint.line - 1] = hint.repaired
        try:
            yaml.compose("\n".join(lines), Loader=loader)
        except yaml.MarkedYAMLError as again:
            exc = again
        except (yaml.YAMLError, RecursionError):
            return problems, None
        else:
            return problems, "\n".join(lines)
    return problems, None


def _yaml_problem(exc: yaml.MarkedYAMLError, display: str, text: str = "") -> tuple[Problem, Hint | None]:
    """The problem to report, and how to repair its line when that is sure."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    guess = syntax_hints.misplaced(text, line)
    if guess:
        return Problem(display, guess.line, guess.col, "", guess.message), guess
    english = f"{exc.context or ''} {exc.problem or ''}"
    for needle, chinese in _YAML_MESSAGES:
        if needle in english:
            return Problem(display, line, col, "", chinese), None
    return Problem(display, line, col, "", "YAML 语法错误：请检查这一行的引号、冒号和缩进"), None
