"""Finding buildings on the map: the building under a click, and the buildings near roads.

Both work in a grid's local metres (:class:`~assessments.engine.grid.Grid`, an azimuthal
equidistant projection around the area), with shapely's STRtree, so a district of tens of
thousands of buildings is searched without a loop over all of them in Python.
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from .grid import Grid, geojson_lines, geojson_rings

__all__ = ["building_at", "buildings_near_lines", "building_polygons"]


def building_polygons(grid: Grid, buildings) -> tuple[list, list[int]]:
    """The footprints of a FeatureCollection as shapely polygons in ``grid`` metres.

    Returns
    -------
    polygons : list of shapely.Polygon
    index : list of int
        The feature index of each polygon (a MultiPolygon gives several); features whose
        geometry cannot be read are left out.
    """
    polys, index = [], []
    for i, feat in enumerate((buildings or {}).get("features") or []):
        try:
            rings = geojson_rings((feat or {}).get("geometry"))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        for poly in rings:
            try:
                shell, *holes = [np.column_stack(grid.to_xy(r[:, 1], r[:, 0])) for r in poly]
                p = Polygon(shell, holes)
            except (ValueError, TypeError, IndexError, shapely.errors.GEOSException):
                continue
            if p.is_valid and not p.is_empty:
                polys.append(p)
                index.append(i)
    return polys, index


def building_at(grid: Grid, buildings, x_m: float, y_m: float, *,
                tolerance_m: float = 1.5) -> int | None:
    """Index of the building under the local point ``(x_m, y_m)`` [m], or None.

    A point inside a footprint picks it; otherwise the nearest footprint within
    ``tolerance_m`` [m] (a click lands on the map's click grid, up to half its step from the
    building the user meant); the smallest footprint wins when several hold the point (a
    building inside a courtyard).
    """
    polys, index = building_polygons(grid, buildings)
    if not polys:
        return None
    tree = shapely.STRtree(polys)
    pt = shapely.Point(float(x_m), float(y_m))
    hits = tree.query(pt, predicate="intersects")
    if len(hits):
        best = min(hits, key=lambda k: polys[k].area)
        return index[int(best)]
    near = tree.query(pt.buffer(float(tolerance_m)), predicate="intersects")
    if not len(near):
        return None
    best = min(near, key=lambda k: polys[k].distance(pt))
    return index[int(best)]


def buildings_near_lines(grid: Grid, buildings, lines, distance_m: float) -> list[int]:
    """Indices of the buildings whose footprint comes within ``distance_m`` [m] of a line.

    Parameters
    ----------
    grid : Grid
        The local metres to measure in.
    buildings : dict
        FeatureCollection of footprints (lon/lat).
    lines : iterable of dict
        GeoJSON LineString / MultiLineString features (lon/lat), e.g. the 道路縁 of an
        imported 基盤地図情報 base map.
    distance_m : float
        Largest footprint-to-line distance [m], ≥ 0.
    """
    if not (distance_m >= 0):
        raise ValueError(f"distance_m must be ≥ 0, got {distance_m!r}")
    segs = []
    for feat in lines:
        for a in geojson_lines(feat):
            segs.append(LineString(np.column_stack(grid.to_xy(a[:, 1], a[:, 0]))))
    polys, index = building_polygons(grid, buildings)
    if not segs or not polys:
        return []
    tree = shapely.STRtree(polys)
    hit = tree.query(segs, predicate="dwithin", distance=float(distance_m))[1]
    return sorted({index[int(k)] for k in np.unique(hit)})
