"""Many cameras on a grid: per-camera windows, best pixel density, camera counts, DORI areas.

Each camera is computed only on the *window* of cells it can reach (the bounding box of its
ground footprint, see :func:`assessments.engine.camera.footprint_xy`), then combined into grid-wide
arrays: the best pixel density over cameras, which camera gives it and how many cameras see
each cell. :class:`CoverageModel` keeps every camera's window so that moving, adding or
removing one camera recomputes that camera only and recombines its windows.

A cell is *seen* by a camera when its point on the target plane (``target_height_m`` above
the local ground) is

* inside the frustum (``z_c > 0``, ``|x_c| ≤ z_c·tan(hfov/2)``, ``|y_c| ≤ z_c·tan(vfov/2)``),
* within ``max_range_m`` (horizontal distance) when the camera has one; otherwise within its
  *working range*: pixel density ≥ ``min_density_px_m`` (default: the lowest level of the
  chosen DORI standard, Monitor 12.5 px/m for IEC 62676-4:2014), i.e. depth ≤
  ``f_px / min_density_px_m``,
* not blocked by buildings or terrain (:mod:`assessments.engine.visibility`),
* inside the assessed area (area polygon minus building footprints).

DORI areas are cumulative: the area at ≥ Recognise includes the area at ≥ Identify.

:func:`simulate` also joins the cameras with the plan's street lights (night DORI, lit but
unseen, seen but dark; :func:`simulate_night`, block by block with
:func:`assessments.engine.night.night_assessment`).

References
----------
.. [1] IEC 62676-4:2014, Video surveillance systems for use in security applications —
   Part 4: Application guidelines (DORI pixel densities).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from . import camera as cam_mod
from .devices import Camera, as_camera
from .districts import ILLUMINANCE_KEYS, LightingSums, no_district
from .grid import Grid, filled, polygon_mask
from .visibility import (Surface, Terrain, building_footprints, camera_window,
                         rasterize_buildings, sweep_lattice)

__all__ = ["CoverageModel", "CameraView", "simulate_night", "fold_window", "NIGHT_BLOCK_CELLS"]


@dataclass
class CameraView:
    """One camera's result on its window of the grid.

    Attributes
    ----------
    id : str
        Camera id.
    rows, cols : slice
        The window in the model's grid: ``model.pixel_density[view.rows, view.cols]``.
    pixel_density : ndarray of float32
        Pixel density in the window [px/m]; 0 where the camera does not see the cell.
    f_px : float
        Focal length [px].
    x_m, y_m : float
        Camera position in local metres (east, north) [m].
    z_m : float
        Camera height above the datum (ground height + ``mount_height_m``) [m].
    target_z_m : float or ndarray
        Height of the target points above the datum in the window [m].
    x_axis_m, y_axis_m : ndarray
        Local x of the window's columns and y of its rows [m].
    range_m : float
        Horizontal reach used for the window [m] (``max_range_m`` or the working range).
    max_depth_m : float or None
        Depth limit from ``min_density_px_m`` when the camera has no ``max_range_m`` [m].
    footprint : ndarray (n, 2) or None
        Frustum footprint on the flat target plane, offsets from the camera [m]; None
        until :attr:`footprint_xy` is first read (a run on terrain does not need it).
    camera : Camera
        The camera (:class:`assessments.engine.devices.Camera`).
    target_height_m : float
        Height of the target plane above the ground [m] (of the footprint).
    """

    id: str
    rows: slice
    cols: slice
    pixel_density: np.ndarray
    f_px: float
    x_m: float
    y_m: float
    z_m: float
    target_z_m: object
    x_axis_m: np.ndarray
    y_axis_m: np.ndarray
    range_m: float
    max_depth_m: float | None
    footprint: np.ndarray | None
    camera: Camera = field(repr=False)
    target_height_m: float = 1.5

    @property
    def footprint_xy(self) -> np.ndarray:
        """Frustum footprint on the flat target plane, offsets from the camera (n, 2) [m]."""
        if self.footprint is None:
            self.footprint = _footprint(self.camera, self.target_height_m, self.max_depth_m)
        return self.footprint

    @property
    def seen(self) -> np.ndarray:
        """Cells of the window the camera sees (bool)."""
        return self.pixel_density > 0

    @property
    def depth_m(self) -> np.ndarray:
        """Depth along the optical axis ``f_px / pixel_density`` [m]; NaN where unseen."""
        pd = self.pixel_density
        with np.errstate(divide="ignore"):
            return np.where(pd > 0, np.float32(self.f_px) / np.where(pd > 0, pd, 1), np.nan)

    @property
    def horizontal_distance_m(self) -> np.ndarray:
        """Horizontal distance camera → cell centre [m] (whole window)."""
        return np.hypot(self.x_axis_m[None, :] - self.x_m, self.y_axis_m[:, None] - self.y_m)

    @property
    def distance_m(self) -> np.ndarray:
        """3-D distance camera → target point [m]; NaN where unseen."""
        dz = np.asarray(self.target_z_m, dtype=np.float64) - self.z_m
        d = np.sqrt(self.horizontal_distance_m ** 2 + dz ** 2)
        return np.where(self.seen, d, np.nan)

    @property
    def empty(self) -> bool:
        return self.pixel_density.size == 0


def _footprint(cam: Camera, target_height_m: float, max_depth_m) -> np.ndarray:
    """The camera's frustum footprint on the flat target plane (offsets [m])."""
    return cam_mod.footprint_xy(mount_height_m=cam.mount_height_m,
                                azimuth_deg=cam.bearing_deg, tilt_deg=cam.tilt_deg,
                                hfov_deg=cam.hfov_deg, vfov_deg=cam.vfov_deg,
                                target_height_m=target_height_m, range_m=cam.max_range_m,
                                max_depth_m=max_depth_m)


