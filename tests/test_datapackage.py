"""Open data as a standard package: a data user's tools (frictionless, jsonschema) read the built site's data."""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

from frictionless import Package
from jsonschema import Draft202012Validator

from casebook.site import datapackage
from casebook.core import siteconfig

from conftest import ROOT

SITE_URL = siteconfig.read(ROOT / "mkdocs.yml").site_url  # the fixture build uses the project's mkdocs.yml


def _errors(descriptor: Path) -> list[str]:
    report = Package(str(descriptor)).validate()
    return [f"{task.name}: {error.type}: {error.note}" for task in report.tasks for error in task.errors]


def test_the_data_package_is_valid_and_every_csv_column_is_in_it(site: Path):
    descriptor = site / "data" / "datapackage.json"
    assert _errors(descriptor) == []
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        with open(site / "data" / resource["path"], encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f))
        assert [field["name"] for field in resource["schema"]["fields"]] == header, resource["name"]


def test_the_package_knows_keys_types_lists_and_version(site: Path):
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: r for r in package["resources"]}
    assert tables["cases"]["schema"]["primaryKey"] == "slug"
    for name in ("outcomes", "resources", "learning"):
        assert {"fields": "slug", "reference": {"resource": "cases", "fields": "slug"}} \
            in tables[name]["schema"]["foreignKeys"], name
    version = json.loads((site / "data" / "cases.json").read_text(encoding="utf-8"))["version"]
    assert package["version"] == version
    assert package["id"] == SITE_URL + "data/datapackage.json"
    rows = Package(str(site / "data" / "datapackage.json")).get_resource("cases").read_rows()
    years = {row["slug"]: row["year"] for row in rows}
    assert years["fuyou"] == 2024 and isinstance(years["fuyou"], int) and years["guhuai"] is None
    categories = {row["slug"]: row["categories"] for row in rows}
    assert "党建引领" in categories["fuyou"]  # a list, split at the delimiter the package names
    kinds = next(f for f in tables["outcomes"]["schema"]["fields"] if f["name"] == "kind")
    assert "measured" in kinds["constraints"]["enum"]  # the vocabulary, through the schema


def test_a_dangling_reference_or_a_column_left_out_is_reported(site: Path, tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(site / "data", data, ignore=shutil.ignore_patterns("cases", "releases"))
    outcomes = (data / "outcomes.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    outcomes[1] = "no-such-case" + outcomes[1][outcomes[1].index(","):]
    (data / "outcomes.csv").write_bytes(("\ufeff" + "\r\n".join(outcomes)).encode("utf-8"))
    assert any("foreign-key" in e for e in _errors(data / "datapackage.json"))

    shutil.copy(site / "data" / "outcomes.csv", data / "outcomes.csv")
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][0]["schema"]["fields"].pop(2)
    (data / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    assert any("label" in e for e in _errors(data / "datapackage.json"))


def test_the_licence_is_the_one_citation_cff_names():
    assert [lic["name"] for lic in datapackage.licenses(ROOT)] == ["CC-BY-4.0"]


def test_the_published_schema_has_its_own_address_as_id_and_stays_valid(site: Path):
    schema = json.loads((site / "data" / "case.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == SITE_URL + "data/case.schema.json"
    Draft202012Validator.check_schema(schema)
    one = json.loads((site / "data" / "cases" / "fuyou.json").read_text(encoding="utf-8"))
    assert one.pop("$schema") == schema["$id"]
    assert not list(Draft202012Validator(schema).iter_errors(one))


def test_the_data_page_documents_the_api_with_recipes(site: Path):
    page = (site / "data" / "index.html").read_text(encoding="utf-8")
    # Links start at site_url's path when the site has one (routes.mount), else they are relative.
    assert re.search(r'href="(?:/[^"]*/data/)?datapackage\.json"', page)
    assert re.search(r'href="(?:/[^"]*/data/)?cases/[a-z0-9-]+\.json"', page)
    assert 'encoding="utf-8-sig"' in page and '"year": "Int64"' in page
    assert SITE_URL + "data/" in page  # the recipe reads from where the data is published
