"""`casebook bench`: how cost grows from 100 to 5,000 cases, against a plain MkDocs build of the same pages.

Synthetic cases are variations of the five real ones (their text, length and
shape), spread over regions, categories and models; each gets its own source
text so every evidence quote is checked as for a real case.
"""
from __future__ import annotations

import copy
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import yaml

from ..generator import mkdocs_build
from ..site import search
from . import scale_bench
from ..core import siteconfig
from ..core.model import Casebook
from ..site.tree import write_tree
from ..core.validate import load_casebook

PLACES = [("山东省", "济南市", "历下区"), ("山东省", "青岛市", "市南区"), ("山东省", "潍坊市", "潍城区"),
          ("山东省", "济宁市", "任城区"), ("江苏省", "南京市", "鼓楼区"), ("浙江省", "湖州市", "吴兴区"),
          ("广东省", "深圳市", "南山区"), ("四川省", "成都市", "武侯区"), ("河南省", "郑州市", "金水区"),
          ("湖北省", "武汉市", "江汉区"), ("陕西省", "西安市", "雁塔区"), ("福建省", "厦门市", "思明区")]
STREETS = ["东风街道", "新华街道", "人民路街道", "文化路街道", "解放街道", "和平街道", "长安街道", "胜利街道"]
COMMUNITIES = ["幸福", "和谐", "春晖", "翠园", "阳光", "康乐", "金桥", "锦绣", "紫荆", "桂花"]
MODEL_HEADS = ["红色", "四汇", "六善", "睦邻", "暖心", "邻里", "五社", "三治", "党群", "同心"]
MODEL_TAILS = ["共治", "管家", "工作法", "联动", "议事厅", "服务链"]


def synthetic_cases(n: int, real: list[dict], sources: dict[str, str], terms: list[str], seed: int = 7):
    """(case data, source text) for n cases modelled on the real ones."""
    rng = random.Random(seed)
    for i in range(n):
        base = real[i % len(real)]
        case = copy.deepcopy(base)
        province, city, district = rng.choice(PLACES)
        street, community = rng.choice(STREETS), rng.choice(COMMUNITIES) + "社区"
        slug = f"case-{i:05d}"
        place_line = f"{province}{city}{district}{street}{community}（第{i}号案例）"
        case.update(slug=slug, name=f"{street}{community}{i}", year=rng.randint(2012, 2025), added="2026-01-01",
                    tags=rng.sample(["小区改造", "农村社区", "老年人", "物业", "志愿者", "网格", "非遗", "青少年"], 2))
        case["location"] = {"province": province, "city": city, "district": district, "street": street,
                            "community": community, "evidence": [place_line]}
        case["source"] = {**case["source"], "file": f"sources/{slug}.txt"}
        # Fields this case now fills are no longer "not stated by the source".
        case["unstated"] = [name for name in base.get("unstated", []) if name.split(".")[0] not in ("location", "year")]
        if not case["unstated"]:
            del case["unstated"]
        for model in case.get("models", []):
            model["name"] = rng.choice(MODEL_HEADS) + rng.choice(MODEL_TAILS)
        for practice in case["practices"]:
            practice["category"] = rng.choice(terms)
        for entry in case.get("learned_from", []):
            _relink(entry, i, n, [c["slug"] for c in real])
        yield case, place_line + "\n\n" + sources[base["source"]["file"]]


def _relink(entry: dict, i: int, n: int, real_slugs: list[str]) -> None:
    """Point a link to another real case at that case's copy in the same round of copies (or drop it past n)."""
    if entry.get("case") in real_slugs:
        target = i - i % len(real_slugs) + real_slugs.index(entry["case"])
        if target < n:
            entry["case"] = f"case-{target:05d}"
        else:
            del entry["case"]


