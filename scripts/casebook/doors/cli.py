"""casebook: the command-line door. Thin: parse arguments, call the core, print, exit."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import commands, exporting
from .console import cases_dir_of, print_problems, say
from ..site import training
from ..core import siteconfig, write_failure
from ..core.atomic import disk_full
from ..core.releases import ReleaseError
from ..authoring.scaffold import ScaffoldError, create
from ..core.files import TAXONOMY_FILE
from ..core.validate import load_casebook


def cmd_validate(args: argparse.Namespace) -> int:
    cases_dir = cases_dir_of(args)
    if not cases_dir.is_dir():
        print(f"找不到案例目录 {cases_dir}：请在项目根目录运行，或用 --cases-dir 指定", file=sys.stderr)
        return 2
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print("\n".join(f"{p}: 找不到这个文件" for p in missing), file=sys.stderr)
        return 2
    # A changed vocabulary or source text can break any case, so it means: check them all.
    cases_only = [p for p in paths if p.suffix in {".yaml", ".yml"} and p.name != TAXONOMY_FILE]
    only = cases_only if paths and len(cases_only) == len(paths) else None
    # Checking only: cached results need not bring back the data; uncached files use every core.
    casebook, problems = load_casebook(cases_dir, only, workers=os.cpu_count() or 1, need_data=False)
    if problems:
        print_problems(problems)
        return 1
    print(f"检查通过：{len(casebook.cases)} 个案例全部符合要求。")
    if only:
        _print_completeness(cases_dir, only)
    return 0


def _print_completeness(cases_dir: Path, only: list[Path]) -> None:
    """What the case page's completeness box says, for the cases named: an editor sees it before the build."""
    from ..core import completeness

    book, problems = load_casebook(cases_dir, only)
    if problems or book is None:
        return
    scores = completeness.Scores(book)
    for case in book.cases:
        found = scores[case["slug"]]
        print(f"{case['slug']}：完整度 {found.score}/100" + ("。" if not found.missing else "，还缺少什么（不影响通过）："))
        for missing in found.missing:
            print(f"  - {missing}")


def cmd_new(args: argparse.Namespace) -> int:
    cases_dir = cases_dir_of(args)
    try:
        case_file, source_file = create(cases_dir, args.slug)
    except ScaffoldError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已新建 {case_file} 和 {source_file}。下一步：")
    print(f"  1. 把清理后的原文粘贴进 {source_file}（只去掉重复段落、无关文章和网站模板）；")
    print(f"  2. 按注释填写 {case_file}，原文没有写的留空（想让程序从原文起草：删掉 {case_file}，"
          f"运行 casebook draft {source_file}）；")
    print(f"  3. 运行 casebook validate {case_file}，按提示修改到“检查通过”；")
    print("  4. 运行 mkdocs serve 预览，然后提交 pull request。")
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    from ..authoring import draft
    from ..core.validate import load_taxonomy

    source = Path(args.source)
    if not source.is_file():
        print(f"{source}: 找不到这个原文文件", file=sys.stderr)
        return 2
    cases_dir = Path(args.cases_dir) if args.cases_dir else cases_dir_of(argparse.Namespace(cases_dir=None, paths=[source]))
    taxonomy, _ = load_taxonomy(cases_dir)  # a broken vocabulary is reported by validate; the draft still helps
    try:
        target, drafted = draft.write(source, Path(args.out) if args.out else None, taxonomy)
    except ScaffoldError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = "、".join(f"{key} {len(items)} 项" for key, items in drafted.lists.items() if items)
    print(f"已写出草稿 {target}（{counts or '没有找到可提出的内容'}）。下一步：")
    print("  1. 逐项核对带“draft: …”的内容：与原文一致就删除那一行，不要的整项删除；")
    print("  2. 改写 summary（现在是照抄的原文导语），核对程序猜的做法类别和状态，补上留空的字段"
          + ("；原文的做法程序一项也没有找到，practices 是必填的，请自己写；" if not drafted.lists.get("practices") else "；"))
    print(f"  3. 运行 casebook validate {target}，按提示修改到“检查通过”。")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from . import preview

    config = Path(args.config)
    # A source text (cases/sources/x.txt) opens the preview's drafts page, where its case can be drafted.
    given = [Path(p) for p in args.paths]
    paths = [p for p in given if not (p.suffix == ".txt" and p.parent.name == "sources" and p.is_file())]
    wrong = [p for p in paths if p.suffix not in {".yaml", ".yml"} or p.name == TAXONOMY_FILE or not p.is_file()]
    if wrong:
        print("\n".join(f"{p}: 不是案例文件（cases/ 下的 .yaml 文件）或原文文件（cases/sources/ 下的 .txt 文件）"
                        for p in wrong), file=sys.stderr)
        return 2
    if not config.is_file():
        print(f"找不到 {config}：请在项目根目录运行，或用 --config 指定 mkdocs.yml", file=sys.stderr)
        return 2
    return preview.serve(config, cases_dir_of(args), paths, args.dev_addr, say)


