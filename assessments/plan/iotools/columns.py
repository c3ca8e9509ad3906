"""The camera / light table, declared once: fields, header aliases, kinds, ranges, defaults.

:data:`COLUMNS` is the one declaration of the fields a camera or light table may have: the
header names users write (Japanese or English; matched after :func:`norm_header`), how a cell
is read, and the physical range a number must lie in. ``COLUMN_ALIASES``, ``READ_AS`` and
``RANGES`` are derived from it; ``CAMERA_FIELDS`` / ``LIGHT_FIELDS`` (the plan's order, used
by the CSV export) and the defaults ``DEFAULT_CAMERA`` / ``DEFAULT_LIGHT`` are declared here
too.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ...engine.devices import DEFAULT_MIN_ILLUMINANCE_LX, DEFAULT_SHUTTER_S
from .values import norm_value

__all__ = ["APPROXIMATE", "CAMERA_FIELDS", "COLUMNS", "COLUMN_ALIASES", "Column",
           "DEFAULT_CAMERA", "DEFAULT_LIGHT", "KINDS", "LIGHT_FIELDS", "RANGES", "READ_AS",
           "YES", "map_columns", "norm_header", "parse_flag", "parse_resolution"]

KINDS = ("camera", "light")

#: Defaults applied to a camera row that lacks the field. Basis: the plan format example in
#: ``docs/architecture.md`` (a typical fixed 2 MP street camera on a 5 m pole); a judgement,
#: not a measured figure. The import result lists every default it applied.
DEFAULT_CAMERA = {
    "mount_height_m": 5.0, "azimuth_deg": 0.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
    "width_px": 1920, "height_px": 1080, "vfov_deg": None, "max_range_m": None,
    "ir_range_m": 30.0, "min_illuminance_lx": DEFAULT_MIN_ILLUMINANCE_LX,
    "shutter_s": DEFAULT_SHUTTER_S,
    "model": "", "address": "", "use_case": "", "unit_price_jpy": 0,
}
#: Defaults for a light row: a 5 m 防犯灯 of the ``led_10va_fl32`` class of
#: ``datasets/light_presets.csv`` (lumens there are a judgement, ``verified = false``).
DEFAULT_LIGHT = {"mount_height_m": 5.0, "lumens": 1300.0, "distribution": "wide"}

#: The field of a camera / light placed at an approximate position (a 町字's representative
#: point, :mod:`.towns`): ``true`` until its latitude or longitude is edited.
APPROXIMATE = "location_approximate"
#: Fields of a camera in the plan's order (``docs/architecture.md``): id, name, position,
#: then every field that has a default.
CAMERA_FIELDS = ["id", "name", "lat", "lon", *DEFAULT_CAMERA, APPROXIMATE]
#: Fields of a light in the plan's order.
LIGHT_FIELDS = ["id", "name", "lat", "lon", "mount_height_m", "intensity_cd", "lumens",
                "distribution", "azimuth_deg", "tilt_deg", "model", "address",
                "unit_price_jpy", APPROXIMATE]


@dataclass(frozen=True)
class Column:
    """One field a camera / light table may have.

    Attributes
    ----------
    field : str
        Canonical name (the plan's key; ``plane_x`` / ``plane_y`` are 平面直角座標系 X north
        / Y east [m], ``resolution`` fills ``width_px`` / ``height_px``).
    aliases : tuple of str
        Header names that mean this field (compared after :func:`norm_header`).
    kind : {"coordinate", "number", "resolution", "id", "flag", "text"}
        How a cell is read: :func:`~.values.parse_coordinate` (decimal degrees or 度分秒),
        :func:`~.values.parse_number`, :func:`parse_resolution` (``1920x1080``),
        :func:`~.values.clean_id`, :func:`parse_flag` (a yes), or stripped text.
    range : (float, float) or None
        Physical range of a number, inclusive; a value outside skips the row
        (``out_of_range``). Planning plausibility bounds (judgement), wider than any
        product's catalogue values.
    """
    field: str
    aliases: tuple
    kind: str = "text"
    range: tuple | None = None


#: The one declaration of the table's columns; order = alias priority (a header that
#: starts with an alias of an earlier column maps to it) and the order ranges are checked.
COLUMNS = (
    Column("lat", ("緯度", "北緯", "lat", "latitude", "latdeg", "y緯度", "緯度10進", "gpslat"),
           "coordinate"),
    Column("lon", ("経度", "東経", "lon", "lng", "long", "longitude", "londeg", "gpslon",
                   "gpslng"), "coordinate"),
    Column("plane_x", ("x", "x座標", "xm", "northing", "n座標", "座標x", "平面直角x",
                       "公共座標x"), "number"),
    Column("plane_y", ("y", "y座標", "ym", "easting", "e座標", "座標y", "平面直角y",
                       "公共座標y"), "number"),
    Column("id", ("id", "番号", "no", "no.", "管理番号", "カメラid", "カメラ番号", "灯番号",
                  "防犯灯番号", "識別子", "コード", "通し番号"), "id"),
    Column("name", ("名称", "名前", "地点", "地点名", "設置場所", "設置箇所", "場所", "name",
                    "location", "site", "カメラ名", "施設名")),
    Column("address", ("住所", "所在地", "設置住所", "設置場所住所", "address", "addr")),
    Column("mount_height_m", ("高さ", "設置高さ", "設置高", "取付高さ", "取付け高さ",
                              "取り付け高さ", "ポール高さ", "height", "mountheight",
                              "mountheightm", "heightm", "mountingheight"),
           "number", (0.1, 100.0)),
    Column("azimuth_deg", ("方位", "方位角", "向き", "方向", "撮影方向", "azimuth",
                           "azimuthdeg", "bearing", "heading", "direction"),
           "number", (-360.0, 360.0)),
    Column("tilt_deg", ("俯角", "チルト", "傾き", "tilt", "tiltdeg", "pitch"),
           "number", (-90.0, 90.0)),
    Column("hfov_deg", ("画角", "水平画角", "hfov", "hfovdeg", "fov", "horizontalfov"),
           "number", (0.5, 179.0)),
    Column("vfov_deg", ("垂直画角", "vfov", "vfovdeg"), "number", (0.5, 179.0)),
    Column("width_px", ("横画素", "水平画素数", "横解像度", "解像度幅", "解像度横", "水平解像度",
                        "横ピクセル数", "widthpx", "width"),
           "number", (16, 20000)),
    Column("height_px", ("縦画素", "垂直画素数", "縦解像度", "解像度高さ", "解像度縦", "垂直解像度",
                         "縦ピクセル数", "heightpx"), "number", (16, 20000)),
    Column("resolution", ("解像度", "画素数", "resolution"), "resolution"),
    Column("ir_range_m", ("赤外線照射距離", "赤外線距離", "ir距離", "irrange", "irrangem"),
           "number", (0.0, 1000.0)),
    Column("min_illuminance_lx", ("最低照度", "最低被写体照度", "minilluminance",
                                  "minilluminancelx"), "number", (0.0, 10000.0)),
    Column("max_range_m", ("最大距離", "maxrange", "maxrangem"), "number", (0.0, 10000.0)),
    Column("shutter_s", ("シャッター速度", "shutter", "shutters"), "number", (1e-6, 10.0)),
    Column("model", ("機種", "型番", "型式", "品番", "製品名", "model", "product")),
    Column("use_case", ("用途", "目的", "usecase", "purpose")),
    Column("unit_price_jpy", ("単価", "価格", "金額", "unitprice", "unitpricejpy", "price"),
           "number", (0, 1e10)),
    Column("lumens", ("光束", "全光束", "器具光束", "lumens", "lm", "luminousflux"),
           "number", (0.0, 1e6)),
    Column("intensity_cd", ("光度", "intensity", "intensitycd", "cd"), "number", (0.0, 1e6)),
    Column("distribution", ("配光", "distribution")),
    Column("installer", ("設置主体", "設置者", "管理者", "installer", "owner")),
    Column("url", ("url", "リンク", "link")),
    # not 位置精度: tables use it for a GPS accuracy in metres
    Column(APPROXIMATE, ("位置は概略", "概略位置", "位置概略", "locationapproximate"), "flag"),
)


def norm_header(text) -> str:
    """Header key: NFKC (全角→半角), lower case, units in brackets and separators removed."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = re.sub(r"[\(\[（【][^\)\]）】]*[\)\]）】]", "", s)      # (m), [°], （度）
    s = re.sub(r"[\s_\-・./:：]+", "", s)
    return s


