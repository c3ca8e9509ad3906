"""Polygons of buildings, areas and districts: cleaning and the feature properties.

Shared by the GeoJSON and CityGML readers: vertex limits, repair of invalid polygons
(``shapely.make_valid``), RFC 7946 winding [1]_, lat/lon swaps, Japan's extent, heights, and
the building id and home rules of :mod:`assessments.plan.buildings`.

References
----------
.. [1] RFC 7946, The GeoJSON Format (2016): lon/lat WGS 84 order, exterior rings
   counter-clockwise.
"""
from __future__ import annotations

import math

from shapely.errors import GEOSException

from assessments.plan.buildings import building_id, declared_id, home_status, usage_of

from .result import short
from .values import JAPAN_LAT, JAPAN_LON, parse_number, round_coords

__all__ = ["DEFAULT_BUILDING_HEIGHT_M", "HEIGHT_ALIASES", "SHAPE_ERRORS", "clean_polygon",
           "features_to_collection", "polygon_feature"]

#: Height given to a building without one [m] (two storeys; judgement), reported.
DEFAULT_BUILDING_HEIGHT_M = 6.0
#: Property keys of a building's height [m] in the files users have (PLATEAU
#: ``measuredHeight`` and its GeoJSON spellings, Japanese and English names), in order.
HEIGHT_ALIASES = ("height_m", "measuredHeight", "measured_height", "bldg:measuredHeight",
                  "計測高さ", "建物高さ", "高さ", "height", "HEIGHT", "Height")
#: What ``shapely.geometry.shape`` raises on junk coordinates (found by fuzzing nested
#: lists of numbers, text, None, NaN): wrong nesting or types (``TypeError``,
#: ``IndexError``, ``KeyError``), unreadable numbers or too few points (``ValueError``),
#: rings GEOS refuses (``GEOSException``), lists nested hundreds deep (``RecursionError``),
#: JSON integers too large for a float (``OverflowError``).
SHAPE_ERRORS = (TypeError, IndexError, KeyError, ValueError, OverflowError, GEOSException,
                RecursionError)



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


def clean_polygon(geom_dict, res, rownum, transformer=None):
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
    except SHAPE_ERRORS as exc:
        flat = str(geom_dict.get("coordinates"))
        if isinstance(exc, OverflowError) or "nan" in flat or "inf" in flat:
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
        try:
            fixed = _polygonal(make_valid(geom))
        except GEOSException:          # e.g. "Overlay input is mixed-dimension"
            fixed = None
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


def polygon_feature(geom, props: dict) -> dict:
    """A GeoJSON Feature of a shapely polygon, coordinates rounded to ``COORD_DECIMALS``."""
    from shapely.geometry import mapping
    m = mapping(geom)
    return {"type": "Feature", "geometry": {"type": m["type"],
                                             "coordinates": round_coords(m["coordinates"])},
            "properties": props}


def _height_from(props: dict):
    """``(key, value)`` of the first height attribute (``HEIGHT_ALIASES``), or
    ``(None, None)``."""
    for k in HEIGHT_ALIASES:
        if k in props and props[k] not in (None, ""):
            return k, props[k]
    return None, None


def features_to_collection(feats, res, *, kind, default_height_m, transformer, limits):
    """GeoJSON-like features → ``res.collection`` of cleaned polygons.

    ``kind`` ``"buildings"`` keeps one feature per building with ``id``
    (:func:`assessments.plan.buildings.building_id`), ``height_m`` [m], and, when known,
    ``is_home`` (:func:`assessments.plan.buildings.home_status`), ``usage``, ``name``,
    ``gml_id``; ``"districts"`` one per district; ``"area"`` merges everything into one.
    """
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
        geom = clean_polygon(geom_dict, res, n, transformer)
        if geom is None:
            res.skipped.append(n)
            continue
        props = f.get("properties") if isinstance(f.get("properties"), dict) else {}
        newp = {}
        newp["id"] = short(building_id(f, n - 1), 60)
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
                    res.add(n, key, "bad_height", hv, f"height {short(repr(hv))} not usable; "
                            f"{default_height_m} m used")
                    h = None
            if h is None:
                h = float(default_height_m)
                if key is None:
                    res.add(n, "height_m", "default_height", "", f"no height; "
                            f"{default_height_m} m used")
                res.defaults_applied["height_m"] = res.defaults_applied.get("height_m", 0) + 1
            newp["height_m"] = round(float(h), 3)
            home = home_status(props)
            if home is not None:
                newp["is_home"] = home
            _, usage = usage_of(props)
            if usage is not None:
                newp["usage"] = str(usage)
            if props.get("name") or props.get("名称"):
                newp["name"] = str(props.get("name") or props.get("名称"))
        else:
            if props.get("name") or props.get("名称"):
                newp["name"] = str(props.get("name") or props.get("名称"))
            if kind == "districts" and declared_id(f) is None:
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
        res.collection = {"type": "FeatureCollection", "features": [polygon_feature(union, props)]}
    else:
        res.collection = {"type": "FeatureCollection",
                          "features": [polygon_feature(g, p) for g, p in out]}
    res.meta["features"] = len(res.collection["features"])
