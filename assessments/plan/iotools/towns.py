"""Addresses → 町字 (大字・町・丁目) of an imported 基盤地図情報 layer: an offline, approximate
position for table rows that have an address (住所) and no coordinates.

:func:`match_towns` finds, for each address, the 町字 whose name occurs in it (the longest
name wins) and gives its representative point: the centroid of its face in the
``town_areas`` layer when there is one, else its ``towns`` point (the 町字 label point). The
position is only the town's, so every match is flagged ``approximate``; a device placed
there carries ``location_approximate: true`` (:data:`~.columns.APPROXIMATE`) until the user
places it precisely.

Addresses and names are compared after :func:`norm_address`: NFKC (全角 digits and letters →
半角), no spaces, 漢数字 before 丁目 as numbers (「二丁目」「２丁目」「2丁目」 are the same), the
usual spelling variants of place names (ヶ / ケ / が, ノ / の / 之) and a hyphen after a
number (「柏の葉2-3-1」: a town 「柏の葉二丁目」 also matches 「柏の葉2-」). A leading 大字 / 字
of a 町字 name is optional. The prefecture (47 names) and the municipality (the plan's,
else a ``…市``, ``…市…区``, ``…区`` or ``…郡…町/村`` at the start) are skipped before
searching, so 「柏市」 is never read as the 町字 「柏」.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from assessments.engine.grid import PREFECTURE_ZONES

from .columns import APPROXIMATE
from .polygons import SHAPE_ERRORS
from .values import COORD_DECIMALS

__all__ = ["APPROXIMATE", "TownMatch", "TownMatches", "kanji_number", "match_towns",
           "norm_address"]

_PREFECTURES = tuple(PREFECTURE_ZONES)            # the 47 names, one table
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                 "七": 7, "八": 8, "九": 9}
_CHOME = re.compile(r"([〇零一二三四五六七八九十]+)丁目")
_DIGIT_HYPHEN = re.compile(r"(?<=\d)[‐‑‒–—―−ー]")
# spellings of one place name (霞ヶ関 / 霞ケ関 / 霞が関, 柏の葉 / 柏ノ葉, 井之頭 / 井の頭)
_VARIANTS = str.maketrans({"ヶ": "ケ", "が": "ケ", "ヵ": "カ", "ノ": "の", "之": "の"})
# the municipality at the start of an address without the plan's own name
_MUNICIPALITY = re.compile(r"[^\d-]{1,5}?郡[^\d-]{1,5}?[町村]|[^\d-]{1,5}?市(?:[^\d-]{1,4}?区)?"
                           r"|[^\d-]{1,4}?区")
# a name followed by one of these is part of a prefecture or municipality name (柏 in 柏市)
_ADMIN_SUFFIX = frozenset("都道府県市区郡町村")
_CHOME_KEY = re.compile(r"(.*\D)(\d+)丁目")


class TownMatch(NamedTuple):
    """The 町字 of one address.

    Attributes
    ----------
    name : str
        The 町字 as the layer names it (「旭町一丁目」).
    code : str
        Its ``code`` property ("" when it has none).
    lat, lon : float
        Representative point [°]: the face's centroid, or the town point.
    source : {"area", "point"}
        Where the point comes from (``town_areas`` face, or ``towns`` point).
    approximate : bool
        Always True: the position of the town, not of the address.
    """
    name: str
    code: str
    lat: float
    lon: float
    source: str
    approximate: bool = True


class TownMatches(NamedTuple):
    """The result of :func:`match_towns`.

    Attributes
    ----------
    matches : list of TownMatch or None
        One per address, in order; None where no 町字 was found.
    unmatched : list of int
        Positions (from 0) of the addresses without a 町字.
    """
    matches: list
    unmatched: list


def kanji_number(text: str) -> int | None:
    """A 漢数字 number below 100 (「二」 2, 「十二」 12, 「二十」 20, 「二〇」 20); None for
    anything else."""
    if not text or any(ch not in _KANJI_DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _KANJI_DIGITS[ch]
    return value if len(text) <= 2 else None


def _chome(m: re.Match) -> str:
    n = kanji_number(m.group(1))
    return m.group(0) if n is None else f"{n}丁目"


def norm_address(text) -> str:
    """An address or 町字 name in the form they are compared in (see the module text):
    「千葉県柏市柏の葉２丁目３－１」 → 「千葉県柏市柏の葉2丁目3-1」, 「霞ヶ関一丁目」 →
    「霞ケ関1丁目」."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"\s+", "", s).translate(_VARIANTS)
    s = _DIGIT_HYPHEN.sub("-", s)
    return _CHOME.sub(_chome, s)


def _town_key(name) -> str:
    """The compared form of a 町字 name; a leading 大字 / 字 is optional."""
    key = norm_address(name)
    for head in ("大字", "字"):
        if key.startswith(head) and len(key) > len(head):
            return key[len(head):]
    return key


def _prefix_end(s: str, municipality: str) -> int:
    """Length of the prefecture and municipality at the start of normalised address ``s``."""
    i = next((len(p) for p in _PREFECTURES if s.startswith(p)), 0)
    if municipality and s.startswith(municipality, i):
        i += len(municipality)
        ward = re.match(r"[^\d-]{1,4}?区", s[i:]) if municipality.endswith("市") else None
        return i + (ward.end() if ward else 0)
    m = _MUNICIPALITY.match(s, i)
    return m.end() if m else i


