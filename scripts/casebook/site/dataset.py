"""The casebook as a citable dataset: version, last-updated dates, completeness, and the files that go with them.

Adds to the site: one JSON file per case at a stable address, redirect pages
for renamed cases, the 版本与更新 page, versioned downloads and every earlier
release's data.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from ..core import completeness, releases
from . import opendata, routes
from ..core.model import Casebook
from .opendata import DOWNLOADS


def context(book: Casebook) -> dict:
    """What pages need to show a case's version, date, citation and completeness."""
    return {
        "version": releases.version(book),
        "history": releases.history(book.cases_dir),
        "updated": releases.last_updated(book),
        "completeness": completeness.Scores(book),
        "completeness_definition": completeness.definition(book),
        "dataset_downloads": DOWNLOADS,
    }


def case_document(case: dict, schema_url: str) -> str:
    """One case as its own open-data file: the case's fields, with the schema it conforms to."""
    return json.dumps({"$schema": schema_url, **case}, ensure_ascii=False, indent=2)


def schema_url(site_url: str, from_src: str) -> str:
    """Absolute when the site knows its address, else relative to the file that names it."""
    if site_url:
        return site_url.rstrip("/") + "/" + routes.SCHEMA_DOWNLOAD
    depth = from_src.count("/")
    return "../" * depth + routes.SCHEMA_DOWNLOAD


def redirect_page(target_url: str, name: str) -> str:
    """A static page that sends an old address on to the case's current one (works without JavaScript)."""
    return (
        "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">\n"
        f"<title>{_html(name)}</title>\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={_html(target_url)}\">\n"
        f"<link rel=\"canonical\" href=\"{_html(target_url)}\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n</head><body>\n"
        f"<p>这个案例的网址已经改变，请前往 <a href=\"{_html(target_url)}\">{_html(name)}</a>。</p>\n"
        "</body></html>\n"
    )


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def case_file(site_url: str, case: dict) -> dict[str, str]:
    """A case's own open-data file, at its stable address."""
    src = routes.case_json(case["slug"])
    return {src: case_document(case, schema_url(site_url, src))}


def download_paths(version: str) -> tuple[str, ...]:
    """Where downloads() puts its files, known before they are made."""
    return (*opendata.download_paths(), *(routes.versioned_download(version, name) for name in DOWNLOADS))


def downloads(book: Casebook, version: str, scores: Mapping, site_url: str = "") -> dict[str, str | bytes]:
    """The open-data downloads, and a copy of each named by the dataset version."""
    made = opendata.downloads(book, version, scores, site_url)
    return {**made, **{routes.versioned_download(version, name): made[routes.download(name)] for name in DOWNLOADS}}


def files(book: Casebook, history: list[dict], site_url: str, use_directory_urls: bool,
          url_from: Callable[[str, str], str]) -> dict[str, str | bytes]:
    """The dataset's own files besides the downloads and the 版本与更新 page (each case's file is made with its
    page): redirects from renamed cases' old addresses, and every earlier release's data."""
    out: dict[str, str | bytes] = {}
    for case in book.cases:
        for old in case.get("former_slugs", []):
            from_src = routes.case_redirect(old, use_directory_urls)
            out[from_src] = redirect_page(url_from(from_src, routes.case(case["slug"])), case["name"])
            # Tools that fetched the old data address keep working.
            out.update({routes.case_json(old): content for content in case_file(site_url, case).values()})
    # A selection (an offline zip for one category) carries no release's full data: every case of the book is in it.
    for entry in history if book.version is None else []:
        data = releases.published_snapshot(book.cases_dir, entry["version"])
        if data is not None:
            out[routes.release_download(entry["version"])] = data
    return out