#: Normalised header → canonical field.
COLUMN_ALIASES = {norm_header(a): c.field for c in COLUMNS for a in c.aliases}
#: Field → how its cells are read (:attr:`Column.kind`).
READ_AS = {c.field: c.kind for c in COLUMNS}
#: Physical ranges of the numeric fields; outside → ``out_of_range`` (row skipped).
RANGES = {c.field: c.range for c in COLUMNS if c.range is not None}


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
        key = norm_header(h)
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


#: Cells that mean yes in a flag column (compared after :func:`~.values.norm_value`, lower
#: case); anything else leaves the field out.
YES = frozenset({"true", "1", "yes", "y", "はい", "○", "◯", "概略", "approximate"})


def parse_flag(cell) -> bool | None:
    """``True`` for a cell that says yes (:data:`YES`, an Excel TRUE or the number 1), else
    None (the field is left out)."""
    if isinstance(cell, (bool, int, float)):
        return True if cell == 1 else None
    return True if norm_value(cell).lower() in YES else None


def parse_resolution(cell):
    """``(width_px, height_px)`` from ``1920x1080`` / ``1920×1080``; ``None`` for an empty
    cell, ``False`` for text that is not a resolution."""
    if cell is None:
        return None
    s = norm_value(cell).lower().replace("×", "x").replace("*", "x")
    m = re.fullmatch(r"(\d{2,5})\s*x\s*(\d{2,5})", s)
    if not m:
        return False
    return int(m.group(1)), int(m.group(2))
