"""Night: camera coverage joined with street lighting (night DORI, lit-but-unseen, seen-but-dark).

Inputs are plain arrays so that this module does not depend on how the coverage engine
stores its results: per camera a :class:`CameraView` — the window of grid cells the
camera was computed on (``rows``, ``cols`` slices), its day pixel density and horizontal
distance inside that window, and its position and low-light specification. The grid is
given by its axes (``x_axis_m`` per column ascending west → east, ``y_axis_m`` per row
descending, row 0 northernmost), as everywhere in :mod:`assessments`.

Per camera and cell (rules in :mod:`assessments.engine.image_quality`): the vertical
illuminance at 1.5 m on the plane facing the camera decides colour / IR / dark; the
night pixel density is the blur-reduced day density where usable, 0 where dark. Over all
cameras the best (largest) night density gives the night DORI level.

Planner's areas (cells inside the area mask):

- *lit but unseen*: horizontal illuminance at the ground ≥ ``lit_threshold_lx`` (default
  3 lx, SES E1901 class B average / 警察庁 roads) but no camera reaches Detect at night —
  a camera would help here;
- *seen but dark*: some camera reaches Detect by day, none at night — a light would help.

:func:`night_summary` returns exactly the RESULT.json entries and GRID.npz arrays of
issue 4.

One fold: :func:`night_pairs` evaluates every (camera, seen cell) pair — the vertical
illuminance toward the camera, its night mode and night density — and :func:`fold_pairs`
reduces the pairs per cell (best day camera → face direction, best night camera → mode)
and per camera (its own night DORI). :func:`night_assessment` (whole grid),
``assessments.engine.coverage.simulate_night`` (block by block, the command line) and the
page's per-camera cache (``ui.simulation.NightCache``, which keeps each camera's pairs and
refolds only where a camera changed) all call these two; :func:`planner_areas` is the one
rule for lit-but-unseen and seen-but-dark.

Cost: the join works in *cell space* — the list of (camera, seen cell) pairs, sorted by
cell with a 16-bit radix sort (the camera order kept within a cell). The vertical
illuminance is evaluated only at those pairs (each light on the pairs inside its reach,
float32 fast path of :mod:`assessments.engine.lighting`), the modes and night densities per pair,
and the best camera per cell by segment reductions; whole-grid arrays are only filled at
the end. So the cost grows with what the cameras see and with the lights' reach, not with
cameras × windows. ``assessments.engine.coverage.simulate_night`` runs the same core block by
block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessments.engine.devices import (DEFAULT_MIN_ILLUMINANCE_LX, DEFAULT_SHUTTER_S,
                                        Camera, as_light)
from assessments.engine.dori import dori_thresholds
from assessments.engine.image_quality import (NIGHT_DARK, WALKING_SPEED_M_S, dori_areas_m2,
                                              effective_pixel_density, night_mode)
from assessments.engine.lighting import (DEFAULT_CUTOFF_LX, _cells_vertical, _grid_illuminance,
                                         assess_area)

__all__ = ["CameraView", "NightResult", "NightPairs", "NightFold", "night_pairs",
           "merge_pairs", "fold_pairs", "planner_areas", "detect_px_m", "night_view",
           "night_assessment", "night_summary", "views_from_coverage",
           "night_summary_for_model", "night_result_for_model", "plan_luminaires",
           "LIT_THRESHOLD_LX", "FACE_HEIGHT_M"]

LIT_THRESHOLD_LX = 3.0
"""Horizontal illuminance counted as lit [lx] (SES E1901 class B average; 警察庁 roads)."""

FACE_HEIGHT_M = 1.5
"""Height of the face plane for vertical illuminance [m] (SES E1901: 1.5 m above the road)."""


@dataclass(frozen=True)
class CameraView:
    """One camera's day coverage on a window of the grid, and its night specification.

    Parameters
    ----------
    rows, cols : slice
        The window of the full grid (``grid[rows, cols]``).
    pixel_density_px_m : ndarray, shape of the window
        Day pixel density [px/m]; 0 or NaN where the camera does not see the cell.
    distance_m : ndarray, shape of the window, or None
        Horizontal distance from the camera to the cell centre [m]; None = computed from
        ``x_m``, ``y_m`` at the seen cells.
    x_m, y_m : float
        Camera position east / north [m].
    min_illuminance_lx : float
        Rated minimum illuminance for a colour image [lx].
    ir_range_m : float or None
        IR illuminator reach [m]; None / 0 = none.
    shutter_s : float
        Exposure time at night [s].
    id : str
        Camera id.
    """

    rows: slice
    cols: slice
    pixel_density_px_m: np.ndarray
    distance_m: np.ndarray
    x_m: float
    y_m: float
    min_illuminance_lx: float = DEFAULT_MIN_ILLUMINANCE_LX
    ir_range_m: float | None = None
    shutter_s: float = DEFAULT_SHUTTER_S
    id: str = ""


@dataclass(frozen=True)
class NightResult:
    """Grids of the night assessment (all shape (n_rows, n_cols)).

    Attributes
    ----------
    illuminance_lx : ndarray
        Horizontal illuminance at the ground [lx].
    vertical_illuminance_lx : ndarray
        Vertical illuminance at 1.5 m facing the camera with the best day pixel density;
        NaN where no camera sees the cell [lx].
    day_pixel_density_px_m : ndarray
        Best day pixel density (0 = unseen) [px/m].
    night_pixel_density_px_m : ndarray
        Best night (usable, blur-reduced) pixel density (0 = none) [px/m].
    night_mode : ndarray of int8
        Mode of the camera giving the best night density: 0 dark / unseen, 1 colour, 2 IR.
    lit_but_unseen, seen_but_dark : ndarray of bool
        See the module docstring.
    area_mask : ndarray of bool
    cell_area_m2 : float
    lighting : dict or None
        :func:`assessments.engine.lighting.assess_area` over the mask (None when not asked for).
    thresholds : dict
        DORI level → pixel density [px/m] used for ``night_dori_m2``.
    camera_night_dori_m2 : dict
        Camera id → that camera's own night DORI areas (cumulative, inside the mask) [m²],
        for RESULT.json's per-camera entries.
    """

    illuminance_lx: np.ndarray
    vertical_illuminance_lx: np.ndarray
    day_pixel_density_px_m: np.ndarray
    night_pixel_density_px_m: np.ndarray
    night_mode: np.ndarray
    lit_but_unseen: np.ndarray
    seen_but_dark: np.ndarray
    area_mask: np.ndarray
    cell_area_m2: float
    lighting: dict
    thresholds: dict
    camera_night_dori_m2: dict

    def result_entries(self) -> dict:
        """The RESULT.json additions of issue 4 (plain floats / str / None)."""
        st = self.lighting["statistics"]

        def f(v):
            return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)

        return {
            "illuminance": {"mean_lx": f(st["mean_lx"]), "min_lx": f(st["min_lx"]),
                            "max_lx": f(st["max_lx"]), "uniformity": f(st["uniformity"]),
                            "ses_class": self.lighting["ses_class"]},
            "night_dori_m2": dori_areas_m2(self.night_pixel_density_px_m,
                                           cell_area_m2=self.cell_area_m2, mask=self.area_mask,
                                           thresholds=self.thresholds),
            "lit_but_unseen_m2": float(np.count_nonzero(self.lit_but_unseen) * self.cell_area_m2),
            "seen_but_dark_m2": float(np.count_nonzero(self.seen_but_dark) * self.cell_area_m2),
        }

    def grid_arrays(self) -> dict:
        """The GRID.npz additions of issue 4 (float32)."""
        return {"illuminance_lx": self.illuminance_lx.astype(np.float32),
                "vertical_illuminance_lx": self.vertical_illuminance_lx.astype(np.float32)}


def _cell_area(x, y):
    dx = float(np.mean(np.diff(x))) if x.size > 1 else 1.0
    dy = float(np.mean(-np.diff(y))) if y.size > 1 else dx
    return abs(dx * dy)


def _slice_start(sl: slice, n: int) -> tuple[int, int]:
    start, stop, step = sl.indices(n)
    if step != 1:
        raise ValueError(f"view slices must have step 1, got {sl}")
    return start, max(start, stop)


@dataclass(frozen=True)
class NightPairs:
    """The (camera, seen cell) pairs of the night join, sorted by cell (camera order kept
    within a cell).

    ``cell`` are flat (row-major) indices into the grid the pairs were computed on;
    ``cam`` indexes the views; ``day_px_m`` the day and ``night_px_m`` the night
    (blur-reduced, 0 where dark) pixel density [px/m]; ``mode`` the night mode
    (``assessments.engine.image_quality.NIGHT_*``); ``vertical_lx`` the vertical
    illuminance at 1.5 m facing the camera [lx].
    """

    cell: np.ndarray            # (n,) int64
    cam: np.ndarray             # (n,) int32
    day_px_m: np.ndarray        # (n,) float64
    night_px_m: np.ndarray      # (n,) float64
    mode: np.ndarray            # (n,) int8
    vertical_lx: np.ndarray     # (n,) float32

    @classmethod
    def empty(cls) -> "NightPairs":
        z = np.zeros(0)
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int32), z, z,
                   np.zeros(0, np.int8), z.astype(np.float32))

    def take(self, index) -> "NightPairs":
        """The pairs at ``index`` (a bool mask or indices, keeping their order)."""
        return NightPairs(self.cell[index], self.cam[index], self.day_px_m[index],
                          self.night_px_m[index], self.mode[index], self.vertical_lx[index])


@dataclass(frozen=True)
class NightFold:
    """The pairs reduced per cell and per camera.

    ``cells`` (ascending flat indices of the cells some camera sees) and the per-cell
    ``best_day`` [px/m], ``vertical_best_lx`` (toward the best-day camera) [lx],
    ``best_night`` [px/m], ``best_mode``; ``camera_counts[level]``: per view, how many of
    its pairs inside the mask reach the level at night.
    """

    cells: np.ndarray
    best_day: np.ndarray
    vertical_best_lx: np.ndarray
    best_night: np.ndarray
    best_mode: np.ndarray
    camera_counts: dict


@dataclass(frozen=True)
class _NightCells(NightFold):
    """:class:`NightFold` with the horizontal illuminance grid of the same call."""

    illuminance_lx: np.ndarray = None


def _camera_params(views, attr, default):
    return np.array([default if getattr(v, attr) is None else float(getattr(v, attr))
                     for v in views], dtype=float)


def night_pairs(x, y, luminaires, views, *, cutoff_lx=DEFAULT_CUTOFF_LX,
                speed_m_s=WALKING_SPEED_M_S) -> NightPairs:
    """Every (camera, seen cell) pair of ``views`` on the grid with axes ``x``, ``y``: the
    vertical illuminance toward the camera (only at those pairs, each light on the pairs
    inside its reach), the night mode and the night pixel density (rules of
    :mod:`assessments.engine.image_quality`). Sorted by cell, view order within a cell."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    shape = (y.size, x.size)
    n_cols = x.size
    cells, pds, dists, cams = [], [], [], []
    for k, v in enumerate(views):
        r0, r1 = _slice_start(v.rows, shape[0])
        c0, c1 = _slice_start(v.cols, shape[1])
        pd = np.asarray(v.pixel_density_px_m)
        if pd.shape != (r1 - r0, c1 - c0):
            raise ValueError(f"camera {v.id!r}: pixel density window {pd.shape} does not match "
                             f"rows × cols {(r1 - r0, c1 - c0)}")
        if pd.size == 0:
            continue
        flat = np.flatnonzero(pd > 0)        # NaN and 0: unseen
        if flat.size == 0:
            continue
        r, c = np.divmod(flat, pd.shape[1])
        pds.append(pd.ravel()[flat] if pd.flags.c_contiguous else pd[r, c])
        r += r0
        cells.append(r * n_cols + (c + c0))
        if v.distance_m is None:            # filled below from the facing vectors
            dists.append(np.full(r.size, np.nan))
        else:
            dists.append(np.broadcast_to(np.asarray(v.distance_m, dtype=float),
                                         pd.shape)[r - r0, c])
        cams.append(np.full(r.size, k, np.int32))
    if not cells:
        return NightPairs.empty()
    cell = np.concatenate(cells).astype(np.int64)
    pd = np.concatenate(pds).astype(float)
    dist = np.concatenate(dists)
    cam = np.concatenate(cams)
    order = _stable_cell_order(cell)         # by cell; view order kept within a cell
    cell, pd, dist, cam = cell[order], pd[order], dist[order], cam[order]
    rows, cols = np.divmod(cell, n_cols)
    cx = np.array([float(v.x_m) for v in views])[cam]
    cy = np.array([float(v.y_m) for v in views])[cam]
    ddx, ddy = cx - x[cols], cy - y[rows]
    h = np.hypot(ddx, ddy)
    missing = np.isnan(dist)
    if missing.all():
        dist = h
    elif missing.any():
        dist[missing] = h[missing]
    with np.errstate(invalid="ignore", divide="ignore"):
        sn = np.where(h > 0, ddx / h, 0.0).astype(np.float32)   # bearing 0 at the camera
        cn = np.where(h > 0, ddy / h, 1.0).astype(np.float32)
    ev = _cells_vertical(x, y, rows, cols, sn, cn, luminaires, height_m=FACE_HEIGHT_M,
                         cutoff_lx=cutoff_lx)
    min_lx = _camera_params(views, "min_illuminance_lx", DEFAULT_MIN_ILLUMINANCE_LX)[cam]
    ir = _camera_params(views, "ir_range_m", 0.0)[cam]
    shutter = _camera_params(views, "shutter_s", 0.0)[cam]
    mode = night_mode(ev, dist, min_illuminance_lx=min_lx, ir_range_m=ir)
    # = night_pixel_density(pd, ev, dist, …) without computing the modes again (pd > 0)
    npd = effective_pixel_density(pd, shutter_s=shutter, speed_m_s=speed_m_s)
    npd[mode == NIGHT_DARK] = 0.0
    return NightPairs(cell, cam, pd, npd, np.asarray(mode, np.int8), ev)


