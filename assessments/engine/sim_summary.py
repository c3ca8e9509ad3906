"""Summary figures of a simulation: DORI shares, the use-case requirement and cameras that add
little (the plan's costs are :mod:`assessments.programme.costs`).

Pure functions over the arrays of :mod:`assessments.engine.coverage` and :mod:`assessments.engine.night`;
the map page shows them beside the map and the Excel export reuses them.

References
----------
.. [1] IEC 62676-4:2014, Video surveillance systems for use in security applications —
   Part 4: Application guidelines (DORI pixel densities; levels are cumulative).
"""
from __future__ import annotations

import numpy as np

from .dori import level_for, level_px_m, standard_of
from .image_quality import dori_counts

__all__ = ["dori_fractions", "use_case_requirement", "requirement_map",
           "REQ_OUTSIDE", "REQ_NOT_MET", "REQ_DAY_ONLY", "REQ_MET", "requirement_summary",
           "camera_overlap"]

REQ_OUTSIDE, REQ_NOT_MET, REQ_DAY_ONLY, REQ_MET = -1, 0, 1, 2

def dori_fractions(pixel_density_px_m, *, mask, thresholds) -> dict:
    """Share of the assessed cells at or above each DORI level (cumulative).

    Parameters
    ----------
    pixel_density_px_m : array_like
        Best pixel density per cell [px/m]; 0 or NaN = unseen.
    mask : array_like of bool
        Assessed cells.
    thresholds : dict
        Level → pixel density [px/m].

    Returns
    -------
    dict
        Level → fraction of the masked cells in [0, 1] (0 for every level when the mask
        is empty).

    Examples
    --------
    Densities [0, 30, 70, 300] px/m with Detect 25 and Identify 250 → Detect 3/4,
    Identify 1/4.
    """
    pd = np.asarray(pixel_density_px_m)
    m = np.asarray(mask, dtype=bool)
    if pd.shape != m.shape:
        raise ValueError(f"mask shape {m.shape} does not match the densities {pd.shape}")
    n, counts = dori_counts(pd, mask=m, thresholds=thresholds)
    return {k: c / n if n else 0.0 for k, c in counts.items()}


def use_case_requirement(use_cases, chosen, *, thresholds) -> dict | None:
    """The strictest requirement of the chosen use cases.

    Parameters
    ----------
    use_cases : list of dict
        Rows of the reference ``use_cases`` table (``id``, ``dori_level``,
        ``night_operation``, ``recording_needed``).
    chosen : list of str
        Ids the plan has chosen (``plan["use_cases"]``).
    thresholds : dict
        Level → pixel density [px/m] of the DORI standard in use.

    Returns
    -------
    dict or None
        ``cited_level`` (the highest level any chosen use case needs, as the use case
        names it: a level of either edition), ``px_per_m`` [px/m] (that level's threshold,
        whichever edition the plan uses: the 2014 Recognise a use case cites is 125 px/m
        under the 2025 edition too), ``level`` (the level of ``thresholds`` that stands for
        it, :func:`assessments.engine.dori.level_for`: for the per-level figures),
        ``standard`` (the edition of ``thresholds``, for the label),
        ``night`` (any needs night operation), ``recording`` (any needs recording),
        ``use_cases`` (ids considered); None when no chosen use case has a known level.
    """
    rows = [r for r in use_cases if r.get("id") in set(chosen or [])]
    best, best_px = None, None
    for r in rows:
        lvl = r.get("dori_level")
        # by pixel density: the use cases cite 2014 levels, the plan may use 2025
        px = thresholds.get(lvl) if lvl in thresholds else level_px_m(lvl)
        if px is not None and (best_px is None or px > best_px):
            best, best_px = lvl, px
    if best is None:
        return None
    return {"level": level_for(best, thresholds), "cited_level": best,
            "px_per_m": float(best_px), "standard": standard_of(thresholds),
            "night": any(bool(r.get("night_operation")) for r in rows),
            "recording": any(bool(r.get("recording_needed")) for r in rows),
            "use_cases": [r["id"] for r in rows]}


def requirement_map(day_px_m, night_px_m, *, required_px_m, night_needed, mask):
    """Where the required pixel density is reached, day and night.

    Parameters
    ----------
    day_px_m, night_px_m : array_like
        Best day and night pixel density per cell [px/m] (0 / NaN = none). ``night_px_m``
        may be None when there is no night assessment (then night counts as not met).
    required_px_m : float
        Required pixel density [px/m].
    night_needed : bool
        Whether the use case operates at night.
    mask : array_like of bool
        Assessed cells.

    Returns
    -------
    ndarray of int8
        :data:`REQ_MET` (2) met day and — when needed — night; :data:`REQ_DAY_ONLY` (1)
        met by day but not at night although needed; :data:`REQ_NOT_MET` (0);
        :data:`REQ_OUTSIDE` (−1) outside the mask.
    """
    def met(px_m):  # NaN (none) compares False; a requirement ≤ 0 is met everywhere
        return (np.asarray(px_m) >= float(required_px_m)) | (float(required_px_m) <= 0)

    day = met(day_px_m)
    night = np.zeros(day.shape, bool) if night_px_m is None else met(night_px_m)
    out = np.full(day.shape, REQ_NOT_MET, dtype=np.int8)
    if night_needed:
        out[day & night] = REQ_MET
        out[day & ~night] = REQ_DAY_ONLY
    else:
        out[day] = REQ_MET
    out[~np.asarray(mask, dtype=bool)] = REQ_OUTSIDE
    return out


def requirement_summary(req_map, *, cell_area_m2) -> dict:
    """Areas [m²] and shares of :func:`requirement_map`'s classes inside the mask."""
    r = np.asarray(req_map)
    n = int(np.count_nonzero(r != REQ_OUTSIDE))
    met = int(np.count_nonzero(r == REQ_MET))
    day_only = int(np.count_nonzero(r == REQ_DAY_ONLY))
    return {"met_m2": met * cell_area_m2, "day_only_m2": day_only * cell_area_m2,
            "not_met_m2": (n - met - day_only) * cell_area_m2,
            "met_fraction": met / n if n else 0.0,
            "day_fraction": (met + day_only) / n if n else 0.0}


def camera_overlap(model, *, shared_threshold=0.8) -> list[dict]:
    """How much of each camera's coverage other cameras also see.

    Parameters
    ----------
    model : assessments.engine.coverage.CoverageModel
        Uses ``views`` (per-camera windows), ``camera_count`` and ``grid.cell_area_m2``.
    shared_threshold : float, default 0.8
        A camera *adds little* when at least this fraction of its covered area is seen by
        another camera too, or when it covers nothing (judgement of this module).

    Returns
    -------
    list of dict
        Per camera in model order: ``id``, ``covered_m2``, ``unique_m2`` (seen by this
        camera only) [m²], ``shared_fraction`` (1 − unique / covered; 1 when it covers
        nothing) and ``adds_little`` (bool).
    """
    a = model.grid.cell_area_m2
    out = []
    for cid, v in model.views.items():
        if v.empty:
            covered = unique = 0
        else:
            seen = v.pixel_density > 0
            covered = int(np.count_nonzero(seen))
            unique = int(np.count_nonzero(seen & (model.camera_count[v.rows, v.cols] == 1)))
        shared = 1.0 - unique / covered if covered else 1.0
        out.append({"id": cid, "covered_m2": covered * a, "unique_m2": unique * a,
                    "shared_fraction": shared, "adds_little": shared >= shared_threshold})
    return out
