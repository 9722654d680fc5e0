"""The gazetteer (city -> province) kept as data: read and checked, as `casebook validate` checks it."""
from __future__ import annotations

from pathlib import Path

from .files import display_name
from .load import LoadError, load_file
from .problems import Problem
from .rules import schema_problems
from .schema import DATA, data_validator

GAZETTEER_SCHEMA = "gazetteer.schema.json"


def default_file() -> Path:
    return Path(str(DATA / "gazetteer.yaml"))


def read(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """City -> province from the gazetteer (empty if it has problems), and its problems."""
    name = display_name(path)
    try:
        doc = load_file(path, name)
    except LoadError as exc:
        return {}, exc.problems
    found = schema_problems(doc, data_validator(GAZETTEER_SCHEMA))
    if found:
        return {}, found
    province_of: dict[str, str] = {}
    for province, cities in doc.data.items():
        for i, city in enumerate(cities):
            if city in province_of:
                found.append(doc.problem((province, i), f"“{city}”已列在{province_of[city]}下：一个城市只能属于一个省份"))
            province_of.setdefault(city, province)
    return ({} if found else province_of), found
