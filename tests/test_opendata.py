"""Downloads round-trip: what a researcher gets equals what the validator loaded."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from jsonschema import Draft202012Validator

from casebook.site.opendata import OUTCOME_COLUMNS, case_columns, dataset_columns
from casebook.core.schema import case_schema
from casebook.core.validate import load_casebook

from conftest import CASES


def test_the_schema_is_valid_json_schema_2020_12():
    Draft202012Validator.check_schema(case_schema())


def test_cases_json_validates_and_equals_the_loaded_cases(site: Path):
    document = json.loads((site / "data/cases.json").read_text(encoding="utf-8"))
    assert document["version"].startswith("1.0.0")  # the fixture casebook's release, carried in the content
    cases = document["cases"]
    schema = json.loads((site / "data/case.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    for case in cases:
        assert not list(validator.iter_errors(case)), case["slug"]
    book, _ = load_casebook(CASES)
    assert cases == book.cases
    assert "矛盾纠纷调解" in schema["$defs"]["category"]["enum"]


def test_cases_csv_opens_with_a_bom_and_has_a_row_per_case(site: Path):
    raw = (site / "data/cases.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(site / "data/cases.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5
    cangnan = next(r for r in rows if r["slug"] == "cangnanjie")
    assert cangnan["city"] == "潍坊市" and "四汇共治" in cangnan["models"] and cangnan["outcomes_measured"] == "2"


def test_outcomes_csv_has_a_row_per_outcome(site: Path):
    with open(site / "data/outcomes.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    book, _ = load_casebook(CASES)
    assert len(rows) == sum(len(c["outcomes"]) for c in book.cases)
    sixteen = next(r for r in rows if r["slug"] == "huangtun-jinse-jiayuan" and r["kind"] == "measured")
    assert (sixteen["value"], sixteen["unit"]) == ("16", "起")


def test_every_column_is_explained_on_the_data_page(site: Path):
    page = (site / "data/index.html").read_text(encoding="utf-8")
    book, _ = load_casebook(CASES)
    for name, *_ in case_columns(book.taxonomy) + OUTCOME_COLUMNS + dataset_columns("", {}):
        assert f"<code>{name}</code>" in page, name
    assert "一句话标题，概括案例的主要做法。" in page  # the schema's description of `title`
