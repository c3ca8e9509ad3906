"""The DORI table: levels, pixel-density thresholds and names of IEC 62676-4, both editions.

The one place for these facts. :mod:`.camera` (classification, axis distances),
:mod:`.coverage` (areas per level), :mod:`.night` and :mod:`.image_quality` (night levels),
the Excel workbook's headers (``reports.excel``) and the page's labels
(``ui/strings/simulate.py``) read them from here; ``datasets/thresholds.csv`` holds the same
values with their sources for the reference database (a test checks they agree).

A level is reached at ``pixel_density ≥ px_per_m``; levels are cumulative (the area at
≥ Recognise includes the area at ≥ Identify).

Which edition a plan uses is its ``standard`` field. A new plan is written with
:data:`DEFAULT_STANDARD` (the 2025 edition); a plan without the field was made while the
2014 edition was the default and keeps it (:data:`STANDARD_IF_ABSENT`,
:func:`plan_standard`), so its figures never change by themselves.

What is confirmed (read 2026-12-07)
-----------------------------------
- 2014 edition: the six thresholds (Monitor 12.5 … Inspect 1000 px/m) as quoted in [1]_.
  Withdrawn by IEC on 2025-10-09 and replaced by the 2025 edition (edition 2) [2]_ [3]_.
- 2025 edition: seven levels Overview, Outline, Discern, Perceive, Characterize, Validate,
  Scrutinize [4]_ [5]_; Validate = 500 px/m, the level now recommended where 250 px/m
  (2014 Identify) was used to identify people [4]_ [5]_.
- 2025 edition, not confirmed: the other six thresholds (Overview 20, Outline 40, Discern 80,
  Perceive 125, Characterize 250, Scrutinize 1500 px/m). They are the values of the 2024
  draft as described in [4]_; no published text of the 2025 edition (sold by IEC) or an
  official abstract was found that lists them. :attr:`DoriLevel.confirmed` is False for
  these, and the pages mark them 未確認.

References
----------
.. [1] IEC 62676-4:2014, *Video surveillance systems for use in security applications —
   Part 4: Application guidelines*, §7 (DORI pixel densities), as quoted by cctv-check.de
   (https://cctv-check.de/grundlagen/normative-vorgaben/din-en-62676-4-ueberwachen/, …/
   din-en-62676-4-erkennen/) and sicherheitstechnik-tst.de
   (https://sicherheitstechnik-tst.de/aufloesungsklassen-der-videoueberwachung).
.. [2] IEC webstore, "IEC 62676-4:2014", https://webstore.iec.ch/en/publication/7353
   (publication date 2014-04-29, edition 1.0, withdrawal date 2025-10-09; "a more recent
   version of this publication exists: IEC 62676-4:2025"), read 2026-12-07.
.. [3] Drejtoria e Përgjithshme e Standardizimit (DPS, Albania), project page of
   IEC 62676-4, https://dps.gov.al/sq/project/show/iec:proj:20571 ("IEC 62676-4:2014 ED1
   withdrawn, withdrawal effective 9 Oct 2025; published IEC 62676-4:2025 ED2"),
   read 2026-12-07.
.. [4] JVSG, "New Standard for Video Surveillance: IEC/EN 62676-4:2025 OODPCVS" (updated
   2026-02-06), https://www.jvsg.com/?p=11243 (500 px/m "Validation" instead of 250 px/m;
   the level table O/O/D 20/40/80 and P/C/V/S 125/250/500/1500 px/m, first published for
   the 2024 draft), read 2026-12-07.
.. [5] Hikvision, "Understanding OODPCVS: the new image detail classification framework",
   https://www.hikvision.com/en/newsroom/blog/understanding-oodpcvs--the-new-image-detail-classification-frame1
   (the seven levels replacing DORI in IEC 62676-4:2025), and its report by Security Update,
   https://securityupdate.in/hikvision-aligns-with-oodpcvs-for-modern-security
   (identifying a person or a licence plate now needs 500 px/m, "Validate"),
   read 2026-12-07.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DoriLevel", "DORI_TABLE", "DORI_LEVELS", "DORI_SOURCES", "DORI_STANDARDS",
           "DORI_ORDER", "DEFAULT_STANDARD", "STANDARD_IF_ABSENT", "EDITIONS",
           "dori_thresholds", "lowest_level_px_m", "level_at", "dori_label", "level_px_m",
           "level_standard", "level_for", "is_confirmed", "plan_standard", "standard_of",
           "same_level"]


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
    confirmed : bool
        Whether ``px_per_m`` was confirmed for this edition (module docstring); False: the
        value is used but shown as unconfirmed.
    """

    key: str
    px_per_m: float
    name_en: str
    name_ja: str = ""
    confirmed: bool = True


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
    # only Validate's threshold is confirmed for the published edition (module docstring)
    "iec62676_4_2025": (
        DoriLevel("overview", 20.0, "Overview", confirmed=False),
        DoriLevel("outline", 40.0, "Outline", confirmed=False),
        DoriLevel("discern", 80.0, "Discern", confirmed=False),
        DoriLevel("perceive", 125.0, "Perceive", confirmed=False),
        DoriLevel("characterize", 250.0, "Characterize", confirmed=False),
        DoriLevel("validate", 500.0, "Validate"),
        DoriLevel("scrutinize", 1500.0, "Scrutinize", confirmed=False),
    ),
}
#: Where each table comes from, as cited in the plan book (the reference database holds the
#: same rows with sources; details in the module docstring).
DORI_SOURCES: dict[str, str] = {
    "iec62676_4_2014": ("IEC 62676-4:2014 §7（2025-10-09 廃止: IEC webstore "
                        "https://webstore.iec.ch/en/publication/7353）。値は cctv-check.de・"
                        "sicherheitstechnik-tst.de の引用による"),
    "iec62676_4_2025": ("IEC 62676-4:2025（第2版）。Validate 500 px/m は JVSG "
                        "https://www.jvsg.com/?p=11243 と Hikvision の解説で確認（2026-12-07 閲覧）。"
                        "ほかの6段階の値は 2024 年原案の値（JVSG）で、規格本文では未確認"),
}
#: The edition a new plan is written with.
DEFAULT_STANDARD = "iec62676_4_2025"
#: The edition of a plan (or PLAN.json) without a ``standard`` field: plans saved before
#: 2025 became the default were made with the 2014 edition.
STANDARD_IF_ABSENT = "iec62676_4_2014"
DORI_STANDARDS = tuple(DORI_TABLE)
#: Short names of the editions (ja, en), for labels that cite a level of the other one.
EDITIONS: dict[str, tuple[str, str]] = {
    "iec62676_4_2014": ("2014年版", "2014 edition"),
    "iec62676_4_2025": ("2025年版", "2025 edition"),
}
#: Thresholds [px/m] per standard, lowest level first: ``{standard: {key: px_per_m}}``.
DORI_LEVELS: dict[str, dict[str, float]] = {
    std: {lv.key: lv.px_per_m for lv in levels} for std, levels in DORI_TABLE.items()}
