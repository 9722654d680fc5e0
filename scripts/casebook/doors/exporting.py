"""`casebook export site|handout|materials`: choose cases, make what trainers take away, say how to use it."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core import siteconfig
from ..core.releases import ReleaseError
from ..core.validate import load_casebook
from ..exports.export import ExportError, build_failure, export_handout, export_site
from ..exports.selection import Chosen, Selection, SelectionError, choose
from ..site import training
from .console import cases_dir_of, print_problems, say


def _selection(args: argparse.Namespace) -> Selection:
    return Selection(cases=args.case, categories=args.category, problems=args.problem, regions=args.region,
                     community_types=args.community_type)


def _report_choice(chosen: Chosen) -> None:
    """Say what was chosen, so a trainer sees at once whether it is the set they meant."""
    print(f"已选 {len(chosen.cases)} 个案例：" + "；".join(chosen.criteria))
    shown = chosen.cases[:30]
    for i, case in enumerate(shown, 1):
        print(f"  {i}. {case['name']}（{case['slug']}）")
    if len(chosen.cases) > len(shown):
        print(f"  …… 另有 {len(chosen.cases) - len(shown)} 个")


def _size(path: Path) -> str:
    from ..site.training import human_size

    return human_size(path.stat().st_size)


def _export(args: argparse.Namespace, write, how: str) -> int:
    """Check the cases, choose the ones asked for, let `write(book, chosen)` make the file, say how to use it."""
    book, problems = load_casebook(cases_dir_of(args))
    if problems:
        print_problems(problems)
        return 1
    try:
        chosen = choose(book, _selection(args))
        if not chosen.cases:
            print("没有符合条件的案例，没有导出。请放宽条件（不同种类的条件须同时满足）。", file=sys.stderr)
            return 1
        _report_choice(chosen)
        out = write(book, chosen)
    except (ExportError, SelectionError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已生成：{out}（{len(chosen.cases)} 个案例，{_size(out)}）")
    print(how)
    return 0


def _config(args: argparse.Namespace) -> Path | None:
    config = Path(args.config)
    if not config.is_file():
        print(f"找不到 {config}：请在项目根目录运行，或用 --config 指定 mkdocs.yml", file=sys.stderr)
        return None
    return config.resolve()


def cmd_export_site(args: argparse.Namespace) -> int:
    config = _config(args)
    if config is None:
        return 2
    how = "用法：在电脑上解压这个 zip，双击文件夹里的 index.html，用浏览器打开；不需要联网，搜索、筛选、比较都能用。"
    return _export(args, lambda book, chosen: export_site(book, chosen.cases, offline_builder(config), Path(args.out),
                                                          say, chosen.slug, chosen.theme), how)


def offline_builder(config: Path):
    """The door that builds a casebook's site for file:// (in-process MkDocs, no plugin, no environment switch)."""
    from ..generator import mkdocs_build

    def build(book, site: Path) -> None:
        try:
            mkdocs_build.build_book(config, book, site, offline=True)
        except mkdocs_build.BuildFailed as exc:
            raise ExportError(build_failure(exc.lines)) from None
        except ReleaseError as exc:
            raise ExportError(str(exc)) from None

    return build


def _handout_settings(config: Path | None, site_url: str | None) -> siteconfig.SiteSettings | None:
    """The site settings handouts link to (None, said why, if the address cannot be one);
    without a site address, say that they carry no QR codes."""
    settings = siteconfig.read(config, site_url)
    why = siteconfig.url_problem(settings.site_url)
    if why:
        where = "--site-url" if site_url is not None else f"{config}: site_url"
        print(f"{where}: {why}", file=sys.stderr)
        return None
    if not settings.site_url:
        print("注意：没有网站地址（mkdocs.yml 的 site_url 为空，也没有用 --site-url 指定），讲义里不放二维码。",
              file=sys.stderr)
    return settings


def cmd_export_handout(args: argparse.Namespace) -> int:
    config = Path(args.config)
    settings = _handout_settings(config if config.is_file() else None, args.site_url)
    if settings is None:
        return 2
    args.pdf = args.pdf or Path(args.out).suffix.lower() == ".pdf"  # --out x.pdf means a PDF
    if args.pdf:
        how = "用法：用任何 PDF 阅读器打开，A4 打印；每个案例从新的一页开始。"
    else:
        how = "用法：用浏览器打开这个 HTML 文件，按 Ctrl+P（Mac：⌘+P）打印或“另存为 PDF”，纸张选 A4。"

    def write(book, chosen: Chosen) -> Path:
        if args.title:
            chosen.theme = args.title
        return export_handout(book, chosen, settings, Path(args.out), args.pdf, say)

    return _export(args, write, how)


