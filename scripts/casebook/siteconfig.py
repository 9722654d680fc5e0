"""The few site settings exports need (online address, repository), read from mkdocs.yml without MkDocs.

mkdocs.yml uses tags such as `!ENV`; a plain YAML reader would refuse them, so unknown tags read as null.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml


class _Tolerant(yaml.SafeLoader):
    pass


_Tolerant.add_multi_constructor("!", lambda loader, suffix, node: None)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class SiteSettings:
    site_url: str  # "https://example.org/casebook/" or "" when the site has no address yet
    repo_url: str
    use_directory_urls: bool
    copyright: str
    site_name: str = "社区治理实践案例库"

    @property
    def serve_path(self) -> str:
        """Where `mkdocs serve` puts the site: the path of site_url, e.g. '/casebook/' (else '/')."""
        return urlsplit(self.site_url).path.rstrip("/") + "/"

    def online(self, path: str) -> str | None:
        """The full online address of a site path (from routes), or None without a site address."""
        return self.site_url + path if self.site_url else None


def read(config_file: Path | None, site_url: str | None = None) -> SiteSettings:
    """Settings from mkdocs.yml (missing file: none); `site_url` given on the command line wins."""
    data = {}
    if config_file and config_file.is_file():
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Tolerant) or {}
    url = (site_url if site_url is not None else data.get("site_url")) or ""
    return SiteSettings(
        site_url=url.rstrip("/") + "/" if url else "",
        repo_url=data.get("repo_url") or "",
        use_directory_urls=data.get("use_directory_urls", True) is not False,
        copyright=data.get("copyright") or "",
        site_name=data.get("site_name") or "社区治理实践案例库",
    )