def merge_pairs(parts) -> NightPairs:
    """One :class:`NightPairs` from parts each sorted by cell, given in camera order (their
    ``cam`` already numbered in that order): concatenated, then sorted by cell stably, so
    the camera order within a cell is kept."""
    parts = [p for p in parts if p.cell.size]
    if not parts:
        return NightPairs.empty()
    if len(parts) == 1:
        return parts[0]
    cat = NightPairs(*(np.concatenate([getattr(p, f) for p in parts])
                       for f in ("cell", "cam", "day_px_m", "night_px_m", "mode",
                                 "vertical_lx")))
    return cat.take(_stable_cell_order(cat.cell))


def fold_pairs(pairs: NightPairs, *, n_views: int, in_mask, thresholds) -> NightFold:
    """Reduce the pairs per cell and per camera.

    Per cell, the camera with the largest day density gives the face direction (its
    vertical illuminance) and the one with the largest night density the night density and
    mode — the first in view order on a tie, as a sequential "strictly better" update in
    view order would. ``in_mask`` (bool per pair, or None) limits the per-camera level
    counts of ``thresholds`` (level → [px/m]; empty: no counts).
    """
    cell = pairs.cell
    if cell.size == 0:
        z = np.zeros(0)
        return NightFold(np.zeros(0, np.int64), z, z.astype(np.float32), z,
                         np.zeros(0, np.int8),
                         {k: np.zeros(n_views, np.int64) for k in thresholds})
    starts = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
    best_i = _first_max_per_group(pairs.day_px_m, starts)
    night_i = _first_max_per_group(pairs.night_px_m, starts)
    best_night = pairs.night_px_m[night_i]
    best_mode = np.where(best_night > 0, pairs.mode[night_i], NIGHT_DARK).astype(np.int8)
    counts = (_level_counts(pairs.night_px_m, thresholds, groups=pairs.cam,
                            n_groups=n_views, where=in_mask) if thresholds else {})
    return NightFold(cell[starts], pairs.day_px_m[best_i], pairs.vertical_lx[best_i],
                     best_night, best_mode, counts)


