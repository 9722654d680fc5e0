"""Releases an archive can cite: an annotated git tag per release, and .zenodo.json that follows CITATION.cff."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

from casebook.core import citation, siteconfig

from conftest import ROOT, make_project, run_cli

CFF_SCHEMA = ROOT / "tests" / "data" / "cff-1.2.0" / "schema.json"


def test_citation_cff_is_valid_cff_1_2_0_and_names_the_site_and_repository():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}"
              for e in Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(cff)]
    assert errors == []
    settings = siteconfig.read(ROOT / "mkdocs.yml")
    assert (cff["url"], cff["repository-code"]) == (settings.site_url, settings.repo_url)


def test_the_zenodo_metadata_is_what_citation_cff_says():
    checked_in = (ROOT / ".zenodo.json").read_text(encoding="utf-8")
    assert checked_in == citation.zenodo_text(ROOT), "运行 casebook zenodo 重新生成 .zenodo.json"
    zenodo = json.loads(checked_in)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert (zenodo["version"], zenodo["publication_date"], zenodo["license"]) == \
        (cff["version"], cff["date-released"], {"id": cff["license"]})
    assert zenodo["upload_type"] == "dataset"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def _repository(tmp_path: Path) -> Path:
    project = make_project(tmp_path)
    shutil.copy(ROOT / "CITATION.cff", project / "CITATION.cff")
    _git(project, "init", "-q")
    _git(project, "config", "user.name", "测试")
    _git(project, "config", "user.email", "test@example.org")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "cases")
    return project


def test_release_tag_tags_a_committed_release_once(tmp_path: Path):
    project = _repository(tmp_path)
    early = run_cli("release", "--tag", cwd=project)  # the fixture's data moved on since its last release
    assert early.returncode == 1 and "先运行 casebook release" in early.stderr
    made = run_cli("release", cwd=project)
    assert made.returncode == 0, made.stderr
    version = yaml.safe_load((project / "cases/releases/changelog.yaml").read_text(encoding="utf-8"))[0]["version"]
    assert json.loads((project / ".zenodo.json").read_text(encoding="utf-8"))["version"] == version

    dirty = run_cli("release", "--tag", cwd=project)  # the release's files are not committed yet
    assert dirty.returncode == 1 and "未提交的改动" in dirty.stderr and "Traceback" not in dirty.stderr
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", f"release {version}")
    tagged = run_cli("release", "--tag", cwd=project)
    assert tagged.returncode == 0, tagged.stderr
    assert _git(project, "cat-file", "-t", f"v{version}").strip() == "tag"  # annotated, not a lightweight tag
    assert f"数据版本 {version}" in _git(project, "tag", "-l", "-n9", f"v{version}")

    again = run_cli("release", "--tag", cwd=project)
    assert again.returncode == 1 and f"标签 v{version} 已经存在" in again.stderr


def test_casebook_zenodo_rewrites_the_metadata_and_reports_a_broken_citation_file(tmp_path: Path):
    shutil.copy(ROOT / "CITATION.cff", tmp_path / "CITATION.cff")
    made = run_cli("zenodo", "--project", str(tmp_path))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / ".zenodo.json").read_text(encoding="utf-8") == (ROOT / ".zenodo.json").read_text(encoding="utf-8")
    (tmp_path / "CITATION.cff").write_text("title: [unclosed\n", encoding="utf-8")
    broken = run_cli("zenodo", "--project", str(tmp_path))
    assert broken.returncode == 1 and "CITATION.cff:" in broken.stderr and "Traceback" not in broken.stderr
    assert (tmp_path / ".zenodo.json").read_text(encoding="utf-8") == (ROOT / ".zenodo.json").read_text(encoding="utf-8")
