"""基盤地図情報 基本項目 (国土地理院 Fundamental Geospatial Data, JPGIS (GML) format): the
base map a municipality downloads for free, as buildings and line / point / area layers.

A download is one GML file per 2nd mesh and item (``FG-GML-533946-RdEdg-20230101-0001.xml``)
or a .zip of such files (see :mod:`.archive`). Every file is a ``Dataset`` (namespace
``http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema``) whose children are features [1]_ [2]_:

=============  ====================  ===================  ============================
class          名称                  geometry             read into
=============  ====================  ===================  ============================
``RdEdg``      道路縁                ``loc`` gml:Curve    layer ``roads``
``RdCompt``    道路構成線            ``loc`` gml:Curve    layer ``roads``
``RailCL``     軌道の中心線          ``loc`` gml:Curve    layer ``rail``
``WL``         水涯線                ``loc`` gml:Curve    layer ``water``
``Cstline``    海岸線                ``loc`` gml:Curve    layer ``water``
``AdmBdry``    行政区画界線          ``loc`` gml:Curve    layer ``boundaries``
``CommBdry``   町字界線              ``loc`` gml:Curve    layer ``boundaries``
``AdmArea``    行政区画              ``area`` gml:Surface layer ``admin_areas``
``CommPt``     町字の代表点          ``pos`` gml:Point    layer ``towns``
``BldA``       建築物                ``area`` gml:Surface buildings
``BldL``       建築物の外周線        ``loc`` gml:Curve    buildings (closed outlines)
=============  ====================  ===================  ============================

Each feature has ``fid`` (基盤地図情報レコードID, kept across updates), ``type`` (種別),
optional ``name`` and ``vis`` (表示区分 表示 / 非表示). Coordinates: ``srsName``
``fguuid:jgd2011.bl`` (JGD2011 latitude, longitude [°]; ``fguuid:jgd2000.bl`` in data
made before 2014, read as JGD2011 with an ``old_datum`` warning) with ``gml:posList`` /
``gml:pos`` in the order **latitude longitude** [1]_; output is GeoJSON longitude,
latitude. A curve may have several ``LineStringSegment``; a surface is
``gml:Surface/gml:patches/gml:PolygonPatch`` with ``gml:exterior`` / ``gml:interior``
rings made of ``gml:curveMember`` curves.

Buildings: ``BldA`` polygons where the file has them, else the closed ``BldL`` outlines
(first point = last point); outlines that do not close on their own are joined where
they close together (``shapely.ops.polygonize``), the rest reported (``open_outline``).
An outline of a building already given as ``BldA`` (its ``surfA`` link, or lying inside
it) is not counted twice. FGD has no building height: every building gets
``building_height_m`` — one height, or one per 建物種別 (``BUILDING_TYPES``, the
enumeration 建物種別列挙型 of [2]_); the 種別 is kept as ``building_type``.

町字 (``towns``): ``CommPt`` points with ``name`` and ``code`` (行政コード); and
``town_areas``, the faces the ``CommBdry`` / ``AdmBdry`` lines enclose that hold exactly
one ``CommPt`` (a 町字 cut by the edge of the downloaded meshes has no closed face).

References
----------
.. [1] 国土交通省国土地理院, 基盤地図情報ダウンロードデータ ファイル仕様書 第4.1版
   (平成28年10月; 第5.0版 2023): 応用スキーマ (基盤地図情報地物 fid / lfSpanFr /
   devDate / orgGILvl / vis; 道路縁, 道路構成線, 軌道の中心線, 水涯線, 行政区画,
   行政区画界線, 町字界線, 町字の代表点, 建築物, 建築物の外周線), 符号化規則 (JPGIS
   2014 GML, 座標参照系 JGD2011 緯度・経度), https://fgd.gsi.go.jp/download/ref_kihon.html
.. [2] 国土交通省国土地理院, 基盤地図情報 XML スキーマ定義ファイル FGD_GMLSchema.xsd
   Ver4.x (targetNamespace http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema; 建物種別列挙型:
   普通建物, 堅ろう建物, 普通無壁舎, 堅ろう無壁舎, その他, 不明),
   https://fgd.gsi.go.jp/otherdata/spec/FGD_GMLSchema.xsd
"""
from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Mapping


from .archive import XML_PARSER_OPTIONS, each_gml, gml_files, refuse_doctype, split_tag
from .polygons import (COST_MESSAGES, DEFAULT_BUILDING_HEIGHT_M, SHAPE_ERRORS, clean_polygon,
                       features_to_collection, lines_cost, polygon_feature)
