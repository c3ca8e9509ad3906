"""Japanese fonts for every drawn or printed output (PDF, PNG): the one font finder.

A PDF or PNG drawn with a font that has no kana or kanji shows empty boxes (豆腐) in place
of every place name, so the finder returns only fonts with Japanese glyphs, and raises
:class:`JapaneseFontMissing` naming what to install when there is none.

Searched in this order (first found wins):

- ゴシック: Noto Sans CJK JP (Debian/Ubuntu ``fonts-noto-cjk``, Fedora/Arch
  ``google-noto-sans-cjk`` / ``noto-fonts-cjk``), IPAex ゴシック (``fonts-ipaexfont-gothic``),
  Windows 游ゴシック / メイリオ / MS ゴシック, macOS ヒラギノ角ゴシック.
- 明朝: Noto Serif CJK JP, IPAex 明朝, Windows 游明朝 / MS 明朝, macOS ヒラギノ明朝,
  else the ゴシック.

A font collection (.ttc / .otc) holds several faces; the Japanese one is found by its family
name in the font's ``name`` table (Noto Sans CJK's collection also holds the Korean and
Chinese faces, whose kanji shapes differ from the Japanese ones).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

__all__ = ["JapaneseFont", "JapaneseFontMissing", "japanese_font", "japanese_font_mincho",
           "pil_font", "add_fpdf_fonts", "font_dirs"]

#: FPDF family names registered by :func:`add_fpdf_fonts`.
FPDF_GOTHIC = "jp"
FPDF_MINCHO = "jp-mincho"

# (file path relative to a font folder, family names of the wanted face): the family name
# picks the face in a collection; the first family found in the file wins.
_NOTO_SANS = ("Noto Sans CJK JP", "Noto Sans JP")
_NOTO_SERIF = ("Noto Serif CJK JP", "Noto Serif JP")
GOTHIC = (
    ("opentype/noto/NotoSansCJK-Regular.ttc", _NOTO_SANS),
    ("noto-cjk/NotoSansCJK-Regular.ttc", _NOTO_SANS),
    ("google-noto-cjk/NotoSansCJK-Regular.ttc", _NOTO_SANS),
    ("google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc", _NOTO_SANS),
    ("opentype/noto/NotoSansCJKjp-Regular.otf", _NOTO_SANS),
    ("opentype/ipaexfont-gothic/ipaexg.ttf", ("IPAexGothic",)),
    ("truetype/ipaexfont-gothic/ipaexg.ttf", ("IPAexGothic",)),
    ("ipa-ex-gothic/ipaexg.ttf", ("IPAexGothic",)),
    ("YuGothM.ttc", ("Yu Gothic Medium", "Yu Gothic")),
    ("YuGothR.ttc", ("Yu Gothic Regular", "Yu Gothic")),
    ("meiryo.ttc", ("Meiryo",)),
    ("msgothic.ttc", ("MS Gothic",)),
    ("ヒラギノ角ゴシック W3.ttc", ("Hiragino Sans", "Hiragino Kaku Gothic ProN")),
)
GOTHIC_BOLD = (
    ("opentype/noto/NotoSansCJK-Bold.ttc", _NOTO_SANS),
    ("noto-cjk/NotoSansCJK-Bold.ttc", _NOTO_SANS),
    ("google-noto-cjk/NotoSansCJK-Bold.ttc", _NOTO_SANS),
    ("google-noto-sans-cjk-fonts/NotoSansCJK-Bold.ttc", _NOTO_SANS),
    ("YuGothB.ttc", ("Yu Gothic", "Yu Gothic Bold")),
    ("meiryob.ttc", ("Meiryo",)),
    ("ヒラギノ角ゴシック W6.ttc", ("Hiragino Sans", "Hiragino Kaku Gothic ProN")),
)
MINCHO = (
    ("opentype/noto/NotoSerifCJK-Regular.ttc", _NOTO_SERIF),
    ("noto-cjk/NotoSerifCJK-Regular.ttc", _NOTO_SERIF),
    ("google-noto-cjk/NotoSerifCJK-Regular.ttc", _NOTO_SERIF),
    ("google-noto-serif-cjk-fonts/NotoSerifCJK-Regular.ttc", _NOTO_SERIF),
    ("opentype/ipaexfont-mincho/ipaexm.ttf", ("IPAexMincho",)),
    ("truetype/ipaexfont-mincho/ipaexm.ttf", ("IPAexMincho",)),
    ("ipa-ex-mincho/ipaexm.ttf", ("IPAexMincho",)),
    ("yumin.ttf", ("Yu Mincho",)),
    ("msmincho.ttc", ("MS Mincho",)),
    ("ヒラギノ明朝 ProN.ttc", ("Hiragino Mincho ProN",)),
)

MISSING_MESSAGE = (
    "日本語フォントが見つかりません。地名や凡例が文字化け（□）しないよう、日本語フォントを"
    "インストールしてください。Linux: sudo apt install fonts-noto-cjk（または "
    "fonts-ipaexfont）。Windows: 游ゴシック・メイリオ・MS ゴシックのいずれか（通常は標準で"
    "入っています）。 / No Japanese font found. Install one so place names and legends do "
    "not print as empty boxes: on Linux `sudo apt install fonts-noto-cjk` (or "
    "fonts-ipaexfont); on Windows Yu Gothic, Meiryo or MS Gothic (normally preinstalled).")


class JapaneseFontMissing(ValueError):
    """No font with Japanese glyphs was found on this computer."""

    def __init__(self, message: str = MISSING_MESSAGE):
        super().__init__(message)


@dataclass(frozen=True)
class JapaneseFont:
    """One face of a font file.

    Attributes
    ----------
    path : str
        The font file (.ttf, .otf, .ttc, .otc).
    index : int
        The face's index in a collection (.ttc / .otc); 0 for a single-face file.
    name : str
        The face's family name, e.g. ``"Noto Sans CJK JP"``.
    """
    path: str
    index: int
    name: str


def font_dirs() -> list[Path]:
    """The folders searched for fonts, in order: Linux, Windows, macOS, the user's own."""
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            Path.home() / ".local/share/fonts", Path.home() / ".fonts"]
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    dirs += [Path("/System/Library/Fonts"), Path("/Library/Fonts")]
    return dirs


