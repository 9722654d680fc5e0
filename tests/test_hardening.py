"""Failures a security and reliability review found (issue 13), each as the user meets it.

Files that point outside cases/, numbers where text belongs, runaway nesting, control characters,
formulas in CSV cells, builds and exports that fail half-way: a located Chinese line and exit 1,
nothing run, nothing leaked, nothing already built lost.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from casebook.site import opendata
from casebook.core.validate import load_casebook

from conftest import serve_root, CASES, ENV, ROOT, build, edit, line_of, make_project, run_cli

H = "huangtun-jinse-jiayuan.yaml"
CASEBOOK = str(Path(sys.executable).with_name("casebook"))


def problems_of(cases_dir: Path) -> list:
    book, problems = load_casebook(cases_dir)
    assert book is None and problems
    return problems


# --- files: links out of cases/, special files, names the site uses --------------------------------

def test_a_source_linked_to_a_file_outside_cases_is_refused_and_not_published(cases_dir: Path, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("服务器口令 hunter2\n" + (cases_dir / "sources/tianma.txt").read_text(encoding="utf-8"), "utf-8")
    (cases_dir / "sources/tianma.txt").unlink()
    (cases_dir / "sources/tianma.txt").symlink_to(secret)
    problems = problems_of(cases_dir)
    assert any(p.path == "source.file" and "cases/ 目录以外" in p.message for p in problems), problems


def test_a_case_file_linked_from_outside_cases_is_refused(cases_dir: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere.yaml"
    (cases_dir / "fuyou.yaml").rename(outside)
    (cases_dir / "fuyou.yaml").symlink_to(outside)
    assert any(p.file.endswith("fuyou.yaml") and "cases/ 目录以外" in p.message for p in problems_of(cases_dir))


def test_a_dangling_link_and_an_upper_case_extension_are_named_not_skipped(cases_dir: Path):
    (cases_dir / "gone.yaml").symlink_to(cases_dir / "nowhere.yaml")
    (cases_dir / "fuyou.yaml").rename(cases_dir / "fuyou.YAML")
    problems = problems_of(cases_dir)
    assert any(p.file.endswith("gone.yaml") and "不存在" in p.message for p in problems), problems
    assert any(p.file.endswith("fuyou.YAML") and "应为小写" in p.message for p in problems), problems


def test_a_fifo_among_the_cases_is_reported_without_blocking(cases_dir: Path):
    os.mkfifo(cases_dir / "pipe.yaml")
    result = run_cli("validate", "--cases-dir", str(cases_dir))  # would block for ever reading the FIFO
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "pipe.yaml:1:1: （整个文件）: pipe.yaml 不是普通文件" in result.stderr


def test_slug_index_is_refused_for_a_case_and_a_category(cases_dir: Path):
    (cases_dir / "fuyou.yaml").rename(cases_dir / "index.yaml")
    edit(cases_dir / "index.yaml", "slug: fuyou", "slug: index")
    problems = problems_of(cases_dir)
    assert any(p.path == "slug" and "网站自己使用的页面名" in p.message for p in problems), problems
    (cases_dir / "index.yaml").rename(cases_dir / "fuyou.yaml")
    edit(cases_dir / "fuyou.yaml", "slug: index", "slug: fuyou")
    edit(cases_dir / "taxonomy.yaml", "slug: dangjian", "slug: index")
    taxonomy = cases_dir / "taxonomy.yaml"
    (problem,) = problems_of(cases_dir)
    assert (problem.path, problem.line) == ("categories[0].slug", line_of(taxonomy, "slug: index"))


@pytest.mark.parametrize("slug, words", [("index", "网站自己使用的页面名"), ("a" * 61, "太长（61 个字符）")])
def test_casebook_new_refuses_reserved_and_overlong_slugs(cases_dir: Path, slug: str, words: str):
    result = run_cli("new", slug, "--cases-dir", str(cases_dir))
    assert result.returncode == 1 and words in result.stderr, result.stderr
    assert not (cases_dir / f"{slug}.yaml").exists() and not (cases_dir / f"sources/{slug}.txt").exists()


# --- values: numbers where text belongs, NaN, 2018.0, control characters, wide digits, nesting -----

def test_a_practice_named_with_a_number_gets_a_located_message(cases_dir: Path):
    edit(cases_dir / H, "  - name: 和为贵调解室", "  - name: 12345")
    problems = problems_of(cases_dir)
    assert any(p.path == "practices[0].name" and "应为文本" in p.message for p in problems), problems
    assert any(p.path == "outcomes[0].practice" for p in problems)


@pytest.mark.parametrize("where", [H, "taxonomy.yaml"])
def test_nesting_a_thousand_levels_deep_gets_a_located_message(cases_dir: Path, where: str):
    target = cases_dir / where
    target.write_text(target.read_text(encoding="utf-8") + "deep: " + "[" * 1000 + "]" * 1000 + "\n", "utf-8")
    problems = problems_of(cases_dir)
    assert any("嵌套层次过深" in p.message and p.file.endswith(where) for p in problems), problems


def test_a_hundred_thousand_levels_do_not_crash_the_checker(cases_dir: Path):
    (cases_dir / H).write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    result = run_cli("validate", "--cases-dir", str(cases_dir))  # PyYAML's C composer segfaults on this
    assert result.returncode == 1 and "嵌套层次过深" in result.stderr, result.stderr


@pytest.mark.parametrize("old, new, path, words", [
    ("    value: 16\n", "    value: .nan\n", "outcomes[0].value", "不是一个数"),
    ("    value: 16\n", "    value: .inf\n", "outcomes[0].value", "不是一个数"),
    ("year: 2018\n", "year: 2018.0\n", "year", "写成 2018，不要带小数点"),
    ("added: 2026-11-23", "added: ２０２６-11-23", "added", "YYYY-MM-DD"),
    ("name: 黄屯街道金色嘉苑社区", 'name: "黄屯\\x7f社区"', "name", "U+007F"),
    ("name: 黄屯街道金色嘉苑社区", 'name: "黄屯\\uffff社区"', "name", "U+FFFF"),
    ("  province: 山东省", '  province: "山东省\\u202e"', "location.province", "U+202E"),
])
def test_values_no_page_can_show_are_refused_at_their_field(cases_dir: Path, old, new, path, words):
    edit(cases_dir / H, old, new)
    problems = problems_of(cases_dir)
    hit = [p for p in problems if p.path == path and words in p.message]
    assert hit, problems
    assert hit[0].line == line_of(cases_dir / H, new.strip().split(":")[0] + ":" + new.split(":", 1)[1][:4])


def test_nan_never_reaches_cases_json(cases_dir: Path):
    edit(cases_dir / H, "    value: 16\n", "    value: .nan\n")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    assert result.returncode == 1 and "不是一个数" in result.stderr


def test_a_raw_control_character_gets_one_chinese_line_at_its_place(cases_dir: Path):
    text = (cases_dir / H).read_text(encoding="utf-8").replace("title: 党建", "title: 党\x7f建")
    (cases_dir / H).write_text(text, encoding="utf-8")
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 2, result.stderr  # the problem, then the summary
    line = line_of(cases_dir / H, "title: 党")
    assert lines[0].endswith(f"{H}:{line}:9: （整个文件）: 文本里有不可见的控制字符 U+007F：请删去"), lines[0]


def test_a_value_with_line_breaks_makes_a_one_line_message(cases_dir: Path):
    edit(cases_dir / H, "kind: measured", 'kind: "measured\\n\\nFAKE.yaml:1:1: 伪造"')
    result = run_cli("validate", "--cases-dir", str(cases_dir))
    problem_lines = result.stderr.splitlines()[:-1]
    assert len(problem_lines) == 1 and "\\n" in problem_lines[0], result.stderr


# --- messages an editor understands (issue 12) -------------------------------------------------------

def test_a_chinese_label_where_a_code_belongs_is_answered_with_the_code(cases_dir: Path):
    edit(cases_dir / H, "status: in_place", "status: 已实施")
    edit(cases_dir / H, "kind: measured", "kind: 实测")
    problems = problems_of(cases_dir)
    assert any(p.path == "models[0].status" and "的中文名称，不是词条本身：这里要写 in_place" in p.message for p in problems), problems
    assert any(p.path == "outcomes[0].kind" and "的中文名称，不是词条本身：这里要写 measured" in p.message for p in problems), problems


def test_an_unknown_field_gets_no_far_fetched_suggestion(cases_dir: Path):
    edit(cases_dir / H, "year: 2018", "remark: 备注")
    (problem,) = [p for p in problems_of(cases_dir) if p.path == "remark"]
    assert "未知字段“remark”" in problem.message and "是否想写" not in problem.message


LINES = ["slug: huangtun-jinse-jiayuan", "name: 黄屯街道金色嘉苑社区", "title: 党建引领", "summary: 摘要",
         "added: 2026-11-23"] + [f"tags: [t{i}]" if i == 0 else f"# 注释 {i}" for i in range(14)] + ["location:",
         "  province: 山东省"]


@pytest.mark.parametrize("line, broken, words", [
    (3, 'title: "党建引领', "引号没有闭合"),
    (4, "summary：摘要", "全角冒号"),
])
def test_quote_and_colon_mistakes_are_reported_where_they_are(cases_dir: Path, line: int, broken: str, words: str):
    lines = list(LINES)
    lines[line - 1] = broken
    (cases_dir / H).write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The rest of this short file is checked too (it lacks required fields): one message is about the mistake.
    (problem,) = [p for p in problems_of(cases_dir) if not p.path]
    assert (problem.line, words in problem.message) == (line, True), problem


# --- CSV cells are never formulas ----------------------------------------------------------------------

def test_csv_cells_a_spreadsheet_would_run_are_kept_as_text(cases_dir: Path):
    edit(cases_dir / H, "title: 党建引领打通为民服务“最后一公里”", 'title: "=HYPERLINK(\\"http://x\\",\\"点我\\")"')
    edit(cases_dir / H, "tags: [农村社区, 街村合一, 供暖]", "tags: [农村社区, '@SUM(1)', '+1', '-1']")
    edit(cases_dir / H, "    statement: 和为贵调解室成立以来", "    statement: =1+1 和为贵调解室成立以来")
    book, problems = load_casebook(cases_dir)
    assert not problems, problems
    files = opendata.downloads(book)
    cases = list(csv.DictReader(io.StringIO(files["data/cases.csv"].decode("utf-8-sig"))))
    row = next(r for r in cases if r["slug"] == "huangtun-jinse-jiayuan")
    assert row["title"] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert row["tags"].startswith("农村社区")  # only a cell's start matters
    outcomes = list(csv.DictReader(io.StringIO(files["data/outcomes.csv"].decode("utf-8-sig"))))
    assert any(r["statement"].startswith("'=1+1") for r in outcomes)
    all_cells = [cell for r in cases + outcomes for cell in r.values()]
    assert not [c for c in all_cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert json.loads(files["data/cases.json"])  # valid JSON for browsers


# --- builds: atomic, interrupted, failing half-way, concurrent ------------------------------------------

def _site_is_whole(site: Path) -> None:
    assert (site / "index.html").is_file() and (site / "cases/index.html").is_file() and _case_pages(site)
    assert (site / "assets/casebook/casebook.css").is_file()
    assert not [p for p in site.parent.iterdir() if p.name.startswith(f".{site.name}.")], list(site.parent.iterdir())


def _mkdocs(project: Path, site: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml"),
                             "-d", str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV, **kwargs)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    project = make_project(tmp_path)
    site = tmp_path / "out" / "site"
    assert build(project, site).returncode == 0
    (site / "marker.txt").write_text("上一次的网站", encoding="utf-8")
    return project, site


def _limit_file_size(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # Python ignores SIGXFSZ: EFBIG


def test_a_build_failing_half_way_keeps_the_previous_site(built):
    project, site = built
    proc = _mkdocs(project, site, preexec_fn=_limit_file_size(40_000))  # the disk "fills" at the first big file
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode != 0
    assert (site / "marker.txt").is_file()  # the old site, untouched
    _site_is_whole(site)


def _writing(site: Path) -> bool:
    """The build has begun its new site: the old one was emptied (in place), or a staged copy exists.

    Waiting for the staged copy's assets came too late on a loaded machine: the build could finish
    and replace the site before the signal arrived."""
    return not (site / "marker.txt").exists() or any(site.parent.glob(f".{site.name}.building-*"))


def _when_writing(proc: subprocess.Popen, site: Path) -> None:
    deadline = time.monotonic() + 120
    while not _writing(site) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_ctrl_c_during_a_build_keeps_the_previous_site_without_a_traceback(built):
    project, site = built
    proc = _mkdocs(project, site)
    _when_writing(proc, site)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    assert (site / "marker.txt").is_file()  # interrupted: the previous site, as it was
    _site_is_whole(site)


def _case_pages(site: Path) -> set[str]:
    return {p.name for p in (site / "cases").iterdir() if (p / "index.html").is_file()}


def test_two_builds_at_once_leave_one_whole_site_not_a_mixture(built, tmp_path: Path):
    from casebook.tools.bench import write_project

    _, site = built
    # A larger casebook, so that its pages are still being written when the second build starts.
    project = write_project(tmp_path / "larger", 200, ROOT, sample=CASES)
    (tmp_path / "smaller").mkdir()
    smaller = make_project(tmp_path / "smaller")  # a second casebook without one case, built into the same site
    (smaller / "cases/tianma.yaml").unlink()
    procs = [_mkdocs(project, site)]
    _when_writing(procs[0], site)  # the second starts while the first writes
    procs.append(_mkdocs(smaller, site))
    results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
    assert [code for *_, code in results] == [0, 0], [err for _, err, _ in results]
    assert not any("Traceback" in err for _, err, _ in results)
    listed = set(re.findall(r'href="(?:\.\./|/[^"]*/cases/)?([a-z0-9-]+)/"', (site / "cases/index.html").read_text(encoding="utf-8")))
    pages = _case_pages(site)
    assert pages in ({p.stem for p in (project / "cases").glob("*.yaml")} - {"taxonomy"},
                     {p.stem for p in (smaller / "cases").glob("*.yaml")} - {"taxonomy"}), pages
    assert pages <= listed, (pages, listed)  # the catalogue and the case pages come from the same build
    _site_is_whole(site)


# --- exports and scaffolds: another filesystem, a full disk, a hanging printer ---------------------------

def test_site_export_works_when_the_temporary_folder_is_another_filesystem(tmp_path: Path):
    project = make_project(tmp_path)
    out = tmp_path / "dist"
    env = {**ENV, "TMPDIR": "/dev/shm"}  # a tmpfs, as /tmp is on many machines: os.replace across it fails
    assert os.stat("/dev/shm").st_dev != os.stat(tmp_path).st_dev
    result = subprocess.run([CASEBOOK, "export", "site", "--out", str(out)], cwd=project, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert [p.suffix for p in out.iterdir()] == [".zip"]


def test_an_export_on_a_full_disk_leaves_nothing_and_says_so_in_chinese(tmp_path: Path):
    project = make_project(tmp_path)
    out = tmp_path / "dist"
    out.mkdir()
    result = subprocess.run([CASEBOOK, "export", "site", "--out", str(out)], cwd=project, env=ENV,
                            capture_output=True, text=True, timeout=600, preexec_fn=_limit_file_size(200_000))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "磁盘空间不足" in result.stderr, result.stderr
    assert list(out.iterdir()) == []


def test_a_scaffold_on_a_full_disk_leaves_no_half_file(cases_dir: Path):
    result = subprocess.run([CASEBOOK, "new", "xin-an", "--cases-dir", str(cases_dir)], env=ENV,
                            capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size(2_000))
    assert result.returncode == 1 and "磁盘空间不足" in result.stderr and "Traceback" not in result.stderr
    assert not list(cases_dir.glob("xin-an*")) and not list(cases_dir.glob(".xin-an*"))
    assert not list((cases_dir / "sources").glob("*xin-an*"))


def test_a_pdf_printer_that_hangs_is_stopped_with_a_message(tmp_path: Path):
    project = make_project(tmp_path)
    out = tmp_path / "handout.pdf"
    result = subprocess.run([CASEBOOK, "export", "handout", "--pdf", "--out", str(out)], cwd=project,
                            env={**ENV, "CASEBOOK_PDF_TIMEOUT": "0"}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "超时" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert list(tmp_path.glob("*handout*")) == []


# --- mkdocs serve while a case is broken -------------------------------------------------------------

def test_serve_shows_the_problems_on_the_page_instead_of_hanging(tmp_path: Path):
    project = make_project(tmp_path)
    edit(project / "cases" / H, "added: 2026-11-23", "added: 2023-02-30")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}",
                             "-f", str(project / "mkdocs.yml")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=ENV, text=True)
    try:
        body = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(serve_root(project, port) + "cases/huangtun-jinse-jiayuan/", timeout=20) as r:
                    body = r.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        assert "案例检查发现 1 个问题" in body, body[:500] or proc.stdout.read() if proc.poll() is not None else body
        assert "日期“2023-02-30”不存在" in body
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def test_a_case_broken_while_serving_shows_its_problems_on_the_pages_already_open(tmp_path: Path):
    """A source page is no fixed address: it shows the problems because the last good build made it."""
    from casebook.site import routes

    project = make_project(tmp_path)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    page = serve_root(project, port) + routes.page_url(routes.source_page("sources/fuyou.txt"), True)
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}",
                             "-f", str(project / "mkdocs.yml")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=ENV, text=True)
    try:
        body, broken = "", False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "案例检查发现" not in body:
            try:
                with urllib.request.urlopen(page, timeout=20) as r:
                    body = r.read().decode("utf-8")
            except OSError:
                body = ""
            if body and not broken:  # the page is there: now an editor breaks a case
                edit(project / "cases" / H, "added: 2026-11-23", "added: 2023-02-30")
                broken = True
            time.sleep(0.5)
        assert broken and "日期“2023-02-30”不存在" in body, body[:500]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


# --- the long fuzz run is a command ------------------------------------------------------------------

def test_the_fuzz_command_breaks_every_kind_of_input_file_and_reports_each(tmp_path: Path):
    from casebook.tools.fuzz_files import KINDS

    project = make_project(tmp_path)
    result = run_cli("fuzz", "--examples", "30", "--cases-dir", str(project / "cases"))
    assert result.returncode == 0, result.stderr
    assert "试了 30 个输入" in result.stdout and "失败（异常或不合格的提示）0 个" in result.stdout
    for label in KINDS.values():
        assert f"  {label}：3 个" in result.stdout, result.stdout
    assert not (project / ".cache").exists()  # the run breaks a copy, never the casebook it was given


def test_a_number_where_a_list_of_practices_belongs_in_learned_from_gets_a_message(cases_dir: Path):
    """Found by `casebook fuzz` in the transferability checks."""
    import yaml

    target = cases_dir / "guhuai.yaml"
    case = yaml.safe_load(target.read_text(encoding="utf-8"))
    case["learned_from"][0]["practices"] = 12345
    target.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = problems_of(cases_dir)
    assert any(p.path == "learned_from[0].practices" and "应为" in p.message for p in problems), problems
