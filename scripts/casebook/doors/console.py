"""What every command of the command line shares: where the cases are, how problems and progress are told."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import ci
from ..core.problems import Problem


def print_problems(problems: list[Problem]) -> None:
    if ci.in_github_actions():
        ci.report(problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    files = len({p.file for p in problems})
    print(f"发现 {len(problems)} 个问题（涉及 {files} 个文件）。请逐条修改后重新运行 casebook validate。", file=sys.stderr)


def cases_dir_of(args: argparse.Namespace) -> Path:
    """--cases-dir, else the folder of the first file named (cases/x.yaml or cases/sources/x.txt), else cases/."""
    if args.cases_dir:
        return Path(args.cases_dir)
    if getattr(args, "paths", None):
        first = Path(args.paths[0]).parent
        return first.parent if first.name == "sources" else first
    return Path("cases")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
