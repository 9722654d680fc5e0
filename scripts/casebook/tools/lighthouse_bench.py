"""Lighthouse (mobile) over each page type of a built site, served with compression as a static host would.

    npm i lighthouse@12.2.3            # in a scratch folder outside the repository
    .venv/bin/mkdocs build -d /tmp/site
    .venv/bin/python -m casebook.tools.lighthouse_bench /tmp/site --lighthouse /scratch/node_modules/.bin/lighthouse

Prints each page's performance, accessibility, best-practices and SEO scores and its layout shift
(CLS); writes the figures to lighthouse-results.json. A benchmark, not a test: the scores vary with
the machine's load.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ..core import siteconfig

PAGES = ["", "cases/", "cases/cangnanjie/", "sources/cangnanjie/", "compare/", "training/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
METRICS = {"fcp": "first-contentful-paint", "lcp": "largest-contentful-paint", "tbt": "total-blocking-time",
           "si": "speed-index"}
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv")


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files as GitHub Pages or nginx send them: gzip for text, a cache lifetime for assets."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        if "/assets/" in self.path or "/search/" in self.path:
            self.send_header("Cache-Control", "public, max-age=31536000")
        else:
            self.send_header("Cache-Control", "public, max-age=600")
        super().end_headers()

    mount = "/"  # site_url's path: the site's own links start there, as on the published host

    def translate_path(self, path):
        inside = path.startswith(self.mount)
        return super().translate_path("/" + path[len(self.mount):] if inside else "/.outside-the-mount/")

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's address
            path = path / "index.html"
        if (not path.is_file() or not path.name.endswith(COMPRESSED)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


def serve(site: Path, mount: str = "/") -> tuple[http.server.ThreadingHTTPServer, str]:
    host = type("Host", (StaticHost,), {"mount": mount})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(host, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{mount}"


def audit(lighthouse: str, url: str, chrome: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([lighthouse, url, "--quiet", "--output=json", f"--output-path={report}",
                        f"--only-categories={','.join(CATEGORIES)}",
                        "--chrome-flags=--headless --no-sandbox --disable-gpu"],
                       check=True, env={**os.environ, "CHROME_PATH": chrome}, timeout=300)
        data = json.loads(report.read_text(encoding="utf-8"))
    scores = {c: data["categories"][c]["score"] for c in CATEGORIES}
    scores["cls"] = data["audits"]["cumulative-layout-shift"]["numericValue"]
    # What the performance score is made of (ms), to see which one holds a page back.
    scores.update({name: round(data["audits"][audit]["numericValue"]) for name, audit in METRICS.items()})
    scores["failed"] = sorted(a for c in CATEGORIES[1:] for a in _failed(data, c))
    return scores


def _failed(data: dict, category: str) -> list[str]:
    refs = data["categories"][category]["auditRefs"]
    return [r["id"] for r in refs if r.get("weight") and data["audits"][r["id"]].get("score") not in (None, 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lighthouse（手机）测量各类页面，站点以压缩方式提供")
    parser.add_argument("site", type=Path, help="mkdocs build 生成的网站目录")
    parser.add_argument("--lighthouse", default="lighthouse", help="lighthouse 可执行文件（npm i lighthouse@12.2.3）")
    parser.add_argument("--chrome", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=Path("lighthouse-results.json"))
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                        help="网站配置文件：按其中 site_url 的路径提供网站（默认 mkdocs.yml）")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: 不是生成好的网站目录（找不到 index.html）", file=sys.stderr)
        return 2
    server, root = serve(args.site, siteconfig.read(args.config).serve_path if args.config.is_file() else "/")
    results = {}
    try:
        print(f"{'页面':<24}{'性能':>6}{'无障碍':>7}{'最佳实践':>7}{'SEO':>6}{'CLS':>8}"
              + "".join(f"{name.upper() + '(ms)':>10}" for name in METRICS))
        for page in PAGES:
            scores = results[page or "/"] = audit(args.lighthouse, root + page, args.chrome)
            print(f"{page or '/':<24}" + "".join(f"{scores[c]:>7.2f}" for c in CATEGORIES)
                  + f"{scores['cls']:>8.3f}" + "".join(f"{scores[name]:>10}" for name in METRICS)
                  + f"  {' '.join(scores['failed'])}")
    finally:
        server.shutdown()
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
