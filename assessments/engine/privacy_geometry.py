"""Privacy in the geometry: homes' façades and private land inside a camera's field of view.

A *sensitive cell* is a grid cell of private land (a mask the caller gives) or a cell of the
street side of a home (:func:`assessments.plan.buildings.is_home`): the cells outside
the footprint within ``depth_m`` of its wall. A camera *looks at* a sensitive cell when the
coverage engine says it sees the target point there (``target_height_m`` above the ground,
1.5 m by default — window and face height). For every camera that looks at sensitive cells
we report the cells, the buildings, the bearing sector they occupy and one suggestion:

``lower_tilt``
    every hit lies in the far part of the view (nearest hit farther than half of the farthest
    seen cell) and tilting the camera down by at most ``max_tilt_change_deg`` moves the top
    edge of the view in front of the nearest hit. The new tilt makes the upper ray of the
    view, which descends at ``tilt − vfov/2`` below the horizontal, reach the target plane at
    the nearest hit's distance ``d``: ``tilt' = vfov/2 + atan((h − h_t) / d) + margin``.
``privacy_mask_sector``
    otherwise: mask the sector of bearings the hits occupy (most network cameras offer
    privacy masks). The sector is reported as bearings [°] clockwise from north and as
    angles relative to the optical axis (negative = left); set as the camera's
    ``privacy_masks_deg`` it leaves the coverage
    (``assessments.engine.coverage.privacy_masked``), so the hits disappear while the camera
    keeps its aim and goes on watching the rest of its view (the road it was placed for).
    The sector may be as wide as the hits need, as long as the camera keeps at least
    ``min_kept_fraction`` of the cells it sees apart from the hits.
``review_placement``
    otherwise: the hits fill (nearly) the whole view, so a mask would blank the camera.
    No automatic fix: the camera should be moved or its view checked on site.

A suggestion never turns the camera: its azimuth was chosen for the road it watches, and
turning it away trades the homes for coverage.

The thresholds (15° of tilt, half of the reach, a tenth of the view kept) are planning
judgements of this module, not figures from a standard; the check is a geometric screening,
not a legal assessment (APPI and the 個人情報保護委員会's camera guidance decide what is allowed).

References
----------
.. [1] 個人情報保護委員会, 「犯罪予防や安全確保のためのカメラ画像利用に関する有識者検討会
   報告書」, 2023-03 (privacy masks and camera placement that avoids filming homes).
.. [2] UK Home Office, Surveillance Camera Code of Practice (2013, amended 2021),
   principle 2 (privacy impact; e.g. masking private areas).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy import ndimage
from skimage.draw import polygon as draw_polygon

from ..plan.buildings import building_id, is_home
from .camera import relative_bearing_deg
from .grid import geojson_rings

__all__ = ["SUGGESTIONS", "home_facade_cells", "suggest_fix", "privacy_hits", "fix_change",
           "fix_effects"]

#: Suggestion codes, in the order they are tried.
SUGGESTIONS = ("lower_tilt", "privacy_mask_sector", "review_placement")


def home_facade_cells(grid, buildings, *, depth_m=1.5, inside=None):
    """Cells in front of the walls of buildings marked as homes.

    Parameters
    ----------
    grid : assessments.engine.grid.Grid
        The assessment grid.
    buildings : dict
        GeoJSON FeatureCollection (lon/lat [°]); a feature is a home when
        :func:`assessments.plan.buildings.is_home` says so (``properties.is_home``, else a
        PLATEAU dwelling usage).
    depth_m : float, default 1.5
        Depth of the façade band in front of the wall [m]; at least one cell is used.
    inside : ndarray of bool, optional
        Cells that can be sensitive (e.g. the model's assessed cells, which exclude every
        building footprint); default all cells outside home footprints.

    Returns
    -------
    facade : ndarray of bool, shape ``grid.shape``
        Façade cells.
    building_index : ndarray of int32, shape ``grid.shape``
        Index into ``home_ids`` of the nearest home for façade cells; −1 elsewhere.
    home_ids : list of str
        Ids of the homes (:func:`assessments.plan.buildings.building_id`).

    Notes
    -----
    Footprints are rasterised by cell centre (``skimage.draw.polygon``); a home smaller than
    a cell marks the cell holding its first vertex. The band is the set of cells whose
    centre is within ``max(depth_m, resolution_m)`` of a home cell's centre (Euclidean
    distance transform, ``scipy.ndimage.distance_transform_edt``).
    """
    if not (depth_m >= 0 and math.isfinite(depth_m)):
        raise ValueError(f"depth_m must be a finite number ≥ 0 m, got {depth_m}")
    shape = grid.shape
    label = np.zeros(shape, dtype=np.int32)
    home_ids: list[str] = []
    feats = (buildings or {}).get("features") or [] if isinstance(buildings, dict) else []
    for i, feat in enumerate(feats):
        if not isinstance(feat, dict) or not is_home(feat.get("properties")):
            continue
        try:
            polys = geojson_rings(feat.get("geometry"))
        except ValueError:
            continue
        home_ids.append(building_id(feat, i))
        k = len(home_ids)
        for poly in polys:
            outer = poly[0]
            x, y = grid.to_xy(outer[:, 1], outer[:, 0])
            r, c = grid.to_rc(x, y)
            rr, cc = draw_polygon(r, c, shape=shape)
            if rr.size == 0:
                ri, ci = int(round(float(r[0]))), int(round(float(c[0])))
                if 0 <= ri < shape[0] and 0 <= ci < shape[1]:
                    rr, cc = np.array([ri]), np.array([ci])
            label[rr, cc] = k
    building_index = np.full(shape, -1, dtype=np.int32)
    if not home_ids:
        return np.zeros(shape, bool), building_index, home_ids
    dist, (ri, ci) = ndimage.distance_transform_edt(label == 0, return_indices=True)
    reach_cells = max(float(depth_m), grid.resolution_m) / grid.resolution_m
    facade = (label == 0) & (dist <= reach_cells + 1e-9)
    if inside is not None:
        facade &= np.asarray(inside, dtype=bool)
    building_index[facade] = label[ri[facade], ci[facade]] - 1
    return facade, building_index, home_ids


def suggest_fix(bearing_deg, distance_m, *, azimuth_deg, hfov_deg, tilt_deg, vfov_deg,
                mount_height_m, target_height_m=1.5, far_distance_m=None,
                seen_bearing_deg=None, max_tilt_change_deg=15.0, margin_deg=2.0,
                min_kept_fraction=0.1) -> dict:
    """Suggest how a camera can stop looking at sensitive cells without turning it.

    Parameters
    ----------
    bearing_deg : array_like
        Bearing from the camera to each hit cell, clockwise from north [°].
    distance_m : array_like
        Horizontal distance from the camera to each hit cell [m].
    azimuth_deg, hfov_deg, tilt_deg, vfov_deg : float
        The camera's aim and field of view [°] (tilt down from the horizontal).
    mount_height_m, target_height_m : float
        Camera height and target-plane height above the ground [m].
    far_distance_m : float, optional
        Horizontal distance of the farthest cell the camera sees [m]; default the farthest
        hit.
    seen_bearing_deg : array_like, optional
        Bearing to every cell the camera sees, the hits included [°]. The share a mask
        keeps is then counted in cells; without it, in degrees of the horizontal view
        (as if the seen cells were spread evenly across it).
    max_tilt_change_deg : float, default 15
        Largest tilt change suggested [°] (judgement).
    margin_deg : float, default 2
        Angular margin added to sectors and tilts [°].
    min_kept_fraction : float, default 0.1
        Smallest share of the non-hit view a mask must leave the camera (judgement): below
        it the mask would blank the camera and the suggestion is ``review_placement``.

    Returns
    -------
    dict
        ``code`` (one of :data:`SUGGESTIONS`), ``sector_deg`` ``[start, end]`` (bearings of
        the hits, clockwise, start → end), ``sector_rel_deg`` ``[left, right]`` relative to
        the axis, ``tilt_deg`` (suggested tilt for ``lower_tilt``, else None) [°] and
        ``kept_fraction`` (share of the non-hit view outside the sector, 0–1). The camera's
        azimuth is never changed.

    Examples
    --------
    A camera at 5 m looking north (tilt 10°, vfov 50°, hfov 90°) sees homes 40–45 m away
    straight ahead: the top ray must reach 1.5 m at 40 m, tilt' = 25 + atan(3.5 / 40)
    + 2 = 25 + 5.0 + 2 = 32.0°, a change of 22° > 15°; the hits fill 0° of the view, so the
    sector is the margin, −2…+2° (bearings 358°…2°), and it keeps (90 − 4) / 90 = 0.956 of
    the view ≥ 0.1: the suggestion is a privacy mask.
    """
    b = np.atleast_1d(np.asarray(bearing_deg, dtype=float))
    d = np.atleast_1d(np.asarray(distance_m, dtype=float))
    if b.size == 0 or b.shape != d.shape:
        raise ValueError(f"bearing_deg and distance_m need the same non-empty shape, got "
                         f"{b.shape} and {d.shape}")
    rel = relative_bearing_deg(b, azimuth_deg)
    left = float(rel.min()) - margin_deg
    right = float(rel.max()) + margin_deg
    az = float(azimuth_deg) % 360.0
    sector = [(az + left) % 360.0, (az + right) % 360.0]
    if seen_bearing_deg is None:
        half = float(hfov_deg) / 2
        open_deg = float(hfov_deg) - max(0.0, min(right, half) - max(left, -half))
        kept = open_deg / float(hfov_deg)
    else:
        seen = relative_bearing_deg(np.asarray(seen_bearing_deg, dtype=float).ravel(),
                                    azimuth_deg)
        # hits are seen cells inside the sector: the rest of the view is seen − hits
        rest = seen.size - b.size
        outside = int(np.count_nonzero((seen < left) | (seen > right)))
        kept = outside / rest if rest > 0 else 0.0
    out = {"code": None, "sector_deg": sector, "sector_rel_deg": [left, right],
           "tilt_deg": None, "kept_fraction": kept}
    d_min = float(d.min())
    far = float(d.max()) if far_distance_m is None else float(far_distance_m)
    drop = float(mount_height_m) - float(target_height_m)
    if drop > 0 and d_min > 0 and d_min > 0.5 * far:
        new_tilt = float(vfov_deg) / 2 + math.degrees(math.atan(drop / d_min)) + margin_deg
        if new_tilt - float(tilt_deg) <= max_tilt_change_deg and new_tilt < 90.0:
            out.update(code="lower_tilt", tilt_deg=round(new_tilt, 1))
            return out
    out["code"] = "privacy_mask_sector" if kept >= min_kept_fraction else "review_placement"
    return out


def privacy_hits(model, buildings, *, depth_m=1.5, private_mask=None, min_cells=1,
                 facade=None, **suggest_kw) -> list[dict]:
    """Cameras of a coverage model that look at homes' façades or private land.

    Parameters
    ----------
    model : assessments.engine.coverage.CoverageModel
        Uses ``grid``, ``inside``, ``views`` (per-camera windows) and ``target_height_m``.
    buildings : dict
        GeoJSON FeatureCollection; homes as :func:`assessments.plan.buildings.is_home`.
    depth_m : float, default 1.5
        Depth of the façade band [m] (:func:`home_facade_cells`).
    private_mask : ndarray of bool, optional
        Private land on the grid (e.g. rasterised parcels the user marks).
    min_cells : int, default 1
        Fewest sensitive cells for a camera to be reported.
    facade : tuple, optional
        :func:`home_facade_cells` ``(grid, buildings, depth_m=depth_m, inside=model.inside)``
        already computed (it depends on the scene only, not on the cameras).
    **suggest_kw
        Passed to :func:`suggest_fix` (``max_tilt_change_deg``, ``margin_deg``,
        ``min_kept_fraction``); the bearings of the cells the camera sees go with the hits,
        so the share a mask keeps is counted in cells.

    Returns
    -------
    list of dict
        Per camera, in model order: ``camera_id``, ``cells`` (count), ``area_m2``
        [m²], ``facade_cells``, ``private_cells``, ``building_ids`` (homes concerned),
        ``mask`` (bool window, shape of the camera's window), ``rows``/``cols`` (its
        slices), and the :func:`suggest_fix` keys.
    """
    grid = model.grid
    if facade is None:
        facade = home_facade_cells(grid, buildings, depth_m=depth_m, inside=model.inside)
    facade, bidx, ids = facade
    if not ids and private_mask is None:
        return []
    sensitive = facade.copy()
    if private_mask is not None:
        pm = np.asarray(private_mask, dtype=bool)
        if pm.shape != grid.shape:
            raise ValueError(f"private_mask shape {pm.shape} does not match grid "
                             f"{grid.shape}")
        sensitive |= pm
    out = []
    if not sensitive.any():
        return out
    for cid, view in model.views.items():
        if view.empty:
            continue
        sub = sensitive[view.rows, view.cols]
        hit = view.seen & sub
        n = int(np.count_nonzero(hit))
        if n < min_cells:
            continue
        rr, cc = np.nonzero(hit)
        xs = view.x_axis_m[cc]
        ys = view.y_axis_m[rr]
        bearing = np.degrees(np.arctan2(xs - view.x_m, ys - view.y_m)) % 360.0
        dist = np.hypot(xs - view.x_m, ys - view.y_m)
        seen_r, seen_c = np.nonzero(view.seen)
        seen_dx = view.x_axis_m[seen_c] - view.x_m
        seen_dy = view.y_axis_m[seen_r] - view.y_m
        cam = view.camera
        fix = suggest_fix(bearing, dist, azimuth_deg=cam.bearing_deg,
                          hfov_deg=cam.hfov_deg, tilt_deg=cam.tilt_deg,
                          vfov_deg=cam.vfov_deg, mount_height_m=cam.mount_height_m,
                          target_height_m=model.target_height_m,
                          far_distance_m=float(np.hypot(seen_dx, seen_dy).max()),
                          seen_bearing_deg=np.degrees(np.arctan2(seen_dx, seen_dy)),
                          **suggest_kw)
        fac = facade[view.rows, view.cols] & hit
        b_hit = bidx[view.rows, view.cols][fac]
        bids = [ids[i] for i in sorted(set(int(v) for v in b_hit if v >= 0))]
        out.append({"camera_id": cid, "cells": n, "area_m2": n * grid.cell_area_m2,
                    "facade_cells": int(np.count_nonzero(fac)),
                    "private_cells": n - int(np.count_nonzero(fac)),
                    "building_ids": bids, "mask": hit, "rows": view.rows,
                    "cols": view.cols, **fix})
    return out


def fix_change(fix: dict, *, privacy_masks_deg=()) -> dict:
    """The camera fields that apply a suggestion of :func:`suggest_fix`.

    Parameters
    ----------
    fix : dict
        A suggestion (``code``, ``tilt_deg``, ``sector_rel_deg``), e.g. an entry of
        :func:`privacy_hits`.
    privacy_masks_deg : sequence of [from, to], optional
        The camera's masks so far [°] (relative to the axis); the new sector is added to
        them, and sectors that overlap are merged into one (a camera takes at most 16).

    Returns
    -------
    dict
        Plan camera fields and their new values: ``{"tilt_deg": t}`` for ``lower_tilt``,
        ``{"privacy_masks_deg": [[from, to], …]}`` for ``privacy_mask_sector`` (rounded to
        0.1° outward, within ±180°); empty for ``review_placement`` (no automatic fix).
        Never ``azimuth_deg``.
    """
    code = fix["code"]
    if code == "lower_tilt":
        return {"tilt_deg": fix["tilt_deg"]}
    if code == "privacy_mask_sector":
        lo, hi = fix["sector_rel_deg"]
        # outward to 0.1°, so the rounded sector still holds every hit
        new = [max(-180.0, math.floor(lo * 10) / 10), min(180.0, math.ceil(hi * 10) / 10)]
        merged: list[list[float]] = []
        for a, b in sorted([[float(a), float(b)] for a, b in privacy_masks_deg] + [new]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return {"privacy_masks_deg": merged}
    if code == "review_placement":
        return {}
    raise ValueError(f"unknown suggestion code {code!r}; expected one of {SUGGESTIONS}")


def fix_effects(model, fixes) -> list[dict | None]:
    """What applying each suggestion does to the coverage, one camera recomputed per fix.

    Parameters
    ----------
    model : assessments.engine.coverage.CoverageModel
        The model holding the cameras (not changed: the changed camera is computed on its
        own with :meth:`~assessments.engine.coverage.CoverageModel.compute_view`).
    fixes : list of dict
        Suggestions with their ``camera_id`` (entries of :func:`privacy_hits`).

    Returns
    -------
    list of dict or None
        Per fix, in order: None for ``review_placement``; else ``camera_id``, ``change``
        (:func:`fix_change`), ``camera_covered_m2`` ``[before, after]`` (the camera's own
        covered area, as ``CoverageModel.camera_summary`` ``covered_m2``), ``covered_m2``
        ``[before, after]`` (cells seen by any camera, as ``CoverageModel.summary``) [m²]
        and ``coverage_fraction`` ``[before, after]`` (of the assessed area).

    Notes
    -----
    Only the union of the camera's old and new windows can change. There a cell is covered
    after the fix when another camera sees it (``camera_count`` minus the camera's old
    view > 0) or the changed camera does.
    """
    a = model.grid.cell_area_m2
    inside = int(np.count_nonzero(model.inside))
    covered = int(np.count_nonzero(model.pixel_density))
    out: list[dict | None] = []
    for fix in fixes:
        cid = fix["camera_id"]
        cam = model.cameras[cid]
        change = fix_change(fix, privacy_masks_deg=cam.privacy_masks_deg)
        if not change:
            out.append(None)
            continue
        typed = dict(change)
        if "privacy_masks_deg" in typed:
            typed["privacy_masks_deg"] = tuple(tuple(m) for m in typed["privacy_masks_deg"])
        old = model.views[cid]
        new = model.compute_view(dataclasses.replace(cam, **typed))
        wins = [(v.rows.start, v.rows.stop, v.cols.start, v.cols.stop)
                for v in (old, new) if not v.empty]
        gained = 0
        if wins:
            r0, r1 = min(w[0] for w in wins), max(w[1] for w in wins)
            c0, c1 = min(w[2] for w in wins), max(w[3] for w in wins)
            count = model.camera_count[r0:r1, c0:c1].astype(np.int32)
            seen_old, seen_new = (np.zeros(count.shape, bool) for _ in range(2))
            for v, seen in ((old, seen_old), (new, seen_new)):
                if not v.empty:
                    seen[v.rows.start - r0:v.rows.stop - r0,
                         v.cols.start - c0:v.cols.stop - c0] = v.seen
            after = ((count - seen_old) > 0) | seen_new
            gained = int(np.count_nonzero(after)) - int(np.count_nonzero(count))
        out.append({
            "camera_id": cid, "change": change,
            "camera_covered_m2": [int(np.count_nonzero(old.seen)) * a,
                                  int(np.count_nonzero(new.seen)) * a],
            "covered_m2": [covered * a, (covered + gained) * a],
            "coverage_fraction": [covered / inside if inside else 0.0,
                                  (covered + gained) / inside if inside else 0.0]})
    return out
