"""Searchable fonts for printed handouts.

Chromium's PDF writer (Skia) embeds fonts with TrueType outlines as real fonts (CID TrueType) but
fonts with CFF outlines, such as Noto Sans CJK, only as Type 3 drawings, which some readers cannot
search or copy reliably. So before printing we subset the Chinese font to the characters a handout
uses, redraw the outlines as TrueType curves (fontTools), and declare the result under the same
family name: the page picks it up with no change to its CSS. Where that cannot be done (no
fontconfig, a font already TrueType, an unreadable file) nothing is declared and Chromium's own
embedding stays.

Subsets are cached by font file and character set in the user's cache folder, so printing the same
casebook again costs nothing extra.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

FAMILY = "Noto Sans CJK SC"  # the first family of the handout's font stack
WEIGHTS = (400, 700)
_FORMAT = "2"  # bump when the conversion changes, so old cached subsets are not used


def face_css(text: str, folder: Path) -> str:
    """@font-face rules for TrueType subsets of FAMILY covering `text` ("" where this is not possible)."""
    rules = []
    for weight in WEIGHTS:
        font = _match(weight)
        if font is None:
            return ""
        path = _subset(font, text, folder)
        if path is None:
            return ""
        rules.append(f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
                     f'src: url("{path.resolve().as_uri()}") format("truetype"); }}')
    return "\n".join(rules)


def _match(weight: int) -> tuple[Path, int] | None:
    if not shutil.which("fc-match"):
        return None
    style = ":bold" if weight >= 700 else ""
    found = subprocess.run(["fc-match", f"{FAMILY}{style}", "--format", "%{family}\t%{file}\t%{index}"],
                           capture_output=True, text=True).stdout
    families, _, rest = found.partition("\t")
    file, _, index = rest.partition("\t")
    if FAMILY not in families.split(",") or not file:
        return None  # fontconfig fell back to another family: leave the choice to Chromium
    return Path(file), int(index or 0)


def _subset(font: tuple[Path, int], text: str, folder: Path) -> Path | None:
    file, index = font
    chars = "".join(sorted(set(text) - set("\n\r\t\f")))
    try:
        stat = file.stat()
        key = hashlib.sha256(f"{_FORMAT}\0{file}\0{index}\0{stat.st_size}\0{stat.st_mtime_ns}\0{chars}"
                             .encode("utf-8")).hexdigest()[:32]
    except OSError:
        return None
    cached = _cache_dir() / f"{key}.ttf" if _cache_dir() else None
    if cached and cached.is_file():
        return cached
    target = folder / f"{key}.ttf"
    try:
        if not _convert(file, index, chars, target):
            return None
    except Exception:  # noqa: BLE001 - any font trouble leaves Chromium's own embedding, never a failed handout
        return None
    if cached:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{os.getpid()}.part")
            shutil.copyfile(target, partial)
            os.replace(partial, cached)
        except OSError:
            pass
    return target


def _cache_dir() -> Path | None:
    if os.environ.get("CASEBOOK_NO_CACHE"):
        return None
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "casebook" / "fonts"
    except RuntimeError:  # no home folder
        return None


def _convert(file: Path, index: int, chars: str, target: Path) -> bool:
    """Subset to `chars` and redraw CFF outlines as TrueType quadratic curves; False if not a CFF font."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(file), fontNumber=index, lazy=True)
    if "CFF " not in font:
        return False
    _keep_glyphs(font, chars)
    _quadratic_outlines(font)
    _truetype_tables(font)
    font.save(str(target))
    return True


def _keep_glyphs(font, chars: str) -> None:
    """Keep only the glyphs of `chars`, with every layout feature and name, and no hinting."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]  # the page must set exactly as with the system's font (kerning, widths)
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)


def _quadratic_outlines(font) -> None:
    """Every glyph's cubic CFF outline redrawn as a quadratic TrueType one (glyf and loca replace CFF)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]


def _truetype_tables(font) -> None:
    """The tables that say which outlines a font holds, rewritten for TrueType ones."""
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for name in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints",
                 "maxContours", "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, name, 1 if name == "maxZones" else 0)
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # glyph names are not needed and CFF fonts carry none in post
    font.sfntVersion = "\0\1\0\0"
