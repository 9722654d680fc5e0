"""The version of the data that exports and the 培训资料 page show: one function, so it can be re-pointed."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def dataset_version() -> str:
    """The casebook's version: the installed package's, else the one pyproject.toml states."""
    try:
        return metadata.version("casebook")
    except metadata.PackageNotFoundError:
        found = re.search(r'^version\s*=\s*"([^"]+)"', PYPROJECT.read_text(encoding="utf-8"), re.M)
        return found.group(1) if found else "未注明"