def bench_sizes(values: list[str]) -> list[int]:
    """--sizes 1000 5000 and --sizes 1000,5000 alike."""
    return [int(s) for value in values for s in value.split(",") if s.strip()]


def cmd_render(args: argparse.Namespace) -> int:
    """Write the complete documentation tree (and a plain mkdocs.yml for it) without running a generator."""
    from ..exports import materials
    from ..generator import mkdocs_build
    from ..site import tree

    config = Path(args.config)
    if not config.is_file():
        print(f"找不到 {config}：请在项目根目录运行，或用 --config 指定 mkdocs.yml", file=sys.stderr)
        return 2
    book, problems = load_casebook(cases_dir_of(args))
    if problems:
        print_problems(problems)
        return 1
    out = Path(args.out)
    try:
        manifest = tree.write_tree(book, mkdocs_build.docs_dir(config), out, mkdocs_build.settings(config),
                                   root=config.resolve().parent,
                                   materials_dir=config.resolve().parent / materials.DEFAULT_DIR)
    except (tree.TreeError, ReleaseError, training.MaterialsError) as exc:
        print(exc, file=sys.stderr)
        return 1
    config_out = mkdocs_build.write_config(config.resolve(), out)
    print(f"已写出 {out}/docs（{manifest['cases']} 个案例的全部页面、下载文件和资源）。")
    if args.build == "zensical":
        from ..generator import zensical_build

        try:
            zensical_build.build_tree(out, out / "site")
        except zensical_build.BuildFailed as exc:
            print("Zensical 生成网站失败：\n" + "\n".join(exc.lines), file=sys.stderr)
            return 1
        print(f"已用 Zensical 生成网站：{out / 'site'}")
        return 0
    print(f"用 MkDocs 生成网站（不需要本项目插件）：mkdocs build -f {config_out}")
    print(f"或用 Zensical：casebook render --out {out} --build zensical")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from ..core import releases

    book, problems = load_casebook(cases_dir_of(args))
    if problems:
        print_problems(problems)
        print("案例没有通过检查，没有发布新版本。", file=sys.stderr)
        return 1
    if args.tag:
        return _tag_release(book)
    try:
        if args.dry_run:
            last, changes = releases.pending(book)
            level = "initial" if last is None else changes.level
            if level is None:
                print(f"自版本 {last['version']} 以来数据没有变化。")
                return 0
            new = releases.FIRST if last is None else releases.bump(last["version"], level)
            print(f"下一个版本：{new}（{releases.LEVEL_LABELS[level]}）")
            for line in releases.notes(changes, {c["slug"]: c["name"] for c in book.cases}, level):
                print(f"  - {line}")
            return 0
        entry = releases.make_release(book)
    except releases.ReleaseError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已发布数据版本 {entry['version']}（{releases.LEVEL_LABELS[entry['level']]}）：")
    for line in entry["notes"]:
        print(f"  - {line}")
    folder = releases.folder(book.cases_dir)
    written = [folder / releases.CHANGELOG, folder / entry["version"] / releases.SNAPSHOT]
    citation = book.cases_dir.parent / releases.CITATION
    if citation.is_file():
        written += [citation, citation.with_name(".zenodo.json")]
    print(f"已写入 {'、'.join(map(str, written))}。请提交这些文件，"
          "再运行 casebook release --tag 为这个版本打 git 标签。")
    return 0