from .result import ImportResult, Limits, new_result
from .values import COORD_DECIMALS, JAPAN_LAT, JAPAN_LON

__all__ = ["BUILDING_TYPES", "FGD_NS", "LAYER_CLASSES", "read_fgd"]

FGD_NS = "http://fgd.gsi.go.jp/spec/2008/FGD_GMLSchema"
_GML_NS = "http://www.opengis.net/gml/3.2"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_GML_ID = f"{{{_GML_NS}}}id"
_POSITIONS = tuple(f"{{{_GML_NS}}}{t}" for t in ("posList", "pos", "coordinates"))
#: 建物種別列挙型 of FGD_GMLSchema.xsd [2]_, the keys of a per-type ``building_height_m``.
BUILDING_TYPES = ("普通建物", "堅ろう建物", "普通無壁舎", "堅ろう無壁舎", "その他", "不明")
#: Line layers and the feature classes read into each.
LAYER_CLASSES = {"roads": ("RdEdg", "RdCompt"), "rail": ("RailCL",),
                 "water": ("WL", "Cstline"), "boundaries": ("AdmBdry", "CommBdry")}
_LINE_LAYER = {cls: layer for layer, classes in LAYER_CLASSES.items() for cls in classes}
#: ``srsName`` → datum of the geographic (latitude, longitude) systems FGD uses [1]_.
_SRS = {"fguuid:jgd2011.bl": "JGD2011", "fguuid:jgd2000.bl": "JGD2000"}
#: Most boundary vertices joined into 町字 faces (polygonize is O(n log n) but holds the
#: noded lines in memory).
_MAX_POLYGONIZE_VERTICES = 500_000


def _height_table(building_height_m):
    """``building_height_m`` → ``(function type → height [m], {type: height} for meta)``."""
    def check(h, what):
        if isinstance(h, bool) or not isinstance(h, (int, float)) or not math.isfinite(h) \
                or not 0 < h < 1000:
            raise ValueError(f"{what} must be a height in (0, 1000) m, got {h!r}")
        return float(h)
    if isinstance(building_height_m, Mapping):
        table = {str(k): check(v, f"building_height_m[{k!r}]")
                 for k, v in building_height_m.items()}
        return (lambda t: table.get(t, DEFAULT_BUILDING_HEIGHT_M)), table
    h = check(building_height_m, "building_height_m")
    return (lambda t: h), {}


