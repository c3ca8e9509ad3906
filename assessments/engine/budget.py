"""Memory of a run, estimated before it starts, and the memory the machine can give it.

A plan can be valid and still too large to compute: the grid arrays grow with the cells,
the cameras' windows with their reach, and the night join with the (camera, seen cell)
pairs of the blocks computed at once. :func:`estimate_bytes` adds these parts up from the
grid's shape and the cameras' reach, without allocating any of them, so that the command
line and the シミュレーション page can refuse a run that would not fit
(:func:`check_budget`) and say what to change (a coarser ``resolution_m`` with its
figure, a smaller area, fewer cameras per run).

Calibration: peak RSS above the process's RSS after the imports and a warm-up run
(Linux, 2 threads; the plan-format camera — 1920 px, 90°, 5 m, tilt 15°, IEC 62676-4:2014,
so a 76.8 m working depth — at random positions and bearings, 300 cd lights):

===================  ========  =====================  ==========  ==========
scene                cells     cameras + lights       MiB meas.   MiB est.
===================  ========  =====================  ==========  ==========
*command line* (:func:`assessments.simulate.simulate`, no GRID.npz)
2 km square, 1 m     4.0 M     0                      40          46
2 km square, 1 m     4.0 M     1,000                  229         252
2 km square, 1 m     4.0 M     3,000 + 100            587         640
2 km square, 0.5 m   16.0 M    100 + 20               184         217
500 m square, 0.2 m  6.3 M     300 + 20               1,108       1,224
300 m square, 0.1 m  9.0 M     500 + 50               6,000       5,396
*page* (``ui.simulation.simulate_plan``, ``page=True``)
2 km square, 1 m     4.0 M     0                      141         134
2 km square, 1 m     4.0 M     1,000 + 20             769         775
1 km square, 0.5 m   4.0 M     300 + 20               864         853
===================  ========  =====================  ==========  ==========

GRID.npz (lat/lon float64, the derived arrays, the compressed buffer) added 178 MiB to the
4.0 M-cell run with 200 cameras: 44 B per cell, 8 of them the illuminance grids.

What grows with the cameras is the windows they keep (4 B per window cell; a window at
0.1 m is 100 times the one at 1 m) and, in the command line's night pass, the (camera, seen
cell) pairs of the blocks computed at once (≈ 140 B per pair): many cameras crowded over a
few blocks cost more than the same cameras spread out, up to the night pass's cap of
``NIGHT_MAX_PAIRS`` pairs per block (2 M: 0.26 GiB per thread; a block holding more is cut
into quarters — before the cap, 10,000 cameras in a 500 m square needed 8.5 GiB). The page keeps
every camera's night pairs (≈ 84 B per pair) and 25 B per cell of night grids.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from .grid import Grid

__all__ = ["MemoryEstimate", "MemoryBudgetError", "estimate_bytes", "plan_estimate",
           "available_bytes", "check_budget", "coarser_resolutions", "MEMORY_LIMIT_ENV",
           "MARGIN_BYTES", "GIB"]

GIB = 1024 ** 3
#: Environment variable capping the memory a run may use [MB] (shared servers).
MEMORY_LIMIT_ENV = "MIMAMORI_MEMORY_LIMIT_MB"
#: Left for the rest of the process and the system when reading MemAvailable [B].
MARGIN_BYTES = 512 * 1024 ** 2

# Bytes per unit of each part (see the module docstring for the calibration).
#: Grid arrays of the coverage model per cell [B]: buildings (uint16), inside (bool),
#: best pixel density (float32), best camera (int16), camera count (uint8).
_MODEL_B_CELL = 10
#: Ground heights per cell when the plan has terrain (float32, and its resampling) [B];
#: from the dtypes, not measured.
_TERRAIN_B_CELL = 8
#: District labels per cell (uint8 or int16) [B]; from the dtype, not measured.
_DISTRICT_B_CELL = 2
#: ``illuminance_lx`` and ``vertical_illuminance_lx`` grids kept for GRID.npz [B].
_NIGHT_GRIDS_B_CELL = 8
#: GRID.npz: lat/lon (float64), the derived arrays and the compressed buffer [B].
_GRID_FILE_B_CELL = 40
#: A camera's kept window (float32 pixel density) per window cell [B].
_WINDOW_B_CELL = 4
#: One window being computed (float32 axes and masks) per window cell, per thread [B].
_WINDOW_WORK_B_CELL = 40
#: Share of a camera's window (the bounding box of its footprint) it sees [-].
_SEEN_FRACTION = 0.5
#: Night join per (camera, seen cell) pair of the blocks computed at once [B].
_PAIR_B = 140
#: Night join per cell of a block computed at once (illuminance and masks) [B].
_BLOCK_B_CELL = 16
#: Python objects per camera (typed camera, views, its summary and footprint) [B].
_CAMERA_B = 6_000
#: The page keeps every camera's night pairs (``ui.simulation.NightCache``) [B per pair].
_PAGE_PAIR_B = 84
#: The page's whole-grid night arrays, lit mask and requirement map [B per cell].
_PAGE_B_CELL = 25


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak memory of one run.

    Attributes
    ----------
    total_bytes : int
        Sum of :attr:`parts` [B].
    parts : dict[str, int]
        Part → bytes: ``grid`` (per-cell arrays), ``terrain``, ``districts``,
        ``night_grids``, ``grid_file``, ``camera_windows`` (kept per camera),
        ``camera_work`` (windows being computed), ``night_blocks`` (the night join of the
        blocks computed at once), ``cameras`` (Python objects), ``page`` (what the page
        keeps besides) [B].
    cells : int
        Grid cells (rows × cols).
    shape : tuple of int
        Grid shape (rows, cols).
    resolution_m : float
        Grid spacing [m].
    n_cameras : int
        Cameras.
    window_cells : int
        Cells of all the cameras' windows together.
    """

    total_bytes: int
    parts: dict = field(default_factory=dict)
    cells: int = 0
    shape: tuple = (0, 0)
    resolution_m: float = 1.0
    n_cameras: int = 0
    window_cells: int = 0

    @property
    def total_gib(self) -> float:
        """:attr:`total_bytes` in GiB."""
        return self.total_bytes / GIB