def _tag_release(book) -> int:
    from ..core import release_tag

    try:
        made = release_tag.tag(book)
    except (release_tag.TagError, ReleaseError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已创建标签 {made}。推送到 GitHub：git push origin {made}（Zenodo 等存档按标签为每个版本登记 DOI）。")
    return 0


def cmd_zenodo(args: argparse.Namespace) -> int:
    from ..core import citation

    try:
        written = citation.write_zenodo(Path(args.project))
    except citation.CitationError as exc:
        print(exc, file=sys.stderr)
        return 1
    if written is None:
        print(f"{Path(args.project) / citation.CITATION} 不存在：没有可转换的引用信息", file=sys.stderr)
        return 1
    print(f"已按 {citation.CITATION} 写入 {written}。")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from ..tools import bench

    try:
        sizes = bench_sizes(args.sizes)
    except ValueError:
        print(f"--sizes 应为整数，如 --sizes 1000 5000 或 1000,5000；实际是“{' '.join(args.sizes)}”", file=sys.stderr)
        return 2
    if not Path("cases/taxonomy.yaml").is_file():
        print("请在项目根目录运行 casebook bench（它以 cases/ 中的真实案例为样本）", file=sys.stderr)
        return 2
    try:
        rows = bench.run(sizes, Path.cwd(), Path(args.out), not args.no_serve, say, not args.no_browser)
    except bench.mkdocs_build.BuildFailed as exc:
        print("生成网站失败：\n" + "\n".join(exc.lines), file=sys.stderr)
        return 1
    print(bench.table(rows))
    print(f"结果已写入 {args.out}")
    return 0


def cmd_fuzz(args: argparse.Namespace) -> int:
    from ..tools import fuzz_files
    from ..core.load import LoadError

    try:
        reports, seconds = fuzz_files.run(cases_dir_of(args), args.examples, args.seed, say)
    except LoadError as exc:
        print_problems(exc.problems)
        return 1
    print(fuzz_files.summary(reports, seconds))
    failures = [failure for report in reports.values() for failure in report.failures]
    for given, error in failures[:5]:
        print(f"--- 输入 {repr(given)[:300]}\n{error}", file=sys.stderr)
    return 1 if failures else 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--cases-dir", help="案例目录（默认 cases；检查指定文件时为它们所在的目录）")
    top = argparse.ArgumentParser(prog="casebook", description="社区治理实践案例库：检查案例、新建案例、导出离线材料。")
    sub = top.add_subparsers(dest="command", required=True, metavar="命令")
    _editing_commands(sub, common)
    exporting.add_parsers(sub, common)
    _site_commands(sub, common)
    _release_commands(sub, common)
    _tool_commands(sub, common)
    _describe(sub, ())
    return top


def _editing_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """validate, new, draft: what an editor runs on a case."""
    validate = sub.add_parser("validate", parents=[common], help="检查案例文件，列出全部问题")
    validate.add_argument("paths", nargs="*", help="只检查这些案例文件（默认检查全部）")
    validate.set_defaults(run=cmd_validate)
    new = sub.add_parser("new", parents=[common], help="新建案例文件和原文文件")
    new.add_argument("slug", help="案例标识：小写拼音、数字和连字符，如 huangtun-jinse-jiayuan")
    new.set_defaults(run=cmd_new)
    drafted = sub.add_parser("draft", parents=[common], help="从清理后的原文起草案例文件：提出数字、地点、发言人和名称，逐项待核对")
    drafted.add_argument("source", metavar="原文文件", help="清理后的原文，如 cases/sources/案例标识.txt（文件名就是案例标识）")
    drafted.add_argument("--out", help="草稿保存到的文件（默认 cases/案例标识.yaml；已有的文件不会被覆盖）")
    drafted.set_defaults(run=cmd_draft)


def _site_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """preview, render: the site without the whole MkDocs build."""
    preview = sub.add_parser("preview", parents=[common], help="只预览正在编辑的案例：保存后几秒内刷新")
    preview.add_argument("paths", nargs="+", metavar="案例文件", help="要预览的案例文件，如 cases/fuyou.yaml；"
                         "或还没有案例的原文，如 cases/sources/新案例.txt（打开“起草案例”页）")
    preview.add_argument("--dev-addr", default="127.0.0.1:8000", help="预览网站的地址和端口（默认 127.0.0.1:8000）")
    preview.add_argument("--config", default="mkdocs.yml", help="网站配置文件（默认 mkdocs.yml）")
    preview.set_defaults(run=cmd_preview)
    render = sub.add_parser("render", parents=[common], help="写出完整的文档目录（页面、下载文件、资源），不运行网站生成器")
    render.add_argument("--out", required=True, help="输出目录，如 build/tree")
    render.add_argument("--config", default="mkdocs.yml", help="网站配置文件（默认 mkdocs.yml）")
    render.add_argument("--build", choices=["zensical"], help="写出后用 Zensical 生成网站到 目录/site（需要 pip install -e '.[zensical]'）")
    render.set_defaults(run=cmd_render)


def _release_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """release, zenodo: data versions and their citation."""
    release = sub.add_parser("release", parents=[common], help="发布新的数据版本：检查案例，写入更新记录和数据快照")
    release.add_argument("--dry-run", action="store_true", help="只显示下一个版本和更新内容，不写文件")
    release.add_argument("--tag", action="store_true",
                         help="为最近一次发布的版本打带说明的 git 标签 vX.Y.Z（先发布并提交；工作区须干净）")
    release.set_defaults(run=cmd_release)
    zenodo = sub.add_parser("zenodo", help="从 CITATION.cff 重新生成 .zenodo.json（存档登记 DOI 用的信息）")
    zenodo.add_argument("--project", default=".", help="项目根目录（CITATION.cff 所在，默认当前目录）")
    zenodo.set_defaults(run=cmd_zenodo)


def _tool_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """bench, fuzz: measuring and hardening, not the product."""
    bench = sub.add_parser("bench", help="性能基准：100 到 5000 个案例的检查和构建耗时")
    bench.add_argument("--sizes", nargs="+", default=["100,1000,5000"], metavar="案例数",
                       help="案例数，空格或逗号分隔（默认 100 1000 5000）")
    bench.add_argument("--out", default="bench-results.json", help="结果 JSON 文件（默认 bench-results.json）")
    bench.add_argument("--no-serve", action="store_true", help="不测 mkdocs serve 的刷新时间")
    bench.add_argument("--no-browser", action="store_true", help="不构建离线站点、不测浏览器中筛选的耗时")
    bench.set_defaults(run=cmd_bench)
    fuzz = sub.add_parser("fuzz", parents=[common], help="模糊测试：用大量随机改坏的输入文件（案例、词表、原文、更新记录、快照、地名表、清单、设置、缓存）检查读取和检查程序")
    fuzz.add_argument("--examples", type=int, default=10_000, help="输入个数（默认 10000）")
    fuzz.add_argument("--seed", type=int, default=0, help="随机种子（默认 0，结果可重现）")
    fuzz.set_defaults(run=cmd_fuzz)


def _describe(group: argparse._SubParsersAction, words: tuple[str, ...]) -> None:
    """Each command's --help says what the README's table says of it (commands.py holds both)."""
    for name, command in group.choices.items():
        command.description = commands.description(*words, name) or command.description
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _describe(action, (*words, name))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except siteconfig.SettingsError as exc:  # mkdocs.yml read by a command that does not validate first
        print(exc, file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder without write permission: say which file, no traceback
        if write_failure.is_write_failure(exc):
            print(write_failure.line(exc, getattr(args, "out", None)), file=sys.stderr)
            return 1
        reason = "磁盘空间不足" if disk_full(exc) else (exc.strerror or str(exc))
        print(f"无法读写文件 {write_failure.shown_path(exc, getattr(args, 'out', None))}：{reason}。"
              "没有留下写了一半的文件。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
