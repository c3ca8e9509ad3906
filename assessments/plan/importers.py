"""Import and export of camera / light lists and of buildings and areas (the map page's files).

Everything here is pure: bytes in, plain Python objects out. Nothing is downloaded, nothing
is written, and bad input never raises: every reader returns an :class:`ImportResult` whose
``problems`` say what was wrong, on which row and in which field, with a machine-readable
``code`` the UI translates (``ui/strings/simulate.py``). Only invalid *arguments* (a ``kind``
that does not exist) raise ``ValueError``; :meth:`ImportResult.raise_for_fatal` turns a fatal
problem into :class:`ImportFileError` for callers that prefer an exception.

Readers
-------
- :func:`read_point_table` — cameras or lights from CSV / TSV / Excel (.xlsx). Encodings
  UTF-8 (with or without BOM), UTF-16 (BOM or not), Shift_JIS / CP932, EUC-JP; header names
  in Japanese or English (see ``COLUMN_ALIASES``); 全角 digits and spaces; decimal degrees or
  度分秒; 平面直角座標系 X/Y (EPSG:6669–6687) with the zone from the prefecture.
- :func:`read_geojson` — buildings (``kind="buildings"``) or an area of interest
  (``kind="area"``) from GeoJSON, including PLATEAU building GeoJSON (``measuredHeight``).
- :func:`read_citygml` — PLATEAU CityGML ``bldg`` files (LOD0 footprint, else the floor of
  the LOD1 solid; ``bldg:measuredHeight``; EPSG:6697 with posList order lat lon height).
- :func:`read_buildings` — dispatch on the file name (``.gml`` / ``.geojson`` / ``.json``).
- :func:`geocode_addresses` — opt-in geocoding of rows that have an address but no
  coordinates, with a geopy geocoder object the caller passes (never called here otherwise).

Writers
-------
- :func:`points_to_csv` — UTF-8 with BOM (Excel opens it), CSV-injection safe.
- :func:`features_to_geojson` — FeatureCollection bytes (footprints, layers, buildings).

Limits (:class:`Limits`) are explicit and reported: a file over a limit is rejected with a
problem naming the limit, never silently truncated.

References
----------
.. [1] 平面直角座標系（平成十四年国土交通省告示第九号）, 国土地理院,
   http://web1.gsi.go.jp/LAW/heimencho.html (zones, origins, 適用区域; X north, Y east).
.. [2] PLATEAU codelist Building_usage (3.0), https://www.geospatial.jp/iur/codelists/3.0/
   Building_usage.xml — 411 住宅, 412 共同住宅, 413 店舗等併用住宅, 414 店舗等併用共同住宅,
   415 作業所併用住宅.
.. [3] RFC 7946, The GeoJSON Format (2016): lon/lat WGS 84 order, exterior rings
   counter-clockwise.
.. [4] OWASP, "CSV Injection": prefix cells starting with = + - @ tab CR with a quote.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field, asdict

from assessments.engine.grid import (PLANE_RECTANGULAR_ZONES, PREFECTURE_ZONES,
                              plane_rectangular_transformer)
from assessments.plan.validate import JAPAN_BBOX

#: Japan's extent used to accept coordinates [°] (lat 20–46 N, lon 122–154 E): the plan
#: validator's box.
JAPAN_LAT = JAPAN_BBOX[:2]
JAPAN_LON = JAPAN_BBOX[2:]
COORD_DECIMALS = 7          # 1e-7° ≈ 1 cm

#: Defaults applied to a camera row that lacks the field. Basis: the plan format example in
#: ``docs/architecture.md`` (a typical fixed 2 MP street camera on a 5 m pole); a judgement,
#: not a measured figure. The import result lists every default it applied.
DEFAULT_CAMERA = {
    "mount_height_m": 5.0, "azimuth_deg": 0.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
    "width_px": 1920, "height_px": 1080, "vfov_deg": None, "max_range_m": None,
    "ir_range_m": 30.0, "min_illuminance_lx": 0.5, "shutter_s": 0.0167,
    "model": "", "address": "", "use_case": "", "unit_price_jpy": 0,
}
#: Defaults for a light row: a 5 m 防犯灯 of the ``led_10va_fl32`` class of
#: ``datasets/light_presets.csv`` (lumens there are a judgement, ``verified = false``).
DEFAULT_LIGHT = {"mount_height_m": 5.0, "lumens": 1300.0, "distribution": "wide"}
#: Height given to a building without one [m] (two storeys; judgement), reported.
DEFAULT_BUILDING_HEIGHT_M = 6.0

CAMERA_FIELDS = ["id", "name", "lat", "lon", "mount_height_m", "azimuth_deg", "tilt_deg",
                 "hfov_deg", "width_px", "height_px", "vfov_deg", "max_range_m", "ir_range_m",
                 "min_illuminance_lx", "shutter_s", "model", "address", "use_case",
                 "unit_price_jpy"]
LIGHT_FIELDS = ["id", "name", "lat", "lon", "mount_height_m", "intensity_cd", "lumens",
                "distribution", "azimuth_deg", "tilt_deg", "model", "address",
                "unit_price_jpy"]
KINDS = ("camera", "light")

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


# --------------------------------------------------------------------------- results
@dataclass
class Problem:
    """One thing wrong with an imported file.

    Attributes
    ----------
    row : int or None
        1-based row of the file (the header is row 1 of a table; feature index + 1 for
        GeoJSON / building number for CityGML); ``None`` for the whole file.
    field : str
        Field (canonical name, or the file's column header) or ``""``.
    code : str
        Machine-readable reason; the UI translates by code (see ``PROBLEM_CODES``).
    value : str
        The offending value, shortened.
    message : str
        English explanation.
    severity : {"error", "warning", "info"}
        ``error``: the row (or, with ``row=None``, the file) was not imported;
        ``warning``: imported with a correction or a default; ``info``: for the record.
    """
    row: int | None
    field: str
    code: str
    value: str = ""
    message: str = ""
    severity: str = "error"

    def as_dict(self) -> dict:
        return asdict(self)


#: Every problem code a reader can give, with its severity.
PROBLEM_CODES = {
    # file level
    "too_large": "error", "empty": "error", "header_only": "error", "no_header": "error",
    "unknown_encoding": "error", "no_coordinates": "error", "too_many_rows": "error",
    "zone_unknown": "error", "zone_assumed": "warning", "encrypted": "error",
    "xls_legacy": "error", "not_xlsx": "error", "bad_zip": "error", "zip_bomb": "error",
    "no_visible_sheet": "error", "hidden_sheets_ignored": "info", "merged_cells": "info",
    "renamed_csv": "warning", "delimiter": "info", "encoding": "info",
    "unmapped_columns": "info", "too_many_problems": "info", "bad_json": "error",
    "not_geojson": "error", "too_many_features": "error", "too_many_vertices_total": "error",
    "bad_xml": "error", "xml_entities": "error", "no_buildings": "error",
    "unknown_crs": "error", "duplicate_column": "warning", "unsupported_format": "error",
    # row / feature level
    "missing": "error", "not_a_number": "error", "not_finite": "error", "bad_dms": "error",
    "outside_japan": "error", "swapped_lat_lon": "warning", "xy_swapped": "warning",
    "out_of_range": "error", "default_applied": "info", "duplicate_id": "warning",
    "needs_geocoding": "info", "formula_not_calculated": "error", "bad_resolution": "warning",
    "not_polygon": "error", "invalid_geometry": "error", "repaired": "warning",
    "too_many_vertices": "error", "default_height": "warning", "bad_height": "warning",
    "geocode_failed": "error", "geocode_limit": "info",
}


@dataclass
class Limits:
    """Explicit limits of the importers; a file over one is rejected and the problem says
    which limit (never silent truncation).

    Attributes
    ----------
    max_bytes : int
        Largest CSV / Excel upload [bytes].
    max_geo_bytes : int
        Largest GeoJSON / CityGML upload [bytes] (a PLATEAU 3rd-mesh bldg file is a few
        to some tens of MB).
    max_rows : int
        Most data rows in a camera / light table.
    max_uncompressed_bytes : int
        Largest total declared uncompressed size of an .xlsx's zip members [bytes].
    max_compression_ratio : float
        Largest uncompressed / compressed ratio of one .xlsx member bigger than 1 MB.
    max_features : int
        Most buildings / area features.
    max_vertices_per_feature : int
        Most vertices of one feature; a bigger one is skipped and reported.
    max_vertices_total : int
        Most vertices in a whole file.
    max_problems : int
        Most problems listed; the rest are counted in one ``too_many_problems``.
    max_geocode : int
        Most addresses geocoded in one call of :func:`geocode_addresses`.
    """
    max_bytes: int = 20_000_000
    max_geo_bytes: int = 200_000_000
    max_rows: int = 100_000
    max_uncompressed_bytes: int = 200_000_000
    max_compression_ratio: float = 200.0
    max_features: int = 200_000
    max_vertices_per_feature: int = 20_000
    max_vertices_total: int = 5_000_000
    max_problems: int = 500
    max_geocode: int = 200


@dataclass
class ImportResult:
    """What a reader returns.

    Attributes
    ----------
    rows : list of dict
        Cameras / lights in the plan's format (``docs/architecture.md``), for tables.
    collection : dict or None
        A GeoJSON FeatureCollection (lon/lat), for buildings and areas. Building features
        have ``properties.height_m`` [m] and, when the file says so, ``is_home``.
    problems : list of Problem
    skipped : list of int
        Rows (features) that were not imported.
    needs_geocoding : list of dict
        Rows with an address but no coordinates, for opt-in :func:`geocode_addresses`.
    defaults_applied : dict
        ``{field: number of rows}`` that got a default from ``DEFAULT_CAMERA`` /
        ``DEFAULT_LIGHT`` / ``DEFAULT_BUILDING_HEIGHT_M``.
    meta : dict
        How the file was read: ``format``, ``encoding``, ``delimiter``, ``sheet``,
        ``columns`` (file header → field), ``crs``, ``rows_read``.
    """
    rows: list = field(default_factory=list)
    collection: dict | None = None
    problems: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    needs_geocoding: list = field(default_factory=list)
    defaults_applied: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    _limit: int = 500
    _dropped: int = 0

    @property
    def fatal(self) -> Problem | None:
        """The file-level error that stopped the import, if any."""
        for p in self.problems:
            if p.row is None and p.severity == "error":
                return p
        return None

    @property
    def ok(self) -> bool:
        """True when the file was read (rows may still have been skipped)."""
        return self.fatal is None

    def add(self, row, fld, code, value="", message="", severity=None) -> None:
        sev = severity or PROBLEM_CODES.get(code, "error")
        if len(self.problems) >= self._limit and not (row is None and sev == "error"):
            self._dropped += 1
            return
        self.problems.append(Problem(row, fld, code, _short(value), message, sev))

    def finish(self) -> "ImportResult":
        if self._dropped:
            self.problems.append(Problem(
                None, "", "too_many_problems", str(self._dropped),
                f"{self._dropped} further problems are not listed (limit {self._limit})",
                "info"))
            self._dropped = 0
        self.skipped = sorted(set(self.skipped))
        return self

    def raise_for_fatal(self) -> None:
        """Raise :class:`ImportFileError` if the file could not be read."""
        p = self.fatal
        if p is not None:
            raise ImportFileError(p)


class ImportFileError(ValueError):
    """A file that could not be imported; ``.problem`` is the :class:`Problem`."""

    def __init__(self, problem: Problem):
        super().__init__(f"{problem.code}: {problem.message}")
        self.problem = problem
        self.code = problem.code


def _short(value, limit: int = 80) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "�" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _new_result(limits: Limits, **meta) -> ImportResult:
    res = ImportResult(meta=dict(meta))
    res._limit = limits.max_problems
    return res


# --------------------------------------------------------------------------- text decoding
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_TRY_ENCODINGS = ("utf-8", "cp932", "euc_jp")


def decode_text(data: bytes) -> tuple[str | None, str]:
    """Decode the bytes of a text file, detecting the encoding.

    Order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without BOM (NUL bytes in
    every other position); strict UTF-8; strict CP932 (Shift_JIS with the Windows
    extensions, a superset of Shift_JIS); strict EUC-JP.

    Returns
    -------
    (text, encoding)
        ``text`` is ``None`` when no encoding decodes the bytes.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc).lstrip("\ufeff"), enc
            except UnicodeDecodeError:
                return None, enc
    head = data[:4000]
    if len(head) >= 4:
        even_nul = head[0::2].count(0) / max(1, len(head[0::2]))
        odd_nul = head[1::2].count(0) / max(1, len(head[1::2]))
        for enc, cond in (("utf-16-le", odd_nul > 0.3 and even_nul < 0.05),
                          ("utf-16-be", even_nul > 0.3 and odd_nul < 0.05)):
            if cond:
                try:
                    return data.decode(enc), enc
                except UnicodeDecodeError:
                    pass
    for enc in _TRY_ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return None, ""