class MemoryBudgetError(Exception):
    """A run that would need more memory than is available.

    Attributes
    ----------
    estimate : MemoryEstimate
    available_bytes : int
        What the run may use [B] (:func:`available_bytes`).
    suggestions : list of (float, int)
        Coarser ``resolution_m`` [m] and the estimate there [B], coarsest last; the first
        one that fits when any does (:func:`coarser_resolutions`).
    """

    def __init__(self, estimate: MemoryEstimate, available: int, suggestions=()):
        self.estimate = estimate
        self.available_bytes = int(available)
        self.suggestions = list(suggestions)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """English text for the command line: needed vs available and what to change."""
        e = self.estimate
        text = (f"not enough memory: this run needs about {e.total_gib:.1f} GiB "
                f"({e.cells:,} cells at {e.resolution_m:g} m, cameras: {e.n_cameras:,}), "
                f"{self.available_bytes / GIB:.1f} GiB is available")
        fits = [(r, b) for r, b in self.suggestions if b <= self.available_bytes]
        if fits:
            r, b = fits[0]
            text += f"; use a coarser resolution_m (at {r:g} m: {b / GIB:.1f} GiB)"
        else:
            text += "; use a coarser resolution_m"
        return text + (", a smaller area or fewer cameras per run, or simulate in tiles "
                       "(--tiles 2048, on Dask: docs/scale-out.md)")