def write_project(root: Path, n: int, repo: Path, sample: Path | None = None) -> Path:
    """A project folder with n synthetic cases modelled on `sample` (default: the real cases), the real docs/ and mkdocs.yml."""
    sample = sample or repo / "cases"
    book, problems = load_casebook(sample)
    if problems:
        raise SystemExit("真实案例没有通过检查，无法生成测试数据：\n" + "\n".join(map(str, problems)))
    project = root / f"n{n}"
    cases_dir = project / "cases"
    (cases_dir / "sources").mkdir(parents=True)
    shutil.copy(sample / "taxonomy.yaml", cases_dir)
    shutil.copytree(repo / "docs", project / "docs")
    shutil.copy(repo / "mkdocs.yml", project / "mkdocs.yml")
    for case, text in synthetic_cases(n, book.cases, book.sources, book.taxonomy.terms("categories")):
        (cases_dir / f"{case['slug']}.yaml").write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False),
                                                        encoding="utf-8")
        (cases_dir / case["source"]["file"]).write_text(text, encoding="utf-8")
    return project


def write_floor(project: Path, book: Casebook) -> Path:
    """The same pages as a written tree (`casebook render`), built by MkDocs and Material without our plugin."""
    floor = project.parent / (project.name + "-floor")
    config = project / "mkdocs.yml"
    write_tree(book, mkdocs_build.docs_dir(config), floor, mkdocs_build.settings(config), root=project)
    mkdocs_build.write_config(config, floor)
    return floor


