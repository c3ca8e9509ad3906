"""Figures per district (小学校区, 町丁目, 自治会の区域 …): a plan's optional ``districts``.

A city's engineer asks for coverage and DORI areas per school district (scenario D), not
only for the whole map. Districts are a GeoJSON FeatureCollection of (Multi)Polygons in the
plan (``docs/plan-format.md``). Each is rasterised once onto the coverage grid as a label
(:func:`district_labels`; cells by centre, the same rule as the area), working only on the
district's bounding box; the figures are then one pass over the grid in row chunks
(:func:`district_figures`), or, for the night, counted inside the night pass's blocks
(``assessments.engine.coverage.simulate_night(labels=…)``).

A cell belongs to at most one district: where districts overlap, the first listed one
counts it (school districts partition a city; an overlap is almost always a digitising
sliver).
"""
from __future__ import annotations

import math

import numpy as np

from .grid import Grid, polygon_windows

#: Most districts a plan may have (labels are int16 above 254 districts, else uint8).
MAX_DISTRICTS = 32_000

__all__ = ["ILLUMINANCE_KEYS", "MAX_DISTRICTS", "LightingSums", "camera_cells",
           "district_figures", "district_labels", "district_meta", "no_district"]

#: The lighting figures per district (all None when the plan has no lights).
ILLUMINANCE_KEYS = ("mean_lx", "min_lx", "uniformity", "ses_class")


class LightingSums:
    """Horizontal and vertical illuminance gathered per district, chunk by chunk (or block
    by block in the night pass), for each district's mean / minimum and SES class."""

    def __init__(self, n: int):
        self.n_cells = np.zeros(n, np.int64)
        self.sum_lx = np.zeros(n, np.float64)
        self.min_lx = np.full(n, np.inf)
        self.min_v_lx = np.full(n, np.inf)

    def add(self, groups, horizontal_lx, v_groups=None, vertical_lx=None) -> None:
        """Add assessed cells of districts ``groups`` with their horizontal illuminance
        [lx], and cells some camera sees (``v_groups``) with the vertical illuminance
        toward it [lx] (NaN = none)."""
        n = self.n_cells.size
        if len(groups):
            self.n_cells += np.bincount(groups, minlength=n)
            self.sum_lx += np.bincount(groups, weights=horizontal_lx, minlength=n)
            np.minimum.at(self.min_lx, groups, horizontal_lx)
        if v_groups is not None and len(v_groups):
            ok = ~np.isnan(vertical_lx)
            np.minimum.at(self.min_v_lx, v_groups[ok], vertical_lx[ok])

    def merge(self, other: LightingSums) -> None:
        self.n_cells += other.n_cells
        self.sum_lx += other.sum_lx
        np.minimum(self.min_lx, other.min_lx, out=self.min_lx)
        np.minimum(self.min_v_lx, other.min_v_lx, out=self.min_v_lx)

    def rows(self) -> list[dict]:
        """Per district ``{mean_lx, min_lx, uniformity, ses_class}`` (None without cells);
        the SES E1901 class as for the whole area (``assessments.engine.lighting.ses_class``)."""
        from .lighting import ses_class
        out = []
        for i in range(self.n_cells.size):
            if not self.n_cells[i]:
                out.append(dict.fromkeys(ILLUMINANCE_KEYS))
                continue
            mean = float(self.sum_lx[i] / self.n_cells[i])
            mn = float(self.min_lx[i])
            min_v = None if math.isinf(self.min_v_lx[i]) else float(self.min_v_lx[i])
            out.append({"mean_lx": mean, "min_lx": mn,
                        "uniformity": mn / mean if mean > 0 else None,
                        "ses_class": ses_class(mean, min_v)})
        return out


def no_district(labels) -> int:
    """The label of cells in no district: 255 for uint8 labels, −1 for int16."""
    return 255 if labels.dtype == np.uint8 else -1


def district_meta(districts) -> list[dict]:
    """``[{"id", "name"}]`` of the features of a (validated) districts collection.

    ``id``: ``properties.id``, else ``properties.name``, else ``D1``, ``D2`` … by position;
    ``name``: ``properties.name`` (or ``名称``), else the id.
    """
    out = []
    for i, feat in enumerate((districts or {}).get("features") or []):
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        name = props.get("name") or props.get("名称")
        did = props.get("id") if props.get("id") not in (None, "") else (name or f"D{i + 1}")
        out.append({"id": str(did), "name": str(name) if name not in (None, "") else str(did)})
    return out


def camera_cells(grid: Grid, cameras) -> dict:
    """Camera id → (row, col) of its position on ``grid`` (fractional), for the cameras of a
    :class:`assessments.engine.coverage.CoverageModel` (``model.cameras``: id →
    :class:`~assessments.engine.devices.Camera`)."""
    out = {}
    for cid, cam in cameras.items():
        x, y = grid.to_xy(cam.lat_deg, cam.lon_deg)
        out[cid] = grid.to_rc(x, y)
    return out