def _night_cells(x, y, luminaires, views, mask, *, thresholds, cutoff_lx, speed_m_s,
                 dtype=float, workers=None) -> _NightCells:
    """Core of :func:`night_assessment` (and of the blocks of
    ``assessments.engine.coverage.simulate_night``): horizontal illuminance on the grid,
    then :func:`night_pairs` and :func:`fold_pairs`."""
    eh = _grid_illuminance(x, y, luminaires, height_m=0.0, facing=None, cutoff_lx=cutoff_lx,
                           windowed=True, plane="horizontal", workers=workers, dtype=dtype)
    pairs = night_pairs(x, y, luminaires, views, cutoff_lx=cutoff_lx, speed_m_s=speed_m_s)
    fold = fold_pairs(pairs, n_views=len(views), in_mask=mask.ravel()[pairs.cell],
                      thresholds=thresholds)
    return _NightCells(*(getattr(fold, f) for f in ("cells", "best_day", "vertical_best_lx",
                                                    "best_night", "best_mode",
                                                    "camera_counts")), illuminance_lx=eh)


def detect_px_m(thresholds) -> float:
    """Pixel density counted as "seen" [px/m]: Detect, or the lowest level of a standard
    without Detect (IEC 62676-4:2025)."""
    return float(thresholds.get("detect", min(thresholds.values())))