class CoverageModel:
    """Coverage of a set of cameras on a grid, updatable one camera at a time.

    Parameters
    ----------
    grid : Grid
        The assessment grid.
    buildings : dict or list, optional
        GeoJSON FeatureCollection (lon/lat; ``height_m`` or ``measuredHeight``) or the
        output of :func:`assessments.engine.visibility.building_footprints`.
    target_height_m : float
        Height of the evaluated plane above the ground [m] (1.5 = a face).
    terrain : Terrain or ndarray, optional
        Ground heights (a :class:`~assessments.engine.visibility.Terrain` or a 2-D array on
        ``grid``) [m]; camera and target heights are then above the local ground.
    area : dict or ndarray, optional
        GeoJSON Polygon/MultiPolygon (lon/lat) or boolean mask on the grid; default: every
        cell. Cells inside building footprints are removed from it.
    standard : {"iec62676_4_2014", "iec62676_4_2025"}
        DORI table used for areas and for the default working range.
    min_density_px_m : float, optional
        Working-range limit for cameras without ``max_range_m`` [px/m]; default the
        standard's lowest level.
    threads : int, optional
        Worker threads for :meth:`set_cameras` (default: CPU count, at most 4).

    Attributes
    ----------
    inside : ndarray of bool
        Assessed cells (area minus buildings).
    pixel_density : ndarray of float32
        Best pixel density over cameras [px/m], 0 where unseen.
    best_camera : ndarray of int16/int32
        Index into :attr:`camera_ids` of the camera giving the best density; −1 unseen.
    camera_count : ndarray of uint8
        Number of cameras seeing the cell (saturates at 255).
    views : dict[str, CameraView]
        Per-camera window results, in camera order.
    cameras : dict[str, Camera]
        The cameras, in the same order.
    """

    def __init__(self, grid: Grid, buildings=None, *, target_height_m: float = 1.5,
                 terrain=None, area=None, standard: str = "iec62676_4_2014",
                 min_density_px_m: float | None = None, threads: int | None = None):
        import os
        self.threads = min(4, os.cpu_count() or 1) if threads is None else int(threads)
        self.grid = grid
        self.standard = standard
        self.thresholds = cam_mod.dori_thresholds(standard)
        self.min_density_px_m = (cam_mod.lowest_level_px_m(standard)
                                 if min_density_px_m is None else float(min_density_px_m))
        self.target_height_m = float(target_height_m)
        if buildings is not None and isinstance(buildings, dict):
            buildings = building_footprints(buildings)
        self.building_cm = rasterize_buildings(grid, buildings or [])
        if terrain is None:
            ground = None
        elif isinstance(terrain, Terrain):
            ground = terrain.on(grid)
        else:
            ground = np.asarray(terrain, dtype=np.float32)
            if ground.shape != grid.shape:
                raise ValueError(f"terrain shape {ground.shape} does not match grid "
                                 f"{grid.shape}")
        self.surface = Surface(grid, ground_m=ground, building_cm=self.building_cm)
        if area is None:
            inside = np.ones(grid.shape, dtype=bool)
        elif isinstance(area, np.ndarray):
            if area.shape != grid.shape:
                raise ValueError(f"area mask shape {area.shape} does not match grid "
                                 f"{grid.shape}")
            inside = area.astype(bool, copy=True)
        else:
            inside = polygon_mask(grid, area)
        for r in range(0, grid.shape[0], 1024):     # no grid-sized temporary
            inside[r:r + 1024] &= self.building_cm[r:r + 1024] == 0
        self.inside = inside
        self.pixel_density = filled(grid.shape, 0.0, np.float32)
        self.best_camera = filled(grid.shape, -1, np.int16)
        self.camera_count = filled(grid.shape, 0, np.uint8)
        self.views: dict[str, CameraView] = {}
        self.cameras: dict[str, Camera] = {}

    # --- camera management ------------------------------------------------------------
    @property
    def camera_ids(self) -> list:
        return list(self.views)

    def set_cameras(self, cameras) -> None:
        """Replace all cameras (:class:`~assessments.engine.devices.Camera` values or plan
        camera dicts, unique ids; a dict is checked by
        :func:`~assessments.engine.devices.as_camera`, which raises ``PlanError``)."""
        cameras = [as_camera(c) for c in cameras]
        old = [v for v in self.views.values() if not v.empty]
        self.views.clear()
        self.cameras.clear()
        self._ensure_index_dtype(len(cameras))
        for cam in cameras:
            cid = cam.id
            if cid in self.cameras:
                raise ValueError(f"duplicate camera id {cid!r}")
            self.cameras[cid] = cam
        cams = list(self.cameras.values())
        if self.threads > 1 and len(cams) > 1:
            # the compiled window pass releases the GIL: cameras in parallel threads
            from concurrent.futures import ThreadPoolExecutor
            with ThreadPoolExecutor(self.threads) as pool:
                views = list(pool.map(self.compute_view, cams))
        else:
            views = [self.compute_view(c) for c in cams]
        for cid, view in zip(self.cameras, views):
            self.views[cid] = view
        # only the cameras' windows ever hold values: clear those when they are fewer
        # cells than the grid (a large grid with a few cameras)
        windows = ([(v.rows, v.cols) for v in old]
                   if sum(v.pixel_density.size for v in old) < self.pixel_density.size
                   else [(slice(None), slice(None))])
        for sl in windows:
            self.pixel_density[sl].fill(0)
            self.best_camera[sl].fill(-1)
            self.camera_count[sl].fill(0)
        for idx, view in enumerate(self.views.values()):
            self._accumulate(view, idx, None)

    def update_camera(self, cam) -> CameraView:
        """Add a camera or replace the one with the same ``id``; recompute that camera only
        (a :class:`~assessments.engine.devices.Camera` or a plan camera dict)."""
        cam = as_camera(cam)
        cid = cam.id
        old = self.views.get(cid)
        self._ensure_index_dtype(len(self.views) + 1)
        view = self.compute_view(cam)
        self.cameras[cid] = cam
        self.views[cid] = view
        if old is None:
            self._accumulate(view, len(self.views) - 1, None)
        else:
            self._recombine([old, view])
        return view

    def remove_camera(self, camera_id: str) -> None:
        """Remove a camera and recombine its window."""
        cid = str(camera_id)
        if cid not in self.views:
            raise KeyError(f"no camera {cid!r}")
        idx = self.camera_ids.index(cid)
        old = self.views.pop(cid)
        self.cameras.pop(cid)
        bc = self.best_camera
        bc[bc > idx] -= 1
        self._recombine([old])

    def _ensure_index_dtype(self, n):
        if n > np.iinfo(self.best_camera.dtype).max:
            self.best_camera = self.best_camera.astype(np.int32)

    # --- combination ------------------------------------------------------------------
    def _accumulate(self, view: CameraView, idx: int, region):
        """Fold one camera's window into the grid arrays, limited to ``region`` (r0,r1,c0,c1)."""
        if view.empty:
            return
        r0, r1, c0, c1 = view.rows.start, view.rows.stop, view.cols.start, view.cols.stop
        if region is not None:
            r0, r1 = max(r0, region[0]), min(r1, region[1])
            c0, c1 = max(c0, region[2]), min(c1, region[3])
            if r0 >= r1 or c0 >= c1:
                return
        pd = view.pixel_density[r0 - view.rows.start:r1 - view.rows.start,
                                c0 - view.cols.start:c1 - view.cols.start]
        fold_window(pd, self.pixel_density[r0:r1, c0:c1], self.best_camera[r0:r1, c0:c1],
                    self.camera_count[r0:r1, c0:c1], idx)

    def _recombine(self, changed_views):
        for v in changed_views:
            if v.empty:
                continue
            region = (v.rows.start, v.rows.stop, v.cols.start, v.cols.stop)
            sl = (slice(region[0], region[1]), slice(region[2], region[3]))
            self.pixel_density[sl] = 0
            self.best_camera[sl] = -1
            self.camera_count[sl] = 0
            for idx, other in enumerate(self.views.values()):
                if (other.empty or other.rows.stop <= region[0]
                        or other.rows.start >= region[1] or other.cols.stop <= region[2]
                        or other.cols.start >= region[3]):
                    continue
                self._accumulate(other, idx, region)

    # --- one camera -------------------------------------------------------------------
    def compute_view(self, cam) -> CameraView:
        """Compute one camera (a :class:`~assessments.engine.devices.Camera` or a plan
        camera dict) on its window (does not change the model)."""
        cam = as_camera(cam)
        g = self.grid
        x, y = g.to_xy(cam.lat_deg, cam.lon_deg)
        rc, cc = g.to_rc(x, y)
        ground_cam = float(self.surface.ground_at(np.array([rc]), np.array([cc]))[0]) \
            if self.surface.ground_m is not None else 0.0
        cz = ground_cam + cam.mount_height_m
        if cam.max_range_m is not None:
            max_depth = None
            range_m = cam.max_range_m
        else:
            max_depth = cam_mod.working_depth_m(cam.hfov_deg, cam.width_px,
                                                self.min_density_px_m)
            range_m = max_depth * math.sqrt(1 + cam.tan_h ** 2 + cam.tan_v ** 2)
        flat = self.surface.ground_m is None
        fp = _footprint(cam, self.target_height_m, max_depth) if flat else None
        if flat:
            if len(fp) == 0:
                return self._empty_view(cam, x, y, cz, range_m, max_depth, fp)
            range_m = min(range_m, float(np.hypot(fp[:, 0], fp[:, 1]).max()))
            xmin, xmax = x + fp[:, 0].min(), x + fp[:, 0].max()
            ymin, ymax = y + fp[:, 1].min(), y + fp[:, 1].max()
        else:
            xmin, xmax, ymin, ymax = x - range_m, x + range_m, y - range_m, y + range_m
        res = g.resolution_m
        c0 = max(int(math.ceil((xmin - g.x0_m) / res - 1e-9)), 0)
        c1 = min(int(math.floor((xmax - g.x0_m) / res + 1e-9)) + 1, g.shape[1])
        r0 = max(int(math.ceil((g.y0_m - ymax) / res - 1e-9)), 0)
        r1 = min(int(math.floor((g.y0_m - ymin) / res + 1e-9)) + 1, g.shape[0])
        if r0 >= r1 or c0 >= c1:
            return self._empty_view(cam, x, y, cz, range_m, max_depth, fp)
        xs = g.x0_m + res * np.arange(c0, c1)
        ys = g.y0_m - res * np.arange(r0, r1)
        if flat:
            tz = self.target_height_m
            tz_win = np.zeros((0, 0), np.float32)
        else:
            tz = tz_win = self.surface.ground_m[r0:r1, c0:c1] + np.float32(self.target_height_m)
        axes = np.array(cam_mod.camera_axes(cam.bearing_deg, cam.tilt_deg), np.float32)
        hidden = np.zeros((0, 0), bool)
        if cam.privacy_masks_deg:
            hidden = privacy_masked((xs - x).astype(np.float32)[None, :],
                                    (ys - y).astype(np.float32)[:, None], cam.bearing_deg,
                                    cam.privacy_masks_deg)
        surf = self.surface
        occlusion = surf.has_obstacles
        step, n_rays, exclude = sweep_lattice(surf, range_m)
        ground, bcm = surf.kernel_arrays() if occlusion else (np.zeros((0, 0), np.float32),
                                                              np.zeros((0, 0), np.uint16))
        cr, cc = g.to_rc(x, y)
        pd = np.zeros((r1 - r0, c1 - c0), dtype=np.float32)
        camera_window(xs, ys, float(x), float(y), float(cz), self.target_height_m, tz_win,
                      axes,
                      np.float32(cam.tan_h), np.float32(cam.tan_v),
                      np.float32(range_m) ** 2 if max_depth is None else np.float32(0),
                      np.float32(-1 if max_depth is None else max_depth),
                      self.inside, r0, c0, hidden, np.float32(cam.f_px), occlusion,
                      ground, bcm, float(cr), float(cc), float(res), step, n_rays, exclude,
                      occlusion and surf.inside_own_building(x, y, cz), pd)
        return CameraView(cam.id, slice(r0, r1), slice(c0, c1), pd, cam.f_px, x, y,
                          cz, tz, xs, ys, range_m, max_depth, fp, cam, self.target_height_m)

    def _empty_view(self, cam, x, y, cz, range_m, max_depth, fp):
        return CameraView(cam.id, slice(0, 0), slice(0, 0),
                          np.zeros((0, 0), np.float32), cam.f_px, x, y, cz,
                          self.target_height_m, np.zeros(0), np.zeros(0), range_m,
                          max_depth, fp, cam, self.target_height_m)

    # --- results ----------------------------------------------------------------------
    def summary(self, *, row_chunk: int = 1024) -> dict:
        """Areas of the whole model [m²]: ``area_m2``, ``covered_m2``, ``dori_m2``
        (cumulative, every level of the standard), ``multi_camera_m2`` (≥ 2 cameras)."""
        a = self.grid.cell_area_m2
        thr = self.thresholds
        counts = dict.fromkeys(thr, 0)
        inside = covered = multi = 0
        for s in range(0, self.grid.shape[0], row_chunk):
            pd = self.pixel_density[s:s + row_chunk]
            inside += int(np.count_nonzero(self.inside[s:s + row_chunk]))
            covered += int(np.count_nonzero(pd))
            multi += int(np.count_nonzero(self.camera_count[s:s + row_chunk] >= 2))
            for k, t in thr.items():
                counts[k] += int(np.count_nonzero(pd >= t))
        return {"area_m2": inside * a, "covered_m2": covered * a,
                "coverage_fraction": covered / inside if inside else 0.0,
                "multi_camera_m2": multi * a,
                "dori_m2": {k: v * a for k, v in counts.items()}}

    def camera_summary(self, camera_id: str) -> dict:
        """One camera's figures: areas [m²], axis distances per level [m], footprint."""
        view = self.views[camera_id]
        a = self.grid.cell_area_m2
        idx = self.camera_ids.index(camera_id)
        best = (int(np.count_nonzero(self.best_camera[view.rows, view.cols] == idx))
                if not view.empty else 0)
        # what depends on this camera's view alone is kept on the view (a new view is made
        # whenever the camera changes); only the "best" share depends on the others
        own = getattr(view, "_summary", None)
        if own is None:
            own = self._view_summary(camera_id, view)
            view._summary = own
        out = dict(own, best_m2=best * a)
        out["dori_m2"] = dict(own["dori_m2"])
        out["dori_axis_end_m"] = dict(own["dori_axis_end_m"])
        return out

    def _view_summary(self, camera_id: str, view) -> dict:
        cam = view.camera
        a = self.grid.cell_area_m2
        pd = view.pixel_density
        axis = cam_mod.axis_level_distances(
            mount_height_m=cam.mount_height_m, tilt_deg=cam.tilt_deg,
            hfov_deg=cam.hfov_deg, vfov_deg=cam.vfov_deg, width_px=cam.width_px,
            target_height_m=self.target_height_m, max_range_m=view.range_m,
            standard=self.standard)
        return {
            "id": camera_id,
            "covered_m2": int(np.count_nonzero(pd)) * a,
            "dori_m2": {k: int(np.count_nonzero(pd >= t)) * a
                        for k, t in self.thresholds.items()},
            "max_pixel_density": float(pd.max()) if pd.size else 0.0,
            "vfov_deg": cam.vfov_deg,
            "f_px": cam.f_px,
            "range_m": view.range_m,
            "near_m": axis.pop("near_m"),
            "far_m": axis.pop("far_m"),
            "dori_axis_end_m": axis,
            "footprint": self.footprint_geojson(camera_id),
        }

    def footprint_lonlat(self, camera_id: str) -> list:
        """The camera's ground footprint as a closed ring of ``[lon, lat]`` [°] (flat plane)."""
        view = self.views[camera_id]
        fp = view.footprint_xy
        if len(fp) == 0:
            return []
        lat, lon = self.grid.to_latlon(view.x_m + fp[:, 0], view.y_m + fp[:, 1])
        ring = [[float(o), float(a)] for o, a in zip(np.atleast_1d(lon), np.atleast_1d(lat))]
        return ring + ring[:1]

    def footprint_geojson(self, camera_id: str) -> dict | None:
        ring = self.footprint_lonlat(camera_id)
        return {"type": "Polygon", "coordinates": [ring]} if ring else None

    def dori_level(self) -> np.ndarray:
        """Highest level reached per cell (0 = none, k = k-th lowest level), int8."""
        thr = np.array(sorted(self.thresholds.values()), dtype=np.float32)
        return np.searchsorted(thr, self.pixel_density, side="right").astype(np.int8)


