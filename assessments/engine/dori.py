"""The DORI table: levels, pixel-density thresholds and names of IEC 62676-4, both editions.

The one place for these facts. :mod:`.camera` (classification, axis distances),
:mod:`.coverage` (areas per level), :mod:`.night` and :mod:`.image_quality` (night levels),
the Excel workbook's headers (``reports.excel``) and the page's labels
(``ui/strings/simulate.py``) read them from here; ``datasets/thresholds.csv`` holds the same
values with their sources for the reference database (a test checks they agree).

A level is reached at ``pixel_density ≥ px_per_m``; levels are cumulative (the area at
≥ Recognise includes the area at ≥ Identify).

References
----------
.. [1] IEC 62676-4:2014, *Video surveillance systems for use in security applications —
   Part 4: Application guidelines*, §7 (DORI pixel densities); values as quoted by
   cctv-check.de and sicherheitstechnik-tst.de (shared/reference/facts.md §5a).
.. [2] IEC 62676-4:2025 (levels Overview … Scrutinize), as reported by JVSG
   (jvsg.com/?p=11243) and techtrend.blog (shared/reference/facts.md §5a).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DoriLevel", "DORI_TABLE", "DORI_LEVELS", "DORI_SOURCES", "DORI_STANDARDS",
           "DORI_ORDER", "DEFAULT_STANDARD", "dori_thresholds", "lowest_level_px_m",
           "level_at", "dori_label"]


@dataclass(frozen=True)
class DoriLevel:
    """One level of a DORI standard.

    Attributes
    ----------
    key : str
        Shared identifier (docs/architecture.md), e.g. ``"recognise"``.
    px_per_m : float
        Pixel density from which the level is reached [px/m].
    name_en : str
        The standard's English level name.
    name_ja : str
        The usual Japanese term ("" where none is in use: the 2025 names are new).
    """

    key: str
    px_per_m: float
    name_en: str
    name_ja: str = ""


#: Levels per edition, lowest first (this is also the display order within an edition).
DORI_TABLE: dict[str, tuple[DoriLevel, ...]] = {
    "iec62676_4_2014": (
        DoriLevel("monitor", 12.5, "Monitor", "監視"),
        DoriLevel("detect", 25.0, "Detect", "検知"),
        DoriLevel("observe", 62.5, "Observe", "観察"),
        DoriLevel("recognise", 125.0, "Recognise", "認識"),
        DoriLevel("identify", 250.0, "Identify", "識別"),
        DoriLevel("inspect", 1000.0, "Inspect", "精査"),
    ),
    "iec62676_4_2025": (
        DoriLevel("overview", 20.0, "Overview"),
        DoriLevel("outline", 40.0, "Outline"),
        DoriLevel("discern", 80.0, "Discern"),
        DoriLevel("perceive", 125.0, "Perceive"),
        DoriLevel("characterize", 250.0, "Characterize"),
        DoriLevel("validate", 500.0, "Validate"),
        DoriLevel("scrutinize", 1500.0, "Scrutinize"),
    ),
}
#: Where each table comes from (the reference database holds the same rows with sources).
DORI_SOURCES: dict[str, str] = {
    "iec62676_4_2014": "IEC 62676-4:2014 §7 (via cctv-check.de, sicherheitstechnik-tst.de)",
    "iec62676_4_2025": "IEC 62676-4:2025 (via jvsg.com/?p=11243, techtrend.blog)",
}
DEFAULT_STANDARD = "iec62676_4_2014"
DORI_STANDARDS = tuple(DORI_TABLE)
#: Thresholds [px/m] per standard, lowest level first: ``{standard: {key: px_per_m}}``.
DORI_LEVELS: dict[str, dict[str, float]] = {
    std: {lv.key: lv.px_per_m for lv in levels} for std, levels in DORI_TABLE.items()}
#: Every level key in display order: the 2014 edition first, then the 2025 one.
DORI_ORDER: tuple[str, ...] = tuple(lv.key for levels in DORI_TABLE.values() for lv in levels)
_BY_KEY = {lv.key: lv for levels in DORI_TABLE.values() for lv in levels}


def dori_thresholds(standard: str = DEFAULT_STANDARD) -> dict[str, float]:
    """Thresholds [px/m] of ``standard`` (``"iec62676_4_2014"`` or ``"iec62676_4_2025"``),
    lowest level first (a new dict)."""
    if standard not in DORI_LEVELS:
        raise ValueError(f"standard must be one of {', '.join(DORI_STANDARDS)}; "
                         f"got {standard!r}")
    return dict(DORI_LEVELS[standard])


def lowest_level_px_m(standard: str = DEFAULT_STANDARD) -> float:
    """The lowest level of a standard [px/m] (Monitor 12.5 for 2014, Overview 20 for 2025)."""
    return min(dori_thresholds(standard).values())


def level_at(px_m: float, thresholds: dict) -> str | None:
    """Key of the highest level of ``thresholds`` (key → [px/m]) that ``px_m`` [px/m]
    reaches; None below the lowest (or NaN)."""
    best, best_t = None, -math.inf
    for key, t in thresholds.items():
        if px_m >= t > best_t:
            best, best_t = key, t
    return best


def dori_label(key: str, lang: str = "ja") -> str:
    """A level's display name: ``"Recognise（認識）"`` in Japanese where a Japanese term is in
    use, else the English name (``"Overview"``); an unknown key is returned capitalised."""
    lv = _BY_KEY.get(key)
    if lv is None:
        return str(key).capitalize()
    return f"{lv.name_en}（{lv.name_ja}）" if lang == "ja" and lv.name_ja else lv.name_en
