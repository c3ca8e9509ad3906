"""基盤地図情報 数値標高モデル (国土地理院 DEM5A / DEM5B / DEM5C / DEM10A / DEM10B, JPGIS
(GML) format): ground heights as the engine's
:class:`~assessments.engine.visibility.Terrain`.

One file holds one mesh: a ``Dataset`` (namespace
``http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema``) with one ``DEM`` feature [1]_ [2]_:

- ``type`` (DEM種別: ``5mメッシュ（標高）``, ``10mメッシュ（標高）`` …) and ``mesh``
  (メッシュ番号: the 3rd mesh for 5 m, the 2nd mesh for 10 m);
- ``coverage/gml:boundedBy/gml:Envelope`` ``lowerCorner`` / ``upperCorner``: the south-west
  and north-east corners of the mesh, **latitude longitude** [°] (``srsName``
  ``fguuid:jgd2011.bl``);
- ``gml:GridEnvelope`` ``low`` / ``high``: cell indices ``x y`` (``0 0`` … ``224 149``:
  225 columns × 150 rows of 0.2″ for 5 m; ``1124 749`` with 0.4″ for 10 m); each value is
  the height of the centre of its cell;
- ``gml:tupleList``: one ``種別,標高値`` row per cell (DEM構成点種別 地表面, 表層面,
  海水面, 内水面, データなし, その他; height [m] T.P.; ``-9999.`` = no height), in the order
  of ``gml:sequenceRule order="+x-y"`` (west → east, then north → south) starting at
  ``gml:startPoint`` ``x y``: cells before the start point and after the last row have no
  data [1]_ (a mesh only partly surveyed).

A .zip of several mesh files (the download service's ``FG-GML-5339-46-DEM5A.zip``, or a
.zip of such .zip files, :mod:`.archive`) is mosaicked onto one grid of the same cell size;
where meshes overlap, DEM5A (laser survey) wins over 5B (photogrammetry) over 5C. Files of
different cell sizes (5 m and 10 m) are refused. Cells without height stay NaN, which
:class:`~assessments.engine.visibility.Terrain` reads as 0 m (reported, ``dem_no_data``).

References
----------
.. [1] 国土交通省国土地理院, 基盤地図情報ダウンロードデータ ファイル仕様書 第4.1版
   (平成28年10月; 第5.0版 2023), 数値標高モデル: DEM区画 (DEM種別, メッシュ番号, 被覆
   gml:DiscreteCoverage), DEM構成点 (種別, 標高値), 符号化 (gml:GridFunction
   sequenceRule "+x-y", startPoint), https://fgd.gsi.go.jp/download/ref_dem.html
.. [2] 国土交通省国土地理院, 基盤地図情報 XML スキーマ定義ファイル FGD_GMLSchema.xsd Ver4.x
   (DEMType, DEM種別列挙型, DEM構成点種別列挙型),
   https://fgd.gsi.go.jp/otherdata/spec/FGD_GMLSchema.xsd
"""
from __future__ import annotations

import math
import re
from collections import Counter
from struct import error as struct_error

import numpy as np

from .archive import XML_PARSER_OPTIONS, each_gml, gml_files, refuse_doctype, split_tag
from .result import ImportResult, Limits, new_result, short
from .values import JAPAN_LAT, JAPAN_LON

__all__ = ["NO_DATA_M", "POINT_TYPES", "read_dem", "read_terrain"]

_FGD_NS = "http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema"
_GML_NS = "http://www.opengis.net/gml/3.2"
#: Height written for a cell without one [m] [1]_; this and lower values are no data.
NO_DATA_M = -9999.0
_NO_DATA_TYPE = "データなし"
#: Heights any DEM of the Earth can hold [m]: below the deepest sea floor (about
#: −10,900 m, 海水底面 points of Ver5.0) and above the highest summit (8,849 m). A value
#: outside is damage (1e308 would overflow the terrain's float32 and the sight lines).
MIN_HEIGHT_M, MAX_HEIGHT_M = -11_000.0, 9_000.0
#: DEM構成点種別列挙型 [2]_ (海水底面 and 内水底面 added in Ver5.0).
POINT_TYPES = ("地表面", "表層面", "海水面", "内水面", "データなし", "その他", "海水底面",
               "内水底面")