def _windows(grid: Grid, cameras, *, min_density_px_m: float, flat: bool):
    """Rows × cols of each camera's window and its rectangle in cells (vectorised).

    The window is the bounding box of what the camera can reach, clipped to the grid, as
    :meth:`assessments.engine.coverage.CoverageModel.compute_view` takes it: on flat
    ground the box of the footprint, here bounded by the wedge of half-angle
    ``atan(tan_h)`` around the bearing out to the horizontal reach; with terrain the
    square of the reach around the camera. The reach is ``max_range_m`` or the working
    depth ``f_px / min_density_px_m`` (:func:`assessments.engine.camera.working_depth_m`)
    times ``sqrt(1 + tan_h²)`` (the frame's edge at that depth).
    """
    n = len(cameras)
    if n == 0:
        z = np.zeros(0, np.int64)
        return z, (z, z, z, z)
    lat = np.array([c.lat_deg for c in cameras], float)
    lon = np.array([c.lon_deg for c in cameras], float)
    x, y = (np.atleast_1d(v) for v in grid.to_xy(lat, lon))
    tan_h = np.array([c.tan_h for c in cameras], float)
    f_px = np.array([c.f_px for c in cameras], float)
    max_r = np.array([np.nan if c.max_range_m is None else c.max_range_m for c in cameras])
    reach = np.where(np.isnan(max_r), f_px / min_density_px_m * np.sqrt(1 + tan_h ** 2),
                     max_r)
    if flat:
        half = np.arctan(tan_h)
        bearing = np.radians([c.bearing_deg for c in cameras])
        phi = bearing[:, None] + half[:, None] * np.linspace(-1, 1, 17)[None, :]
        # a bearing of a cardinal direction inside the wedge is an extreme of the box
        card = np.arange(4) * (np.pi / 2)
        inside = np.abs((card[None, :] - bearing[:, None] + np.pi) % (2 * np.pi) - np.pi) \
            <= half[:, None]
        sx = np.concatenate([np.sin(phi), np.where(inside, np.sin(card), 0)], axis=1)
        sy = np.concatenate([np.cos(phi), np.where(inside, np.cos(card), 0)], axis=1)
        xmin = x + reach * np.minimum(sx.min(1), 0)
        xmax = x + reach * np.maximum(sx.max(1), 0)
        ymin = y + reach * np.minimum(sy.min(1), 0)
        ymax = y + reach * np.maximum(sy.max(1), 0)
    else:
        xmin, xmax, ymin, ymax = x - reach, x + reach, y - reach, y + reach
    res = grid.resolution_m
    rows, cols = grid.shape
    c0 = np.clip(np.ceil((xmin - grid.x0_m) / res), 0, cols)
    c1 = np.clip(np.floor((xmax - grid.x0_m) / res) + 1, 0, cols)
    r0 = np.clip(np.ceil((grid.y0_m - ymax) / res), 0, rows)
    r1 = np.clip(np.floor((grid.y0_m - ymin) / res) + 1, 0, rows)
    h = np.maximum(r1 - r0, 0)
    w = np.maximum(c1 - c0, 0)
    return (h * w).astype(np.int64), tuple(a.astype(np.int64) for a in (r0, r1, c0, c1))


def _block_pairs(shape, rects, seen, block_cells: int) -> np.ndarray:
    """(camera, seen cell) pairs per block of ``block_cells``² cells, each camera's seen
    cells spread evenly over the blocks its window meets (a 2-D difference array)."""
    nb_r = max(1, math.ceil(shape[0] / block_cells))
    nb_c = max(1, math.ceil(shape[1] / block_cells))
    diff = np.zeros((nb_r + 1, nb_c + 1))
    r0, r1, c0, c1 = rects
    ok = (r1 > r0) & (c1 > c0)
    if ok.any():
        bi0, bi1 = r0[ok] // block_cells, (r1[ok] - 1) // block_cells + 1
        bj0, bj1 = c0[ok] // block_cells, (c1[ok] - 1) // block_cells + 1
        share = seen[ok] / ((bi1 - bi0) * (bj1 - bj0))
        np.add.at(diff, (bi0, bj0), share)
        np.add.at(diff, (bi0, bj1), -share)
        np.add.at(diff, (bi1, bj0), -share)
        np.add.at(diff, (bi1, bj1), share)
    return diff.cumsum(0).cumsum(1)[:nb_r, :nb_c]