@njit(cache=True, nogil=True)
def fold_window(pd, best, best_camera, count, idx):
    """Fold one camera's pixel density into the grid arrays (views of one window; compiled).

    Where ``pd`` beats ``best`` [px/m] it replaces it and ``best_camera`` becomes ``idx``
    (the first camera keeps a tie); ``count`` (uint8) counts the cameras seeing the cell,
    saturating at 255.
    """
    rows, cols = pd.shape
    for i in range(rows):
        for j in range(cols):
            v = pd[i, j]
            if v > best[i, j]:
                best[i, j] = v
                best_camera[i, j] = idx
            if v > 0 and count[i, j] < 255:
                count[i, j] += 1


@njit(cache=True, nogil=True)
def light_stats(eh, mask, lit_lx):
    """Horizontal illuminance over the cells of ``mask`` in one pass (compiled).

    Returns ``(n, sum [lx], min [lx], max [lx], n_lit)``: the cells inside, the sum of
    ``eh`` there (row sums added up, float64), its extremes (inf / −inf without cells) and
    how many reach ``lit_lx``. One pass instead of a masked copy and four reductions: the
    city's night pass runs this over 140 M cells.
    """
    n = 0
    n_lit = 0
    total = 0.0
    lo = math.inf
    hi = -math.inf
    rows, cols = eh.shape
    for i in range(rows):
        row = 0.0
        for j in range(cols):
            if mask[i, j]:
                v = eh[i, j]
                n += 1
                row += v
                if v < lo:
                    lo = v
                if v > hi:
                    hi = v
                if v >= lit_lx:
                    n_lit += 1
        total += row
    return n, total, lo, hi, n_lit