def planner_areas(lit, best_day, best_night, mask, detect):
    """The planner's two areas, per cell (arrays broadcast together).

    ``lit``: horizontal illuminance ≥ :data:`LIT_THRESHOLD_LX`; ``best_day`` /
    ``best_night``: best pixel density over cameras [px/m]; ``detect``: see
    :func:`detect_px_m`.

    Returns
    -------
    (lit_but_unseen, seen_but_dark) : bool arrays
        Lit but no camera reaches ``detect`` at night; a camera reaches it by day, none at
        night.
    """
    dark = best_night < detect
    return mask & lit & dark, mask & (best_day >= detect) & dark


def _level_counts(values, thresholds, *, groups=None, n_groups=1, where=None):
    """Per level of ``thresholds`` (name → minimum), how many values reach it, per group.

    One ``searchsorted`` and one ``bincount`` instead of a comparison per level: the
    number of levels a value reaches (thresholds sorted ascending) indexes a histogram per
    group, whose cumulative sums from the top give the counts. Returns name → (n_groups,)
    int64 array (``values >= threshold`` and ``where``).
    """
    names = list(thresholds)
    thr = np.array([float(thresholds[k]) for k in names])
    srt = np.argsort(thr, kind="stable")
    n_lv = thr.size
    reached = np.searchsorted(thr[srt], values, side="right")   # levels reached, 0 … n_lv
    idx = reached if groups is None else groups.astype(np.int64) * (n_lv + 1) + reached
    if where is not None:
        idx = idx[where]
    hist = np.bincount(idx, minlength=n_groups * (n_lv + 1)).reshape(n_groups, n_lv + 1)
    at_least = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]        # [:, j] = reached ≥ j
    return {names[i]: at_least[:, pos + 1] for pos, i in enumerate(srt)}


