"""Writers: cameras / lights as CSV, features as GeoJSON.

Everything returns bytes; nothing is written to disk here.

References
----------
.. [1] OWASP, "CSV Injection": prefix cells starting with = + - @ tab CR with a quote.
"""
from __future__ import annotations

import codecs
import csv
import io
import json

from .columns import CAMERA_FIELDS, KINDS, LIGHT_FIELDS
from .values import COORD_DECIMALS, round_coords

__all__ = ["INJECTION_START", "escape_cell", "features_to_geojson", "points_to_csv",
           "points_to_features"]


#: Cell starts that spreadsheets read as a formula (OWASP [1]_).
INJECTION_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_cell(value):
    """A cell value safe for spreadsheets: text starting with = + - @ tab CR gets a ``'``
    prefix (OWASP CSV injection [1]_). Numbers are returned unchanged."""
    if isinstance(value, str) and value.startswith(INJECTION_START):
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
            geom = {"type": geom["type"], "coordinates": round_coords(geom["coordinates"])} \
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
