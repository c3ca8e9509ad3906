"""Cell values and coordinates: numbers, 度分秒, ids, Japan's extent, 平面直角座標系 zones.

References
----------
.. [1] 平面直角座標系（平成十四年国土交通省告示第九号）, 国土地理院,
   http://web1.gsi.go.jp/LAW/heimencho.html (zones, origins, 適用区域; X north, Y east).
"""
from __future__ import annotations

import math
import re
import unicodedata

from assessments.engine.grid import PLANE_RECTANGULAR_ZONES, PREFECTURE_ZONES
from assessments.plan.validate import JAPAN_BBOX

from .result import ImportResult

__all__ = ["COORD_DECIMALS", "ERAS", "JAPAN_LAT", "JAPAN_LON", "MISSING", "MULTI_ZONE_PREFECTURES",
           "PLANE_ZONE_BY_PREFECTURE", "UNIT_SUFFIXES", "clean_id", "in_japan", "norm_value", "parse_coordinate",
           "number_and_unit", "parse_fiscal_year", "parse_number", "parse_year_month",
           "plane_zone_epsg", "resolve_zone", "round_coords"]

#: Japan's extent used to accept coordinates [°] (lat 20–46 N, lon 122–154 E): the plan
#: validator's box.
JAPAN_LAT = JAPAN_BBOX[:2]
JAPAN_LON = JAPAN_BBOX[2:]
#: Decimals kept of imported and exported degrees (1e-7° ≈ 1 cm).
COORD_DECIMALS = 7

#: 平面直角座標系 main zone per prefecture, from the one zone table in
#: :mod:`assessments.engine.grid` (告示第九号 [1]_). Four prefectures span several zones; their
#: main zone is used and the import says so (``zone_assumed``).
PLANE_ZONE_BY_PREFECTURE = {pref: zones[0] for pref, zones in PREFECTURE_ZONES.items()}
#: Prefectures whose territory spans more than one zone, with the zones and which part.
MULTI_ZONE_PREFECTURES = {
    "鹿児島県": "I (islands south of 32° N, west of 130° E) / II (the rest)",
    "東京都": "IX (mainland) / XIV, XVIII, XIX (小笠原村)",
    "北海道": "XI (west: 小樽, 函館 …) / XII (central) / XIII (east: 北見, 帯広, 釧路 …)",
    "沖縄県": "XV (main island) / XVI (west of 126° E) / XVII (east of 130° E)",
}


def plane_zone_epsg(zone: int) -> int:
    """EPSG code of JGD2011 平面直角座標系 zone ``zone`` (1–19 → 6669–6687)."""
    if not (isinstance(zone, int) and zone in PLANE_RECTANGULAR_ZONES):
        raise ValueError(f"zone must be an integer 1–19, got {zone!r}")
    return PLANE_RECTANGULAR_ZONES[zone][0]


#: Cell texts that mean "no value".
MISSING = {"", "-", "--", "—", "－", "n/a", "na", "null", "none", "なし", "不明", "未定", "―"}


def norm_value(value) -> str:
    """Cell text: NFKC (全角 → 半角), stripped, Unicode minus signs as ``-``."""
    s = unicodedata.normalize("NFKC", str(value)).strip()
    s = s.replace("\u2212", "-").replace("\u2010", "-")
    if s[:1] == "\u30fc" and s[1:2].isdigit():          # ー12.5 typed as a minus
        s = "-" + s[1:]
    return s


