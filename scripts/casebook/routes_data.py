"""Addresses of the dataset's own files (per-case JSON, redirects, versions page, release downloads).

Kept apart until the lead's routes module lands; then these move there.
"""
from __future__ import annotations

VERSIONS = "versions.md"
SCHEMA = "data/case.schema.json"


def case_page(slug: str) -> str:
    return f"cases/{slug}.md"


def case_json(slug: str) -> str:
    """Each case's own data file: the address stays the same across releases."""
    return f"data/cases/{slug}.json"


def case_redirect(old_slug: str, use_directory_urls: bool) -> str:
    """The static file that sits where a renamed case's page used to be."""
    return f"cases/{old_slug}/index.html" if use_directory_urls else f"cases/{old_slug}.html"


def download(name: str) -> str:
    return f"data/{name}"


def versioned_download(version: str, name: str) -> str:
    """A download named with the dataset version it holds, e.g. data/casebook-1.1.0-cases.csv."""
    return f"data/casebook-{version}-{name}"


def release_download(version: str) -> str:
    """An earlier (or the current) release's full data, kept downloadable."""
    return f"data/releases/{version}/cases.json"