def read_fgd(data: bytes, filename: str = "", *, limits: Limits | None = None,
             building_height_m: float | Mapping = DEFAULT_BUILDING_HEIGHT_M) -> ImportResult:
    """Read 基盤地図情報 基本項目 GML (one file or a .zip of files) [1]_.

    Parameters
    ----------
    data : bytes
        An ``FG-GML-…-<class>-….xml`` file, or a .zip of them (nested .zip one level
        deep), as downloaded from the 基盤地図情報 download service.
    filename : str
        The upload's name (messages and ``meta["files"]``).
    limits : Limits, optional
        Bytes (``max_geo_bytes``; unpacked: ``max_uncompressed_bytes``,
        ``max_compression_ratio``, ``max_zip_members``), features (``max_features``, all
        files together), vertices (``max_vertices_per_feature`` — a bigger feature is
        skipped and reported — and ``max_vertices_total``).
    building_height_m : float or mapping, default ``DEFAULT_BUILDING_HEIGHT_M``
        Height given to every building [m] (FGD has none), or ``{建物種別: height}``
        (``BUILDING_TYPES``; a type not in the mapping gets ``DEFAULT_BUILDING_HEIGHT_M``).
        Each height must be in (0, 1000) m, else ``ValueError``.

    Returns
    -------
    ImportResult
        ``collection``: the buildings (FeatureCollection in lon/lat, as
        :func:`read_geojson` ``kind="buildings"``: ``id`` = the ``fid``, ``gml_id``,
        ``height_m`` [m], ``building_type``, ``name``), or ``None`` without buildings.
        ``layers``: the non-empty ones of ``roads``, ``rail``, ``water``, ``boundaries``
        (LineString features with ``class``, ``type``, ``name``, ``vis``, ``fid``,
        ``gml_id``), ``admin_areas`` (polygons with ``name``, ``code``, ``type``),
        ``towns`` (CommPt points with ``name``, ``code``, ``type``) and ``town_areas``
        (polygons with the ``name`` / ``code`` of the one CommPt inside). ``meta``:
        ``files``, ``crs``, ``counts`` (features read per class), ``ignored`` (classes
        not used), ``building_types`` (buildings per 種別), ``heights_by_type``,
        ``outlines`` (BldL: ``closed``, ``joined``, ``open_unused``, ``duplicate`` of a
        BldA, ``inner`` = courtyard outlines made holes).
        A fatal problem when nothing usable was found.

    Raises
    ------
    ValueError
        Only for an invalid ``building_height_m``.
    """
    height_of, table = _height_table(building_height_m)
    limits = limits or Limits()
    res = new_result(limits, format="fgd", kind="basemap")
    files = gml_files(data, filename, res, limits)
    if files is None:
        return res.finish()
    from lxml import etree
    acc = _Acc()
    if not each_gml(files, res,
                    lambda name, blob: _parse_file(name, blob, res, limits, acc, etree)):
        return res.finish()
    res.meta["counts"] = dict(acc.counts)
    if acc.ignored:
        res.meta["ignored"] = dict(acc.ignored)
        res.add(None, "", "ignored_features", ", ".join(f"{k}×{v}" for k, v in
                                                        sorted(acc.ignored.items())),
                "feature classes not used by the planner were skipped")
    datums = sorted(acc.datums) or ["JGD2011"]
    res.meta["crs"] = "+".join(datums) + " (latitude, longitude)"
    if "JGD2000" in acc.datums:
        res.add(None, "srsName", "old_datum", "fguuid:jgd2000.bl", "JGD2000 coordinates "
                "were read as JGD2011 (they differ by up to a few metres in eastern Japan)")
    _build_buildings(acc, res, limits, height_of)
    if table:
        res.meta["heights_by_type"] = table
    _build_layers(acc, res)
    if res.ok and res.collection is None and not res.layers:
        outside = sum(1 for p in res.problems if p.code == "outside_japan")
        if outside:
            res.add(None, "", "outside_japan", str(outside), "every feature is outside "
                    "Japan (lat 20–46, lon 122–154)")
        else:
            res.add(None, "", "no_features", "", "no road, rail, water, boundary, town or "
                    "building feature could be read")
    return res.finish()


class _Acc:
    """What the files hold, gathered before the layers are built."""

    def __init__(self):
        self.lines = {layer: [] for layer in LAYER_CLASSES}
        self.admin_areas, self.points, self.bld_a, self.bld_l = [], [], [], []
        self.counts, self.ignored, self.datums = Counter(), Counter(), set()
        self.n_features = 0
        self.n_vertices = 0


def _parse_file(name, data, res, limits, acc, etree) -> bool:
    """Read one GML document into ``acc``; False after a fatal problem."""
    if refuse_doctype(data, res):
        return False
    ctx = etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=False,
                          **XML_PARSER_OPTIONS)
    depth = 0
    for event, elem in ctx:
        if event == "start":
            depth += 1
            if depth == 1:
                ns, local = split_tag(elem.tag)
                if local != "Dataset" or ns not in (FGD_NS, ""):
                    res.add(None, "", "not_fgd", local or str(elem.tag), f"{name}: the root "
                            f"element is {local!r}, not the 基盤地図情報 Dataset")
                    return False
            continue
        depth -= 1
        if depth != 1:
            continue
        ns, local = split_tag(elem.tag)
        if ns in (FGD_NS, "") and local:
            if local in ("DEM", "DGHM"):
                res.add(None, "", "fgd_is_dem", name, f"{name} is an elevation model (DEM); "
                        "import it as terrain")
                return False
            acc.n_features += 1
            if acc.n_features > limits.max_features:
                res.add(None, "", "too_many_features", str(limits.max_features),
                        f"more than {limits.max_features:,} features (the limit)")
                return False
            if not _feature(elem, local, name, res, limits, acc):
                return False
        elem.clear()
        parent = elem.getparent()
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
    if depth != 0:                       # iterparse stops quietly only on complete input
        res.add(None, "", "bad_xml", name, f"{name} ends before its last element")
        return False
    return True


def _children(elem) -> dict:
    """``{local name: element}`` of the FGD children of a feature (first of each)."""
    out = {}
    for c in elem:
        tag = c.tag
        if isinstance(tag, str):
            ns, _, local = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
            if ns in (FGD_NS, "") and local not in out:
                out[local] = c
    return out