def privacy_masked(dx_m, dy_m, azimuth_deg: float, masks) -> np.ndarray:
    """Cells hidden by a camera's privacy masks, as bearing sectors relative to its axis.

    Network cameras black out masked regions of the image (privacy masks); on the ground
    plane a mask over the part of the picture where homes appear is modelled as the sector
    of bearings it covers, the form ``assessments.engine.privacy_geometry`` suggests
    (``sector_rel_deg``).

    Parameters
    ----------
    dx_m, dy_m : array_like
        Offsets of the cells from the camera, east and north [m] (broadcast together).
    azimuth_deg : float
        The camera's axis [°], clockwise from north.
    masks : list of [from_deg, to_deg]
        Sectors of bearing relative to the axis [°], clockwise (negative = left of the
        axis), −180 ≤ from < to ≤ 180; both edges are masked.

    Returns
    -------
    ndarray of bool
        True where a mask hides the cell.
    """
    rel = cam_mod.relative_bearing_deg(np.degrees(np.arctan2(dx_m, dy_m)), azimuth_deg)
    hidden = np.zeros(np.broadcast_shapes(np.shape(dx_m), np.shape(dy_m)), dtype=bool)
    for lo, hi in masks:
        hidden |= (rel >= float(lo)) & (rel <= float(hi))
        if float(hi) >= 180.0:          # straight behind is −180 here and +180 there
            hidden |= rel <= -180.0
    return hidden