def _float(value: int | float) -> float:
    """``float(value)``; ±inf for an integer too large for a float (JSON allows any)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


#: Unit suffixes a cell may carry: (suffix, factor, kind). Longest first, so 万円 wins
#: over 円. ``kind`` lets a caller refuse a count typed into a price (12台 as 単価).
UNIT_SUFFIXES = (
    ("億円", 1e8, "yen"), ("万円", 1e4, "yen"), ("千円", 1e3, "yen"), ("円", 1.0, "yen"),
    ("yen", 1.0, "yen"), ("jpy", 1.0, "yen"), ("億", 1e8, "scale"), ("万", 1e4, "scale"),
    ("か所", 1.0, "count"), ("ヶ所", 1.0, "count"), ("カ所", 1.0, "count"),
    ("ケ所", 1.0, "count"), ("ヵ所", 1.0, "count"), ("箇所", 1.0, "count"),
    ("台", 1.0, "count"), ("基", 1.0, "count"), ("本", 1.0, "count"), ("件", 1.0, "count"),
    ("人", 1.0, "count"), ("個", 1.0, "count"),
    ("メートル", 1.0, "length"), ("m", 1.0, "length"), ("度", 1.0, "angle"),
    ("°", 1.0, "angle"), ("deg", 1.0, "angle"), ("px", 1.0, "px"), ("lx", 1.0, "lx"),
    ("lm", 1.0, "lm"), ("cd", 1.0, "cd"), ("秒", 1.0, "time"), ("s", 1.0, "time"),
)
_UNIT_RE = re.compile(r"\s*(" + "|".join(re.escape(u) for u, _, _ in UNIT_SUFFIXES) + ")$",
                      re.IGNORECASE)
_UNITS = {u.lower(): (f, kind) for u, f, kind in UNIT_SUFFIXES}


def number_and_unit(value) -> tuple[float | None, str | None]:
    """A number from a cell and the kind of its unit suffix (``None`` without one).

    Like :func:`parse_number`; ``42万円`` gives ``(420000.0, "yen")``, ``1,200千円``
    ``(1200000.0, "yen")``, ``12台`` ``(12.0, "count")``, ``5 m`` ``(5.0, "length")``.
    Raises ``ValueError`` for text that is not a number.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return _float(value), None
    s = norm_value(value)
    if s.lower() in MISSING:
        return None, None
    s = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", s)               # 1,234 → 1234
    factor, kind = 1.0, None
    m = _UNIT_RE.search(s)
    if m and m.start() > 0:
        factor, kind = _UNITS[m.group(1).lower()]
        s = s[:m.start()]
    try:
        number = float(s)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None
    # 42万 × 1e4 in floating point is exact for the whole numbers people type; round
    # away the binary error of a decimal one (1.1万 → 11000, not 11000.000000000002)
    return (round(number * factor, 6) if factor != 1.0 else number), kind


def parse_number(value) -> float | None:
    """A number from a cell: 全角 digits, thousands separators, a trailing unit allowed
    (:data:`UNIT_SUFFIXES`; 万円 / 千円 / 億円 multiply).

    Returns ``None`` for an empty cell. Raises ``ValueError`` for text that is not a
    number; the result may be NaN or ±inf (the caller reports ``not_finite``).
    """
    return number_and_unit(value)[0]


_DMS_MARK = re.compile(r"[°度'′’分\"″”秒:]|\s")
_HEMI = re.compile(r"^(北緯|東経|南緯|西経|[NSEW])\s*|\s*([NSEW])$", re.IGNORECASE)


def parse_coordinate(value) -> float | None:
    """A latitude or longitude from decimal degrees or 度分秒.

    Accepts ``35.7534``, ``35°45'12.3"``, ``35度45分12.3秒``, ``N35°45′12.3″``,
    ``35:45:12.3``, ``35 45 12.3`` and 全角 forms. S / W / 南緯 / 西経 give a negative
    value. Returns ``None`` for an empty cell; raises ``ValueError`` for text it cannot
    read (the message says why).

    Notes
    -----
    decimal = degrees + minutes / 60 + seconds / 3600; minutes and seconds must be < 60.
    """
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _float(value)
    s = norm_value(value)
    if s.lower() in MISSING:
        return None
    try:
        return float(s)                     # plain decimal degrees (also nan / inf)
    except ValueError:
        pass
    sign = 1.0
    m = _HEMI.search(s)
    if m:
        hemi = (m.group(1) or m.group(2) or "").upper()
        if hemi in ("S", "W", "南緯", "西経"):
            sign = -1.0
        s = _HEMI.sub("", s).strip()
    if s.startswith("-"):
        sign, s = -sign, s[1:].strip()
    try:
        return sign * float(s)
    except ValueError:
        pass
    if not _DMS_MARK.search(s):
        raise ValueError(f"not a coordinate: {value!r}")
    parts = re.findall(r"\d+(?:\.\d+)?", s)
    rest = re.sub(r"\d+(?:\.\d+)?", "", s)
    if not 1 <= len(parts) <= 3 or re.search(r"[^°度'′’分\"″”秒:\s]", rest):
        raise ValueError(f"not a 度分秒 coordinate: {value!r}")
    nums = [float(p) for p in parts] + [0.0] * (3 - len(parts))
    d, mnt, sec = nums
    if mnt >= 60 or sec >= 60:
        raise ValueError(f"minutes and seconds must be < 60 in {value!r}")
    return sign * (d + mnt / 60.0 + sec / 3600.0)


def in_japan(lat, lon) -> bool:
    """True when (``lat``, ``lon``) [°] is inside ``JAPAN_LAT`` × ``JAPAN_LON``."""
    return JAPAN_LAT[0] <= lat <= JAPAN_LAT[1] and JAPAN_LON[0] <= lon <= JAPAN_LON[1]


def clean_id(value) -> str:
    """An id cell as text (``101.000000`` → ``101``; ``""`` for an empty cell)."""
    s = norm_value(value) if value is not None else ""
    if re.fullmatch(r"-?\d+\.0*", s):          # 101.000000 → 101 (DBF numeric ids)
        s = s.split(".")[0]
    return s