def _feature(elem, cls, fname, res, limits, acc) -> bool:
    """One feature element into ``acc``; False only for a fatal problem."""
    if cls in _LINE_LAYER or cls == "BldL":
        geom_key, kind = "loc", "curve"
    elif cls in ("AdmArea", "BldA"):
        geom_key, kind = "area", "surface"
    elif cls == "CommPt":
        geom_key, kind = "pos", "point"
    else:
        acc.ignored[cls] += 1
        return True
    acc.counts[cls] += 1
    row = acc.n_features
    kids = _children(elem)
    geom_el = kids.get(geom_key)
    gml_id = elem.get(_GML_ID) or ""
    props = {"class": cls, "gml_id": gml_id}
    for key, local in (("fid", "fid"), ("type", "type"), ("name", "name"), ("vis", "vis"),
                       ("code", "admCode")):
        el = kids.get(local)
        v = (el.text or "").strip() if el is not None else ""
        if v:
            props[key] = v
    label = gml_id or props.get("fid", "")
    if geom_el is None:
        res.add(row, "geometry", "invalid_geometry", label, f"{fname}: {cls} {label} has "
                "no geometry")
        return True
    srs = next((e.get("srsName") for e in geom_el.iter() if e.get("srsName")), None)
    if srs is not None:
        datum = _SRS.get(srs.strip().lower())
        if datum is None:
            res.add(None, "srsName", "unknown_crs", srs, f"{fname}: srsName {srs!r} is not "
                    "JGD2011 / JGD2000 latitude, longitude")
            return False
        acc.datums.add(datum)
    parts = _geometry_parts(geom_el, kind)      # lists of token lists (file order)
    nv = sum(len(t) for part in parts for t in part) // 2
    acc.n_vertices += nv
    if acc.n_vertices > limits.max_vertices_total:
        res.add(None, "", "too_many_vertices_total", str(limits.max_vertices_total),
                f"more than {limits.max_vertices_total:,} vertices (the limit)")
        return False
    if nv > limits.max_vertices_per_feature:
        res.add(row, "geometry", "too_many_vertices", str(nv), f"{fname}: {cls} {label} has "
                f"{nv:,} vertices (the limit is {limits.max_vertices_per_feature:,}); skipped")
        res.skipped.append(row)
        return True
    try:
        rings = [[_latlon_pairs(tokens) for tokens in part] for part in parts]
    except ValueError as exc:
        code = "not_finite" if "finite" in str(exc) else "invalid_geometry"
        res.add(row, "geometry", code, label, f"{fname}: {cls} {label}: {exc}")
        res.skipped.append(row)
        return True
    rec = {"row": row, "props": props, "file": fname}
    if kind == "point":
        pts = rings[0][0] if rings and rings[0] else []
        if len(pts) != 1:
            res.add(row, "geometry", "invalid_geometry", label, f"{fname}: {cls} {label}: "
                    "expected one position")
            res.skipped.append(row)
            return True
        rec["latlon"] = pts
        acc.points.append(rec)
    elif kind == "curve":
        line = [p for part in rings for ring in part for p in ring]
        line = [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]
        if len(line) < 2:
            res.add(row, "geometry", "invalid_geometry", label, f"{fname}: {cls} {label}: "
                    "a line needs two distinct points")
            res.skipped.append(row)
            return True
        rec["latlon"] = line
        if cls == "BldL":
            surf = kids.get("surfA")
            if surf is not None and surf.get(_XLINK_HREF):
                rec["surfA"] = surf.get(_XLINK_HREF).lstrip("#")
            acc.bld_l.append(rec)
        else:
            acc.lines[_LINE_LAYER[cls]].append(rec)
    else:
        rec["polys"] = rings                    # [[exterior, interior…], …] lat/lon
        (acc.bld_a if cls == "BldA" else acc.admin_areas).append(rec)
    return True


def _geometry_parts(geom_el, kind):
    """Position tokens of a geometry property, file order.

    Curve → ``[[tokens of each posList / pos in order]]`` (one part); surface → one part
    per ``PolygonPatch`` / ``Polygon`` with the tokens of its exterior, then interiors.
    """
    def tokens_under(el):
        out = []
        for e in el.iter(*_POSITIONS):
            out.extend((e.text or "").replace(",", " ").split())
        return out
    if kind != "surface":
        return [[tokens_under(geom_el)]]
    parts = []
    for patch in geom_el.iter():
        ns, lo = split_tag(patch.tag)
        if ns != _GML_NS or lo not in ("PolygonPatch", "Polygon"):
            continue
        ext, ints = None, []
        for c in patch:
            cns, clo = split_tag(c.tag)
            if clo == "exterior":
                ext = tokens_under(c)
            elif clo == "interior":
                ints.append(tokens_under(c))
        if ext:
            parts.append([ext] + ints)
    return parts