# ---------------------------------------------------------------------------------------
# night: the cameras joined with the plan's lights (assessments.engine.night), block by block
# ---------------------------------------------------------------------------------------
#: Side of the square blocks of cells the night pass works on [cells]: bounds the memory of
#: the per-block arrays (a float64 horizontal illuminance, 2 MB at 512²) and lets each
#: block take only the lights whose reach meets it. With the cell-space core, 512 was
#: fastest on both the district (0.5 m) and the city (1 m) benchmarks (256: +10–25 %).
NIGHT_BLOCK_CELLS = 512
#: Most (camera, seen cell) pairs one night block builds at once (≈ 140 B each): a block
#: holding more (many cameras crowded over it) is cut into quarters until it holds no more,
#: so the memory is bounded by this and not by the cameras (10,000 cameras in a 500 m
#: square: 8.5 GiB in 512² blocks) [-].
NIGHT_MAX_PAIRS = 2_000_000


def _edges(n: int, block: int) -> np.ndarray:
    """Block edges 0 = e0 < e1 < … = n, blocks of at most ``block`` and nearly equal size."""
    k = max(1, math.ceil(n / max(1, int(block))))
    return np.unique(np.linspace(0, n, k + 1).round().astype(np.int64))


def _clip_view(v, r0, r1, c0, c1, br0, bc0, camera):
    """The part of coverage view ``v`` in grid rows r0:r1, cols c0:c1 as an
    :class:`assessments.engine.night.CameraView` with slices relative to the block starting at
    (br0, bc0) (``camera``: its night specification); None when it sees nothing there."""
    from .night import night_view
    pd = v.pixel_density[r0 - v.rows.start:r1 - v.rows.start, c0 - v.cols.start:c1 - v.cols.start]
    if not pd.any():
        return None
    return night_view(v, camera, rows=slice(r0 - br0, r1 - br0),
                      cols=slice(c0 - bc0, c1 - bc0), pixel_density=pd)