def _stable_cell_order(cell):
    """Stable argsort of non-negative int64 cell indices (LSD radix: numpy sorts 16-bit
    keys stably by radix sort, so one or two passes of 16 bits)."""
    if cell.size == 0:
        return np.zeros(0, np.intp)
    top = int(cell.max())
    if top < 1 << 16:
        return np.argsort(cell.astype(np.uint16), kind="stable")
    if top >= 1 << 32:
        return np.argsort(cell, kind="stable")
    o1 = np.argsort((cell & 0xFFFF).astype(np.uint16), kind="stable")
    o2 = np.argsort((cell[o1] >> 16).astype(np.uint16), kind="stable")
    return o1[o2]


def _first_max_per_group(values, starts):
    """Index of the first largest value of each group (groups start at ``starts``)."""
    n = values.size
    if starts.size == n:                     # every cell seen by one camera only
        return np.arange(n)
    gmax = np.maximum.reduceat(values, starts)
    sizes = np.diff(np.append(starts, n))
    pos = np.where(values == np.repeat(gmax, sizes), np.arange(n), n)
    return np.minimum.reduceat(pos, starts)


def night_assessment(x_axis_m, y_axis_m, luminaires, views, *, area_mask=None,
                     lit_threshold_lx=LIT_THRESHOLD_LX, speed_m_s=WALKING_SPEED_M_S,
                     cutoff_lx=DEFAULT_CUTOFF_LX, target_class="B", thresholds=None,
                     seen_px_m=None, lighting_verdict=True, failing_cells=True) -> NightResult:
    """Join camera views with the lighting: night densities, modes and planner areas.

    Parameters
    ----------
    x_axis_m : array_like, shape (n_cols,)
        Cell-centre x per column, ascending [m].
    y_axis_m : array_like, shape (n_rows,)
        Cell-centre y per row, descending [m].
    luminaires : sequence of assessments.engine.lighting.Luminaire
    views : sequence of CameraView
    area_mask : array_like of bool, optional
        Area of interest (default: the whole grid).
    lit_threshold_lx : float
        Horizontal illuminance counted as lit [lx].
    speed_m_s : float
        Walking speed for motion blur [m/s].
    cutoff_lx : float
        Per-luminaire cut-off [lx].
    target_class : {"A", "B"}
        SES class whose values mark failing cells.
    thresholds : dict, optional
        DORI level → pixel density [px/m]; default the IEC 62676-4:2014 table
        (:func:`assessments.engine.dori.dori_thresholds`).
        Pass the coverage model's thresholds so ``night_dori_m2`` has ``dori_m2``'s keys.
    seen_px_m : float, optional
        Pixel density counted as "seen" [px/m]; default ``thresholds["detect"]`` (25 px/m),
        or the lowest level of a standard without Detect.
    lighting_verdict : bool, optional
        False skips :func:`assessments.engine.lighting.assess_area` (``NightResult.lighting`` is
        then None and :meth:`NightResult.result_entries` unavailable).
    failing_cells : bool, optional
        False leaves the failing-cell index list out of ``lighting`` (see
        :func:`assessments.engine.lighting.assess_area`).

    Returns
    -------
    NightResult

    Notes
    -----
    The vertical illuminance toward a camera is computed only at the cells it sees (each
    light on the seen cells within its reach), so the cost grows with what the cameras see,
    not with the map. Where several cameras see a cell, the one with the largest day
    density gives the face direction (the first view on a tie); the night mode is that of
    the camera with the largest night density (again the first on a tie).
    """
    x = np.asarray(x_axis_m, dtype=float)
    y = np.asarray(y_axis_m, dtype=float)
    shape = (y.size, x.size)
    mask = np.ones(shape, bool) if area_mask is None else np.asarray(area_mask, dtype=bool)
    if mask.shape != shape:
        raise ValueError(f"area_mask shape {mask.shape} does not match the grid {shape}")
    if target_class not in ("A", "B"):
        raise ValueError(f"target_class must be one of ['A', 'B'], got {target_class!r}")
    cell_area = _cell_area(x, y)
    thresholds = dori_thresholds() if thresholds is None else dict(thresholds)
    views = list(views)
    core = _night_cells(x, y, luminaires, views, mask, thresholds=thresholds,
                        cutoff_lx=cutoff_lx, speed_m_s=speed_m_s)
    eh = core.illuminance_lx
    best_day = np.zeros(shape)
    best_night = np.zeros(shape)
    best_mode = np.zeros(shape, np.int8)
    ev_best = np.full(shape, np.nan)
    best_day.ravel()[core.cells] = core.best_day
    best_night.ravel()[core.cells] = core.best_night
    best_mode.ravel()[core.cells] = core.best_mode
    ev_best.ravel()[core.cells] = core.vertical_best_lx
    per_camera = {}
    for i, v in enumerate(views):
        per_camera[str(v.id)] = {k: float(c[i] * cell_area)
                                 for k, c in core.camera_counts.items()}
    detect = float(seen_px_m) if seen_px_m is not None else detect_px_m(thresholds)
    lit_unseen, seen_dark = planner_areas(eh >= lit_threshold_lx, best_day, best_night, mask,
                                          detect)
    lighting = (assess_area(eh, ev_best, mask=mask, target_class=target_class,
                            failing_cells=failing_cells) if lighting_verdict else None)
    return NightResult(illuminance_lx=eh, vertical_illuminance_lx=ev_best,
                       day_pixel_density_px_m=best_day, night_pixel_density_px_m=best_night,
                       night_mode=best_mode, lit_but_unseen=lit_unseen, seen_but_dark=seen_dark,
                       area_mask=mask, cell_area_m2=cell_area, lighting=lighting,
                       thresholds=thresholds, camera_night_dori_m2=per_camera)