def timed_build(project: Path, site: Path) -> tuple[float, float, float]:
    """Wall seconds, peak memory (MB) and processor seconds (its own and its workers') of `mkdocs build`.

    On a shared machine the processor time is the steadier figure: waiting for a core is not counted.
    Memory is the largest sum, sampled while it runs, of the proportional set size of `mkdocs` and the
    processes it started: memory a forked renderer shares with its parent is counted once.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = children.ru_utime + children.ru_stime
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    command = [sys.executable, "-m", "mkdocs"]  # in its own process, so its memory is its own
    process = subprocess.Popen([*command, "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(site)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0]
    sampler = threading.Thread(target=_sample_memory, args=(process, peak), daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"构建失败（{project}）：\n{stderr[-3000:]}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    kb = peak[0] or children.ru_maxrss  # without /proc: the largest single process
    return elapsed, kb / 1024, children.ru_utime + children.ru_stime - cpu


def _sample_memory(process: subprocess.Popen, peak: list[int]) -> None:
    while process.poll() is None:
        peak[0] = max(peak[0], sum(_pss_kb(pid) for pid in _process_tree(process.pid)))
        time.sleep(0.25)


def _process_tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def serve_change_seconds(project: Path, slug: str) -> float:
    """Seconds from saving a change to one case until `mkdocs serve` shows it."""
    return _change_seconds(project, slug, lambda address: [sys.executable, "-m", "mkdocs", "serve", "-q", "-f",
                                                           str(project / "mkdocs.yml"), "--dev-addr", address])


def preview_change_seconds(project: Path, slug: str) -> float:
    """Seconds from saving a change to one case until `casebook preview` of that case shows it."""
    return _change_seconds(project, slug, lambda address: [sys.executable, "-m", "casebook.doors.cli", "preview",
                                                           f"cases/{slug}.yaml", "--dev-addr", address])


def _change_seconds(project: Path, slug: str, command) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(command(f"127.0.0.1:{port}"), cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}{siteconfig.read(project / 'mkdocs.yml').serve_path}cases/{slug}/"
    case_file = project / "cases" / f"{slug}.yaml"
    original = case_file.read_text(encoding="utf-8")
    try:
        _wait_for(url, None, timeout=600)
        marker = f"基准测试修改{time.time_ns()}"
        data = yaml.safe_load(original)
        data["summary"] = marker
        started = time.perf_counter()
        case_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        _wait_for(url, marker, timeout=600)
        return time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        case_file.write_text(original, encoding="utf-8")


def _wait_for(url: str, text: str | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text is None or text in response.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"等待 {url} 超时")


def filter_ms(site: Path) -> float | None:
    """Milliseconds the catalogue takes to apply a filter in headless Chromium (None without Playwright)."""
    found = scale_bench.headless_chromium()
    if found is None:
        return None
    sync_playwright, executable = found
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto((site / "cases" / "index.html").as_uri())
        timings = page.evaluate("""() => {
            const select = document.querySelector("select[name=category]");
            const out = [];
            for (const option of Array.from(select.options).slice(1, 6)) {
                const t = performance.now();
                select.value = option.value;
                select.dispatchEvent(new Event("change", {bubbles: true}));
                document.body.offsetHeight;  // include the layout the change causes
                out.push(performance.now() - t);
            }
            return out;
        }""")
        browser.close()
    return round(max(timings), 1)


def timed_validation(cases_dir: Path, **options) -> tuple[float, float, Casebook]:
    """Wall and processor seconds (this process and its workers) of one load_casebook call."""
    cpu = _cpu_seconds()
    started = time.perf_counter()
    book, problems = load_casebook(cases_dir, **options)
    elapsed = time.perf_counter() - started
    if problems:
        raise SystemExit("测试数据没有通过检查：\n" + "\n".join(map(str, problems[:20])))
    return elapsed, _cpu_seconds() - cpu, book


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def validation_figures(cases_dir: Path) -> tuple[dict, Casebook]:
    """Cold (no cache, every core) and warm (content cache) validation of the same cases, both as
    `casebook validate` and a build's check run it (results only, not each case's data)."""
    shutil.rmtree(cases_dir.parent / ".cache", ignore_errors=True)
    cold, cold_cpu, _ = timed_validation(cases_dir, workers=os.cpu_count() or 1, need_data=False)
    warm, warm_cpu, _ = timed_validation(cases_dir, need_data=False)
    warm_data, _, book = timed_validation(cases_dir)  # what a build's renderer does: data from the cache
    n = len(book.cases)
    return {
        "validate_s": round(cold, 3), "validate_cases_per_s": round(n / cold), "validate_cpu_s": round(cold_cpu, 2),
        "warm_s": round(warm, 3), "warm_cases_per_s": round(n / warm), "warm_cpu_s": round(warm_cpu, 3),
        "warm_data_s": round(warm_data, 3),
        "validate_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }, book


def run(sizes: list[int], repo: Path, out: Path, serve: bool, progress, browser: bool = True) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="casebook-bench-") as tmp:
        for n in sizes:
            rows.append(_measure(Path(tmp), n, repo, serve, progress, browser))
    out.write_text(json.dumps({"machine": _machine(), "rows": rows}, ensure_ascii=False, indent=2), encoding="utf-8")
    return rows


def _measure(root: Path, n: int, repo: Path, serve: bool, progress, browser: bool) -> dict:
    """One row of the table: every figure for n synthetic cases (the folders it makes are removed after)."""
    progress(f"N={n}：生成测试案例…")
    project = write_project(root, n, repo)
    # Files younger than the clock's trust window are always re-hashed (cache.stamp): let the
    # synthetic files age as an editor's files have, so the warm run measures the cache, not that.
    time.sleep(2.5)
    progress(f"N={n}：检查（无缓存，然后有缓存）…")
    figures, book = validation_figures(project / "cases")
    floor = write_floor(project, book) if n <= scale_bench.FLOOR_LIMIT else None
    site = root / f"site{n}"
    row = {"cases": n, **figures, **_build_figures(project, floor, site, root / f"floor{n}", n, progress)}
    if browser:
        progress(f"N={n}：浏览器中第一次搜索…")
        row.update(scale_bench.site_figures(site))
    else:
        row["largest_page_mb"] = round(scale_bench.largest_page(site)[1] / 1e6, 3)
    progress(f"N={n}：加入一个案例、修改一个案例后增量构建…")
    row.update(scale_bench.incremental_figures(project, site, timed_build))
    offline = root / f"offline{n}"
    if browser:
        progress(f"N={n}：浏览器中筛选…")
        mkdocs_build.build_book(project / "mkdocs.yml", book, offline, offline=True)
        row["filter_ms"] = filter_ms(offline)
    progress(f"N={n}：casebook preview 显示一处修改…")
    row["preview_change_s"] = round(preview_change_seconds(project, "case-00001"), 2)
    if serve:
        progress(f"N={n}：mkdocs serve 显示一处修改…")
        row["serve_change_s"] = round(serve_change_seconds(project, "case-00001"), 2)
    for folder in (project, floor, offline):
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return row


def _build_figures(project: Path, floor: Path | None, site: Path, floor_site: Path, n: int, progress) -> dict:
    """The full build of the casebook (into `site`) beside the plain MkDocs floor, and what the site weighs."""
    progress(f"N={n}：构建案例库…")
    ours, ours_mb, ours_cpu = timed_build(project, site)
    if floor is not None:
        progress(f"N={n}：构建同样页面的纯 MkDocs 站点…")
        plain, plain_mb, plain_cpu = timed_build(floor, floor_site)
    else:
        progress(f"N={n}：超过 {scale_bench.FLOOR_LIMIT} 个案例，不构建纯 MkDocs 站点（在这台机器上跑不完）")
        plain = plain_mb = plain_cpu = float("nan")  # made None below
    figures = {
        "build_s": round(ours, 2),
        "plain_build_s": round(plain, 2),
        "ratio": round(ours / plain, 3),
        "build_cpu_s": round(ours_cpu, 2),
        "plain_cpu_s": round(plain_cpu, 2),
        "cpu_ratio": round(ours_cpu / plain_cpu, 3),
        "build_ms_per_case": round(ours / n * 1000, 2),
        "peak_mb": round(ours_mb),
        "plain_peak_mb": round(plain_mb) if floor is not None else None,
        "search_index_kb_per_case": round(search.index_bytes(site) / n / 1024, 2),
        "catalogue_mb": round((site / "cases" / "index.html").stat().st_size / 1e6, 3),
        "matrix_mb": round((site / "compare" / "matrix" / "index.html").stat().st_size / 1e6, 3),
        "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6, 1),
    }
    if floor is None:
        figures.update(dict.fromkeys(("plain_build_s", "ratio", "plain_cpu_s", "cpu_ratio", "plain_peak_mb")))
    return figures


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform,
            "when": time.strftime("%Y-%m-%d %H:%M")}


COLUMNS = [("cases", "案例数"), ("validate_s", "检查(s)"), ("validate_cases_per_s", "检查(个/s)"),
           ("validate_cpu_s", "检查CPU(s)"), ("warm_s", "缓存检查(s)"), ("warm_cases_per_s", "缓存检查(个/s)"),
           ("build_s", "构建(s)"), ("plain_build_s", "纯MkDocs(s)"), ("ratio", "倍数"),
           ("cpu_ratio", "CPU倍数"),
           ("build_ms_per_case", "ms/案例"), ("peak_mb", "峰值MB"), ("validate_peak_mb", "检查峰值MB"),
           ("search_index_kb_per_case", "索引KB/案例"),
           ("catalogue_mb", "目录页MB"), ("matrix_mb", "矩阵页MB"), ("filter_ms", "筛选ms"),
           ("preview_change_s", "preview刷新(s)"), ("serve_change_s", "serve刷新(s)"),
           ("incremental_add_s", "加一案例增量(s)"), ("incremental_edit_s", "改一案例增量(s)"),
           ("incremental_add_peak_mb", "增量峰值MB"), ("search_first_kb", "首次结果前搜索KB"),
           ("largest_page_mb", "最大页MB")]


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(label for _, label in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(key, "—")) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)