def _latlon_pairs(tokens):
    """Tokens ``lat lon lat lon …`` → ``[(lat, lon), …]`` with consecutive duplicates
    dropped; ``ValueError`` for text, non-finite numbers or an odd count."""
    if len(tokens) % 2:
        raise ValueError(f"an odd number of coordinates ({len(tokens)})")
    try:
        vals = [float(t) for t in tokens]
    except ValueError:
        raise ValueError("coordinates that are not numbers") from None
    if not all(math.isfinite(v) for v in vals):
        raise ValueError("coordinates that are not finite")
    pts = list(zip(vals[0::2], vals[1::2]))
    return [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]


def _in_japan(lats, lons) -> bool:
    return (JAPAN_LAT[0] <= min(lats) and max(lats) <= JAPAN_LAT[1]
            and JAPAN_LON[0] <= min(lons) and max(lons) <= JAPAN_LON[1])


def _lonlat(latlon, res, row, label):
    """(lat, lon) pairs → ``[[lon, lat], …]`` rounded to ``COORD_DECIMALS``, inside Japan,
    or None (reported); a file with longitude first is swapped back with a warning."""
    lats = [p[0] for p in latlon]
    lons = [p[1] for p in latlon]
    if not _in_japan(lats, lons):
        if _in_japan(lons, lats):
            lats, lons = lons, lats
            res.add(row, "geometry", "swapped_lat_lon", label, "coordinates were longitude, "
                    "latitude; FGD is latitude, longitude — swapped")
        else:
            res.add(row, "geometry", "outside_japan", f"{lats[0]}, {lons[0]}",
                    f"{label}: coordinates are outside Japan (lat 20–46, lon 122–154)")
            res.skipped.append(row)
            return None
    # the rounding of round_coords, without its recursion (features have 2-D lists)
    return [[round(lo, COORD_DECIMALS), round(la, COORD_DECIMALS)]
            for la, lo in zip(lats, lons)]


def _polygon_dict(polys):
    """Lat/lon polygons → a GeoJSON (Multi)Polygon dict in lon/lat (not yet checked)."""
    coords = [[[[lon, lat] for lat, lon in ring] for ring in poly] for poly in polys]
    if len(coords) == 1:
        return {"type": "Polygon", "coordinates": coords[0]}
    return {"type": "MultiPolygon", "coordinates": coords}


def _closed(line) -> bool:
    return len(line) >= 4 and math.isclose(line[0][0], line[-1][0], abs_tol=1e-9) \
        and math.isclose(line[0][1], line[-1][1], abs_tol=1e-9)