# --------------------------------------------------------------------------- headers
def _norm_header(text) -> str:
    """Header key: NFKC (全角→半角), lower case, units in brackets and separators removed."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = re.sub(r"[\(\[（【][^\)\]）】]*[\)\]）】]", "", s)      # (m), [°], （度）
    s = re.sub(r"[\s_\-・./:：]+", "", s)
    return s


_ALIASES_RAW = {
    "lat": ["緯度", "北緯", "lat", "latitude", "latdeg", "y緯度", "緯度10進", "gpslat"],
    "lon": ["経度", "東経", "lon", "lng", "long", "longitude", "londeg", "gpslon", "gpslng"],
    "plane_x": ["x", "x座標", "xm", "northing", "n座標", "座標x", "平面直角x", "公共座標x"],
    "plane_y": ["y", "y座標", "ym", "easting", "e座標", "座標y", "平面直角y", "公共座標y"],
    "id": ["id", "番号", "no", "no.", "管理番号", "カメラid", "カメラ番号", "灯番号",
           "防犯灯番号", "識別子", "コード", "通し番号"],
    "name": ["名称", "名前", "地点", "地点名", "設置場所", "設置箇所", "場所", "name",
             "location", "site", "カメラ名", "施設名"],
    "address": ["住所", "所在地", "設置住所", "設置場所住所", "address", "addr"],
    "mount_height_m": ["高さ", "設置高さ", "設置高", "取付高さ", "取付け高さ", "取り付け高さ",
                       "ポール高さ", "height", "mountheight", "mountheightm", "heightm",
                       "mountingheight"],
    "azimuth_deg": ["方位", "方位角", "向き", "方向", "撮影方向", "azimuth", "azimuthdeg",
                    "bearing", "heading", "direction"],
    "tilt_deg": ["俯角", "チルト", "傾き", "tilt", "tiltdeg", "pitch"],
    "hfov_deg": ["画角", "水平画角", "hfov", "hfovdeg", "fov", "horizontalfov"],
    "vfov_deg": ["垂直画角", "vfov", "vfovdeg"],
    "width_px": ["横画素", "水平画素数", "横解像度", "widthpx", "width"],
    "height_px": ["縦画素", "垂直画素数", "縦解像度", "heightpx"],
    "resolution": ["解像度", "画素数", "resolution"],
    "ir_range_m": ["赤外線照射距離", "赤外線距離", "ir距離", "irrange", "irrangem"],
    "min_illuminance_lx": ["最低照度", "最低被写体照度", "minilluminance", "minilluminancelx"],
    "max_range_m": ["最大距離", "maxrange", "maxrangem"],
    "shutter_s": ["シャッター速度", "shutter", "shutters"],
    "model": ["機種", "型番", "型式", "品番", "製品名", "model", "product"],
    "use_case": ["用途", "目的", "usecase", "purpose"],
    "unit_price_jpy": ["単価", "価格", "金額", "unitprice", "unitpricejpy", "price"],
    "lumens": ["光束", "全光束", "器具光束", "lumens", "lm", "luminousflux"],
    "intensity_cd": ["光度", "intensity", "intensitycd", "cd"],
    "distribution": ["配光", "distribution"],
    "installer": ["設置主体", "設置者", "管理者", "installer", "owner"],
    "url": ["url", "リンク", "link"],
}
#: Normalised header → canonical field.
COLUMN_ALIASES = {_norm_header(a): f for f, names in _ALIASES_RAW.items() for a in names}
_NUMERIC = {"lat", "lon", "plane_x", "plane_y", "mount_height_m", "azimuth_deg", "tilt_deg",
            "hfov_deg", "vfov_deg", "width_px", "height_px", "ir_range_m",
            "min_illuminance_lx", "max_range_m", "shutter_s", "unit_price_jpy", "lumens",
            "intensity_cd"}
#: Physical ranges of the numeric fields; outside → ``out_of_range`` (row skipped).
_RANGES = {"mount_height_m": (0.1, 100.0), "azimuth_deg": (-360.0, 360.0),
           "tilt_deg": (-90.0, 90.0), "hfov_deg": (0.5, 179.0), "vfov_deg": (0.5, 179.0),
           "width_px": (16, 20000), "height_px": (16, 20000), "ir_range_m": (0.0, 1000.0),
           "min_illuminance_lx": (0.0, 10000.0), "max_range_m": (0.0, 10000.0),
           "shutter_s": (1e-6, 10.0), "unit_price_jpy": (0, 1e10), "lumens": (0.0, 1e6),
           "intensity_cd": (0.0, 1e6)}


def map_columns(headers) -> tuple[dict, list]:
    """Map file headers to canonical fields.

    Returns
    -------
    (mapping, unmapped)
        ``mapping`` is ``{column index: field}`` (the first column wins when two map to the
        same field); ``unmapped`` lists the headers not recognised (kept in ``attributes``).
    """
    mapping, seen, unmapped = {}, set(), []
    for i, h in enumerate(headers):
        key = _norm_header(h)
        fld = COLUMN_ALIASES.get(key)
        if fld is None:
            # "緯度（世界測地系）" or "設置高さ m" style: try a known alias as prefix
            for alias, f in COLUMN_ALIASES.items():
                if len(alias) >= 2 and not alias.isascii() and key.startswith(alias):
                    fld = f
                    break
        if fld is not None and fld not in seen:
            mapping[i] = fld
            seen.add(fld)
        elif str(h or "").strip():
            unmapped.append(str(h))
    return mapping, unmapped


# --------------------------------------------------------------------------- values
_MISSING = {"", "-", "--", "—", "－", "n/a", "na", "null", "none", "なし", "不明", "未定", "―"}


def _norm_value(value) -> str:
    s = unicodedata.normalize("NFKC", str(value)).strip()
    s = s.replace("\u2212", "-").replace("\u2010", "-")
    if s[:1] == "\u30fc" and s[1:2].isdigit():          # ー12.5 typed as a minus
        s = "-" + s[1:]
    return s


def parse_number(value) -> float | None:
    """A number from a cell: 全角 digits, thousands separators, a trailing unit allowed.

    Returns ``None`` for an empty cell. Raises ``ValueError`` for text that is not a
    number; the result may be NaN or ±inf (the caller reports ``not_finite``).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    s = _norm_value(value)
    if s.lower() in _MISSING:
        return None
    s = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", s)               # 1,234 → 1234
    s = re.sub(r"\s*(m|メートル|度|°|deg|px|lx|lm|cd|円|yen|jpy|s|秒)$", "", s,
               flags=re.IGNORECASE)
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"not a number: {value!r}") from None


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
        return float(value)
    s = _norm_value(value)
    if s.lower() in _MISSING:
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