def round_coords(obj):
    """Nested GeoJSON coordinates as lists of 2-D positions rounded to
    ``COORD_DECIMALS`` (heights dropped)."""
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), COORD_DECIMALS) for c in obj[:2]]
        return [round_coords(o) for o in obj]
    return obj


def resolve_zone(res: ImportResult, prefecture, plane_zone):
    """The 平面直角座標系 zone (1–19) of ``plane_zone``, else of the prefecture's main zone;
    ``None`` (problem ``zone_unknown`` recorded) when neither gives one."""
    if plane_zone is not None:
        try:
            plane_zone_epsg(int(plane_zone))
            return int(plane_zone)
        except (ValueError, TypeError):
            res.add(None, "plane_zone", "zone_unknown", str(plane_zone),
                    "the 平面直角座標系 zone must be 1–19")
            return None
    pref = unicodedata.normalize("NFKC", prefecture or "").strip()
    if pref in PLANE_ZONE_BY_PREFECTURE:
        zone = PLANE_ZONE_BY_PREFECTURE[pref]
        if pref in MULTI_ZONE_PREFECTURES:
            res.add(None, "plane_zone", "zone_assumed", f"{pref}: {zone}",
                    f"{pref} spans zones {MULTI_ZONE_PREFECTURES[pref]}; zone {zone} was "
                    "used — choose the zone if your data are elsewhere")
        return zone
    res.add(None, "plane_zone", "zone_unknown", pref, "X/Y (平面直角座標系) columns need the "
            "zone: set the plan's prefecture or choose the zone (1–19)")
    return None


# ------------------------------------------------------------------ 和暦 and unit suffixes
#: Japanese eras: (name, romaji initial, first day [year, month, day]). 元号法 (昭和54年法律
#: 第43号); 改元: 昭和 from 1926-12-25, 平成 from 1989-01-08, 令和 from 2019-05-01.
ERAS = (("令和", "R", (2019, 5, 1)), ("平成", "H", (1989, 1, 8)), ("昭和", "S", (1926, 12, 25)))
_ERA_FIRST_YEAR = {k: first[0] for name, initial, first in ERAS for k in (name, initial)}
_ERA = ("(?P<era>" + "|".join(sorted(_ERA_FIRST_YEAR, key=len, reverse=True))
        + r")\s*(?P<n>元|\d{1,2})")


def _era_year(era: str, n: str) -> int:
    """Western year of 和暦 year ``n`` (``"元"`` = 1) of ``era`` (令和 / R …)."""
    return _ERA_FIRST_YEAR[era.upper() if len(era) == 1 else era] + (
        1 if n == "元" else int(n)) - 1


def parse_fiscal_year(value) -> int | None:
    """A fiscal year [year] from ``2026``, ``2026年度``, ``令和8年度``, ``R8``, ``令和元年度``.

    Returns ``None`` for an empty cell; raises ``ValueError`` for anything else. 和暦 years
    count from the era's first year (令和元年 = 2019, 平成元年 = 1989, 昭和元年 = 1926), so
    ``令和8年度`` → 2019 + 8 − 1 = 2026; a fiscal year is named by the year it begins in
    (``平成31年度`` = ``令和元年度`` = 2019).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
        raise ValueError(f"not a year: {value!r}")
    if value is None:
        return None
    s = norm_value(value).replace(" ", "")
    if s.lower() in MISSING:
        return None
    m = re.fullmatch(r"(\d{4})(?:\.0*)?(?:年度?)?", s)
    if m:
        return int(m.group(1))
    m = re.fullmatch(_ERA + r"(?:年度?)?", s, flags=re.IGNORECASE)
    if m:
        return _era_year(m.group("era"), m.group("n"))
    raise ValueError(f"not a fiscal year: {value!r}")


def parse_year_month(value) -> tuple[int, int] | None:
    """``(year, month)`` from ``2026-04``, ``2026/4``, ``2026年4月``, a date, or 和暦
    ``令和8年10月`` / ``R8.10`` / ``R8/10`` / ``令和元年5月``.

    Returns ``None`` for an empty cell; raises ``ValueError`` for anything else (a month
    outside 1–12 included). A day after the month (``2026-04-01``) is allowed and dropped.
    """
    if value is None:
        return None
    if hasattr(value, "year") and hasattr(value, "month"):          # date / datetime
        return int(value.year), int(value.month)
    s = norm_value(value).replace(" ", "")
    if s.lower() in MISSING:
        return None
    m = re.fullmatch(r"(?:(?P<y>\d{4})|" + _ERA + r")[-/年.](?P<m>\d{1,2})月?"
                     r"(?:[-/.]\d{1,2}日?|\d{1,2}日)?", s, flags=re.IGNORECASE)
    if not m:
        raise ValueError(f"not a month: {value!r}")
    year = int(m.group("y")) if m.group("y") else _era_year(m.group("era"), m.group("n"))
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12 in {value!r}")
    return year, month