def night_summary(x_axis_m, y_axis_m, luminaires, views, *, area_mask=None, **kwargs):
    """RESULT.json entries and GRID.npz arrays of issue 4, for the CLI.

    Returns
    -------
    (dict, dict)
        ``({"illuminance": {"mean_lx", "min_lx", "max_lx", "uniformity", "ses_class"},
        "night_dori_m2": {level: m², …} (the keys of ``thresholds``),
        "lit_but_unseen_m2": float, "seen_but_dark_m2": float},
        {"illuminance_lx": float32 grid, "vertical_illuminance_lx": float32 grid})``.
        ``ses_class`` is ``"A"``, ``"B"``, ``"below_B"``, or None when no camera sees any
        cell of the area (the vertical illuminance is taken toward the recording camera).
    """
    res = night_assessment(x_axis_m, y_axis_m, luminaires, views, area_mask=area_mask, **kwargs)
    return res.result_entries(), res.grid_arrays()


def night_view(view, camera: Camera, *, rows=None, cols=None, pixel_density=None):
    """A coverage view (``assessments.engine.coverage.CameraView``) as a night
    :class:`CameraView` with ``camera``'s low-light specification; ``rows``, ``cols`` and
    ``pixel_density`` override the window (a part of it, relative to a block). The
    distance is left to the join (computed at the seen cells only)."""
    return CameraView(rows=view.rows if rows is None else rows,
                      cols=view.cols if cols is None else cols,
                      pixel_density_px_m=np.asarray(view.pixel_density if pixel_density is None
                                                    else pixel_density),
                      distance_m=None, x_m=float(view.x_m), y_m=float(view.y_m),
                      min_illuminance_lx=camera.min_illuminance_lx,
                      ir_range_m=camera.ir_range_m, shutter_s=camera.shutter_s,
                      id=str(view.id))