@functools.lru_cache(maxsize=64)
def _face(path: str, families: tuple[str, ...]) -> JapaneseFont | None:
    """The face of ``path`` whose family name is the first of ``families`` found, or None."""
    try:
        if path.lower().endswith((".ttc", ".otc")):
            faces = TTCollection(path, lazy=True).fonts
        else:
            faces = [TTFont(path, lazy=True)]
        names = [f["name"].getDebugName(1) for f in faces]
    except (OSError, TTLibError, KeyError):
        # An unreadable or damaged file is passed over, as if it were not there.
        return None
    for family in families:
        if family in names:
            return JapaneseFont(path=path, index=names.index(family), name=family)
    return None


def _find(candidates) -> JapaneseFont | None:
    for folder in font_dirs():
        for rel, families in candidates:
            path = folder / rel
            if path.is_file():
                face = _face(str(path), tuple(families))
                if face is not None:
                    return face
    return None


def japanese_font(*, bold: bool = False) -> JapaneseFont:
    """The Japanese ゴシック (sans-serif) face to draw with.

    Parameters
    ----------
    bold : bool
        The bold weight when one is installed, else the regular face.

    Raises
    ------
    JapaneseFontMissing
        No Japanese font is installed; the message names what to install.
    """
    face = _find(GOTHIC_BOLD) if bold else None
    face = face or _find(GOTHIC)
    if face is None:
        raise JapaneseFontMissing()
    return face


def japanese_font_mincho() -> JapaneseFont:
    """The Japanese 明朝 (serif) face, else the ゴシック one.

    Raises
    ------
    JapaneseFontMissing
        No Japanese font is installed.
    """
    return _find(MINCHO) or japanese_font()


@functools.lru_cache(maxsize=64)
def _pil_font(path: str, index: int, size: int):
    from PIL import ImageFont
    return ImageFont.truetype(path, size, index=index)


def pil_font(size: int, *, bold: bool = False, mincho: bool = False):
    """A PIL ``ImageFont`` with Japanese glyphs.

    Parameters
    ----------
    size : int
        Font size [px] (the em height in pixels).
    bold, mincho : bool
        The bold ゴシック / the 明朝 face.

    Raises
    ------
    JapaneseFontMissing
        No Japanese font is installed (never a silent fallback to a font without kana).
    """
    face = japanese_font_mincho() if mincho else japanese_font(bold=bold)
    return _pil_font(face.path, face.index, int(size))


def add_fpdf_fonts(pdf, *, bold: bool = True, mincho: bool = True) -> None:
    """Register the Japanese fonts on an ``fpdf.FPDF``.

    Registers family ``"jp"`` (ゴシック; style ``"B"`` is the bold face when installed, else
    the regular one, so ``set_font("jp", "B")`` always works) and ``"jp-mincho"`` (明朝).
    fpdf2 embeds a subset of each font used, so the PDF shows the same glyphs anywhere.

    Parameters
    ----------
    bold, mincho : bool
        Also register ``("jp", "B")`` / ``"jp-mincho"``. fpdf2 parses a whole CJK font on
        registration (about 2 s for Noto Sans CJK), so a writer that does not use a face
        leaves it out.

    Raises
    ------
    JapaneseFontMissing
        No Japanese font is installed.
    """
    regular = japanese_font()
    pdf.add_font(FPDF_GOTHIC, "", regular.path, collection_font_number=regular.index)
    if bold:
        b = japanese_font(bold=True)
        pdf.add_font(FPDF_GOTHIC, "B", b.path, collection_font_number=b.index)
    if mincho:
        m = japanese_font_mincho()
        pdf.add_font(FPDF_MINCHO, "", m.path, collection_font_number=m.index)