_SRS = {"fguuid:jgd2011.bl": "JGD2011", "fguuid:jgd2000.bl": "JGD2000"}
#: Meshes of one grid may differ in spacing by this fraction (corners are written with
#: 9 decimals); 5 m and 10 m meshes differ by 100 %.
_SPACING_RTOL = 1e-3


def _first(elem, local, ns=_GML_NS):
    """First descendant of ``elem`` named ``local`` in ``ns``, or None."""
    for e in elem.iter():
        n, lo = split_tag(e.tag)
        if lo == local and n == ns:
            return e
    return None


def read_dem(data: bytes, filename: str = "", *, limits: Limits | None = None) -> ImportResult:
    """Read 基盤地図情報 DEM GML (one mesh file, or a .zip of them) [1]_.

    Parameters
    ----------
    data : bytes
        ``FG-GML-5339-46-05-DEM5A-20161001.xml`` or a .zip of such files (nested .zip one
        level deep).
    filename : str
        The upload's name (messages, ``meta["files"]``; ``DEM5A`` / ``5B`` … in a member's
        name ranks overlapping meshes).
    limits : Limits, optional
        Bytes (``max_geo_bytes``, and unpacked ``max_uncompressed_bytes``,
        ``max_compression_ratio``, ``max_zip_members``) and grid cells
        (``max_dem_cells``, per mesh and for the mosaic), checked before allocating.

    Returns
    -------
    ImportResult
        ``terrain``: a :class:`~assessments.engine.visibility.Terrain` (rows north → south,
        columns west → east, cell centres; NaN where no height), or ``None`` with a fatal
        problem (``not_dem``, ``bad_dem``, ``dem_mixed_resolution``, ``too_many_cells``,
        ``unknown_crs``, ``bad_xml``, ``xml_entities``, ``bad_zip``, ``zip_bomb`` …).
        ``meta``: ``files``, ``meshes`` (メッシュ番号), ``dem_types`` (DEM種別 → files),
        ``point_types`` (DEM構成点種別 → cells), ``shape`` (rows, columns),
        ``cell_deg`` (Δlat, Δlon [°]), ``bounds`` (south, west, north, east [°], cell
        edges), ``nodata_cells``, ``height_range_m``, ``crs``.
    """
    limits = limits or Limits()
    res = new_result(limits, format="fgd-dem", kind="terrain")
    files = gml_files(data, filename, res, limits)
    if files is None:
        return res.finish()
    from lxml import etree
    meshes, datums = [], set()

    def parse(name, blob) -> bool:
        found = _parse_file(name, blob, res, limits, etree, datums)
        meshes.extend(found or ())
        return found is not None

    if not each_gml(files, res, parse):
        return res.finish()
    if "JGD2000" in datums:
        res.add(None, "srsName", "old_datum", "fguuid:jgd2000.bl", "JGD2000 coordinates "
                "were read as JGD2011 (they differ by up to a few metres in eastern Japan)")
    res.meta["crs"] = "+".join(sorted(datums) or ["JGD2011"]) + " (latitude, longitude)"
    _mosaic(meshes, res, limits)
    return res.finish()


def _parse_file(name, data, res, limits, etree, datums):
    """The meshes (dicts) of one GML document, or None after a fatal problem."""
    if refuse_doctype(data, res):
        return None
    # a 10 m mesh's tupleList is ~15 MB of text, over libxml2's 10 MB default; entities and
    # DTDs are refused above, so lifting the limit only lets a bounded file be read
    parser = etree.XMLParser(huge_tree=True, **XML_PARSER_OPTIONS)
    root = etree.fromstring(data, parser)
    ns, local = split_tag(root.tag)
    if local != "Dataset" or ns not in (_FGD_NS, ""):
        res.add(None, "", "not_dem", local, f"{name}: the root element is {local!r}, not the "
                "基盤地図情報 Dataset")
        return None
    dems = [e for e in root if split_tag(e.tag)[1] == "DEM"]
    if not dems:
        kinds = sorted({split_tag(e.tag)[1] for e in root if split_tag(e.tag)[0] == ns} - {""})
        res.add(None, "", "not_dem", ", ".join(kinds[:5]), f"{name} has no DEM (it holds "
                f"{', '.join(kinds[:5]) or 'nothing'}; basic items are a base map)")
        return None
    out = []
    for dem in dems:
        m = _mesh(dem, name, res, limits, datums)
        if m is None:
            return None
        out.append(m)
    return out