def _build_buildings(acc, res, limits, height_of):
    """BldA polygons, closed BldL outlines and outlines joined → ``res.collection``."""
    from shapely.geometry import LineString, shape
    from shapely.ops import polygonize, unary_union
    feats, kinds, rows = [], [], []

    def add(props, geom_dict, row):
        t = props.get("type")
        p = {"id": props.get("fid") or props.get("gml_id") or None,
             "gml_id": props.get("gml_id", ""), "height_m": height_of(t)}
        if p["id"] is None:
            del p["id"]
        if props.get("name"):
            p["name"] = props["name"]
        feats.append({"type": "Feature", "geometry": geom_dict, "properties": p})
        kinds.append(t)
        rows.append(row)

    area_ids = {rec["props"]["gml_id"] for rec in acc.bld_a}
    for rec in acc.bld_a:
        add(rec["props"], _polygon_dict(rec["polys"]), rec["row"])
    covered = _Shells([f["geometry"] for f in feats])
    outlines = Counter()
    polys, open_lines = [], []          # (props, shapely polygon, row) of outlines
    for rec in acc.bld_l:
        if rec.get("surfA") in area_ids:
            outlines["duplicate"] += 1
        elif not _closed(rec["latlon"]):
            open_lines.append(rec)
        else:
            try:
                g = shape(_polygon_dict([[rec["latlon"]]]))
            except SHAPE_ERRORS:
                g = None
            if g is not None and covered.holds(g):
                outlines["duplicate"] += 1
            else:
                outlines["closed"] += 1
                polys.append((rec["props"], g, rec["row"], rec["latlon"]))
    if open_lines:
        lines = [LineString([(lon, lat) for lat, lon in r["latlon"]]) for r in open_lines]
        from shapely.strtree import STRtree
        ltree = STRtree(lines)
        used = set()
        over = lines_cost(lines)        # bounded before joining: faces grow with crossings
        if over is not None:
            code, limit = over
            # the rest of the file stays usable (as with outlines that never close)
            res.add(None, "BldL", code, f"{limit:,}", "building outlines (BldL) that do not "
                    "close: " + COST_MESSAGES[code].format(limit=limit), severity="warning")
        for face in polygonize(unary_union(lines)) if over is None else ():
            idx = sorted(int(i) for i in
                         ltree.query(face.boundary.buffer(1e-9), predicate="contains"))
            used.update(idx)
            if covered.holds(face):
                outlines["duplicate"] += 1
                continue
            first = open_lines[idx[0] if idx else 0]
            types = {open_lines[i]["props"].get("type") for i in idx}
            props = {"fid": first["props"].get("fid"),
                     "gml_id": first["props"].get("gml_id", "")}
            if len(types) == 1:
                props["type"] = types.pop()
            outlines["joined"] += 1
            polys.append((props, face, first["row"], None))
        unused = len(open_lines) - len(used)
        if unused:
            outlines["open_unused"] = unused
            res.add(None, "BldL", "open_outline", str(unused), f"{unused} building outlines "
                    "(BldL) do not close and were left out")
    polys, inner = _courtyards(polys)
    if inner:
        outlines["inner"] = inner
    from shapely.geometry import mapping
    for props, g, row, latlon in polys:
        # an outline as written (cleaned and reported below), a joined or holed one as made
        add(props, _polygon_dict([[latlon]]) if latlon is not None else mapping(g), row)
    if outlines:
        res.meta["outlines"] = dict(outlines)
    if not feats:
        return
    sub = new_result(limits)
    features_to_collection(feats, sub, kind="buildings",
                           default_height_m=DEFAULT_BUILDING_HEIGHT_M, transformer=None,
                           limits=limits)
    # problems and skips of the n-th building are told on the feature's own row
    for p in sub.problems:
        if p.code != "no_buildings":    # the base map may still have its other layers
            res.add(rows[p.row - 1] if p.row else None, p.field, p.code, p.value,
                    p.message, p.severity)
    res.skipped.extend(rows[n - 1] for n in sub.skipped)
    if sub.collection is None:
        return
    skipped = set(sub.skipped)
    kept = [kinds[i] for i in range(len(feats)) if i + 1 not in skipped]
    counts = Counter()
    for f, t in zip(sub.collection["features"], kept):
        if t:
            f["properties"]["building_type"] = t
        counts[t or "?"] += 1
    res.collection = sub.collection
    res.meta["buildings"] = len(sub.collection["features"])
    res.meta["building_types"] = dict(counts)


class _Shells:
    """The outer shells (holes filled) of the BldA polygons, to find the outlines (BldL)
    of buildings the file already gives as areas."""

    def __init__(self, geom_dicts):
        from shapely.geometry import Polygon, shape
        from shapely.strtree import STRtree
        self.shells = []
        for d in geom_dicts:
            try:
                g = shape(d)
            except SHAPE_ERRORS:
                continue
            for part in getattr(g, "geoms", [g]):
                shell = Polygon(part.exterior)
                if shell.is_valid and shell.area > 0:
                    self.shells.append(shell)
        self.tree = STRtree(self.shells) if self.shells else None

    def holds(self, geom) -> bool:
        """True when at least half of ``geom``'s area lies inside one shell (an outer
        outline or a courtyard outline of a BldA)."""
        if self.tree is None or geom is None or not geom.is_valid or geom.area <= 0:
            return False
        for i in self.tree.query(geom):
            if geom.intersection(self.shells[int(i)]).area >= 0.5 * geom.area:
                return True
        return False


