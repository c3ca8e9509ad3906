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

from assessments.engine.image_quality import (DORI_PX_PER_M, NIGHT_DARK, WALKING_SPEED_M_S,
                                       dori_areas_m2, effective_pixel_density, night_mode)
from assessments.engine.lighting import (DEFAULT_CUTOFF_LX, _cells_vertical, _grid_illuminance,
                                  assess_area)

__all__ = ["CameraView", "NightResult", "night_assessment", "night_summary",
           "views_from_coverage", "night_summary_for_model", "night_result_for_model",
           "camera_night_params", "LIT_THRESHOLD_LX"]

#: Used when a plan camera has no ``min_illuminance_lx`` / ``shutter_s``: the example
#: values of the plan format in docs/architecture.md (not a measured or published figure).
DEFAULT_MIN_ILLUMINANCE_LX = 0.5
DEFAULT_SHUTTER_S = 1 / 60

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
    min_illuminance_lx: float = 0.5
    ir_range_m: float | None = None
    shutter_s: float = 1 / 60
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
class _NightCells:
    """The night join in *cell space*: every (camera, seen cell) pair, reduced per cell.

    ``cells`` are the flat indices (row-major) of the cells some camera sees, ascending;
    the per-cell arrays follow them. ``camera_counts[level]`` counts, per view, its own
    cells inside the mask whose night density reaches the level.
    """

    illuminance_lx: np.ndarray          # grid, horizontal at the ground
    cells: np.ndarray                   # (n,) int64
    best_day: np.ndarray                # (n,) float64 [px/m]
    vertical_best_lx: np.ndarray        # (n,) float32, toward the best-day camera [lx]
    best_night: np.ndarray              # (n,) float64 [px/m]
    best_mode: np.ndarray               # (n,) int8
    camera_counts: dict                 # level → (n_views,) int64


def _camera_params(views, attr, default):
    return np.array([default if getattr(v, attr) is None else float(getattr(v, attr))
                     for v in views], dtype=float)


def _night_cells(x, y, luminaires, views, mask, *, thresholds, cutoff_lx, speed_m_s,
                 dtype=float, workers=None) -> _NightCells:
    """Core of :func:`night_assessment` (and of the blocks of
    ``assessments.engine.coverage.simulate_night``): horizontal illuminance on the grid, the
    vertical illuminance only at the (camera, seen cell) pairs, night modes and densities
    per pair, then the best camera per cell.

    Ties between cameras keep the first view (as a sequential "strictly better" update
    in view order would).
    """
    shape = (y.size, x.size)
    n_cols = x.size
    eh = _grid_illuminance(x, y, luminaires, height_m=0.0, facing=None, cutoff_lx=cutoff_lx,
                           windowed=True, plane="horizontal", workers=workers, dtype=dtype)
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
    levels = list(thresholds)
    if not cells:
        z = np.zeros(0)
        return _NightCells(eh, np.zeros(0, np.int64), z, z.astype(np.float32), z,
                           np.zeros(0, np.int8),
                           {k: np.zeros(len(views), np.int64) for k in levels})
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
    starts = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
    best_i = _first_max_per_group(pd, starts)
    night_i = _first_max_per_group(npd, starts)
    best_night = npd[night_i]
    best_mode = np.where(best_night > 0, mode[night_i], NIGHT_DARK).astype(np.int8)
    in_mask = mask.ravel()[cell]
    counts = _level_counts(npd, thresholds, groups=cam, n_groups=len(views), where=in_mask)
    return _NightCells(eh, cell[starts], pd[best_i], ev[best_i], best_night, best_mode, counts)


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
        DORI level → pixel density [px/m]; default IEC 62676-4:2014 Detect … Identify.
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
    thresholds = dict(DORI_PX_PER_M if thresholds is None else thresholds)
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
    detect = (float(seen_px_m) if seen_px_m is not None
              else thresholds.get("detect", min(thresholds.values())))
    dark = best_night < detect
    lit_unseen = mask & (eh >= lit_threshold_lx) & dark
    seen_dark = mask & (best_day >= detect) & dark
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


def views_from_coverage(coverage_views, cameras) -> list[CameraView]:
    """Convert the coverage engine's per-camera views to :class:`CameraView`.

    Parameters
    ----------
    coverage_views : iterable
        Objects with ``id``, ``rows``, ``cols``, ``pixel_density`` (window, 0 = unseen),
        ``x_m``, ``y_m`` and ``horizontal_distance_m`` (``assessments.engine.coverage.CameraView``).
    cameras : dict or list of dict
        Plan camera dicts (by id, or a list) giving ``min_illuminance_lx``, ``ir_range_m``,
        ``shutter_s``; missing values default to :data:`DEFAULT_MIN_ILLUMINANCE_LX`, no IR
        and :data:`DEFAULT_SHUTTER_S`.
    """
    by_id = cameras if isinstance(cameras, dict) else {str(c["id"]): c for c in cameras}
    out = []
    for v in coverage_views:
        # a coverage view's distance is the hypot from the grid's cell centres, which the
        # night join computes itself at the seen cells only (None)
        dist = None if hasattr(v, "x_axis_m") else getattr(v, "horizontal_distance_m", None)
        out.append(CameraView(
            rows=v.rows, cols=v.cols,
            pixel_density_px_m=np.asarray(v.pixel_density),
            distance_m=None if dist is None else np.asarray(dist, dtype=float),
            x_m=float(v.x_m), y_m=float(v.y_m), id=str(v.id),
            **camera_night_params(by_id.get(str(v.id), {}))))
    return out


def camera_night_params(cam: dict) -> dict:
    """``min_illuminance_lx``, ``ir_range_m``, ``shutter_s`` of a plan camera dict, with
    :data:`DEFAULT_MIN_ILLUMINANCE_LX` / no IR / :data:`DEFAULT_SHUTTER_S` when missing."""
    mi = cam.get("min_illuminance_lx")
    sh = cam.get("shutter_s")
    return {"min_illuminance_lx": DEFAULT_MIN_ILLUMINANCE_LX if mi is None else float(mi),
            "ir_range_m": cam.get("ir_range_m"),
            "shutter_s": DEFAULT_SHUTTER_S if sh is None else float(sh)}


def night_result_for_model(model, lights, **kwargs) -> NightResult:
    """:func:`night_assessment` for an ``assessments.engine.coverage.CoverageModel`` and plan lights.

    Parameters
    ----------
    model : CoverageModel
        Uses ``model.grid`` (``x_axis_m``, ``y_axis_m``, ``to_xy(lat, lon)``),
        ``model.inside`` (area mask), ``model.views``, ``model.cameras`` and
        ``model.thresholds``.
    lights : list of dict
        The plan's ``lights`` (validated with :func:`assessments.engine.lighting.validate_light`).
        Heights are above flat ground (terrain is not applied to lights).
    **kwargs
        Passed to :func:`night_assessment` (e.g. ``failing_cells=False``).

    Returns
    -------
    NightResult
        Whole-grid arrays, including ``camera_night_dori_m2`` per camera.
    """
    from assessments.engine.lighting import luminaire_from_plan
    grid = model.grid
    lums = []
    for light in lights or []:
        x, y = grid.to_xy(float(light["lat"]), float(light["lon"]))
        lums.append(luminaire_from_plan(light, x_m=float(x), y_m=float(y)))
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
