"""The version of the data that exports and the 培训资料 page show: the dataset release (see releases.py)."""
from __future__ import annotations

from . import releases
from .model import Casebook


def dataset_version(book: Casebook) -> str:
    """The last release of the casebook's data, marked +dev if the data changed since."""
    return releases.version(book)