def cmd_export_materials(args: argparse.Namespace) -> int:
    from ..exports import materials

    config = _config(args)
    if config is None:
        return 2
    settings = _handout_settings(config, args.site_url)
    if settings is None:
        return 2
    book, problems = load_casebook(cases_dir_of(args))
    if problems:
        print_problems(problems)
        return 1
    try:
        manifest = materials.build(book, offline_builder(config), Path(args.out), settings, say, args.only,
                                   args.problems, args.zips)
    except (ExportError, training.MaterialsError) as exc:
        print(exc, file=sys.stderr)
        return 1
    listed = training.read_manifest(manifest.parent)
    files = training.site_files(listed)
    total = sum(p.stat().st_size for p in files.values())
    print(f"已生成 {len(listed['scopes'])} 组培训资料，共 {len(files)} 个文件（{training.human_size(total)}），"
          f"清单：{manifest}")
    print("用法：接着运行 mkdocs build，网站的“培训资料”页会列出这些文件并提供下载。")
    return 0


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`casebook export` and its three commands."""
    chooser = argparse.ArgumentParser(add_help=False)
    pick = chooser.add_argument_group("选择案例（不同种类的条件须同时满足；--case 指定的案例总会包含，并按指定顺序排在最前）")
    pick.add_argument("--case", action="append", default=[], metavar="案例标识", help="加入这个案例（可重复，按顺序）")
    pick.add_argument("--category", action="append", default=[], metavar="实践类别",
                      help="有这一类做法的案例：全称、简称或网址里的拼音都可以，可重复")
    pick.add_argument("--problem", action="append", default=[], metavar="常见问题",
                      help="能解决这个常见问题的案例，写全称、其中几个字或编号，如 --problem 养老（可重复）")
    pick.add_argument("--region", action="append", default=[], metavar="地区", help="这个省、市、区或街道的案例，如 --region 潍坊市（可重复）")
    pick.add_argument("--community-type", action="append", default=[], metavar="社区类型",
                      help="这一类型社区的案例（案例数据有社区类型时可用；可重复）")
    export = sub.add_parser("export", help="导出离线网站或打印讲义").add_subparsers(dest="what", required=True, metavar="内容")
    site = export.add_parser("site", parents=[common, chooser], help="离线网站压缩包（双击 index.html 即可打开）")
    site.add_argument("--out", default="dist", help="压缩包保存到的目录（默认 dist；文件名含主题、日期和案例数）")
    site.add_argument("--config", default="mkdocs.yml", help="网站配置文件（默认 mkdocs.yml）")
    site.set_defaults(run=cmd_export_site)
    handout = export.add_parser("handout", parents=[common, chooser], help="A4 打印讲义（HTML，或加 --pdf 生成 PDF）")
    handout.add_argument("--pdf", action="store_true", help="生成 PDF（需要 Chromium 和中文字体）")
    handout.add_argument("--out", default="dist", help="保存到的目录（默认 dist，文件名含主题、日期和案例数），或以 .pdf/.html 结尾的文件名")
    handout.add_argument("--title", help="封面上的主题（默认按所选内容，如实践类别的名称）")
    handout.add_argument("--config", default="mkdocs.yml", help="网站配置文件，二维码用其中的 site_url（默认 mkdocs.yml）")
    handout.add_argument("--site-url", help="网站的在线地址（覆盖 mkdocs.yml 的 site_url），二维码指向这里的案例页")
    handout.set_defaults(run=cmd_export_handout)
    kit = export.add_parser("materials", parents=[common],
                            help="网站“培训资料”页的文件：全部案例和每个实践类别（加 --problems 还有每个常见问题）的讲义，全部案例的离线网站")
    kit.add_argument("--out", default=str(Path("dist") / "materials"), help="保存到的目录（默认 dist/materials，网站构建从这里读取）")
    kit.add_argument("--config", default="mkdocs.yml", help="网站配置文件（默认 mkdocs.yml）")
    kit.add_argument("--site-url", help="网站的在线地址（覆盖 mkdocs.yml 的 site_url），讲义二维码指向这里")
    kit.add_argument("--only", action="append", metavar="主题",
                     help="只生成这些主题：all（全部案例）、实践类别或常见问题的全称或网址标识（可重复；默认全部案例和每个实践类别）")
    kit.add_argument("--problems", action="store_true",
                     help="另外为每个常见问题生成资料")
    kit.add_argument("--zips", action="store_true",
                     help="每个主题都另外生成离线网站（默认只有全部案例有；每份都是一个完整网站，网站会大很多）")
    kit.set_defaults(run=cmd_export_materials)
