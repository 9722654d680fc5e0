"""Everything the casebook makes, written to one folder, so two versions of the code can be compared with diff -r.

    python -m casebook.tools.snapshot OUT_DIR [--repo DIR]

Run from a checkout (or name one with --repo); the casebook package imported is the one on the path,
so a run with PYTHONPATH=OTHER/scripts snapshots another checkout's code. It writes, for the real
casebook (cases/) and the fixture casebook (tests/fixtures/casebook/cases):

- render/: `casebook render --out` (the whole documentation tree);
- export-site/: the offline zip of `casebook export site`, unpacked (a zip holds its own timestamps);
- handout/: the handout HTML of `casebook export handout`;
- messages/: what `casebook validate` says (and its exit code) for a few broken copies of the fixture;
- site/ (real casebook only): `mkdocs build` with the plugin, a full build without the content cache;

then MANIFEST.sha256 with a digest of every file. What differs between two runs of unchanged code
is normalised in every text file: the output folder, the checkout and its temporary copies (paths),
today's date (the export dates its files), and gzip members are stored unpacked (a gzip header holds
its time). A benchmark-like script, not a test: it prints what it wrote.
"""
from __future__ import annotations

import argparse
import datetime
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

FIXTURE = Path("tests/fixtures/casebook/cases")
TEXT = {".md", ".html", ".json", ".yml", ".yaml", ".xml", ".csv", ".txt", ".js", ".css", ".svg", ".log", ".cff"}


def _breakages(cases: Path) -> dict[str, callable]:
    """Named ways to break a copy of the fixture casebook, one message set each."""

    def replace(name: str, old: str, new: str):
        def apply() -> None:
            path = cases / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{name} no longer holds {old!r}: pick another breakage"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return apply

    def append(name: str, text: str):
        return lambda: (cases / name).write_text((cases / name).read_text(encoding="utf-8") + text, encoding="utf-8")

    return {
        "yaml-syntax": append("fuyou.yaml", "\nname: [未闭合\n"),
        "unknown-field": append("tianma.yaml", "\nnot_a_field: 1\n"),
        "wrong-type": replace("guhuai.yaml", "slug: guhuai", "slug: [guhuai]"),
        "quote-not-in-source": lambda: _unquote(cases / "cangnanjie.yaml"),
        "unknown-term": lambda: _unknown_term(cases / "huangtun-jinse-jiayuan.yaml"),
        "missing-source": lambda: _remove_source(cases, "tianma"),
        "empty-taxonomy": lambda: (cases / "taxonomy.yaml").write_text("", encoding="utf-8"),
    }


def _unquote(path: Path) -> None:
    """The first evidence quoted in a case no longer stands in its source."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(evidence: ).*", r"\1原文里没有的一句话", text, count=1), encoding="utf-8")


def _unknown_term(path: Path) -> None:
    """The first practice category of a case is not in the vocabulary."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(category: )\S+", r"\1不存在的类别", text, count=1), encoding="utf-8")


def _remove_source(cases: Path, slug: str) -> None:
    (cases / "sources" / f"{slug}.txt").unlink()


class Snapshot:
    def __init__(self, repo: Path, out: Path):
        self.repo, self.out = repo.resolve(), out.resolve()
        self.env = {**os.environ, "CASEBOOK_NO_CACHE": "1", "CASEBOOK_FULL_BUILD": "1", "NO_MKDOCS_2_WARNING": "1"}
        self.temporary = Path(tempfile.mkdtemp(prefix="casebook-snapshot-"))
        self.log: list[str] = []

    def run(self, name: str, *command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", *command], cwd=cwd or self.repo, env=self.env,
                              capture_output=True, text=True, timeout=3600)
        self.log.append(f"$ {' '.join(command)}\nexit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n"
                        f"{_without_timings(done.stderr)}")
        print(f"{name}: exit {done.returncode}", file=sys.stderr, flush=True)
        return done

    def casebook(self, label: str, cases: Path) -> None:
        cli = "casebook.doors.cli"
        target = self.out / label
        common = ["--cases-dir", str(cases)]
        self.run(f"{label} render", cli, "render", "--out", str(target / "render"), *common)
        dist = self.temporary / label
        self.run(f"{label} export site", cli, "export", "site", "--out", str(dist / "zip"), *common)
        for archive in sorted((dist / "zip").glob("*.zip")):
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(target / "export-site" / archive.name)
        self.run(f"{label} export handout", cli, "export", "handout", "--out", str(target / "handout"), *common)

    def site(self) -> None:
        self.run("real mkdocs build", "mkdocs", "build", "--strict", "-q", "-d", str(self.out / "real" / "site"))

    def messages(self) -> None:
        copy = self.temporary / "broken"
        for name in _breakages(copy):
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(self.repo / FIXTURE, copy / "cases")
            _breakages(copy / "cases")[name]()
            done = self.run(f"validate {name}", "casebook.doors.cli", "validate", "--cases-dir", "cases", cwd=copy)
            text = f"exit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
            _write(self.out / "messages" / f"{name}.txt", text)

    def finish(self) -> None:
        _write(self.out / "commands.log", "\n".join(self.log))
        shutil.rmtree(self.temporary, ignore_errors=True)
        for path in sorted(p for p in self.out.rglob("*") if p.is_file()):
            self.normalise(path)
        lines = [f"{_digest(p)}  {p.relative_to(self.out).as_posix()}"
                 for p in sorted(p for p in self.out.rglob("*") if p.is_file()) if p.name != "MANIFEST.sha256"]
        _write(self.out / "MANIFEST.sha256", "\n".join(lines) + "\n")

    def normalise(self, path: Path) -> None:
        if path.suffix == ".gz":
            unpacked = path.with_name(path.name + ".unpacked")
            unpacked.write_bytes(gzip.decompress(path.read_bytes()))
            path.unlink()
            path = unpacked
        today = datetime.date.today()
        if today.isoformat() in path.name:
            path = path.rename(path.with_name(path.name.replace(today.isoformat(), "DATE")))
        if path.suffix not in TEXT and not path.name.endswith(".unpacked"):
            return
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return
        new = text
        for place, word in ((self.out, "OUT"), (self.temporary, "TMP"), (self.repo, "REPO")):
            new = new.replace(str(place), word).replace(os.path.realpath(place), word)
        for form in (today.isoformat(), f"{today.year}年{today.month}月{today.day}日", today.strftime("%Y%m%d")):
            new = new.replace(form, "DATE")
        if new != text:
            path.write_text(new, encoding="utf-8")


def _without_timings(text: str) -> str:
    """MkDocs and the exports say how long they took: the one part of their words that varies."""
    return re.sub(r"\d+(\.\d+)? ?(秒|seconds)", "N秒", text)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casebook.tools.snapshot", description=__doc__.split("\n")[0])
    parser.add_argument("out", help="an empty or new folder")
    parser.add_argument("--repo", default=".", help="the checkout whose cases, fixtures and mkdocs.yml are used")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and any(out.iterdir()):
        print(f"{out} 不是空目录", file=sys.stderr)
        return 2
    import casebook
    print(f"casebook package: {Path(casebook.__file__).parent}", file=sys.stderr)
    snapshot = Snapshot(Path(args.repo), out)
    try:
        snapshot.casebook("real", Path("cases"))
        snapshot.casebook("fixture", FIXTURE)
        snapshot.site()
        snapshot.messages()
    finally:
        snapshot.finish()
    print(f"written: {out}/MANIFEST.sha256")
    return 0


if __name__ == "__main__":
    sys.exit(main())
