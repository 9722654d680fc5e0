"""Issue 28: a trainer names a practice category as the site does: by its term, its short name or its slug."""
from __future__ import annotations

from pathlib import Path

from conftest import make_project, run_cli


def test_a_category_is_chosen_by_term_short_name_or_slug_alike(tmp_path: Path):
    project = make_project(tmp_path)
    made = []
    for i, name in enumerate(["为老服务", "为老", "weilao"]):
        out = tmp_path / f"{i}.html"
        result = run_cli("export", "handout", "--category", name, "--out", str(out), cwd=project)
        assert result.returncode == 0, result.stderr
        made.append(out.read_text(encoding="utf-8"))
    assert made[0] == made[1] == made[2] and "为老服务" in made[0]
    wrong = run_cli("export", "handout", "--category", "weilaofuwu", cwd=project)
    assert wrong.returncode != 0 and "Traceback" not in wrong.stderr
    assert "“weilaofuwu”" in wrong.stderr and "为老服务（为老，weilao）" in wrong.stderr
