"""GeoJSON buildings, areas and districts (RFC 7946 [1]_; PLATEAU building GeoJSON).

References
----------
.. [1] RFC 7946, The GeoJSON Format (2016): lon/lat WGS 84 order, exterior rings
   counter-clockwise.
"""
from __future__ import annotations

import json
import re

from .polygons import DEFAULT_BUILDING_HEIGHT_M, features_to_collection
from .result import ImportResult, Limits, new_result, short
from .text import decode_text

__all__ = ["read_geojson"]


def _crs_transformer(obj, res, prefecture, plane_zone):
    """A (x, y) → (lon, lat) function for a legacy GeoJSON ``crs`` member, or None."""
    crs = obj.get("crs") if isinstance(obj, dict) else None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = str(props.get("name", "")) if isinstance(props, dict) else ""
    m = re.search(r"(\d{4,5})\s*$", name)
    code = int(m.group(1)) if m else None
    if code is None or code in (4326, 6668, 4612, 6697, 4019):
        if code in (6697,):
            res.meta["crs"] = "EPSG:6697 (lon/lat used)"
        return None
    from pyproj import Transformer
    from pyproj.exceptions import CRSError
    try:
        t = Transformer.from_crs(code, 6668, always_xy=True)
    except CRSError:
        res.add(None, "crs", "unknown_crs", name, f"unknown coordinate system {name!r}")
        return False
    res.meta["crs"] = f"EPSG:{code}"
    # GeoJSON x, y are the CRS's easting, northing (平面直角座標系 Y, X) with always_xy
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
    res = new_result(limits, format="geojson", kind=kind)
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
        res.add(None, "", "bad_json", "", f"not valid JSON ({short(str(exc))})")
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
    features_to_collection(feats, res, kind=kind, default_height_m=default_height_m,
                           transformer=transformer, limits=limits)
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