def _bad(res, name, what, message):
    res.add(None, "", "bad_dem", f"{name}: {what}", f"{name}: {message}")


def _ints(text, n):
    vals = (text or "").split()
    if len(vals) != n:
        raise ValueError
    return [int(v) for v in vals]


def _floats(text, n):
    vals = [float(v) for v in (text or "").split()]
    if len(vals) != n or not all(math.isfinite(v) for v in vals):
        raise ValueError
    return vals


def _mesh(dem, name, res, limits, datums):
    """One DEM feature → dict with its heights (rows north → south), or None."""
    fields = {}
    for c in dem:
        n, lo = split_tag(c.tag)
        if n in (_FGD_NS, "") and lo in ("type", "mesh"):
            fields[lo] = (c.text or "").strip()
    env = _first(dem, "Envelope")
    genv = _first(dem, "GridEnvelope")
    tuples = _first(dem, "tupleList")
    rule = _first(dem, "sequenceRule")
    start = _first(dem, "startPoint")
    if env is None or genv is None:
        _bad(res, name, "Envelope", "no gml:Envelope or gml:GridEnvelope")
        return None
    srs = (env.get("srsName") or "fguuid:jgd2011.bl").strip().lower()
    if srs not in _SRS:
        res.add(None, "srsName", "unknown_crs", srs, f"{name}: srsName {srs!r} is not JGD2011 "
                "/ JGD2000 latitude, longitude")
        return None
    datums.add(_SRS[srs])
    try:
        south, west = _floats(_first(env, "lowerCorner").text, 2)
        north, east = _floats(_first(env, "upperCorner").text, 2)
    except (ValueError, AttributeError):
        _bad(res, name, "lowerCorner/upperCorner", "the corners are not two numbers each")
        return None
    try:
        lx, ly = _ints(_first(genv, "low").text, 2)
        hx, hy = _ints(_first(genv, "high").text, 2)
    except (ValueError, AttributeError):
        _bad(res, name, "GridEnvelope", "low / high are not two whole numbers each")
        return None
    ncols, nrows = hx - lx + 1, hy - ly + 1
    if ncols < 1 or nrows < 1 or not (north > south and east > west):
        _bad(res, name, "GridEnvelope", f"empty grid ({ncols} × {nrows} cells, corners "
             f"{south}, {west} – {north}, {east})")
        return None
    if not (JAPAN_LAT[0] <= south and north <= JAPAN_LAT[1]
            and JAPAN_LON[0] <= west and east <= JAPAN_LON[1]):
        res.add(None, "", "outside_japan", f"{south}, {west}", f"{name}: the mesh is outside "
                "Japan (lat 20–46, lon 122–154)")
        return None
    if ncols * nrows > limits.max_dem_cells:
        res.add(None, "", "too_many_cells", f"{ncols * nrows:,}", f"{name}: {ncols} × "
                f"{nrows} cells; the limit is {limits.max_dem_cells:,}")
        return None
    order = rule.get("order") if rule is not None else "+x-y"
    if order != "+x-y":
        _bad(res, name, f"sequenceRule {order}", f"cell order {order!r} (only '+x-y' is "
             "defined for 基盤地図情報)")
        return None
    try:
        sx, sy = _ints(start.text, 2) if start is not None else (lx, ly)
    except ValueError:
        _bad(res, name, "startPoint", "startPoint is not two whole numbers")
        return None
    if not (lx <= sx <= hx and ly <= sy <= hy):
        _bad(res, name, "startPoint", f"startPoint {sx} {sy} is outside the grid")
        return None
    first = (sx - lx) + (sy - ly) * ncols
    parsed = _heights(tuples.text if tuples is not None else "", res, name,
                      ncols * nrows - first)
    if parsed is None:
        return None
    vals, point_types = parsed
    flat = np.full(ncols * nrows, np.nan, dtype=np.float32)
    flat[first:first + len(vals)] = vals
    m = re.search(r"DEM(\d+)([A-Z])", name, re.IGNORECASE)
    return {"name": name, "type": fields.get("type", ""), "mesh": fields.get("mesh", ""),
            "rank": m.group(2).upper() if m else "Z", "south": south, "west": west,
            "north": north, "east": east, "dlat": (north - south) / nrows,
            "dlon": (east - west) / ncols, "h": flat.reshape(nrows, ncols),
            "point_types": point_types}