#: Every level key in display order: the 2014 edition first, then the 2025 one.
DORI_ORDER: tuple[str, ...] = tuple(lv.key for levels in DORI_TABLE.values() for lv in levels)
_BY_KEY = {lv.key: lv for levels in DORI_TABLE.values() for lv in levels}
_STANDARD_OF_KEY = {lv.key: std for std, levels in DORI_TABLE.items() for lv in levels}


def dori_thresholds(standard: str = STANDARD_IF_ABSENT) -> dict[str, float]:
    """Thresholds [px/m] of ``standard`` (``"iec62676_4_2014"`` or ``"iec62676_4_2025"``),
    lowest level first (a new dict)."""
    if standard not in DORI_LEVELS:
        raise ValueError(f"standard must be one of {', '.join(DORI_STANDARDS)}; "
                         f"got {standard!r}")
    return dict(DORI_LEVELS[standard])


def lowest_level_px_m(standard: str = STANDARD_IF_ABSENT) -> float:
    """The lowest level of a standard [px/m] (Monitor 12.5 for 2014, Overview 20 for 2025)."""
    return min(dori_thresholds(standard).values())


def plan_standard(plan: dict) -> str:
    """The DORI edition of a plan: its ``standard`` field, or :data:`STANDARD_IF_ABSENT`
    when the field is missing or empty (an unknown value is returned as it is, for the
    validator to name)."""
    return plan.get("standard") or STANDARD_IF_ABSENT


def level_px_m(key: str) -> float | None:
    """Threshold [px/m] of a level of either edition (``"recognise"`` → 125); None for an
    unknown key."""
    lv = _BY_KEY.get(key)
    return None if lv is None else lv.px_per_m


