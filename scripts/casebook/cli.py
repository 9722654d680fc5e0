"""casebook: the command-line door. Thin: parse arguments, call the core, print, exit."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .problems import Problem
from .validate import load_casebook


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    files = len({p.file for p in problems})
    print(f"发现 {len(problems)} 个问题（涉及 {files} 个文件）。请逐条修改后重新运行 casebook validate。", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    cases_dir = Path(args.cases_dir)
    if not cases_dir.is_dir():
        print(f"找不到案例目录 {cases_dir}：请在项目根目录运行，或用 --cases-dir 指定", file=sys.stderr)
        return 2
    only = [Path(p) for p in args.paths] if args.paths else None
    casebook, problems = load_casebook(cases_dir, only)
    if problems:
        _print_problems(problems)
        return 1
    print(f"检查通过：{len(casebook.cases)} 个案例全部符合要求。")
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--cases-dir", default="cases", help="案例目录（默认 cases）")
    top = argparse.ArgumentParser(prog="casebook", description="社区治理实践案例库：检查案例、新建案例、导出离线材料。")
    sub = top.add_subparsers(dest="command", required=True, metavar="命令")
    validate = sub.add_parser("validate", parents=[common], help="检查案例文件，列出全部问题")
    validate.add_argument("paths", nargs="*", help="只检查这些案例文件（默认检查全部）")
    validate.set_defaults(run=cmd_validate)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