def _heights(text, res, name, cells):
    """``tupleList`` text → (heights [m] with NaN for no data, Counter of 種別), or None
    (``bad_dem`` recorded) when it has more rows than ``cells``, a row is not
    ``種別,標高値`` or a height is beyond the Earth's (:func:`_in_range`).

    A 10 m mesh has 843,750 rows: the 種別 of the schema's list are counted and cut out as
    text and the numbers read by numpy at once; a file with other 種別 or a データなし row
    whose height is not -9999 takes the row-by-row way, which also names a bad row.
    """
    text = text or ""
    n_rows = len(text.split())
    if n_rows > cells:
        _bad(res, name, "tupleList", f"{n_rows:,} values for {cells:,} cells")
        return None
    counts, numbers = Counter(), text
    for kind in POINT_TYPES:
        n = numbers.count(kind + ",")
        if n:
            counts[kind] = n
            numbers = numbers.replace(kind + ",", " ")
    if "," not in numbers and sum(counts.values()) == n_rows:
        try:
            vals = np.fromstring(numbers, dtype=np.float64, sep=" ")
        except ValueError:
            vals = None
        if vals is not None and vals.size == n_rows and np.all(np.isfinite(vals)):
            if not counts.get(_NO_DATA_TYPE):
                vals[vals <= NO_DATA_M] = np.nan
                return (vals, counts) if _in_range(vals, res, name) else None
    rows = text.split()                           # row by row: other 種別, or a bad row
    kinds, _, values = zip(*(r.rpartition(",") for r in rows)) if rows else ((), (), ())
    try:
        vals = np.array(values, dtype=np.float64)
    except ValueError:
        bad = next(r for r in rows if not _is_number(r.rpartition(",")[2]))
        _bad(res, name, short(bad, 30), f"a height that is not a number: {short(bad)!r}")
        return None
    if any(k == "" for k in kinds) or not np.all(np.isfinite(vals)):
        bad = next((r for r, k, v in zip(rows, kinds, vals) if k == "" or not math.isfinite(v)))
        _bad(res, name, short(bad, 30), f"a row that is not '種別,標高値': {short(bad)!r}")
        return None
    kinds = np.array(kinds, dtype=object)
    vals[(vals <= NO_DATA_M) | (kinds == _NO_DATA_TYPE)] = np.nan
    return (vals, Counter(kinds.tolist())) if _in_range(vals, res, name) else None


def _in_range(vals, res, name) -> bool:
    """True when every height (NaN: no data) is within :data:`MIN_HEIGHT_M` …
    :data:`MAX_HEIGHT_M`; else ``bad_dem`` naming the first one is recorded."""
    far = (vals < MIN_HEIGHT_M) | (vals > MAX_HEIGHT_M)     # False for NaN
    if not far.any():
        return True
    v = float(vals[far][0])
    _bad(res, name, f"{v:g} m", f"a height of {v:g} m is outside {MIN_HEIGHT_M:,.0f} … "
         f"{MAX_HEIGHT_M:,.0f} m")
    return False