def level_standard(key: str) -> str | None:
    """The edition a level key belongs to (``"validate"`` → ``"iec62676_4_2025"``)."""
    return _STANDARD_OF_KEY.get(key)


def standard_of(thresholds) -> str | None:
    """The edition whose levels are the keys of ``thresholds`` (key → [px/m]); None when
    they are not exactly one edition's."""
    keys = set(thresholds)
    return next((std for std, lv in DORI_LEVELS.items() if set(lv) == keys), None)


def is_confirmed(key: str) -> bool:
    """Whether the threshold of a level is confirmed for its edition (module docstring)."""
    lv = _BY_KEY.get(key)
    return bool(lv and lv.confirmed)


def same_level(key: str, standard: str) -> str | None:
    """The level of ``standard`` with the same threshold as ``key`` (a level of either
    edition): ``same_level("recognise", "iec62676_4_2025")`` → ``"perceive"`` (both
    125 px/m); ``key`` itself when it belongs to ``standard``; None when ``standard`` has no
    level at that pixel density (2014 Detect 25 px/m under 2025)."""
    px = level_px_m(key)
    if px is None or standard not in DORI_LEVELS:
        return None
    if key in DORI_LEVELS[standard]:
        return key
    return next((k for k, t in DORI_LEVELS[standard].items() if t == px), None)


def level_for(key: str, thresholds: dict) -> str | None:
    """The level of ``thresholds`` (key → [px/m], one edition) that stands for ``key`` (a
    level of either edition): ``key`` itself when it is one of them, else the lowest level
    whose threshold is at least ``key``'s, so that reaching it meets ``key``
    (2014 Recognise 125 → 2025 Perceive 125; 2014 Observe 62.5 → 2025 Discern 80); the
    highest level when none is that high; None for an unknown key or no thresholds."""
    if key in thresholds:
        return key
    px = level_px_m(key)
    if px is None or not thresholds:
        return None
    ordered = sorted(thresholds.items(), key=lambda kv: kv[1])
    return next((k for k, t in ordered if t >= px), ordered[-1][0])


def level_at(px_m: float, thresholds: dict) -> str | None:
    """Key of the highest level of ``thresholds`` (key → [px/m]) that ``px_m`` [px/m]
    reaches; None below the lowest (or NaN)."""
    best, best_t = None, -math.inf
    for key, t in thresholds.items():
        if px_m >= t > best_t:
            best, best_t = key, t
    return best


def _name(lv: DoriLevel, lang: str) -> str:
    return f"{lv.name_en}（{lv.name_ja}）" if lang == "ja" and lv.name_ja else lv.name_en


def dori_label(key: str, lang: str = "ja", *, standard: str | None = None,
               unconfirmed: str = "") -> str:
    """A level's display name, the same for both editions.

    Parameters
    ----------
    key : str
        A level of either edition.
    lang : {"ja", "en"}
        ``"Recognise（認識）"`` in Japanese where a Japanese term is in use, else the English
        name (``"Overview"``).
    standard : str, optional
        The edition the plan uses. A level of the other edition (a use case cites the 2014
        levels) is named by the plan's level at the same pixel density with the cited name:
        ``"Perceive（2014年版の Recognise（認識））"``; without such a level, by the cited
        name and its edition: ``"Detect（検知）（2014年版）"``.
    unconfirmed : str
        Text appended when the threshold of the level shown is not confirmed
        (:func:`is_confirmed`; the page passes its translated mark).

    An unknown key is returned capitalised.
    """
    lv = _BY_KEY.get(key)
    if lv is None:
        return str(key).capitalize()
    i = 0 if lang == "ja" else 1
    cited_std = _STANDARD_OF_KEY[key]
    if standard is None or standard == cited_std or standard not in DORI_LEVELS:
        return _name(lv, lang) + ("" if lv.confirmed else unconfirmed)
    edition = EDITIONS[cited_std][i]
    same = same_level(key, standard)
    if same is None:
        text = (f"{_name(lv, lang)}（{edition}）" if i == 0
                else f"{_name(lv, lang)} ({edition})")
        return text + ("" if lv.confirmed else unconfirmed)
    shown = _BY_KEY[same]
    text = (f"{_name(shown, lang)}（{edition}の {_name(lv, lang)}）" if i == 0
            else f"{_name(shown, lang)} ({edition}: {_name(lv, lang)})")
    return text + ("" if shown.confirmed else unconfirmed)