def views_from_coverage(coverage_views, cameras) -> list[CameraView]:
    """The coverage engine's per-camera views as night :class:`CameraView` values.

    Parameters
    ----------
    coverage_views : iterable of assessments.engine.coverage.CameraView
    cameras : dict
        Camera id → :class:`~assessments.engine.devices.Camera` (``model.cameras``); a
        view's own camera when absent.
    """
    return [night_view(v, cameras.get(str(v.id), v.camera)) for v in coverage_views]


def plan_luminaires(grid, lights) -> list:
    """The plan's lights (:class:`~assessments.engine.devices.Light` values or plan dicts,
    checked by :func:`~assessments.engine.devices.as_light`) as luminaires at their local
    metres on ``grid``. Heights are above flat ground (terrain is not applied to lights)."""
    lights = [as_light(lt) for lt in lights or ()]
    if not lights:
        return []
    lx, ly = grid.to_xy(np.array([lt.lat_deg for lt in lights]),
                        np.array([lt.lon_deg for lt in lights]))
    return [lt.luminaire(float(a), float(b))
            for lt, a, b in zip(lights, np.atleast_1d(lx), np.atleast_1d(ly))]


def night_result_for_model(model, lights, **kwargs) -> NightResult:
    """:func:`night_assessment` for an ``assessments.engine.coverage.CoverageModel`` and plan lights.

    Parameters
    ----------
    model : CoverageModel
        Uses ``model.grid`` (``x_axis_m``, ``y_axis_m``, ``to_xy(lat, lon)``),
        ``model.inside`` (area mask), ``model.views``, ``model.cameras`` and
        ``model.thresholds``.
    lights : list of Light or dict
        The plan's ``lights`` (:func:`plan_luminaires`).
    **kwargs
        Passed to :func:`night_assessment` (e.g. ``failing_cells=False``).

    Returns
    -------
    NightResult
        Whole-grid arrays, including ``camera_night_dori_m2`` per camera.
    """
    grid = model.grid
    lums = plan_luminaires(grid, lights)
    views = views_from_coverage(model.views.values(), model.cameras)
    kwargs.setdefault("thresholds", getattr(model, "thresholds", None))
    return night_assessment(grid.x_axis_m, grid.y_axis_m, lums, views, area_mask=model.inside,
                            **kwargs)


def night_summary_for_model(model, lights, **kwargs):
    """:func:`night_summary` for an ``assessments.engine.coverage.CoverageModel`` and plan lights.

    Returns
    -------
    (dict, dict)
        As :func:`night_summary` (:func:`night_result_for_model` gives the whole
        :class:`NightResult`, per-camera night DORI included).
    """
    res = night_result_for_model(model, lights, **kwargs)
    return res.result_entries(), res.grid_arrays()