def _is_number(text) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _mosaic(meshes, res, limits):
    """Meshes → one :class:`Terrain` on ``res.terrain`` (or a fatal problem)."""
    from ...engine.visibility import Terrain
    meshes = sorted(meshes, key=lambda m: (m["rank"], m["name"]))
    ref = meshes[0]
    dlat, dlon = ref["dlat"], ref["dlon"]
    for m in meshes[1:]:
        if not (math.isclose(m["dlat"], dlat, rel_tol=_SPACING_RTOL)
                and math.isclose(m["dlon"], dlon, rel_tol=_SPACING_RTOL)):
            res.add(None, "", "dem_mixed_resolution", f"{ref['name']}, {m['name']}",
                    f"cells of {dlat * 3600:.2f}″ × {dlon * 3600:.2f}″ ({ref['name']}) and "
                    f"{m['dlat'] * 3600:.2f}″ × {m['dlon'] * 3600:.2f}″ ({m['name']}): "
                    "import one cell size at a time")
            return
    north = max(m["north"] for m in meshes)
    south = min(m["south"] for m in meshes)
    west = min(m["west"] for m in meshes)
    east = max(m["east"] for m in meshes)
    nrows, ncols = round((north - south) / dlat), round((east - west) / dlon)
    if nrows * ncols > limits.max_dem_cells:
        res.add(None, "", "too_many_cells", f"{nrows * ncols:,}", f"the meshes span {ncols} × "
                f"{nrows} cells; the limit is {limits.max_dem_cells:,}")
        return
    out = np.full((nrows, ncols), np.nan, dtype=np.float32)
    for m in meshes:
        r, c = (north - m["north"]) / dlat, (m["west"] - west) / dlon
        if abs(r - round(r)) > 0.1 or abs(c - round(c)) > 0.1:
            res.add(None, "", "bad_dem", m["name"], f"{m['name']} is not aligned with the "
                    f"grid of {ref['name']} (offset {r:.2f}, {c:.2f} cells)")
            return
        r, c = round(r), round(c)
        h = m["h"][: nrows - r, : ncols - c]
        target = out[r:r + h.shape[0], c:c + h.shape[1]]
        empty = np.isnan(target)
        target[empty] = h[empty]
    nodata = int(np.isnan(out).sum())
    if nodata == out.size:
        res.add(None, "", "bad_dem", "no heights", "no cell has a height (all データなし / "
                "-9999)")
        return
    res.terrain = Terrain(out, lat_north=north - dlat / 2, lon_west=west + dlon / 2,
                          dlat_deg=dlat, dlon_deg=dlon)
    if nodata:
        res.add(None, "", "dem_no_data", str(nodata), f"{nodata:,} of {out.size:,} cells have "
                "no height (sea, water or not surveyed); they are read as 0 m")
    types, points = Counter(), Counter()
    for m in meshes:
        types[m["type"] or "?"] += 1
        points.update(m["point_types"])
    res.meta.update(
        meshes=list(dict.fromkeys(m["mesh"] for m in meshes if m["mesh"])),
        dem_types=dict(types),
        point_types=dict(points), shape=(nrows, ncols), cell_deg=(dlat, dlon),
        bounds=(south, west, north, east), nodata_cells=nodata,
        height_range_m=(float(np.nanmin(out)), float(np.nanmax(out))))


def read_terrain(data: bytes, filename: str = "", *, limits: Limits | None = None
                 ) -> ImportResult:
    """Read ground heights from a 基盤地図情報 DEM (GML or .zip, :func:`read_dem`) or a
    geographic single-band GeoTIFF (e.g. a 地理院 DEM converted by GIS software,
    :meth:`~assessments.engine.visibility.Terrain.from_geotiff`).

    Returns
    -------
    ImportResult
        ``terrain``, or a fatal problem: those of :func:`read_dem`, ``too_large``,
        ``not_georeferenced`` (no GeoTIFF tags), ``terrain_projected`` (a projected
        GeoTIFF: export it in lat/lon), ``bad_tiff`` (not a readable TIFF), ``too_many_cells``.
    """
    if not filename.lower().endswith((".tif", ".tiff")):
        return read_dem(data, filename, limits=limits)
    import io

    import tifffile

    from ...engine.visibility import Terrain
    limits = limits or Limits()
    res = new_result(limits, format="geotiff-dem", name=filename)
    if len(data) > limits.max_geo_bytes:
        res.add(None, "", "too_large", f"{len(data):,} B",
                f"larger than {limits.max_geo_bytes:,} bytes")
        return res.finish()
    try:
        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            shape = tif.pages[0].shape
        if int(np.prod(shape[:2])) > limits.max_dem_cells:
            res.add(None, "", "too_many_cells", f"{shape[1]} × {shape[0]}",
                    f"the limit is {limits.max_dem_cells:,} cells")
            return res.finish()
        res.terrain = Terrain.from_geotiff(io.BytesIO(data))
    # what tifffile raises on a damaged file (TypeError: a tag of the wrong count or type;
    # NotImplementedError: a bit depth it cannot unpack)
    except (tifffile.TiffFileError, IndexError, KeyError, TypeError, NotImplementedError,
            struct_error) as exc:
        res.add(None, "", "bad_tiff", short(str(exc)), "not a readable TIFF")
    except ValueError as exc:
        code = "terrain_projected" if "projected" in str(exc) else "not_georeferenced"
        res.add(None, "", code, "", str(exc))
    return res.finish()