def _point_of(feature):
    """``(lon, lat)`` of a Point feature, or None."""
    geom = (feature or {}).get("geometry") or {}
    c = geom.get("coordinates")
    if geom.get("type") != "Point" or not isinstance(c, (list, tuple)) or len(c) < 2:
        return None
    try:
        return float(c[0]), float(c[1])
    except (TypeError, ValueError):
        return None


def _area_points(town_areas) -> dict:
    """``{town key: [(shapely polygon, code)]}`` of the ``town_areas`` faces."""
    from shapely.geometry import shape
    out: dict = {}
    for f in town_areas or ():
        props = (f or {}).get("properties") or {}
        key = _town_key(props.get("name"))
        if not key:
            continue
        try:
            geom = shape(f["geometry"])
            if geom.is_empty or geom.area <= 0:
                continue
        except SHAPE_ERRORS:
            continue
        out.setdefault(key, []).append((geom, str(props.get("code") or "")))
    return out


def _representative(geom) -> tuple[float, float]:
    """``(lon, lat)``: the centroid, or a point on the surface when the centroid falls
    outside (a U-shaped 町字).

    Notes
    -----
    The centroid is taken in degrees: over a town the lon/lat → metres map is affine to
    well below a metre, and a centroid is preserved by affine maps.
    """
    c = geom.centroid
    if not geom.covers(c):
        c = geom.point_on_surface()
    return c.x, c.y


def _towns_index(towns, town_areas) -> dict:
    """``{key: TownMatch}`` for every named 町字 (the first of a repeated name wins), with
    the hyphen keys of 丁目 (「柏の葉2-」)."""
    from shapely.geometry import Point
    areas = _area_points(town_areas)
    index: dict = {}
    for f in towns or ():
        props = (f or {}).get("properties") or {}
        name = str(props.get("name") or "").strip()
        key = _town_key(name)
        pt = _point_of(f)
        if not key or pt is None or key in index:
            continue
        faces = areas.get(key) or []
        # the face holding the point (names repeat across municipalities), else the first
        face = next((g for g, _ in faces if g.covers(Point(pt))), faces[0][0] if faces else None)
        lon, lat = _representative(face) if face is not None else pt
        index[key] = TownMatch(name, str(props.get("code") or ""),
                               round(lat, COORD_DECIMALS), round(lon, COORD_DECIMALS),
                               "area" if face is not None else "point")
    for f in town_areas or ():         # faces whose town point is not in the towns layer
        props = (f or {}).get("properties") or {}
        key = _town_key(props.get("name"))
        if key and key not in index and key in areas:
            lon, lat = _representative(areas[key][0][0])
            index[key] = TownMatch(str(props.get("name")).strip(), str(props.get("code") or ""),
                                   round(lat, COORD_DECIMALS), round(lon, COORD_DECIMALS),
                                   "area")
    for key, match in list(index.items()):
        m = _CHOME_KEY.fullmatch(key)
        if m:
            index.setdefault(f"{m.group(1)}{m.group(2)}-", match)
    return index


def match_towns(addresses, towns, town_areas=(), *, municipality: str | None = None
                ) -> TownMatches:
    """The 町字 of each address, with its representative point (approximate).

    Parameters
    ----------
    addresses : list of str
        Addresses as written in the table (「千葉県柏市旭町２丁目５－１」).
    towns : list of dict
        GeoJSON Point features of the 町字 (``plan["map_layers"]["towns"]``, read by
        :func:`~.fgd.read_fgd`), ``properties.name`` and ``code``.
    town_areas : list of dict
        GeoJSON Polygon features of the 町字 faces, ``properties.name`` of the town point
        inside (``plan["map_layers"]["town_areas"]``); optional.
    municipality : str, optional
        The plan's municipality (「柏市」), skipped at the start of an address.

    Returns
    -------
    TownMatches
        ``matches`` (a :class:`TownMatch` or None per address) and ``unmatched``.

    Notes
    -----
    Among the 町字 names found in an address, one after the municipality beats one inside
    it, then the longest wins, then the first. A name directly followed by
    都・道・府・県・市・区・郡・町・村 is part of a longer place name and not taken.
    """
    index = _towns_index(towns, town_areas)
    lengths = sorted({len(k) for k in index}, reverse=True)
    muni = norm_address(municipality) if municipality else ""
    matches, unmatched = [], []
    for n, address in enumerate(addresses):
        s = norm_address(address)
        start = _prefix_end(s, muni)
        best, rank = None, None
        for i in range(len(s)):
            for size in lengths:
                key = s[i:i + size]
                if len(key) < size or key not in index:
                    continue
                nxt = s[i + size:i + size + 1]
                if nxt in _ADMIN_SUFFIX and not key.endswith("-"):
                    continue
                r = (i >= start, size, -i)
                if rank is None or r > rank:
                    best, rank = index[key], r
        matches.append(best)
        if best is None:
            unmatched.append(n)
    return TownMatches(matches, unmatched)