def estimate_bytes(grid: Grid, cameras=(), *, min_density_px_m: float = 12.5,
                   terrain: bool = False, districts: bool = False,
                   night_grids: bool = False, grid_file: bool = False, page: bool = False,
                   threads: int | None = None, block_cells: int | None = None
                   ) -> MemoryEstimate:
    """Peak memory of a run on ``grid`` with ``cameras``, from shapes alone.

    Parameters
    ----------
    grid : Grid
        The assessment grid (:meth:`Grid.from_area`; its arrays are not touched).
    cameras : sequence of Camera
        Typed cameras (:class:`assessments.engine.devices.Camera`).
    min_density_px_m : float
        Working-range limit of cameras without ``max_range_m`` [px/m] (the standard's
        lowest level by default; 12.5 = Monitor of IEC 62676-4:2014).
    terrain, districts : bool
        The plan has ground heights / districts.
    night_grids, grid_file : bool
        The illuminance grids are kept / GRID.npz is written.
    page : bool
        The シミュレーション page's model: every camera's night pairs and the whole-grid
        night arrays are kept (``ui.simulation.NightCache``) instead of the command line's
        blocks.
    threads : int, optional
        Cameras / blocks computed at once (default: as ``CoverageModel``, the CPU count,
        at most 4).
    block_cells : int, optional
        Side of the night blocks [cells] (default
        :data:`assessments.engine.coverage.NIGHT_BLOCK_CELLS`).

    Returns
    -------
    MemoryEstimate

    Notes
    -----
    ``total = cells·(B_grid + …) + Σ window·B_window + threads·max window·B_work
    + threads·(max pairs per block·B_pair + block²·B_block) + n·B_camera``; the night
    join's pairs are a camera's seen cells (a share of its window), so a crowd of
    cameras over the same blocks costs more than the same cameras spread out, up to
    :data:`assessments.engine.coverage.NIGHT_MAX_PAIRS` per block (more are cut).
    """
    from .coverage import NIGHT_BLOCK_CELLS, NIGHT_MAX_PAIRS
    cameras = list(cameras)
    threads = min(4, os.cpu_count() or 1) if threads is None else max(1, int(threads))
    block = NIGHT_BLOCK_CELLS if block_cells is None else int(block_cells)
    rows, cols = grid.shape
    cells = rows * cols
    win, rects = _windows(grid, cameras, min_density_px_m=min_density_px_m,
                          flat=not terrain)
    seen = win * _SEEN_FRACTION
    top = np.sort(win)[-threads:] if win.size else win
    parts = {"grid": cells * _MODEL_B_CELL,
             "terrain": cells * _TERRAIN_B_CELL if terrain else 0,
             "districts": cells * _DISTRICT_B_CELL if districts else 0,
             "night_grids": cells * _NIGHT_GRIDS_B_CELL if night_grids else 0,
             "grid_file": cells * _GRID_FILE_B_CELL if grid_file else 0,
             # with terrain a window also keeps its target heights (float32)
             "camera_windows": int(win.sum()) * _WINDOW_B_CELL * (2 if terrain else 1),
             "camera_work": int(top.sum()) * _WINDOW_WORK_B_CELL,
             "cameras": len(cameras) * _CAMERA_B}
    if page:
        parts["page"] = cells * _PAGE_B_CELL + int(seen.sum() * _PAGE_PAIR_B)
        parts["night_blocks"] = 0
    else:
        # a block holding more pairs is cut until each part holds at most NIGHT_MAX_PAIRS
        per_block = np.minimum(_block_pairs(grid.shape, rects, seen, block).ravel(),
                               NIGHT_MAX_PAIRS)
        busiest = np.sort(per_block)[-threads:]
        parts["night_blocks"] = int(busiest.sum() * _PAIR_B
                                    + min(threads, per_block.size) * min(cells, block * block)
                                    * _BLOCK_B_CELL)
    return MemoryEstimate(int(sum(parts.values())), parts, cells, (rows, cols),
                          float(grid.resolution_m), len(cameras), int(win.sum()))