def simulate_night(model: CoverageModel, lights, *, grids: bool = True,
                   block_cells: int = NIGHT_BLOCK_CELLS, threads: int | None = None,
                   labels=None, n_labels: int = 0, max_pairs: int = NIGHT_MAX_PAIRS):
    """Night figures of a coverage model and a plan's lights (RESULT.json / GRID.npz parts).

    The grid is cut into blocks of ``block_cells``² cells; each block is computed by the
    core of :func:`assessments.engine.night.night_assessment` (in cell space: the vertical
    illuminance only at the cells each camera sees) with the camera windows clipped to it
    and only the lights whose reach (:func:`assessments.engine.lighting.reach_radius_m`,
    horizontal at the ground and vertical at 1.5 m, for the 0.05 lx cut-off) meets it;
    the block's figures are reduced from the per-cell lists without whole-block night
    arrays and without the lighting verdict's failing-cell list. Every figure is a
    per-cell rule, so the blocks give the same result as one call on the whole grid
    (:func:`assessments.engine.night.night_summary_for_model`) at bounded memory, with the cost
    growing with the lights' and cameras' reach rather than with the map.

    Parameters
    ----------
    model : CoverageModel
        With its cameras set; their ``min_illuminance_lx`` [lx], ``ir_range_m`` [m] and
        ``shutter_s`` [s] (``model.cameras``) give the night specification.
    lights : list of Light or dict
        The plan's lights (:func:`assessments.engine.night.plan_luminaires`). Their
        ``mount_height_m`` is above flat ground (terrain is not applied to lights). An
        empty list gives the IR-only night (see Returns).
    grids : bool
        Also return the full ``illuminance_lx`` and ``vertical_illuminance_lx`` grids
        (float32, 8 bytes per cell together).
    block_cells : int
        Block side [cells].
    threads : int, optional
        Blocks computed in parallel (default ``model.threads``).
    max_pairs : int
        A block whose cameras see more cells than this (pairs) is cut into quarters until
        no part does (memory bound; the figures do not change).
    labels : ndarray, optional
        District per cell (:func:`assessments.engine.districts.district_labels`) and
        ``n_labels`` districts, counted inside the blocks: adds
        ``district_night`` to ``entries``, per district ``night_dori_m2`` and
        ``illuminance {mean_lx, min_lx, uniformity, ses_class}`` (None without lights).

    Returns
    -------
    entries : dict
        ``illuminance {mean_lx, min_lx, max_lx, uniformity, ses_class}`` over the assessed
        cells (horizontal at the ground; SES E1901 class from the mean horizontal and the
        minimum vertical illuminance toward the recording camera); ``night_dori_m2`` (the
        keys of ``dori_m2``, cumulative) [m²]; ``lit_but_unseen_m2``, ``seen_but_dark_m2``
        [m²]; ``night_basis`` ``"lights"`` or, without lights, ``"ir_only"``: the night
        with no street light at all, where only cells within a camera's ``ir_range_m`` are
        usable and every ``illuminance`` value is None (not assessed).
    camera_night_dori_m2 : dict
        Camera id → its own night DORI areas [m²].
    arrays : dict or None
        ``illuminance_lx`` [lx] (0 without lights) and ``vertical_illuminance_lx`` [lx]
        (facing the camera with the best day pixel density; NaN where no camera sees the
        cell), float32 grids; None when ``grids`` is False.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .image_quality import WALKING_SPEED_M_S
    from .lighting import DEFAULT_CUTOFF_LX, reach_radius_m, ses_class
    from .night import (FACE_HEIGHT_M, LIT_THRESHOLD_LX, _level_counts, _night_cells,
                        detect_px_m, plan_luminaires, planner_areas)

    grid = model.grid
    x, y = grid.x_axis_m, grid.y_axis_m
    lums = plan_luminaires(grid, lights)
    lx = np.array([m.x_m for m in lums], dtype=float)
    ly = np.array([m.y_m for m in lums], dtype=float)
    reach = np.array([max(reach_radius_m(m, height_m=0.0, plane="horizontal"),
                          reach_radius_m(m, height_m=FACE_HEIGHT_M, plane="vertical"))
                      for m in lums])
    redge, cedge = _edges(grid.shape[0], block_cells), _edges(grid.shape[1], block_cells)
    parts = {}                      # (block row, block col) → clipped camera views
    for v in model.views.values():
        if v.empty:
            continue
        camera = model.cameras.get(v.id, v.camera)
        for i in range(np.searchsorted(redge, v.rows.start, "right") - 1, len(redge) - 1):
            if redge[i] >= v.rows.stop:
                break
            for j in range(np.searchsorted(cedge, v.cols.start, "right") - 1, len(cedge) - 1):
                if cedge[j] >= v.cols.stop:
                    break
                part = _clip_view(v, max(v.rows.start, redge[i]), min(v.rows.stop, redge[i + 1]),
                                  max(v.cols.start, cedge[j]), min(v.cols.stop, cedge[j + 1]),
                                  redge[i], cedge[j], camera)
                if part is not None:
                    parts.setdefault((i, j), []).append((part, v, camera))
    thresholds = dict(model.thresholds)
    detect = detect_px_m(thresholds)
    a = grid.cell_area_m2
    eh_all = filled(grid.shape, 0.0, np.float32) if grids else None
    ev_all = filled(grid.shape, np.nan, np.float32) if grids else None

    def block(task):
        (r0, r1, c0, c1), views = task
        xb, yb = x[c0:c1], y[r0:r1]
        near = ((np.abs(lx - np.clip(lx, xb[0], xb[-1])) <= reach)
                & (np.abs(ly - np.clip(ly, yb[-1], yb[0])) <= reach))
        mask = model.inside[r0:r1, c0:c1]
        core = _night_cells(xb, yb, [lums[k] for k in np.flatnonzero(near)], views, mask,
                            thresholds=thresholds, cutoff_lx=DEFAULT_CUTOFF_LX,
                            speed_m_s=WALKING_SPEED_M_S, dtype=np.float64, workers=1)
        eh = core.illuminance_lx
        cells = core.cells
        if grids:
            eh_all[r0:r1, c0:c1] = eh
            if cells.size:
                rr, cc = np.divmod(cells, c1 - c0)
                ev_all[r0 + rr, c0 + cc] = core.vertical_best_lx
        n_in, e_sum, e_min, e_max, n_lit = light_stats(eh, mask, LIT_THRESHOLD_LX)
        m_u = mask.ravel()[cells]
        evm = core.vertical_best_lx[m_u]
        levels = _level_counts(core.best_night, thresholds, where=m_u)
        by_label = None
        if labels is not None:
            none = no_district(labels)
            lab_b = labels[r0:r1, c0:c1]
            lab = lab_b.ravel()[cells]
            ok = lab != none
            by_label = (_level_counts(core.best_night, thresholds, groups=np.where(ok, lab, 0),
                                      n_groups=n_labels, where=m_u & ok),
                        LightingSums(n_labels))
            if lums:
                lab_m, ehm = lab_b[mask], eh[mask]
                in_d = lab_m != none
                lab_u = lab[m_u]                                        # as evm
                in_u = lab_u != none
                by_label[1].add(lab_m[in_d], ehm[in_d], lab_u[in_u], evm[in_u])
        # the rule at the seen cells; the unseen lit cells are all dark
        lit_c = m_u & (eh.ravel()[cells] >= LIT_THRESHOLD_LX)
        lit_dark, seen_dark = planner_areas(lit_c, core.best_day, core.best_night, m_u, detect)
        lit_seen = int(np.count_nonzero(lit_c)) - int(np.count_nonzero(lit_dark))
        return {"n": n_in, "sum": e_sum, "min": e_min, "max": e_max,
                "min_v": float(evm.min()) if evm.size else math.inf,
                "levels": {k: int(c[0]) for k, c in levels.items()},
                "lit_unseen": n_lit - lit_seen,
                "seen_dark": int(np.count_nonzero(seen_dark)),
                "cameras": [(v.id, {k: float(c[n] * a) for k, c in core.camera_counts.items()})
                            for n, v in enumerate(views)],
                "by_label": by_label}

    def bounded(rect, clipped):
        # quarters of a block whose cameras see more than max_pairs cells: every figure is
        # a per-cell rule, so any cut of the grid gives the same figures
        pairs = sum(int(np.count_nonzero(p.pixel_density_px_m > 0)) for p, _, _ in clipped)
        r0, r1, c0, c1 = rect
        if pairs <= max_pairs or (r1 - r0 < 2 and c1 - c0 < 2):
            return [(rect, [p for p, _, _ in clipped])]
        rm, cm = (r0 + r1) // 2, (c0 + c1) // 2
        out = []
        for q0, q1, p0, p1 in ((r0, rm, c0, cm), (r0, rm, cm, c1), (rm, r1, c0, cm),
                               (rm, r1, cm, c1)):
            if q1 <= q0 or p1 <= p0:
                continue
            sub = []
            for _, v, camera in clipped:
                a0, a1 = max(v.rows.start, q0), min(v.rows.stop, q1)
                b0, b1 = max(v.cols.start, p0), min(v.cols.stop, p1)
                part = (_clip_view(v, a0, a1, b0, b1, q0, p0, camera)
                        if a1 > a0 and b1 > b0 else None)
                if part is not None:
                    sub.append((part, v, camera))
            out += bounded((q0, q1, p0, p1), sub)
        return out

    blocks = [t for i in range(len(redge) - 1) for j in range(len(cedge) - 1)
              for t in bounded((redge[i], redge[i + 1], cedge[j], cedge[j + 1]),
                               parts.get((i, j), []))]
    threads = model.threads if threads is None else int(threads)
    if threads > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(threads) as pool:
            out = list(pool.map(block, blocks))
    else:
        out = [block(b) for b in blocks]
    n = sum(o["n"] for o in out)
    per_camera = {cid: dict.fromkeys(thresholds, 0.0) for cid in model.views}
    for o in out:
        for cid, d in o["cameras"]:
            for k, v in d.items():
                per_camera[cid][k] += v
    illum = dict.fromkeys(("mean_lx", "min_lx", "max_lx", "uniformity", "ses_class"))
    if lums and n:
        mean = sum(o["sum"] for o in out) / n
        mn, mx = min(o["min"] for o in out), max(o["max"] for o in out)
        min_v = min(o["min_v"] for o in out)
        illum.update(mean_lx=mean, min_lx=mn, max_lx=mx,
                     uniformity=mn / mean if mean > 0 else None,
                     ses_class=ses_class(mean, None if math.isinf(min_v) else min_v))
    entries = {"night_basis": "lights" if lums else "ir_only", "illuminance": illum,
               "night_dori_m2": {k: sum(o["levels"][k] for o in out) * a for k in thresholds},
               "lit_but_unseen_m2": sum(o["lit_unseen"] for o in out) * a,
               "seen_but_dark_m2": sum(o["seen_dark"] for o in out) * a}
    if labels is not None:
        counts = {k: sum(o["by_label"][0][k] for o in out) for k in thresholds}
        light = LightingSums(n_labels)
        for o in out:
            light.merge(o["by_label"][1])
        lit = light.rows() if lums else [dict.fromkeys(ILLUMINANCE_KEYS)] * n_labels
        entries["district_night"] = [
            {"night_dori_m2": {k: float(counts[k][i] * a) for k in thresholds},
             "illuminance": dict(lit[i])}
            for i in range(n_labels)]
    arrays = ({"illuminance_lx": eh_all, "vertical_illuminance_lx": ev_all} if grids
              else None)
    return entries, per_camera, arrays
