"""`casebook preview` shows an edited case as the build does: same page, same data version, same related cases."""
from __future__ import annotations

import re
from pathlib import Path

from casebook.preview import Preview
from casebook.siteconfig import SiteSettings
from casebook.tree import generated_files
from casebook.validate import load_casebook

from conftest import make_project

SETTINGS = SiteSettings(site_url="https://example.org/casebook/", repo_url="", use_directory_urls=True, copyright="")


def more_cases(cases: Path, count: int = 6) -> None:
    """Copies of the fixture cases under new slugs, so the preview holds only part of the casebook."""
    originals = sorted(p for p in cases.glob("*.yaml") if p.name != "taxonomy.yaml")
    for i in range(count):
        original = originals[i % len(originals)]
        slug = f"{original.stem}-copy{i}"
        text = original.read_text(encoding="utf-8").replace(f"slug: {original.stem}", f"slug: {slug}")
        text = text.replace(f"sources/{original.stem}.txt", f"sources/{slug}.txt")
        (cases / f"{slug}.yaml").write_text(re.sub(r"(?m)^former_slugs:.*\n", "", text), encoding="utf-8")
        (cases / "sources" / f"{slug}.txt").write_bytes((cases / "sources" / f"{original.stem}.txt").read_bytes())


def test_a_preview_renders_the_edited_case_exactly_as_the_build(tmp_path: Path):
    project = make_project(tmp_path)
    more_cases(project / "cases")
    full, problems = load_casebook(project / "cases", cache_dir=None)
    assert not problems, problems
    workdir = tmp_path / "preview"
    workdir.mkdir()
    preview = Preview(project / "mkdocs.yml", project / "cases", [project / "cases" / "fuyou.yaml"], workdir)
    preview.create()
    part, problems = load_casebook(workdir / "cases", cache_dir=None)
    assert not problems, problems
    assert len(part.cases) < len(full.cases)  # the preview is a part of the casebook, not all of it
    built = generated_files(full, SETTINGS)["cases/fuyou.md"]
    previewed = generated_files(part, SETTINGS)["cases/fuyou.md"]
    assert "0.0.0" not in previewed and "相关案例" in previewed
    assert previewed == built