def _in_japan(lat, lon) -> bool:
    return JAPAN_LAT[0] <= lat <= JAPAN_LAT[1] and JAPAN_LON[0] <= lon <= JAPAN_LON[1]


def _clean_id(value) -> str:
    s = _norm_value(value) if value is not None else ""
    if re.fullmatch(r"-?\d+\.0*", s):          # 101.000000 → 101 (DBF numeric ids)
        s = s.split(".")[0]
    return s


# --------------------------------------------------------------------------- tables
def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the first lines most consistently."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (0, 0.0)
    for d in (",", "\t", ";", "|"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        share = counts.count(mode) / len(counts)
        score = (mode if mode > 1 else 0, share)
        if score[0] > 1 and (share > best_score[1] + 0.2 or
                             (share >= best_score[1] - 0.2 and score[0] > best_score[0])):
            best, best_score = d, score
    return best


def _csv_rows(text: str, delimiter: str, limits: Limits, res: ImportResult):
    """Rows of a CSV text as lists of strings (NUL bytes removed), bounded by max_rows."""
    text = text.replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > limits.max_rows + 12:       # header + a few title lines
                return rows, True
    except csv.Error as exc:
        res.add(len(rows) + 1, "", "not_a_number", "", f"CSV syntax error: {exc}")
    return rows, False


def _find_header(rows) -> int | None:
    """Index of the header row: the first of the first 10 rows that maps a coordinate or
    address column; else the first non-empty row."""
    first = None
    for i, row in enumerate(rows[:10]):
        if not any(str(c or "").strip() for c in row):
            continue
        if first is None:
            first = i
        fields = set(map_columns(row)[0].values())
        if {"lat", "lon"} <= fields or {"plane_x", "plane_y"} <= fields or "address" in fields:
            return i
    return first


def read_point_table(data: bytes, filename: str = "", *, kind: str = "camera",
                     prefecture: str | None = None, plane_zone: int | None = None,
                     sheet: str | None = None, limits: Limits | None = None) -> ImportResult:
    """Read cameras or lights from a CSV / TSV / Excel file.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    filename : str
        Its name; ``.xlsx`` / ``.xlsm`` select the Excel reader, anything else is text.
    kind : {"camera", "light"}
        What the rows are; decides the output fields and defaults.
    prefecture : str, optional
        The plan's prefecture (``埼玉県``); picks the 平面直角座標系 zone for X/Y columns.
    plane_zone : int, optional
        Zone 1–19, overriding ``prefecture``.
    sheet : str, optional
        Excel sheet to read; default the first visible one.
    limits : Limits, optional

    Returns
    -------
    ImportResult
        ``rows`` in the plan's camera / light format. Never raises for bad data.

    Raises
    ------
    ValueError
        If ``kind`` is not one of ``"camera"``, ``"light"``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    limits = limits or Limits()
    res = _new_result(limits, format="", kind=kind)
    try:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            res.add(None, "", "unsupported_format", type(data).__name__, "expected bytes")
            return res.finish()
        data = bytes(data)
        if len(data) > limits.max_bytes:
            res.add(None, "", "too_large", str(len(data)),
                    f"the file is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
            return res.finish()
        if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
            res.add(None, "", "empty", "", "the file is empty")
            return res.finish()
        name = (filename or "").lower()
        if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
            rows = _xlsx_rows(data, res, limits, sheet)
            if rows is None:
                return res.finish()
        elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            _ole_problem(data, res)
            return res.finish()
        else:
            rows = _text_rows(data, res, limits)
            if rows is None:
                return res.finish()
        _rows_to_points(rows, res, kind=kind, prefecture=prefecture, plane_zone=plane_zone,
                        limits=limits)
    except Exception as exc:   # noqa: BLE001 — last line of defence: report, never raise
        res.add(None, "", "unsupported_format", type(exc).__name__,
                f"the file could not be read ({type(exc).__name__}: {_short(str(exc))})")
    return res.finish()


def _text_rows(data: bytes, res: ImportResult, limits: Limits):
    text, enc = decode_text(data)
    if text is None:
        res.add(None, "", "unknown_encoding", "",
                "the file is not text in UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP")
        return None
    res.meta["format"] = "csv"
    res.meta["encoding"] = enc
    if enc not in ("utf-8", "utf-8-sig"):
        res.add(None, "", "encoding", enc, f"read as {enc}", "info")
    delim = _sniff_delimiter(text)
    res.meta["delimiter"] = delim
    if delim != ",":
        res.add(None, "", "delimiter", {"\t": "tab"}.get(delim, delim),
                f"columns are separated by {'tab' if delim == chr(9) else repr(delim)}", "info")
    rows, over = _csv_rows(text, delim, limits, res)
    if over:
        res.add(None, "", "too_many_rows", str(limits.max_rows),
                f"the file has more than {limits.max_rows:,} rows (the limit); split it")
        return None
    return rows


def _ole_problem(data: bytes, res: ImportResult) -> None:
    if "EncryptionInfo".encode("utf-16-le") in data[:200_000] or \
            "EncryptedPackage".encode("utf-16-le") in data:
        res.add(None, "", "encrypted", "", "the workbook is password-protected; save an "
                "unprotected copy (or CSV) and import that")
    else:
        res.add(None, "", "xls_legacy", "", "this is an old Excel 97–2003 (.xls) file; save "
                "it as .xlsx or CSV and import that")


def _xlsx_rows(data: bytes, res: ImportResult, limits: Limits, sheet: str | None):
    res.meta["format"] = "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _ole_problem(data, res)
        return None
    if data[:4] != b"PK\x03\x04":
        text, enc = decode_text(data)
        if text is not None and text.count("\n") >= 1 and "\x00" not in text[:1000]:
            res.add(None, "", "renamed_csv", "", "the .xlsx file is really a text (CSV) "
                    "file; it was read as CSV")
            return _text_rows(data, res, limits)
        res.add(None, "", "not_xlsx", "", "the file is not an Excel .xlsx workbook")
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        res.add(None, "", "bad_zip", "", f"the .xlsx file is damaged ({_short(str(exc))})")
        return None
    total = sum(i.file_size for i in infos)
    if len(infos) > 10_000 or total > limits.max_uncompressed_bytes:
        res.add(None, "", "zip_bomb", str(total), f"the workbook would unpack to {total:,} "
                f"bytes; the limit is {limits.max_uncompressed_bytes:,}")
        return None
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > limits.max_compression_ratio * max(
                1, i.compress_size):
            res.add(None, "", "zip_bomb", i.filename, f"{i.filename} is compressed "
                    f"{i.file_size / max(1, i.compress_size):.0f}:1 (limit "
                    f"{limits.max_compression_ratio:.0f}:1)")
            return None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        res.add(None, "", "not_xlsx", "", "the zip file is not an Excel workbook")
        return None
    import openpyxl                                    # lazy: only for Excel files
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = wb.worksheets
        visible = [ws for ws in sheets if getattr(ws, "sheet_state", "visible") == "visible"]
        hidden = [ws.title for ws in sheets if ws not in visible]
        if sheet is not None:
            chosen = next((ws for ws in sheets if ws.title == sheet), None)
        else:
            chosen = visible[0] if visible else None
        if chosen is None:
            res.add(None, "", "no_visible_sheet", sheet or "",
                    "no visible worksheet" if sheet is None else f"no sheet named {sheet!r}")
            return None
        if hidden and sheet is None:
            res.add(None, "", "hidden_sheets_ignored", ", ".join(hidden),
                    f"hidden sheets not read: {', '.join(hidden)}")
        res.meta["sheet"] = chosen.title
        rows = []
        for values in chosen.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > limits.max_rows + 12:
                res.add(None, "", "too_many_rows", str(limits.max_rows),
                        f"the sheet has more than {limits.max_rows:,} rows (the limit)")
                return None
        path = getattr(chosen, "_worksheet_path", None)
        merged = _merged_ranges(zf, path) if path else []
    finally:
        wb.close()
    if merged:
        _fill_merged(rows, merged)
        res.add(None, "", "merged_cells", str(len(merged)), f"{len(merged)} merged cell "
                "ranges: their value was copied to every cell of the range")
    formulas = _formula_cells(data, chosen.title) if len(data) < 5_000_000 else {}
    res.meta["formulas"] = formulas
    return rows


def _merged_ranges(zf: zipfile.ZipFile, path: str) -> list:
    try:
        xml = zf.read(path.lstrip("/"))
    except KeyError:
        return []
    return re.findall(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"', xml)


def _fill_merged(rows, merged) -> None:
    from openpyxl.utils.cell import range_boundaries
    for ref in merged:
        try:
            c0, r0, c1, r1 = range_boundaries(ref.decode())
        except ValueError:
            continue
        if r0 - 1 >= len(rows):
            continue
        top = rows[r0 - 1]
        value = top[c0 - 1] if c0 - 1 < len(top) else None
        for r in range(r0 - 1, min(r1, len(rows))):
            row = rows[r]
            if len(row) < c1:
                row.extend([None] * (c1 - len(row)))
            for c in range(c0 - 1, c1):
                if row[c] is None:
                    row[c] = value


def _formula_cells(data: bytes, title: str) -> dict:
    """``{(row, col): formula}`` (0-based) of formula cells, to explain empty values."""
    import openpyxl
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001
        return {}
    out = {}
    try:
        ws = wb[title]
        for r, values in enumerate(ws.iter_rows(values_only=True)):
            for c, v in enumerate(values):
                if isinstance(v, str) and v.startswith("="):
                    out[(r, c)] = v
    except Exception:  # noqa: BLE001
        return {}
    finally:
        wb.close()
    return out


def _resolve_zone(res: ImportResult, prefecture, plane_zone):
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


def _rows_to_points(rows, res: ImportResult, *, kind, prefecture, plane_zone,
                    limits: Limits) -> None:
    hidx = _find_header(rows)
    if hidx is None:
        res.add(None, "", "empty", "", "the file has no rows")
        return
    headers = ["" if h is None else str(h) for h in rows[hidx]]
    mapping, unmapped = map_columns(headers)
    res.meta["columns"] = {headers[i]: f for i, f in mapping.items()}
    fields = set(mapping.values())
    body = [r for r in rows[hidx + 1:]]
    first_data_row = hidx + 2                    # 1-based file row of body[0]
    if len(body) > limits.max_rows:
        res.add(None, "", "too_many_rows", str(limits.max_rows),
                f"the file has more than {limits.max_rows:,} rows (the limit)")
        return
    has_ll = {"lat", "lon"} <= fields
    has_xy = {"plane_x", "plane_y"} <= fields
    if not (has_ll or has_xy or "address" in fields):
        res.add(None, "", "no_coordinates", ", ".join(headers[:12]),
                "no latitude/longitude (緯度/経度), X/Y (平面直角座標系) or address (住所) "
                "column was found in the header")
        return
    if not any(any(str(c or "").strip() for c in r) for r in body):
        res.add(None, "", "header_only", "", "the file has a header but no data rows")
        return
    if unmapped:
        res.add(None, "", "unmapped_columns", ", ".join(unmapped),
                "kept as attributes: " + ", ".join(unmapped), "info")
    transformer = None
    if has_xy and not has_ll:
        zone = _resolve_zone(res, prefecture, plane_zone)
        if zone is None:
            return
        transformer = plane_rectangular_transformer(zone)
        res.meta["crs"] = f"EPSG:{plane_zone_epsg(zone)}"
    else:
        res.meta["crs"] = "EPSG:6668 (JGD2011) / WGS 84 lat lon"
    formulas = res.meta.pop("formulas", {}) or {}
    defaults = DEFAULT_CAMERA if kind == "camera" else DEFAULT_LIGHT
    prefix = "C" if kind == "camera" else "L"
    ids: dict[str, int] = {}
    n_read = 0
    for k, raw in enumerate(body):
        rownum = first_data_row + k
        if not any(str(c or "").strip() for c in raw):
            continue
        n_read += 1
        out, attrs, ok = {}, {}, True
        for i, cell in enumerate(raw):
            fld = mapping.get(i)
            if fld is None:
                if i < len(headers) and headers[i].strip() and cell not in (None, ""):
                    attrs[headers[i]] = cell if isinstance(cell, (int, float, bool)) \
                        else str(cell)
                continue
            if cell is None and (hidx + 1 + k, i) in formulas:
                res.add(rownum, fld, "formula_not_calculated", formulas[(hidx + 1 + k, i)],
                        "the formula has no saved value; open and save the file in Excel")
                ok = False
                continue
            try:
                if fld in ("lat", "lon"):
                    val = parse_coordinate(cell)
                elif fld in _NUMERIC:
                    val = parse_number(cell)
                elif fld == "resolution":
                    val = _parse_resolution(cell)
                    if val is False:
                        res.add(rownum, fld, "bad_resolution", cell, "resolution not read "
                                "(expected e.g. 1920x1080); the default was used")
                        continue
                elif fld == "id":
                    val = None if cell is None else _clean_id(cell) or None
                else:
                    val = None if cell is None else str(cell).strip() or None
            except ValueError as exc:
                code = "bad_dms" if fld in ("lat", "lon") and "分秒" in str(exc) or \
                    "< 60" in str(exc) else "not_a_number"
                res.add(rownum, fld, code, cell, str(exc))
                ok = False
                continue
            if isinstance(val, float) and not math.isfinite(val):
                res.add(rownum, fld, "not_finite", cell, f"{fld} is not a finite number")
                ok = False
                continue
            if val is not None:
                out[fld] = val
        if not ok:
            res.skipped.append(rownum)
            continue
        # resolution "1920x1080" fills width/height when not given separately
        if "resolution" in out:
            w, h = out.pop("resolution")
            out.setdefault("width_px", w)
            out.setdefault("height_px", h)
        # coordinates
        lat, lon = out.pop("lat", None), out.pop("lon", None)
        px, py = out.pop("plane_x", None), out.pop("plane_y", None)
        if transformer is not None and px is not None and py is not None:
            lon, lat = transformer.transform(py, px)          # X north, Y east [1]
            if not _in_japan(lat, lon):
                lon2, lat2 = transformer.transform(px, py)
                if _in_japan(lat2, lon2):
                    lat, lon = lat2, lon2
                    res.add(rownum, "plane_x", "xy_swapped", f"{px}, {py}",
                            "X and Y looked swapped (X is north–south in 平面直角座標系); "
                            "they were swapped")
        if lat is None or lon is None:
            if out.get("address"):
                res.needs_geocoding.append(_finish_point(out, attrs, defaults, res, rownum,
                                                         kind, count=False))
                res.add(rownum, "address", "needs_geocoding", out["address"],
                        "no coordinates; the address can be geocoded on request", "info")
            else:
                res.add(rownum, "lat" if lat is None else "lon", "missing", "",
                        "latitude and longitude are required")
            res.skipped.append(rownum)
            continue
        if not _in_japan(lat, lon):
            if _in_japan(lon, lat):
                res.add(rownum, "lat", "swapped_lat_lon", f"{lat}, {lon}",
                        "latitude and longitude were swapped; corrected")
                lat, lon = lon, lat
            else:
                res.add(rownum, "lat", "outside_japan", f"{lat}, {lon}",
                        f"({lat:.5f}, {lon:.5f}) is outside Japan (lat 20–46, lon 122–154)")
                res.skipped.append(rownum)
                continue
        bad = False
        for fld, (lo, hi) in _RANGES.items():
            v = out.get(fld)
            if v is not None and not (lo <= v <= hi):
                res.add(rownum, fld, "out_of_range", v, f"{fld} = {v} is outside {lo}–{hi}")
                bad = True
        if bad:
            res.skipped.append(rownum)
            continue
        out["lat"], out["lon"] = round(lat, COORD_DECIMALS), round(lon, COORD_DECIMALS)
        point = _finish_point(out, attrs, defaults, res, rownum, kind)
        # ids: from the file (unique), else C1, C2 … / L1, L2 …
        pid = _clean_id(point.get("id")) if point.get("id") is not None else ""
        if not pid:
            pid = f"{prefix}{len(res.rows) + 1}"
        if pid in ids:
            ids[pid] += 1
            new = f"{pid}-{ids[pid]}"
            res.add(rownum, "id", "duplicate_id", pid, f"id {pid!r} repeats; renamed {new!r}")
            pid = new
        else:
            ids[pid] = 1
        point["id"] = pid
        res.rows.append(point)
    res.meta["rows_read"] = n_read


def _parse_resolution(cell):
    if cell is None:
        return None
    s = _norm_value(cell).lower().replace("×", "x").replace("*", "x")
    m = re.fullmatch(r"(\d{2,5})\s*x\s*(\d{2,5})", s)
    if not m:
        return False
    return int(m.group(1)), int(m.group(2))


def _finish_point(out, attrs, defaults, res, rownum, kind, count=True) -> dict:
    point = dict(out)
    for k in ("width_px", "height_px", "unit_price_jpy"):
        if isinstance(point.get(k), float):
            point[k] = int(round(point[k]))
    if kind == "light" and any(point.get(k) is not None for k in
                               ("intensity_cd", "lumens", "ies")):
        applied = {k: v for k, v in defaults.items()
                   if k not in ("lumens", "distribution") and point.get(k) is None}
        if point.get("lumens") is not None and point.get("distribution") is None:
            applied["distribution"] = defaults["distribution"]
    else:
        applied = {k: v for k, v in defaults.items() if point.get(k) is None}
    point.update(applied)
    if kind == "camera" and "azimuth_deg" in point:
        point["azimuth_deg"] = float(point["azimuth_deg"]) % 360.0
    if attrs:
        point["attributes"] = attrs
    if count:
        for k, v in applied.items():
            if v not in (None, "", 0) or k in ("azimuth_deg",):
                res.defaults_applied[k] = res.defaults_applied.get(k, 0) + 1
    return point


# --------------------------------------------------------------------------- geocoding
def geocode_addresses(rows, geocoder, *, min_delay_s: float = 1.0, sleep=time.sleep,
                      limits: Limits | None = None) -> ImportResult:
    """Geocode rows that have an ``address`` and no coordinates (opt-in, online).

    Parameters
    ----------
    rows : list of dict
        ``ImportResult.needs_geocoding``.
    geocoder : object
        A geopy geocoder (e.g. ``geopy.geocoders.Nominatim(user_agent=...)``) or anything
        with ``geocode(query) -> location | None`` whose location has ``latitude`` and
        ``longitude``. The caller creates it only when the user asks to geocode.
    min_delay_s : float
        Pause between requests [s] (Nominatim's usage policy allows one per second).
    sleep : callable
        ``time.sleep`` (tests pass a no-op).

    Returns
    -------
    ImportResult
        ``rows`` that were found (with ``lat``, ``lon`` and ``attributes.geocoded``);
        a ``geocode_failed`` problem per address not found or on an error.
    """
    limits = limits or Limits()
    res = _new_result(limits, format="geocode")
    todo = list(rows)
    if len(todo) > limits.max_geocode:
        res.add(None, "address", "geocode_limit", str(limits.max_geocode),
                f"only the first {limits.max_geocode} of {len(todo)} addresses are geocoded")
        todo = todo[: limits.max_geocode]
    for n, row in enumerate(todo, start=1):
        address = str(row.get("address") or "").strip()
        if not address:
            res.add(n, "address", "missing", "", "no address")
            res.skipped.append(n)
            continue
        if n > 1 and min_delay_s > 0:
            sleep(min_delay_s)
        try:
            loc = geocoder.geocode(address)
        except Exception as exc:   # noqa: BLE001 — geopy raises many kinds; report them
            res.add(n, "address", "geocode_failed", address,
                    f"geocoding failed ({type(exc).__name__})")
            res.skipped.append(n)
            continue
        lat = getattr(loc, "latitude", None) if loc is not None else None
        lon = getattr(loc, "longitude", None) if loc is not None else None
        if lat is None or lon is None or not _in_japan(float(lat), float(lon)):
            res.add(n, "address", "geocode_failed", address,
                    "address not found" if loc is None else "the result is outside Japan")
            res.skipped.append(n)
            continue
        out = dict(row)
        out["lat"], out["lon"] = round(float(lat), COORD_DECIMALS), round(float(lon),
                                                                          COORD_DECIMALS)
        out.setdefault("attributes", {})
        out["attributes"] = {**out["attributes"], "geocoded": True}
        res.rows.append(out)
    return res.finish()


# --------------------------------------------------------------------------- geometry
_HEIGHT_KEYS = ("height_m", "measuredHeight", "measured_height", "bldg:measuredHeight",
                "計測高さ", "建物高さ", "高さ", "height", "HEIGHT", "Height")
_USAGE_KEYS = ("usage", "bldg:usage", "用途", "建物用途", "Building_usage")
#: PLATEAU Building_usage codes of dwellings [2]_.
RESIDENTIAL_USAGE_CODES = {"411", "412", "413", "414", "415"}
_RESIDENTIAL_WORDS = ("住宅", "residential", "house", "apartments", "dwelling")


def _is_home_from(props: dict):
    v = props.get("is_home")
    if isinstance(v, bool):
        return v
    if v is not None:
        s = str(v).strip().lower()
        if s in ("true", "1", "yes", "はい", "住宅"):
            return True
        if s in ("false", "0", "no", "いいえ", ""):
            return False
    for k in _USAGE_KEYS:
        u = props.get(k)
        if u is None:
            continue
        s = _norm_value(u).lower()
        if s in RESIDENTIAL_USAGE_CODES:
            return True
        if any(w in s for w in _RESIDENTIAL_WORDS):
            return True
        return False
    return None


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(c), COORD_DECIMALS) for c in obj[:2]]
        return [_round_coords(o) for o in obj]
    return obj


def _count_vertices(coords, budget: int) -> int:
    """Number of positions in nested coordinates (stops counting past ``budget``)."""
    stack, n = [coords], 0
    while stack:
        c = stack.pop()
        if not isinstance(c, (list, tuple)):
            continue
        if c and isinstance(c[0], (int, float)) and not isinstance(c[0], bool):
            n += 1
            if n > budget:
                return n
        else:
            stack.extend(c)
    return n


def _polygonal(geom):
    """The polygonal part of a shapely geometry (Polygon / MultiPolygon) or None."""
    from shapely.geometry import MultiPolygon, Polygon
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys = []
    for g in getattr(geom, "geoms", []):
        p = _polygonal(g)
        if p is not None:
            polys.extend(getattr(p, "geoms", [p]))
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _clean_polygon(geom_dict, res, rownum, transformer=None):
    """GeoJSON geometry → valid, counter-clockwise shapely (Multi)Polygon in lon/lat, or
    None (problem reported)."""
    from shapely.geometry import shape
    from shapely.geometry.polygon import orient
    from shapely.validation import make_valid
    import shapely
    gtype = geom_dict.get("type") if isinstance(geom_dict, dict) else None
    if gtype not in ("Polygon", "MultiPolygon"):
        res.add(rownum, "geometry", "not_polygon", gtype or type(geom_dict).__name__,
                "only Polygon and MultiPolygon geometries are buildings or areas")
        return None
    try:
        geom = shape({"type": gtype, "coordinates": geom_dict.get("coordinates")})
    except Exception as exc:   # noqa: BLE001 — shapely raises several kinds on junk
        flat = str(geom_dict.get("coordinates"))
        if "nan" in flat or "inf" in flat:
            res.add(rownum, "geometry", "not_finite", "", "coordinates are NaN or infinite")
        else:
            res.add(rownum, "geometry", "invalid_geometry", "", f"unreadable coordinates "
                    f"({type(exc).__name__})")
        return None
    if geom.is_empty:
        res.add(rownum, "geometry", "invalid_geometry", "", "empty geometry")
        return None
    if geom.has_z:
        from shapely import force_2d
        geom = force_2d(geom)
    import numpy as np
    from shapely import get_coordinates
    xy = get_coordinates(geom)
    if not np.isfinite(xy).all():
        res.add(rownum, "geometry", "not_finite", "", "coordinates are NaN or infinite")
        return None
    if transformer is not None:
        geom = shapely.transform(geom, lambda a: np.column_stack(transformer(a[:, 0], a[:, 1])))
        xy = get_coordinates(geom)
    lon_ok = (xy[:, 0] >= JAPAN_LON[0]) & (xy[:, 0] <= JAPAN_LON[1])
    lat_ok = (xy[:, 1] >= JAPAN_LAT[0]) & (xy[:, 1] <= JAPAN_LAT[1])
    if not (lon_ok & lat_ok).all():
        sw_lon = (xy[:, 1] >= JAPAN_LON[0]) & (xy[:, 1] <= JAPAN_LON[1])
        sw_lat = (xy[:, 0] >= JAPAN_LAT[0]) & (xy[:, 0] <= JAPAN_LAT[1])
        if (sw_lon & sw_lat).all():
            geom = shapely.transform(geom, lambda a: a[:, ::-1].copy())
            res.add(rownum, "geometry", "swapped_lat_lon", "", "coordinates were lat, lon; "
                    "GeoJSON is lon, lat — swapped")
        else:
            res.add(rownum, "geometry", "outside_japan", f"{xy[0, 0]}, {xy[0, 1]}",
                    "coordinates are outside Japan (lon 122–154, lat 20–46) or not lon/lat")
            return None
    if not geom.is_valid:
        fixed = _polygonal(make_valid(geom))
        if fixed is None or fixed.area <= 0:
            res.add(rownum, "geometry", "invalid_geometry", "", "the polygon is invalid "
                    "and could not be repaired")
            return None
        res.add(rownum, "geometry", "repaired", "", "invalid (e.g. self-intersecting) "
                "polygon repaired")
        geom = fixed
    if geom.area <= 0:
        res.add(rownum, "geometry", "invalid_geometry", "", "the polygon has no area")
        return None
    if geom.geom_type == "Polygon":
        geom = orient(geom, sign=1.0)
    else:
        from shapely.geometry import MultiPolygon
        geom = MultiPolygon([orient(g, sign=1.0) for g in geom.geoms])
    return geom


def _feature(geom, props: dict) -> dict:
    from shapely.geometry import mapping
    m = mapping(geom)
    return {"type": "Feature", "geometry": {"type": m["type"],
                                             "coordinates": _round_coords(m["coordinates"])},
            "properties": props}


def _height_from(props: dict):
    for k in _HEIGHT_KEYS:
        if k in props and props[k] not in (None, ""):
            return k, props[k]
    return None, None


def _crs_transformer(obj, res, prefecture, plane_zone):
    """A (x, y) → (lon, lat) function for a legacy GeoJSON ``crs`` member, or None."""
    crs = obj.get("crs") if isinstance(obj, dict) else None
    name = ""
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
    m = re.search(r"(\d{4,5})\s*$", name)
    code = int(m.group(1)) if m else None
    if code is None or code in (4326, 6668, 4612, 6697, 4019):
        if code in (6697,):
            res.meta["crs"] = "EPSG:6697 (lon/lat used)"
        return None
    from pyproj import Transformer
    try:
        t = Transformer.from_crs(code, 6668, always_xy=True)
    except Exception:  # noqa: BLE001
        res.add(None, "crs", "unknown_crs", name, f"unknown coordinate system {name!r}")
        return False
    res.meta["crs"] = f"EPSG:{code}"
    if 6669 <= code <= 6687:
        # GeoJSON x = easting, y = northing with always_xy
        return lambda x, y: t.transform(x, y)
    return lambda x, y: t.transform(x, y)


def read_geojson(data: bytes, filename: str = "", *, kind: str = "buildings",
                 default_height_m: float = DEFAULT_BUILDING_HEIGHT_M,
                 prefecture: str | None = None, plane_zone: int | None = None,
                 limits: Limits | None = None) -> ImportResult:
    """Read buildings, an area of interest or districts from GeoJSON.

    Parameters
    ----------
    data : bytes
        UTF-8 (with or without BOM) GeoJSON: a FeatureCollection, a Feature or a bare
        Polygon / MultiPolygon. 3-D coordinates are accepted (height dropped); any winding
        is accepted (output is RFC 7946 counter-clockwise); invalid polygons are repaired
        with ``shapely.make_valid`` or reported.
    kind : {"buildings", "area"}
        ``buildings``: each feature is a building with ``height_m`` [m] from ``height_m``,
        ``measuredHeight`` (PLATEAU), ``計測高さ`` …, else ``default_height_m`` (reported).
        ``area``: all polygons are merged into one area; ``collection`` holds one feature.
        ``districts``: each feature is a district (小学校区 …) with its ``name`` (or
        ``名称``) and, when the file has one, ``id``.
    default_height_m : float
        Height of a building without one [m].

    Returns
    -------
    ImportResult
        ``collection`` = FeatureCollection in lon/lat rounded to 7 decimals, properties
        ``id``, ``height_m`` and (when known) ``is_home``, ``usage``, ``gml_id``.
    """
    if kind not in ("buildings", "area", "districts"):
        raise ValueError("kind must be one of ('buildings', 'area', 'districts'), "
                         f"got {kind!r}")
    limits = limits or Limits()
    res = _new_result(limits, format="geojson", kind=kind)
    try:
        data = bytes(data)
        if len(data) > limits.max_geo_bytes:
            res.add(None, "", "too_large", str(len(data)),
                    f"the file is {len(data):,} bytes; the limit is {limits.max_geo_bytes:,}")
            return res.finish()
        text, enc = decode_text(data)
        if text is None or not text.strip():
            res.add(None, "", "empty" if text is not None else "unknown_encoding", "",
                    "the file is empty" if text is not None else "the file is not text")
            return res.finish()
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            res.add(None, "", "bad_json", "", f"not valid JSON ({_short(str(exc))})")
            return res.finish()
        feats = _geojson_features(obj, res)
        if feats is None:
            return res.finish()
        if len(feats) > limits.max_features:
            res.add(None, "", "too_many_features", str(len(feats)), f"{len(feats):,} "
                    f"features; the limit is {limits.max_features:,}")
            return res.finish()
        transformer = _crs_transformer(obj, res, prefecture, plane_zone)
        if transformer is False:
            return res.finish()
        _features_to_collection(feats, res, kind=kind, default_height_m=default_height_m,
                                transformer=transformer, limits=limits)
    except Exception as exc:   # noqa: BLE001 — last line of defence
        res.add(None, "", "unsupported_format", type(exc).__name__,
                f"the file could not be read ({type(exc).__name__}: {_short(str(exc))})")
    return res.finish()


def _geojson_features(obj, res):
    if not isinstance(obj, dict):
        res.add(None, "", "not_geojson", type(obj).__name__, "GeoJSON must be an object")
        return None
    t = obj.get("type")
    if t == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            res.add(None, "features", "not_geojson", "", "'features' must be a list")
            return None
        return feats
    if t == "Feature":
        return [obj]
    if t in ("Polygon", "MultiPolygon"):
        return [{"type": "Feature", "geometry": obj, "properties": {}}]
    if t == "GeometryCollection" and isinstance(obj.get("geometries"), list):
        return [{"type": "Feature", "geometry": g, "properties": {}}
                for g in obj["geometries"]]
    res.add(None, "type", "not_geojson", str(t), "expected a FeatureCollection, Feature, "
            "Polygon or MultiPolygon")
    return None


def _features_to_collection(feats, res, *, kind, default_height_m, transformer, limits):
    out, total = [], 0
    for n, f in enumerate(feats, start=1):
        if not isinstance(f, dict):
            res.add(n, "", "not_geojson", type(f).__name__, "a feature must be an object")
            res.skipped.append(n)
            continue
        geom_dict = f.get("geometry")
        coords = geom_dict.get("coordinates") if isinstance(geom_dict, dict) else None
        nv = _count_vertices(coords, limits.max_vertices_per_feature)
        total += nv
        if total > limits.max_vertices_total:
            res.add(None, "", "too_many_vertices_total", str(limits.max_vertices_total),
                    f"the file has more than {limits.max_vertices_total:,} vertices (the "
                    "limit)")
            res.collection = None
            return
        if nv > limits.max_vertices_per_feature:
            res.add(n, "geometry", "too_many_vertices", str(nv), f"more than "
                    f"{limits.max_vertices_per_feature:,} vertices (the limit); skipped")
            res.skipped.append(n)
            continue
        geom = _clean_polygon(geom_dict, res, n, transformer)
        if geom is None:
            res.skipped.append(n)
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        newp = {}
        fid = props.get("id", props.get("建物ID", f.get("id", props.get("gml_id"))))
        newp["id"] = _short(str(fid), 60) if fid not in (None, "") else f"B{n}"
        if props.get("gml_id"):
            newp["gml_id"] = str(props["gml_id"])
        if kind == "buildings":
            key, hv = _height_from(props)
            h = None
            if key is not None:
                try:
                    h = parse_number(hv)
                except ValueError:
                    h = None
                if h is None or not math.isfinite(h) or not 0 < h < 1000:
                    res.add(n, key, "bad_height", hv, f"height {hv!r} not usable; "
                            f"{default_height_m} m used")
                    h = None
            if h is None:
                h = float(default_height_m)
                if key is None:
                    res.add(n, "height_m", "default_height", "", f"no height; "
                            f"{default_height_m} m used")
                res.defaults_applied["height_m"] = res.defaults_applied.get("height_m", 0) + 1
            newp["height_m"] = round(float(h), 3)
            home = _is_home_from(props)
            if home is not None:
                newp["is_home"] = home
            for k in _USAGE_KEYS:
                if props.get(k) not in (None, ""):
                    newp["usage"] = str(props[k])
                    break
            if props.get("name") or props.get("名称"):
                newp["name"] = str(props.get("name") or props.get("名称"))
        else:
            if props.get("name") or props.get("名称"):
                newp["name"] = str(props.get("name") or props.get("名称"))
            if kind == "districts" and fid in (None, ""):
                del newp["id"]       # named by its name (assessments.engine.districts)
        out.append((geom, newp))
    if not out:
        if not any(p.row is None and p.severity == "error" for p in res.problems):
            res.add(None, "", "no_buildings", "", "no usable polygon in the file")
        res.collection = None
        return
    if kind == "area":
        from shapely.ops import unary_union
        from shapely.geometry.polygon import orient
        from shapely.geometry import MultiPolygon
        union = unary_union([g for g, _ in out])
        union = orient(union, 1.0) if union.geom_type == "Polygon" else \
            MultiPolygon([orient(g, 1.0) for g in union.geoms])
        name = next((p.get("name") for _, p in out if p.get("name")), "")
        props = {"id": "area", "name": name} if name else {"id": "area"}
        res.collection = {"type": "FeatureCollection", "features": [_feature(union, props)]}
    else:
        res.collection = {"type": "FeatureCollection",
                          "features": [_feature(g, p) for g, p in out]}
    res.meta["features"] = len(res.collection["features"])


# --------------------------------------------------------------------------- CityGML
_BLDG_NS = ("http://www.opengis.net/citygml/building/2.0",
            "http://www.opengis.net/citygml/building/1.0",
            "http://www.opengis.net/citygml/building/3.0")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def read_citygml(data: bytes, filename: str = "", *,
                 default_height_m: float = DEFAULT_BUILDING_HEIGHT_M,
                 limits: Limits | None = None) -> ImportResult:
    """Read building footprints and heights from a PLATEAU CityGML ``bldg`` file.

    The footprint is ``bldg:lod0FootPrint`` (else ``lod0RoofEdge``, else the lowest
    horizontal faces of ``bldg:lod1Solid``); the height is ``bldg:measuredHeight`` [m].
    Coordinates follow the file's ``srsName``: EPSG:6697 / 6668 (JGD2011 geographic) are
    read in the EPSG axis order **lat lon (height)**; 平面直角座標系 EPSG:6669–6687 as X
    (north), Y (east). Output is GeoJSON lon/lat.

    Safety: a document type declaration (``<!DOCTYPE``, ``<!ENTITY``) is refused (XML
    bombs, external entities); lxml parses with ``resolve_entities=False``,
    ``no_network=True``, ``load_dtd=False``; memory is freed building by building.

    Returns
    -------
    ImportResult
        As :func:`read_geojson` with ``kind="buildings"``; ``gml_id`` is the building's
        ``gml:id`` and ``id`` its 建物ID when present.
    """
    limits = limits or Limits()
    res = _new_result(limits, format="citygml", kind="buildings")
    try:
        data = bytes(data)
        if len(data) > limits.max_geo_bytes:
            res.add(None, "", "too_large", str(len(data)),
                    f"the file is {len(data):,} bytes; the limit is {limits.max_geo_bytes:,}")
            return res.finish()
        if not data.strip():
            res.add(None, "", "empty", "", "the file is empty")
            return res.finish()
        for marker in (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"),
                       "<!ENTITY".encode("utf-16-le")):
            if marker in data:
                res.add(None, "", "xml_entities", "", "XML with a document type declaration "
                        "or entities is refused (security)")
                return res.finish()
        feats = _parse_citygml(data, res, limits)
        if feats is None:
            return res.finish()
        if not feats:
            res.add(None, "", "no_buildings", "", "no bldg:Building with a footprint")
            return res.finish()
        _features_to_collection(feats, res, kind="buildings",
                                default_height_m=default_height_m, transformer=None,
                                limits=limits)
    except Exception as exc:   # noqa: BLE001 — last line of defence
        res.add(None, "", "unsupported_format", type(exc).__name__,
                f"the file could not be read ({type(exc).__name__}: {_short(str(exc))})")
    return res.finish()


def _poslist_rings(elem, dim: int):
    """Rings (lists of coordinate tuples, file axis order) of gml:LinearRing elements."""
    rings = []
    for ring in elem.iter():
        if _local(ring.tag) != "LinearRing":
            continue
        vals = []
        pl = [c for c in ring if _local(c.tag) == "posList"]
        if pl:
            d = int(pl[0].get("srsDimension") or dim)
            vals = (pl[0].text or "").split()
        else:
            d = dim
            for p in ring:
                if _local(p.tag) == "pos":
                    d = int(p.get("srsDimension") or dim)
                    vals.extend((p.text or "").split())
        if d < 2 or len(vals) % d:
            rings.append(None)
            continue
        nums = [float(v) for v in vals]
        rings.append([tuple(nums[i:i + d]) for i in range(0, len(nums), d)])
    return rings


def _parse_citygml(data: bytes, res: ImportResult, limits: Limits):
    from lxml import etree
    srs_code, dim = None, 3
    feats = []
    total_vertices = 0
    try:
        parser_kw = dict(events=("start", "end"), resolve_entities=False, no_network=True,
                         load_dtd=False, huge_tree=False, remove_comments=True)
        ctx = etree.iterparse(io.BytesIO(data), **parser_kw)
        depth_bldg = 0
        for event, elem in ctx:
            tag = elem.tag
            local = _local(tag)
            if event == "start":
                if local == "Building" and _ns(tag) in _BLDG_NS:
                    depth_bldg += 1
                if srs_code is None and local == "Envelope" and elem.get("srsName"):
                    srs = elem.get("srsName")
                    m = re.search(r"(\d{4,5})\s*$", srs)
                    srs_code = int(m.group(1)) if m else None
                    dim = int(elem.get("srsDimension") or 3)
                continue
            if local == "Building" and _ns(tag) in _BLDG_NS:
                depth_bldg -= 1
                if depth_bldg == 0:
                    if len(feats) >= limits.max_features:
                        res.add(None, "", "too_many_features", str(limits.max_features),
                                f"more than {limits.max_features:,} buildings (the limit)")
                        return None
                    f, nv = _building_feature(elem, dim, len(feats) + 1, res)
                    total_vertices += nv
                    if total_vertices > limits.max_vertices_total:
                        res.add(None, "", "too_many_vertices_total",
                                str(limits.max_vertices_total), f"more than "
                                f"{limits.max_vertices_total:,} vertices (the limit)")
                        return None
                    feats.append(f)
                    elem.clear()
                    parent = elem.getparent()
                    if parent is not None:
                        while elem.getprevious() is not None:
                            del parent[0]
    except etree.XMLSyntaxError as exc:
        res.add(None, "", "bad_xml", "", f"not well-formed XML ({_short(str(exc))})")
        return None
    res.meta["crs"] = f"EPSG:{srs_code}" if srs_code else "EPSG:6697 (assumed)"
    code = srs_code or 6697
    if code in (6697, 6668, 4612, 4326, 4019, 4301):
        conv = None                                   # (lat, lon[, h]) → (lon, lat)
    elif 6669 <= code <= 6687:
        from pyproj import Transformer
        t = Transformer.from_crs(code, 6668, always_xy=True)
        conv = lambda x_north, y_east: t.transform(y_east, x_north)  # noqa: E731
    else:
        res.add(None, "srsName", "unknown_crs", str(code), f"unsupported srsName EPSG:{code}")
        return None
    out = []
    for f in feats:
        g = f["geometry"]
        if g is None:
            out.append(f)
            continue
        polys = []
        for poly in g["coordinates"]:
            rings = []
            for ring in poly:
                if conv is None:
                    rings.append([[p[1], p[0]] for p in ring])
                else:
                    rings.append([list(conv(p[0], p[1])) for p in ring])
            polys.append(rings)
        f["geometry"] = {"type": "MultiPolygon", "coordinates": polys} if len(polys) > 1 \
            else {"type": "Polygon", "coordinates": polys[0]}
        out.append(f)
    return out


def _building_feature(elem, dim, n, res):
    """One bldg:Building → (feature with file-order coordinates, vertex count)."""
    props = {"gml_id": elem.get("{http://www.opengis.net/gml}id") or
             elem.get("{http://www.opengis.net/gml/3.2}id") or ""}
    height = None
    lod0, roof, solid = [], [], []
    for child in elem.iter():
        local = _local(child.tag)
        if local == "measuredHeight" and height is None:
            height = (child.text or "").strip()
        elif local in ("usage", "function") and _ns(child.tag) in _BLDG_NS and \
                "usage" not in props and local == "usage":
            props["usage"] = (child.text or "").strip()
        elif local == "stringAttribute" and child.get("name") == "建物ID":
            v = [c for c in child if _local(c.tag) == "value"]
            if v and v[0].text:
                props["建物ID"] = v[0].text.strip()
        elif local == "lod0FootPrint":
            lod0.append(child)
        elif local == "lod0RoofEdge":
            roof.append(child)
        elif local == "lod1Solid":
            solid.append(child)
    if height is not None:
        props["measuredHeight"] = height
    polys = []
    for group in (lod0, roof):
        if polys:
            break
        for g in group:
            polys.extend(_polygons_of(g, dim))
    if not polys and solid:
        faces = []
        for s in solid:
            faces.extend(_polygons_of(s, dim))
        faces = [p for p in faces if p and len(p[0][0]) >= 3]
        if faces:
            zmin = min(min(pt[2] for pt in p[0]) for p in faces)
            polys = [p for p in faces if max(pt[2] for pt in p[0]) - zmin < 1e-3]
        if not polys and faces:
            polys = faces[:1]
    nv = sum(len(r) for p in polys for r in p)
    if not polys:
        res.add(n, "geometry", "not_polygon", props["gml_id"], "no footprint (LOD0) or "
                "LOD1 solid")
        return {"type": "Feature", "geometry": None, "properties": props}, nv
    return {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": polys},
            "properties": props}, nv


def _polygons_of(elem, dim):
    """Polygons (exterior + interiors, file axis order) under ``elem``."""
    polys = []
    for p in elem.iter():
        if _local(p.tag) != "Polygon":
            continue
        ext, ints = None, []
        for part in p:
            rings = _poslist_rings(part, dim)
            if not rings or rings[0] is None:
                continue
            if _local(part.tag) == "exterior":
                ext = rings[0]
            elif _local(part.tag) == "interior":
                ints.append(rings[0])
        if ext:
            polys.append([ext] + ints)
    return polys


def read_buildings(data: bytes, filename: str, *, limits: Limits | None = None,
                   **kw) -> ImportResult:
    """Read buildings from a ``.gml`` (CityGML) or ``.geojson`` / ``.json`` file."""
    name = (filename or "").lower()
    head = bytes(data[:200]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith((".gml", ".xml", ".citygml")) or head.startswith(b"<"):
        return read_citygml(data, filename, limits=limits, **kw)
    return read_geojson(data, filename, kind="buildings", limits=limits, **kw)


# --------------------------------------------------------------------------- exports
_INJECTION_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A cell value safe for spreadsheets: text starting with = + - @ tab CR gets a ``'``
    prefix (OWASP CSV injection [4]_). Numbers are returned unchanged."""
    if isinstance(value, str) and value.startswith(_INJECTION_START):
        return "'" + value
    return value


def points_to_csv(rows, *, kind: str = "camera") -> bytes:
    """Cameras or lights as CSV bytes: UTF-8 with BOM (Excel), CRLF, injection-safe.

    Columns: the canonical fields of ``kind`` that any row has, in the plan order, then
    ``attributes`` keys. The file reads back with :func:`read_point_table`.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    base = CAMERA_FIELDS if kind == "camera" else LIGHT_FIELDS
    present = {k for r in rows for k in r}
    cols = [c for c in base if c in present or c in ("id", "lat", "lon")]
    cols += sorted({k for r in rows for k in r if k not in base and k != "attributes"
                    and not isinstance(r.get(k), (dict, list))})
    extra = []
    for r in rows:
        for k in (r.get("attributes") or {}):
            if k not in extra and k not in cols:
                extra.append(k)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(cols + extra)
    for r in rows:
        attrs = r.get("attributes") or {}
        vals = [r.get(c) for c in cols] + [attrs.get(k) for k in extra]
        w.writerow(["" if v is None else escape_cell(v if not isinstance(v, bool) else
                                                    str(v).lower()) for v in vals])
    return codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")


def features_to_geojson(features, *, name: str | None = None) -> bytes:
    """A FeatureCollection as UTF-8 GeoJSON bytes (lon/lat, 7 decimals).

    Parameters
    ----------
    features : dict or iterable
        A FeatureCollection dict, or an iterable of features or of
        ``(geometry, properties)`` pairs where the geometry is a GeoJSON dict or a shapely
        geometry (camera footprints, layers).
    """
    from shapely.geometry import mapping
    if isinstance(features, dict) and features.get("type") == "FeatureCollection":
        items = features.get("features", [])
    else:
        items = list(features)
    out = []
    for it in items:
        if isinstance(it, dict) and it.get("type") == "Feature":
            geom, props = it.get("geometry"), it.get("properties") or {}
        else:
            geom, props = it
        if geom is not None and not isinstance(geom, dict):
            geom = mapping(geom)
        if geom is not None:
            geom = {"type": geom["type"], "coordinates": _round_coords(geom["coordinates"])} \
                if geom.get("type") != "GeometryCollection" else geom
        out.append({"type": "Feature", "geometry": geom, "properties": dict(props or {})})
    fc = {"type": "FeatureCollection", "features": out}
    if name:
        fc["name"] = name
    return json.dumps(fc, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def points_to_features(rows) -> dict:
    """Cameras / lights as a GeoJSON FeatureCollection of Points (lon/lat)."""
    feats = []
    for r in rows:
        props = {k: v for k, v in r.items() if k not in ("lat", "lon")}
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [
            round(float(r["lon"]), COORD_DECIMALS), round(float(r["lat"]), COORD_DECIMALS)]},
            "properties": props})
    return {"type": "FeatureCollection", "features": feats}
