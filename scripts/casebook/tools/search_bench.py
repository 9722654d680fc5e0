"""`python -m casebook.tools.search_bench`: search in a real browser at 1,000 and 5,000 synthetic cases.

For each size it builds the site twice (online, and for file:// as the offline export does) and
measures in Debian's Chromium, from file:// and over http: the index size on disk, the time from page
load to the first results (on a first and on a second page), the time later queries take until the
result list stops changing, and the longest main-thread task from the first keystroke on
(PerformanceObserver 'longtask'). With --baseline REV it measures the same for the code at that git
revision (Material's own search on the main of before issue 14) on the same synthetic cases.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path

from .bench import write_project

FIRST_QUERY = "调解"
LATER_QUERIES = ["食堂", "老人吃饭", "服务圈", "社区", "红色管家"]
QUIET_MS = 600  # the result list counts as settled after this long without a change

# Installed before any page script: collects long tasks and watches the result list.
_PROBE = """
window.__bench = {tasks: [], changes: []};
new PerformanceObserver(list => { for (const e of list.getEntries()) __bench.tasks.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});
document.addEventListener("DOMContentLoaded", () => {
  const target = document.querySelector(".md-search-result");
  if (!target) return;
  new MutationObserver(() => {
    __bench.changes.push([performance.now(), document.querySelectorAll(".md-search-result__item").length]);
  }).observe(target, {childList: true, subtree: true, characterData: true, attributes: true});
});
"""


def build(project: Path, site: Path, offline: bool, pythonpath: str | None) -> float:
    """Seconds to build the site; offline as `casebook export site` builds it (the baseline: its own way)."""
    if offline and not pythonpath:
        from ..generator.mkdocs_build import build_book
        from ..core.validate import load_casebook

        started = time.perf_counter()
        build_book(project / "mkdocs.yml", load_casebook(project / "cases")[0], site, offline=True)
        return time.perf_counter() - started
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CASEBOOK_OFFLINE": "true" if offline else "false"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"),
                             "-d", str(site)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"构建失败（{project}）：\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def index_bytes(site: Path) -> int:
    """Bytes of search index on disk: our chunks if there are any, else Material's index files."""
    ours = site / "search" / "casebook"
    files = list(ours.iterdir()) if ours.is_dir() else list((site / "search").glob("search_index.*"))
    return sum(p.stat().st_size for p in files if p.is_file())


