"""PLATEAU CityGML building files (``bldg``): footprints and heights.

The footprint is ``bldg:lod0FootPrint`` (else ``lod0RoofEdge``, else the floor of the
``bldg:lod1Solid``), the height ``bldg:measuredHeight`` [m]; coordinates in EPSG:6697 with
posList order lat lon height [1]_. :func:`read_buildings` picks CityGML or GeoJSON by the
file.

References
----------
.. [1] 国土交通省 Project PLATEAU, 3D都市モデル標準製品仕様書, 建築物モデル
   (bldg:Building: lod0FootPrint / lod0RoofEdge, lod1Solid, measuredHeight; 建物ID as
   gen:stringAttribute), EPSG:6697 (JGD2011 lat, lon + 標高),
   https://www.mlit.go.jp/plateaudocument/ — as in ``tests/data/53395404_bldg_6697_op.gml``
   (新座市).
"""
from __future__ import annotations

import io
import re

from .archive import XML_PARSER_OPTIONS, refuse_doctype
from .geojson import read_geojson
from .polygons import DEFAULT_BUILDING_HEIGHT_M, features_to_collection
from .result import ImportResult, Limits, new_result, short

__all__ = ["read_buildings", "read_citygml"]

_BLDG_NS = ("http://www.opengis.net/citygml/building/2.0",
            "http://www.opengis.net/citygml/building/1.0",
            "http://www.opengis.net/citygml/building/3.0")


def _local(tag) -> str:
    """Local name of an lxml tag (``{ns}name`` → ``name``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag) -> str:
    """Namespace of an lxml tag (``{ns}name`` → ``ns``)."""
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
    res = new_result(limits, format="citygml", kind="buildings")
    try:
        data = bytes(data)
        if len(data) > limits.max_geo_bytes:
            res.add(None, "", "too_large", str(len(data)),
                    f"the file is {len(data):,} bytes; the limit is {limits.max_geo_bytes:,}")
            return res.finish()
        if not data.strip():
            res.add(None, "", "empty", "", "the file is empty")
            return res.finish()
        if refuse_doctype(data, res):
            return res.finish()
        feats = _parse_citygml(data, res, limits)
        if feats is None:
            return res.finish()
        if not feats:
            res.add(None, "", "no_buildings", "", "no bldg:Building with a footprint")
            return res.finish()
        features_to_collection(feats, res, kind="buildings",
                               default_height_m=default_height_m, transformer=None,
                               limits=limits)
    except ValueError as exc:      # a posList / srsDimension that is not a number
        res.unreadable(exc)
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
        ctx = etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=False,
                              **XML_PARSER_OPTIONS)
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
        res.add(None, "", "bad_xml", "", f"not well-formed XML ({short(str(exc))})")
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
        elif local == "usage" and _ns(child.tag) in _BLDG_NS and "usage" not in props:
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