def plan_estimate(plan: dict, *, resolution_m: float | None = None,
                  grid: Grid | None = None, **kwargs) -> MemoryEstimate:
    """:func:`estimate_bytes` of a validated plan
    (:func:`assessments.plan.validate.validate_plan`) on its area's grid, at another
    ``resolution_m`` [m] or on ``grid`` (a tile) when given; ``kwargs`` as there
    (``night_grids``, ``grid_file``, ``page``, ``terrain``)."""
    from .camera import lowest_level_px_m
    if grid is None or resolution_m is not None:
        res = plan["resolution_m"] if resolution_m is None else resolution_m
        grid = Grid.from_area(plan["area"], res)
    md = plan.get("min_density_px_m")
    md = lowest_level_px_m(plan["standard"]) if md is None else float(md)
    kwargs.setdefault("terrain", bool(plan.get("terrain")))
    kwargs.setdefault("districts", bool(plan.get("districts")))
    return estimate_bytes(grid, plan.get("cameras") or (), min_density_px_m=md, **kwargs)


def coarser_resolutions(plan: dict, **kwargs) -> list:
    """``[(resolution_m, bytes)]`` of the plan at 2, 4, 8 … times its ``resolution_m``
    (up to 100 m, the validator's limit), stopping at the first that is under
    ``kwargs["available"]`` when given [m], [B]."""
    available = kwargs.pop("available", None)
    out = []
    res = float(plan["resolution_m"])
    while res < 100:
        res = min(100.0, _round_resolution(res * 2))
        est = plan_estimate(plan, resolution_m=res, **kwargs)
        out.append((res, est.total_bytes))
        if available is not None and est.total_bytes <= available:
            break
    return out


def _round_resolution(res_m: float) -> float:
    """A resolution as people write it: 0.1, 0.2, 0.5, 1, 2, 5 … × 10ⁿ, at least ``res_m``."""
    e = math.floor(math.log10(res_m))
    for m in (1, 2, 5, 10):
        if m * 10 ** e >= res_m - 1e-12:
            return round(m * 10 ** e, 6)
    return res_m


def available_bytes(*, environ=None, meminfo: str = "/proc/meminfo") -> int:
    """The memory a run may use [B]: MemAvailable of ``/proc/meminfo`` (else the free
    physical pages, ``os.sysconf``) minus :data:`MARGIN_BYTES`, capped by
    ``MIMAMORI_MEMORY_LIMIT_MB`` [MB] when set (shared servers). Without either source
    only the cap counts (no cap: ``2**62``, no limit).

    Raises
    ------
    ValueError
        When ``MIMAMORI_MEMORY_LIMIT_MB`` is set but not a number.
    """
    env = os.environ if environ is None else environ
    found = None
    try:
        with open(meminfo, encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    found = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        found = None
    if found is None:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            found = None
    avail = 2 ** 62 if found is None else max(0, found - MARGIN_BYTES)
    cap = env.get(MEMORY_LIMIT_ENV, "").strip()
    if cap:
        try:
            mb = float(cap)
        except ValueError:
            raise ValueError(f"{MEMORY_LIMIT_ENV} must be a number of MB, got {cap!r}") \
                from None
        if math.isfinite(mb) and mb > 0:
            avail = min(avail, int(mb * 1024 ** 2))
    return avail


def check_budget(plan: dict, *, available: int | None = None, grid: Grid | None = None,
                 **kwargs) -> MemoryEstimate:
    """Estimate a validated plan's run (on ``grid`` when given) and raise
    :class:`MemoryBudgetError` when it is over ``available`` [B] (default
    :func:`available_bytes`); ``kwargs`` as :func:`estimate_bytes`. Returns the estimate
    when it fits. Nothing of the size of the grid is allocated."""
    avail = available_bytes() if available is None else int(available)
    est = plan_estimate(plan, grid=grid, **kwargs)
    if est.total_bytes > avail:
        raise MemoryBudgetError(est, avail,
                                coarser_resolutions(plan, available=avail, **kwargs))
    return est