def serve(site: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _settled(page, since: float, timeout_s: float = 60) -> tuple[float | None, float | None]:
    """(ms to the first result item, ms to the last change) after `since`, once the list is quiet."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now, changes = page.evaluate("[performance.now(), __bench.changes]")
        after = [c for c in changes if c[0] >= since]
        if after and now - after[-1][0] >= QUIET_MS:
            first = next((t for t, items in after if items), None)
            return (first - since if first else None), after[-1][0] - since
    return None, None


def _type(page, query: str, first: bool = False) -> float:
    """Type a query as a reader does; returns the page's clock when typing began."""
    box = page.locator("input.md-search__input")
    box.click()
    if not first:
        box.fill("")
        page.wait_for_timeout(QUIET_MS)
    started = page.evaluate("performance.now()")
    page.keyboard.type(query)
    page.keyboard.press("End")  # Material's search waits for a key-up, which CJK typing does not send
    return started


def measure_page(context, url: str, later: bool) -> dict:
    page = context.new_page()
    page.goto(url, wait_until="load")
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    started = _type(page, FIRST_QUERY, first=True)
    first, _ = _settled(page, started)
    row = {"first_results_ms": None if first is None else round(started - loaded + first)}
    times = []
    if later:
        for query in LATER_QUERIES:
            began = _type(page, query)
            _, last = _settled(page, began)
            times.append(last)
    tasks = page.evaluate("__bench.tasks")
    row["later_query_ms"] = round(statistics.median(t for t in times if t is not None)) if times else None
    row["later_query_max_ms"] = round(max(t for t in times if t is not None)) if times else None
    row["longest_task_ms"] = round(max([d for s, d in tasks if s >= loaded] or [0]))
    page.close()
    return row


def measure(browser, first_url: str, second_url: str, runs: int) -> dict:
    """Medians over `runs` fresh browser contexts: a first page, then a second page in the same context."""
    firsts, seconds = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(_PROBE)
        firsts.append(measure_page(context, first_url, later=True))
        seconds.append(measure_page(context, second_url, later=False))
        context.close()

    def median(rows, key):
        values = [r[key] for r in rows if r[key] is not None]
        return round(statistics.median(values)) if values else None

    return {"first_results_ms": median(firsts, "first_results_ms"),
            "first_results_next_page_ms": median(seconds, "first_results_ms"),
            "later_query_ms": median(firsts, "later_query_ms"),
            "later_query_max_ms": max((r["later_query_max_ms"] or 0) for r in firsts),
            "longest_task_ms": max(r["longest_task_ms"] for r in firsts + seconds)}


def baseline_source(rev: str, root: Path, repo: Path) -> Path:
    """The project's files at git revision `rev`, unpacked (no work tree, no checkout)."""
    target = root / f"src-{rev}"
    data = subprocess.run(["git", "-C", str(repo), "archive", rev], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    return target


def run(sizes: list[int], repo: Path, runs: int, baseline: str | None, progress) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory(prefix="casebook-search-bench-") as tmp, sync_playwright() as p:
        root = Path(tmp)
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        variants = [("本分支", repo, None)]
        if baseline:
            source = baseline_source(baseline, root, repo)
            variants.append((f"Material（{baseline}）", source, str(source / "scripts")))
        for n in sizes:
            for label, source, pythonpath in variants:
                progress(f"N={n} {label}：生成案例并构建…")
                project = write_project(root / label, n, source)
                online, offline = root / f"online{n}", root / f"offline{n}"
                build_s = build(project, online, False, pythonpath)
                build(project, offline, True, pythonpath)
                row = {"cases": n, "search": label, "build_s": round(build_s, 1),
                       "index_kb_per_case": round(index_bytes(online) / n / 1024, 2),
                       "offline_index_mb": round(index_bytes(offline) / 1e6, 2)}
                progress(f"N={n} {label}：浏览器中搜索（file://）…")
                file_row = measure(browser, (offline / "index.html").as_uri(),
                                   (offline / "cases" / "case-00001.html").as_uri(), runs)
                server, url = serve(online)
                try:
                    progress(f"N={n} {label}：浏览器中搜索（http）…")
                    http_row = measure(browser, url, url + "cases/case-00001/", runs)
                finally:
                    server.shutdown()
                rows.append({**row, "file": file_row, "http": http_row})
                progress(json.dumps(rows[-1], ensure_ascii=False))
                for folder in (project.parent, online, offline):
                    shutil.rmtree(folder)
        browser.close()
    return rows


def table(rows: list[dict]) -> str:
    head = ["案例数", "搜索", "索引KB/案例", "离线包索引MB", "方式", "首次结果ms", "下一页首次结果ms",
            "后续查询ms(中位)", "后续查询ms(最长)", "最长任务ms"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        for mode in ("file", "http"):
            m = row[mode]
            lines.append("| " + " | ".join(str(v) for v in [
                row["cases"], row["search"], row["index_kb_per_case"], row["offline_index_mb"], mode,
                m["first_results_ms"], m["first_results_next_page_ms"], m["later_query_ms"],
                m["later_query_max_ms"], m["longest_task_ms"]]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casebook.tools.search_bench", description="搜索性能基准（真实浏览器）")
    parser.add_argument("--sizes", default="1000,5000", help="案例数，逗号分隔（默认 1000,5000）")
    parser.add_argument("--runs", type=int, default=3, help="每项测量的次数，取中位数（默认 3）")
    parser.add_argument("--baseline", help="同时测量这个 git 版本的搜索（如 main），作为对照")
    parser.add_argument("--out", default="search-bench-results.json", help="结果 JSON 文件")
    args = parser.parse_args(argv)
    if not (Path.cwd() / "cases").is_dir():
        print("请在项目根目录运行（它以 cases/ 中的真实案例为样本）", file=sys.stderr)
        return 1
    rows = run([int(s) for s in args.sizes.split(",")], Path.cwd(), args.runs, args.baseline,
               lambda message: print(message, file=sys.stderr, flush=True))
    Path(args.out).write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
