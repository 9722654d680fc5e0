"""A share card per case: the image a chat app shows beside a forwarded link (og:image).

Drawn at build time from an SVG template (title, place, the casebook's name) and turned into PNG
by CairoSVG, offline. Cards are cached by the SVG they come from, in the user's cache folder, so
a build draws only the cards of cases that changed; where CairoSVG cannot run (no cairo library)
a case gets the site's general card instead of a dead image address.
"""
from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from ..core import model
from . import routes
from .jobs import Job
from .render import environment

PACKAGE = Path(__file__).resolve().parent.parent  # templates/, assets/ and data/ sit at the package's top
FALLBACK = PACKAGE / "assets" / "casebook" / "og.png"
WIDTH, HEIGHT, MARGIN = 1200, 630, 80
PER_JOB = 50  # cards per job: a build spreads them over its cores
OPENING = "“‘「『《（([【"
_FORMAT = "1"  # bump when drawing changes: cached cards of the old look are not used


def jobs(book: model.Casebook, site_name: str) -> list[Job]:
    cases = book.cases
    return [Job(tuple(routes.share_card(c["slug"]) for c in chunk), lambda chunk=chunk: cards(chunk, site_name))
            for chunk in (cases[i:i + PER_JOB] for i in range(0, len(cases), PER_JOB))]


def cards(cases: list[dict], site_name: str) -> dict[str, bytes]:
    return {routes.share_card(c["slug"]): png(svg(c, site_name)) for c in cases}


def svg(case: dict, site_name: str) -> str:
    usable = WIDTH - 2 * MARGIN
    name = case["name"]
    name_size = min(64, usable // max(len(name), 1))
    return _template().render(
        width=WIDTH, height=HEIGHT, margin=MARGIN, site_name=site_name, name=name, name_size=name_size,
        title_lines=wrap(case.get("title") or "", usable // 44, 3), place=model.place(case))


@functools.cache
def _template():
    return environment().get_template("share_card.svg.j2")


def wrap(text: str, per_line: int, most: int) -> list[str]:
    """Chinese breaks between any two characters; the last line kept ends in … when text is left over."""
    lines, rest = [], text
    while rest:
        line, rest = rest[:per_line], rest[per_line:]
        if rest and line[-1] in OPENING and len(line) > 1:  # an opening mark never ends a line
            line, rest = line[:-1], line[-1] + rest
        lines.append(line)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def png(drawing: str) -> bytes:
    key = hashlib.sha256(f"{_FORMAT}\0{drawing}".encode("utf-8")).hexdigest()[:32]
    cached = _cache_dir() / f"{key}.png" if _cache_dir() else None
    try:
        if cached and cached.is_file():
            return cached.read_bytes()
    except OSError:
        pass
    try:
        import cairosvg

        image = cairosvg.svg2png(bytestring=drawing.encode("utf-8"), output_width=WIDTH, output_height=HEIGHT)
    except (ImportError, OSError):  # no cairo library on this machine: the general card, never a dead link
        return FALLBACK.read_bytes()
    if cached:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(image)
            os.replace(partial, cached)
        except OSError:
            pass
    return image


def _cache_dir() -> Path | None:
    if os.environ.get("CASEBOOK_NO_CACHE"):
        return None
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "casebook" / "cards"
    except RuntimeError:
        return None
