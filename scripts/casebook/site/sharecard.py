"""A share card per case: the image a chat app shows beside a forwarded link (og:image).

Drawn at build time from an SVG template (title, place, the casebook's name) by CairoSVG, offline,
and encoded as PNG here. Cards are cached by the SVG they come from, in the user's cache folder, so
a build draws only the cards of cases that changed; where CairoSVG cannot run (no cairo library)
a case gets the site's general card instead of a dead image address.
"""
from __future__ import annotations

import functools
import hashlib
import io
import os
import struct
import sys
import zlib
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
_FORMAT = "2"  # bump when drawing changes: cached cards of the old look are not used


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
        image = _draw(drawing)
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


def _draw(drawing: str) -> bytes:
    """The card as PNG: drawn by CairoSVG, encoded here (cairo's own PNG writer took three quarters of the time)."""
    import cairosvg.parser
    import cairosvg.surface

    tree = cairosvg.parser.Tree(bytestring=drawing.encode("utf-8"))
    surface = cairosvg.surface.PNGSurface(tree, io.BytesIO(), 96, output_width=WIDTH, output_height=HEIGHT).cairo
    surface.flush()
    return rgb_png(bytes(surface.get_data()), surface.get_width(), surface.get_height(), surface.get_stride())


def rgb_png(pixels: bytes, width: int, height: int, stride: int) -> bytes:
    """An opaque image in cairo's ARGB32 layout (B, G, R, A bytes on little-endian machines) as an RGB PNG.

    The card's background fills it, so alpha is always full and premultiplied colours are the colours."""
    if sys.byteorder != "little":
        raise OSError("share cards are drawn on little-endian machines only")
    if stride != width * 4:  # cairo pads ARGB32 rows only to 4 bytes, which 4-byte pixels always fill
        raise OSError(f"unexpected row stride {stride}")
    rgb = bytearray(width * height * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = pixels[2::4], pixels[1::4], pixels[0::4]
    line, view = width * 3, memoryview(rgb)
    raw = b"".join(b"\0" + view[y * line:(y + 1) * line] for y in range(height))  # filter type 0 on every row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b"")


def _cache_dir() -> Path | None:
    if os.environ.get("CASEBOOK_NO_CACHE"):
        return None
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "casebook" / "cards"
    except RuntimeError:
        return None