def _courtyards(polys):
    """Outlines inside another outline become its holes (a courtyard's outline is a closed
    BldL of its own); identical outlines are kept once. Returns ``(polys, n_inner)``."""
    from shapely.strtree import STRtree
    valid = [i for i, (_p, g, _r, _l) in enumerate(polys)
             if g is not None and g.is_valid and g.area > 0]
    if len(valid) < 2:
        return polys, 0
    geoms = [polys[i][1] for i in valid]
    tree = STRtree(geoms)
    holes, drop = {}, set()
    for k in sorted(range(len(valid)), key=lambda k: geoms[k].area):
        if k in drop:
            continue
        outer = [int(j) for j in tree.query(geoms[k], predicate="within")
                 if int(j) != k and int(j) not in drop]
        if not outer:
            continue
        j = min(outer, key=lambda j: geoms[j].area)
        drop.add(k)
        if geoms[k].area < 0.99 * geoms[j].area:
            holes.setdefault(j, []).append(geoms[k])
    out = []
    for k, i in enumerate(valid):
        if k in holes:
            g = geoms[k]
            for h in holes[k]:
                g = g.difference(h)
            polys[i] = (polys[i][0], g, polys[i][2], None)
    keep = {valid[k] for k in drop}
    out = [p for i, p in enumerate(polys) if i not in keep]
    return out, len(drop)


def _build_layers(acc, res):
    """Lines, administrative areas, 町字 points and faces → ``res.layers``."""
    for layer, recs in acc.lines.items():
        feats = []
        for rec in recs:
            coords = _lonlat(rec["latlon"], res, rec["row"], rec["props"]["gml_id"])
            if coords is None:
                continue
            feats.append({"type": "Feature",
                          "geometry": {"type": "LineString", "coordinates": coords},
                          "properties": _layer_props(rec["props"])})
        if feats:
            res.layers[layer] = {"type": "FeatureCollection", "features": feats}
    areas = []
    for rec in acc.admin_areas:
        geom = clean_polygon(_polygon_dict(rec["polys"]), res, rec["row"])
        if geom is None:
            res.skipped.append(rec["row"])
            continue
        areas.append(polygon_feature(geom, _layer_props(rec["props"])))
    if areas:
        res.layers["admin_areas"] = {"type": "FeatureCollection", "features": areas}
    towns = []
    for rec in acc.points:
        coords = _lonlat(rec["latlon"], res, rec["row"], rec["props"]["gml_id"])
        if coords is None:
            continue
        towns.append({"type": "Feature", "geometry": {"type": "Point",
                                                       "coordinates": coords[0]},
                      "properties": _layer_props(rec["props"])})
    if towns:
        res.layers["towns"] = {"type": "FeatureCollection", "features": towns}
        faces = _town_faces(res.layers.get("boundaries"), towns, res)
        if faces:
            res.layers["town_areas"] = {"type": "FeatureCollection", "features": faces}
    res.meta["layers"] = {k: len(v["features"]) for k, v in res.layers.items()}


def _layer_props(props):
    return {k: v for k, v in props.items() if k in ("class", "type", "name", "vis", "fid",
                                                     "gml_id", "code")}


def _town_faces(boundaries, towns, res):
    """Faces enclosed by the boundary lines that hold exactly one 町字 point; none, and
    a warning in ``res``, when the lines cross too often to be joined
    (:func:`~.polygons.lines_cost`)."""
    if boundaries is None:
        return []
    from shapely.geometry import LineString, Point
    from shapely.geometry.polygon import orient
    from shapely.ops import polygonize, unary_union
    from shapely.strtree import STRtree
    coords = [f["geometry"]["coordinates"] for f in boundaries["features"]]
    if sum(len(c) for c in coords) > _MAX_POLYGONIZE_VERTICES:
        return []
    lines = [LineString(c) for c in coords]
    over = lines_cost(lines)            # bounded before joining: faces grow with crossings
    if over is not None:
        code, limit = over
        res.add(None, "boundaries", code, f"{limit:,}", "町字 boundaries, not joined into "
                "areas: " + COST_MESSAGES[code].format(limit=limit), severity="warning")
        return []
    faces = list(polygonize(unary_union(lines)))
    if not faces:
        return []
    tree = STRtree(faces)
    inside = {}
    for t in towns:
        for i in tree.query(Point(t["geometry"]["coordinates"]), predicate="within"):
            inside.setdefault(int(i), []).append(t)
    out = []
    for i, pts in sorted(inside.items()):
        if len(pts) != 1:
            continue
        p = pts[0]["properties"]
        props = {k: p[k] for k in ("name", "code", "type") if k in p}
        out.append(polygon_feature(orient(faces[i], 1.0), props))
    return out