def district_labels(grid: Grid, districts) -> np.ndarray:
    """District index of each cell, first listed district first; :func:`no_district`
    (255 in uint8 labels, up to 254 districts; −1 in int16) where in none. One byte per
    cell for a city's school districts: 140 MB for 140 M cells.

    Parameters
    ----------
    grid : assessments.engine.grid.Grid
    districts : dict
        GeoJSON FeatureCollection of Polygon / MultiPolygon features in lon/lat [°].

    Notes
    -----
    Each polygon is filled by cell centre with the even-odd rule on its bounding box only
    (:func:`assessments.engine.grid.polygon_windows`, as the area's mask), so the work grows with
    the districts' extent on the grid, not with the number of districts × the map.
    """
    feats = (districts or {}).get("features") or []
    dtype = np.uint8 if len(feats) <= 254 else np.int16
    none = 255 if dtype == np.uint8 else -1
    labels = np.full(grid.shape, none, dtype=dtype)
    for k, feat in enumerate(feats):
        for rows, cols, inside in polygon_windows(grid, feat.get("geometry")):
            win = labels[rows, cols]
            win[inside & (win == none)] = k
    return labels


def district_figures(labels, meta, *, pixel_density, inside, thresholds, cell_area_m2,
                     night_pixel_density=None, cameras_rc=None,
                     illuminance_lx=None, vertical_illuminance_lx=None, night_by_district=None,
                     row_chunk: int = 256) -> list[dict]:
    """Coverage and DORI areas per district.

    Parameters
    ----------
    labels : ndarray of uint8 or int16
        :func:`district_labels`.
    meta : list of dict
        :func:`district_meta` (same order).
    pixel_density : ndarray
        Best day pixel density per cell [px/m] (0 = unseen).
    inside : ndarray of bool
        Assessed cells (the area, without roofs).
    thresholds : dict
        DORI level → pixel density [px/m] (the plan's standard).
    cell_area_m2 : float
        Area of one cell [m²].
    night_pixel_density : ndarray, optional
        Best night pixel density per cell [px/m]: gives ``night_dori_m2`` per district.
    illuminance_lx, vertical_illuminance_lx : ndarray, optional
        Horizontal illuminance at the ground and vertical illuminance toward the camera
        with the best day pixel density (NaN = unseen) per cell [lx]: gives
        ``illuminance`` per district. Pass them only when the plan has lights.
    night_by_district : list of dict, optional
        ``night_dori_m2`` and ``illuminance`` per district already counted in the night
        pass (``assessments.engine.coverage.simulate_night(labels=…)``).
    row_chunk : int
        Rows per pass: bounds the temporary arrays (≈ 30 bytes per cell of a chunk).
    cameras_rc : dict, optional
        Camera id → (row, col) of its position: the cameras standing in each district.

    Returns
    -------
    list of dict
        Per district, in ``meta`` order: ``id``, ``name``, ``area_m2`` (assessed cells in
        it), ``covered_m2`` (seen by a camera), ``coverage_fraction``, ``dori_m2`` (level →
        area, cumulative), ``night_dori_m2`` when night figures are given,
        ``illuminance {mean_lx, min_lx, uniformity, ses_class}`` when lighting is given,
        ``cameras`` (ids) when ``cameras_rc`` is given.
    """
    from .night import _level_counts
    n = len(meta)
    a = float(cell_area_m2)
    cells = np.zeros(n, np.int64)
    covered = np.zeros(n, np.int64)
    day = {k: np.zeros(n, np.int64) for k in thresholds}
    night = {k: np.zeros(n, np.int64) for k in thresholds} \
        if night_pixel_density is not None else None
    light = LightingSums(n) if illuminance_lx is not None else None
    none = no_district(labels)
    for s in range(0, labels.shape[0], row_chunk):
        lab = labels[s:s + row_chunk]
        sel = (lab != none) & np.asarray(inside[s:s + row_chunk], dtype=bool)
        g = lab[sel]               # the chunk's int64 temporaries bound the memory (256 rows)
        if g.size == 0:
            continue
        pd = np.asarray(pixel_density[s:s + row_chunk])[sel]
        cells += np.bincount(g, minlength=n)
        covered += np.bincount(g[pd > 0], minlength=n)
        for k, v in _level_counts(pd, thresholds, groups=g, n_groups=n).items():
            day[k] += v
        if night is not None:
            npd = np.nan_to_num(np.asarray(night_pixel_density[s:s + row_chunk])[sel])
            for k, v in _level_counts(npd, thresholds, groups=g, n_groups=n).items():
                night[k] += v
        if light is not None:
            ev = None if vertical_illuminance_lx is None else np.asarray(
                vertical_illuminance_lx[s:s + row_chunk])[sel]
            light.add(g, np.asarray(illuminance_lx[s:s + row_chunk])[sel],
                      None if ev is None else g, ev)
    standing: list[list[str]] = [[] for _ in range(n)]
    for cid, (r, c) in (cameras_rc or {}).items():
        r, c = int(round(r)), int(round(c))
        if 0 <= r < labels.shape[0] and 0 <= c < labels.shape[1] and labels[r, c] != none:
            standing[labels[r, c]].append(str(cid))
    lit = light.rows() if light is not None else None
    out = []
    for i, m in enumerate(meta):
        row = {"id": m["id"], "name": m["name"], "area_m2": float(cells[i] * a),
               "covered_m2": float(covered[i] * a),
               "coverage_fraction": float(covered[i] / cells[i]) if cells[i] else 0.0,
               "dori_m2": {k: float(day[k][i] * a) for k in thresholds}}
        if night is not None:
            row["night_dori_m2"] = {k: float(night[k][i] * a) for k in thresholds}
        if night_by_district is not None:
            row.update(night_by_district[i])
        if lit is not None:
            row["illuminance"] = lit[i]
        if cameras_rc is not None:
            row["cameras"] = standing[i]
        out.append(row)
    return out
