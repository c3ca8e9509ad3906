"""Occlusion: line of sight over 2.5-D buildings and a terrain height raster.

The obstacle surface is a raster on the assessment grid: ground height (optional terrain,
bilinear between cell centres) plus building heights (flat roofs, nearest cell). A target
point is visible from a camera when the straight line between them stays above the surface.

Algorithm (per camera): a *polar horizon sweep*. Rays leave the camera on a fixed angular
lattice (spacing ``ray_spacing_m`` at the camera's reach), each sampled every ``step_m``;
the surface's elevation slope ``(z_surface − z_camera)/r`` is taken at every sample and its
running maximum along the ray is the horizon. A target at horizontal distance ``r`` on ray
``k`` (the lattice ray nearest its bearing) is visible when its own slope is at least the
horizon of the samples closer than ``r − exclude_m``. A camera standing inside a building
footprint below its roof (wall-mounted) is not blocked by its own building: the first run
of building samples on each ray is skipped. The lattice does not depend on which targets
are asked, so adding a building can only raise the horizon (visibility never grows) — the
property the tests check.

The sweep is compiled (numba, :func:`sweep_targets`): each ray holding targets is marched
once, outward, only as far as its farthest target (or until its horizon is above every
target on it), keeping only the used rays' horizon profiles, then each target reads its
ray's profile. :func:`camera_window` is one camera's whole pass over its window
in one compiled call: the frustum and range gates, the area and privacy masks, the sweep
and the pixel density. Cost per camera is the used rays' samples ≈ (angular width · R /
ray_spacing) · (R / step) plus the window's cells: it grows with what the camera can see,
not with the map.

The kernels are cached on disk (``cache=True``): next to this file in ``__pycache__``, or,
where the app's folder is read-only, in the user's cache folder (numba's own fallback;
``NUMBA_CACHE_DIR`` chooses another). The first call after installing compiles them (about
5 s of CPU on the 2-core machine); later processes load the cache (about 0.4 s on the first
camera pass). Measured figures: ``benchmarks/README.md``.

References
----------
.. [1] W. R. Franklin and C. Ray, "Higher isn't necessarily better: visibility algorithms
   and experiments", *Advances in GIS Research: 6th Int. Symp. on Spatial Data Handling*,
   1994, pp. 751–770 (line-of-sight by ray sweeps, R2/R3 algorithms).
.. [2] B. Kaučič and B. Žalik, "Comparison of viewshed algorithms on regular spaced
   points", *Proc. 18th Spring Conf. on Computer Graphics*, 2002, pp. 177–183.
.. [3] Project PLATEAU, 3D都市モデル標準製品仕様書 (``bldg:measuredHeight``, 計測高さ [m]).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..plan.buildings import building_id
from .grid import Grid, filled, geojson_rings, ragged_ranges

__all__ = ["Surface", "Terrain", "building_footprints", "rasterize_buildings",
           "horizon_visibility", "sweep_lattice", "sweep_targets", "camera_window",
           "line_of_sight_dense",
           "HEIGHT_KEYS"]

#: Property names read as a building's height above ground [m], in this order.
HEIGHT_KEYS = ("height_m", "measuredHeight")
#: Building-height raster unit: centimetres in uint16 (0 … 655.35 m; 0 = no building).
_CM = 100.0
_MAX_CM = np.iinfo(np.uint16).max


def building_footprints(buildings) -> list:
    """Footprints and heights from a GeoJSON FeatureCollection (lon/lat).

    Each feature needs a Polygon/MultiPolygon geometry (3-D positions accepted, z ignored)
    and a height above ground in ``properties["height_m"]`` or PLATEAU's
    ``properties["measuredHeight"]`` [m], finite and > 0.

    Returns
    -------
    list of (rings, height_m, feature_id)
        ``rings`` as from :func:`assessments.engine.grid.geojson_rings`.

    Raises
    ------
    ValueError
        Naming the feature (:func:`assessments.plan.buildings.building_id`) and the
        problem.
    """
    if buildings is None:
        return []
    if not isinstance(buildings, dict) or buildings.get("type") != "FeatureCollection":
        raise ValueError("buildings must be a GeoJSON FeatureCollection")
    feats = buildings.get("features")
    if not isinstance(feats, list):
        raise ValueError("buildings.features must be a list")
    out = []
    for i, feat in enumerate(feats):
        fid = building_id(feat, i)
        if not isinstance(feat, dict):
            raise ValueError(f"building {fid}: not a GeoJSON Feature")
        rings = geojson_rings(feat.get("geometry"))
        h = building_height(feat)
        if h is None:
            raise ValueError(f"building {fid}: height_m (or measuredHeight) missing or not "
                             f"a positive number")
        out.append((rings, h, fid))
    return out


def building_height(feat) -> float | None:
    """Height above ground of a building feature [m], or None when unusable."""
    props = feat.get("properties") if isinstance(feat, dict) else None
    if not isinstance(props, dict):
        return None
    for key in HEIGHT_KEYS:
        v = props.get(key)
        if isinstance(v, bool) or v is None:
            continue
        try:
            v = float(v)
        except (TypeError, ValueError):
            return None
        return v if math.isfinite(v) and v > 0 else None
    return None


def rasterize_buildings(grid: Grid, footprints) -> np.ndarray:
    """Building heights on the grid, uint16 centimetres (0 = no building).

    A cell belongs to a building when its centre is inside the footprint (outer ring minus
    holes, even-odd rule) — the rule of ``skimage.draw.polygon``, computed here for all
    buildings at once by a vectorised scanline fill (one pass over the edges, then the
    spans), which is ~10× faster than one ``skimage.draw.polygon`` call per building on
    thousands of buildings. Overlapping buildings keep the taller height.
    """
    out = filled(grid.shape, 0, np.uint16)
    if not footprints:
        return out
    rows, cols = grid.shape
    sizes, pts, ring_poly, heights = [], [], [], []
    pid = 0
    for rings, h, _id in footprints:
        hcm = min(int(round(h * _CM)), _MAX_CM)
        for poly in rings:
            for ring in poly:
                sizes.append(len(ring))
                pts.append(ring)
                ring_poly.append(pid)
            heights.append(hcm)
            pid += 1
    allp = np.concatenate(pts)
    x, y = grid.to_xy(allp[:, 1], allp[:, 0])
    r, c = grid.to_rc(np.atleast_1d(x), np.atleast_1d(y))
    sizes = np.asarray(sizes)
    starts = np.cumsum(sizes) - sizes
    # next vertex within the same ring (wrap to the ring's first vertex)
    nxt = np.arange(r.size) + 1
    nxt[starts + sizes - 1] = starts
    edge_poly = np.repeat(np.asarray(ring_poly), sizes)
    ra, rb, ca, cb = r, r[nxt], c, c[nxt]
    keep = ra != rb
    ra, rb, ca, cb, edge_poly = ra[keep], rb[keep], ca[keep], cb[keep], edge_poly[keep]
    lo, hi = np.minimum(ra, rb), np.maximum(ra, rb)
    first = np.clip(np.ceil(lo), 0, rows).astype(np.int64)      # scanlines lo ≤ i < hi
    last = np.clip(np.ceil(hi), 0, rows).astype(np.int64)
    n = np.maximum(last - first, 0)
    tot = int(n.sum())
    if tot == 0:
        return out
    e, offs = ragged_ranges(n)
    line = first[e] + offs
    xc = ca[e] + (line - ra[e]) / (rb[e] - ra[e]) * (cb[e] - ca[e])
    poly = edge_poly[e]
    order = np.lexsort((xc, line, poly))
    xc, line, poly = xc[order], line[order], poly[order]
    # crossings pair up per (polygon, scanline): [x0, x1) spans of centres inside
    x0, x1 = xc[0::2], xc[1::2]
    line, poly = line[0::2], poly[0::2]
    j0 = np.clip(np.ceil(x0), 0, cols).astype(np.int64)
    j1 = np.clip(np.ceil(x1), 0, cols).astype(np.int64)
    length = np.maximum(j1 - j0, 0)
    total = int(length.sum())
    if total == 0:
        return out
    s, offs = ragged_ranges(length)
    idx = line[s] * cols + j0[s] + offs
    np.maximum.at(out.reshape(-1), idx, np.asarray(heights, np.uint16)[poly[s]])
    return out


class Terrain:
    """A ground-height raster with its georeference.

    Either geographic (rows north → south at ``dlat_deg`` spacing from ``lat_north``,
    columns west → east at ``dlon_deg`` from ``lon_west``; cell-centre coordinates), as
    地理院 DEM GeoTIFFs are, or already on an assessment grid (:meth:`on_grid`).

    Parameters
    ----------
    height_m : array_like, 2-D
        Ground height [m] (e.g. T.P. elevation). NaN = no data, read as 0 m: give
        gap-free rasters.
    lat_north, lon_west : float
        Latitude/longitude of the centre of cell ``[0, 0]`` [°].
    dlat_deg, dlon_deg : float
        Cell spacing [°], positive.
    """

    def __init__(self, height_m, *, lat_north, lon_west, dlat_deg, dlon_deg):
        h = np.asarray(height_m, dtype=np.float32)
        if h.ndim != 2:
            raise ValueError(f"expected a 2-D height raster, got {h.ndim}-D")
        if not (dlat_deg > 0 and dlon_deg > 0):
            raise ValueError("dlat_deg and dlon_deg must be > 0")
        self.height_m = h
        self.lat_north, self.lon_west = float(lat_north), float(lon_west)
        self.dlat_deg, self.dlon_deg = float(dlat_deg), float(dlon_deg)
        self._grid = None

    @classmethod
    def on_grid(cls, grid: Grid, height_m):
        """Heights given directly on the cells of ``grid`` [m]."""
        h = np.asarray(height_m, dtype=np.float32)
        if h.shape != grid.shape:
            raise ValueError(f"terrain shape {h.shape} does not match grid {grid.shape}")
        self = cls.__new__(cls)
        self.height_m, self._grid = h, grid
        return self

    @classmethod
    def from_geotiff(cls, path):
        """Read a single-band GeoTIFF in geographic lat/lon (e.g. 地理院 基盤地図 DEM).

        Uses ModelPixelScale (33550) and ModelTiepoint (33922); GDAL_NODATA (42113) and
        values ≤ −9999 become NaN. Projected GeoTIFFs are rejected with a ValueError.
        """
        import tifffile
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            h = page.asarray().astype(np.float32)
            tags = page.tags
            if 33550 not in tags or 33922 not in tags:
                raise ValueError(f"{path}: no GeoTIFF georeference (ModelPixelScale/"
                                 f"ModelTiepoint)")
            sx, sy = tags[33550].value[:2]
            tp = tags[33922].value
            i, j, lon0, lat0 = tp[0], tp[1], tp[3], tp[4]
            keys = tags[34735].value if 34735 in tags else ()
            geokeys = {keys[n]: keys[n + 3] for n in range(4, len(keys), 4)}
            if geokeys.get(1024, 2) != 2:
                raise ValueError(f"{path}: projected GeoTIFF; give a geographic (lat/lon) "
                                 f"raster or heights on the grid")
            pixel_is_point = geokeys.get(1025, 1) == 2
            nodata = tags[42113].value if 42113 in tags else None
        if h.ndim == 3:
            h = h[..., 0]
        if nodata is not None:
            try:
                h[h == np.float32(float(str(nodata).strip("\x00 ")))] = np.nan
            except ValueError:
                pass
        h[h <= -9999] = np.nan
        half = 0.0 if pixel_is_point else 0.5
        # raster point (i, j) ↔ model (lon0, lat0); cell [0, 0]'s centre is raster (half, half)
        return cls(h, lat_north=lat0 - (half - j) * sy, lon_west=lon0 + (half - i) * sx,
                   dlat_deg=sy, dlon_deg=sx)

    def on(self, grid: Grid) -> np.ndarray:
        """Ground height at the cell centres of ``grid`` [m], float32 (bilinear)."""
        if self._grid is not None:
            if self._grid == grid:
                return self.height_m
            raise ValueError("terrain is attached to another grid")
        from scipy.ndimage import map_coordinates
        out = np.empty(grid.shape, dtype=np.float32)
        xs = grid.x_axis_m
        for start in range(0, grid.shape[0], 512):
            ys = grid.y_axis_m[start:start + 512]
            xx, yy = np.meshgrid(xs, ys)
            lat, lon = grid.to_latlon(xx, yy)
            r = (self.lat_north - lat) / self.dlat_deg
            c = (lon - self.lon_west) / self.dlon_deg
            out[start:start + len(ys)] = map_coordinates(
                np.nan_to_num(self.height_m, nan=0.0), [r, c], order=1, mode="nearest")
        return out


class Surface:
    """The obstacle surface on a grid: ground (optional) + buildings (optional).

    Parameters
    ----------
    grid : Grid
    ground_m : ndarray, optional
        Ground height at the cell centres [m] (float32); None = flat ground at 0.
    building_cm : ndarray of uint16, optional
        Building heights above ground [cm] (0 = none), from :func:`rasterize_buildings`.
    """

    def __init__(self, grid: Grid, *, ground_m=None, building_cm=None):
        self.grid = grid
        self.ground_m = ground_m
        self.building_cm = building_cm if (building_cm is not None
                                           and building_cm.any()) else None

    @property
    def has_obstacles(self) -> bool:
        return self.ground_m is not None or self.building_cm is not None

    def ground_at(self, r, c):
        """Ground height at fractional (row, col) [m], bilinear; 0 without terrain."""
        if self.ground_m is None:
            return np.zeros(np.shape(r), dtype=np.float32)
        return _bilinear(self.ground_m, r, c)

    def _nearest_flat(self, r, c):
        """Flat indices of the nearest cells and an on-grid mask."""
        rows, cols = self.grid.shape
        ri = np.rint(r).astype(np.int32)
        ci = np.rint(c).astype(np.int32)
        ok = (ri.view(np.uint32) < rows) & (ci.view(np.uint32) < cols)
        flat = ri * np.int32(cols) + ci if rows * cols < 2**31 else \
            ri.astype(np.int64) * cols + ci
        return np.where(ok, flat, 0), ok

    def building_at(self, r, c):
        """Building height [cm] at fractional (row, col), nearest cell; 0 off-grid."""
        if self.building_cm is None:
            return np.zeros(np.shape(r), dtype=np.uint16)
        flat, ok = self._nearest_flat(r, c)
        out = self.building_cm.ravel().take(flat)
        out[~ok] = 0
        return out

    def kernel_arrays(self):
        """``(ground_m, building_cm)`` for the compiled kernels: float32 and uint16 2-D
        arrays, each of size 0 when absent."""
        ground = (np.zeros((0, 0), np.float32) if self.ground_m is None
                  else np.ascontiguousarray(self.ground_m, dtype=np.float32))
        bcm = (np.zeros((0, 0), np.uint16) if self.building_cm is None
               else np.ascontiguousarray(self.building_cm))
        return ground, bcm

    def inside_own_building(self, x, y, z) -> bool:
        """True when a camera at local (x, y) [m], height ``z`` [m] is inside a building
        footprint below its roof (wall-mounted): its own building then does not block."""
        own = self.own_building_top(x, y)
        return own is not None and z < own

    def own_building_top(self, x, y):
        """Top of the building whose footprint holds local point (x, y) [m], or None."""
        if self.building_cm is None:
            return None
        r, c = self.grid.cell_index(x, y)
        if r < 0 or self.building_cm[r, c] == 0:
            return None
        top = self.building_cm[r, c] / _CM
        if self.ground_m is not None:
            top += float(self.ground_m[r, c])
        return top

    def height_at(self, r, c):
        """Surface height (ground + building) at fractional (row, col) [m]; −inf off-grid."""
        if self.ground_m is None:
            flat, ok = self._nearest_flat(r, c)
            if self.building_cm is None:
                z = np.zeros(np.shape(r), np.float32)
            else:
                z = self.building_cm.ravel().take(flat).astype(np.float32)
                z *= np.float32(1 / _CM)
            z[~ok] = -np.inf
            return z
        rows, cols = self.grid.shape
        ok = (r > -0.5) & (c > -0.5) & (r < rows - 0.5) & (c < cols - 0.5)
        z = self.ground_at(r, c).astype(np.float32, copy=False)
        if self.building_cm is not None:
            z = z + self.building_at(r, c).astype(np.float32) * np.float32(1 / _CM)
        return np.where(ok, z, np.float32(-np.inf))


def _bilinear(a, r, c):
    """Bilinear interpolation of ``a`` at fractional (row, col), clamped at the edges."""
    rows, cols = a.shape
    r = np.minimum(np.maximum(np.asarray(r, np.float32), 0), np.float32(rows - 1))
    c = np.minimum(np.maximum(np.asarray(c, np.float32), 0), np.float32(cols - 1))
    r0 = np.minimum(r.astype(np.int32), max(rows - 2, 0))
    c0 = np.minimum(c.astype(np.int32), max(cols - 2, 0))
    fr = r - r0
    fc = c - c0
    flat = a.ravel()
    i00 = r0 * np.int32(cols) + c0 if rows * cols < 2**31 else r0.astype(np.int64) * cols + c0
    dr = cols if rows > 1 else 0
    dc = 1 if cols > 1 else 0
    v00 = flat.take(i00)
    v01 = flat.take(i00 + dc)
    v10 = flat.take(i00 + dr)
    v11 = flat.take(i00 + (dr + dc))
    top = v00 + (v01 - v00) * fc
    return top + ((v10 + (v11 - v10) * fc) - top) * fr


def sweep_lattice(surface: Surface, reach_m, *, step_m=None, ray_spacing_m=None,
                  exclude_m=None):
    """The polar sweep's lattice for a camera of horizontal reach ``reach_m`` [m].

    Returns
    -------
    step_m : float
        Sample spacing along each ray [m]: half a cell, one cell with terrain (bilinear and
        smooth).
    n_rays : int
        Rays over the full circle, spaced ``ray_spacing_m`` at the reach (0.7 cell, one
        cell with terrain), at least 8.
    exclude_m : float
        Samples closer than this to a target do not block it [m]: half a cell, one cell
        with terrain (the target's own cell).
    """
    res = surface.grid.resolution_m
    terrain = surface.ground_m is not None
    step = (1.0 if terrain else 0.5) * res if step_m is None else float(step_m)
    spacing = (1.0 if terrain else 0.7) * res if ray_spacing_m is None else float(ray_spacing_m)
    if exclude_m is None:
        exclude_m = res if terrain else 0.5 * res
    n_rays = max(8, int(math.ceil(2 * math.pi * float(reach_m) / spacing)))
    return step, n_rays, float(exclude_m)


def horizon_visibility(surface: Surface, cam_x, cam_y, cam_z, px, py, pz, *,
                       range_m=None, step_m=None, ray_spacing_m=None, exclude_m=None):
    """Which target points a camera sees over the obstacle surface (polar horizon sweep).

    The compiled kernel :func:`sweep_targets` does the work; this is its entry for any
    list of points (the coverage model calls the kernel from its own window pass).

    Parameters
    ----------
    surface : Surface
        Obstacles on the grid.
    cam_x, cam_y, cam_z : float
        Camera position: local east, north [m] and absolute height [m].
    px, py, pz : ndarray, 1-D
        Target points: local east, north [m] and absolute height [m].
    range_m : float, optional
        The camera's largest horizontal reach [m]; sets the ray lattice. Pass it so that
        the rays do not depend on which targets are asked (default: farthest target).
    step_m, ray_spacing_m, exclude_m : float, optional
        Sample spacing along a ray, arc spacing between rays at the reach, and the
        distance before a target within which samples do not block it [m]; defaults in
        :func:`sweep_lattice`.

    Returns
    -------
    ndarray of bool, same shape as ``px``
    """
    px = np.asarray(px, dtype=np.float64)
    n = px.size
    if n == 0 or not surface.has_obstacles:
        return np.ones(n, dtype=bool)
    dx = np.ascontiguousarray(px.ravel() - cam_x)
    dy = np.ascontiguousarray(np.asarray(py, dtype=np.float64).ravel() - cam_y)
    tz = np.ascontiguousarray(np.broadcast_to(np.asarray(pz, dtype=np.float64), px.shape)
                              .ravel())
    reach = float(np.hypot(dx, dy).max()) if range_m is None else float(range_m)
    if reach <= 0:
        return np.ones(n, dtype=bool)
    step, n_rays, exclude = sweep_lattice(surface, reach, step_m=step_m,
                                          ray_spacing_m=ray_spacing_m, exclude_m=exclude_m)
    ground, bcm = surface.kernel_arrays()
    cr, cc = surface.grid.to_rc(cam_x, cam_y)
    out = np.ones(n, dtype=bool)
    sweep_targets(ground, bcm, float(cr), float(cc), float(cam_z),
                  float(surface.grid.resolution_m), step, n_rays, exclude,
                  surface.inside_own_building(cam_x, cam_y, cam_z), dx, dy, tz, out)
    return out.reshape(px.shape)


# ---------------------------------------------------------------------------------------
# the compiled kernel (numba): one march per ray, no rays × samples arrays
# ---------------------------------------------------------------------------------------
# The arithmetic mirrors Surface.height_at / _bilinear operation by operation (float32
# sample positions and heights, the float64 bilinear weights numpy's promotion gives), so
# the kernel equals the earlier numpy sweep (kept in tests/test_visibility_kernel.py as the
# reference). No fastmath: it would reorder these operations.
_NEG_INF32 = np.float32(-np.inf)
_INV_CM32 = np.float32(1 / _CM)


@njit(cache=True, nogil=True)
def _building_cm_at(bcm, r, c):
    """Building height [cm] of the nearest cell to fractional (r, c); 0 off-grid."""
    rows, cols = bcm.shape
    ri = np.int64(np.rint(r))
    ci = np.int64(np.rint(c))
    if ri < 0 or ci < 0 or ri >= rows or ci >= cols:
        return 0
    return bcm[ri, ci]


@njit(cache=True, nogil=True)
def _bilinear_at(a, r, c):
    """As :func:`_bilinear` at one float32 point (float64 weights, float32 result)."""
    rows, cols = a.shape
    r = min(max(r, np.float32(0)), np.float32(rows - 1))
    c = min(max(c, np.float32(0)), np.float32(cols - 1))
    r0 = min(np.int64(r), max(rows - 2, 0))
    c0 = min(np.int64(c), max(cols - 2, 0))
    fr = np.float64(r) - r0
    fc = np.float64(c) - c0
    dr = 1 if rows > 1 else 0
    dc = 1 if cols > 1 else 0
    v00 = a[r0, c0]
    v01 = a[r0, c0 + dc]
    v10 = a[r0 + dr, c0]
    v11 = a[r0 + dr, c0 + dc]
    top = np.float64(v00) + np.float64(v01 - v00) * fc
    bottom = np.float64(v10) + np.float64(v11 - v10) * fc
    return np.float32(top + (bottom - top) * fr)


@njit(cache=True, nogil=True)
def _surface_z(ground, bcm, r, c):
    """Surface height [m] at fractional (r, c), float32; −inf off-grid
    (:meth:`Surface.height_at`; ``ground`` / ``bcm`` of size 0 when absent)."""
    if ground.size:
        rows, cols = ground.shape
        if not (r > -0.5 and c > -0.5 and r < rows - 0.5 and c < cols - 0.5):
            return _NEG_INF32
        z = _bilinear_at(ground, r, c)
        if bcm.size:
            z = z + np.float32(_building_cm_at(bcm, r, c)) * _INV_CM32
        return z
    rows, cols = bcm.shape
    ri = np.int64(np.rint(r))
    ci = np.int64(np.rint(c))
    if ri < 0 or ci < 0 or ri >= rows or ci >= cols:
        return _NEG_INF32
    return np.float32(bcm[ri, ci]) * _INV_CM32


#: Bound of the error of :func:`_atan2_fast` [rad] (the series' first omitted term,
#: 0.4143¹⁹/19 ≈ 5e-9, plus rounding).
_ATAN_ERR = 1e-8


@njit(cache=True, nogil=True)
def _atan2_fast(x, y):
    """``atan2(x, y)`` (bearing clockwise from +y) within :data:`_ATAN_ERR` [rad].

    Octant reduction to ``t = min/max ≤ 1``, then ``atan t = π/4 + atan((t − 1)/(t + 1))``
    above tan(π/8), so the Taylor series runs on ``|u| ≤ 0.4143`` up to ``u¹⁷``.
    """
    ax = abs(x)
    ay = abs(y)
    if ax == 0.0 and ay == 0.0:
        return 0.0
    swap = ax > ay
    t = ay / ax if swap else ax / ay
    base = 0.0
    if t > 0.41421356237309503:
        t = (t - 1.0) / (t + 1.0)
        base = math.pi / 4
    u2 = t * t
    p = 1.0 / 17
    p = p * u2 - 1.0 / 15
    p = p * u2 + 1.0 / 13
    p = p * u2 - 1.0 / 11
    p = p * u2 + 1.0 / 9
    p = p * u2 - 1.0 / 7
    p = p * u2 + 1.0 / 5
    p = p * u2 - 1.0 / 3
    p = p * u2 + 1.0
    ang = base + t * p
    if swap:
        ang = math.pi / 2 - ang
    if y < 0:
        ang = math.pi - ang
    return -ang if x < 0 else ang


@njit(cache=True, nogil=True)
def sweep_targets(ground, bcm, cr, cc, cam_z, res, step, n_rays, exclude, own, dx, dy, tz,
                  out):
    """Polar horizon sweep over target points (compiled; writes ``out``).

    Each target is put on the ray of the lattice nearest to its bearing; the rays that
    hold targets are marched once, outward, up to their farthest target, keeping the
    running maximum of the surface's elevation slope ``(z − cam_z)/r`` per sample; a target
    at distance ``r`` is visible when its own slope is at least the horizon of the samples
    closer than ``r − exclude``. Work and memory are the samples of the used rays, each
    ray only as far as its farthest target.

    Parameters
    ----------
    ground : ndarray of float32, 2-D
        Ground height at the cell centres [m]; size 0 for flat ground.
    bcm : ndarray of uint16, 2-D
        Building heights [cm]; size 0 without buildings.
    cr, cc : float
        The camera's fractional (row, col).
    cam_z : float
        The camera's absolute height [m].
    res, step, exclude : float
        Cell size, sample spacing along a ray, exclusion before the target [m].
    n_rays : int
        Rays over the full circle (:func:`sweep_lattice`).
    own : bool
        The camera is inside a building below its roof: the first run of building samples
        on each ray (its own building) does not block.
    dx, dy, tz : ndarray of float64, 1-D
        Targets: offsets east and north of the camera [m], absolute height [m].
    out : ndarray of bool, 1-D
        Visibility per target (written).
    """
    m = dx.size
    if m == 0:
        return
    dphi = 2 * math.pi / n_rays
    ray = np.empty(m, np.int64)
    last = np.empty(m, np.int64)            # index of the last sample ≤ r − exclude
    slope_t = np.empty(m, np.float64)
    dist = np.empty(m, np.float64)
    used = np.zeros(n_rays, np.bool_)
    rmax = 0.0
    # the cheap forms of hypot and atan2 decide unless a value sits within their error
    # of a rounding edge; there the library functions decide, as in the numpy sweep
    guard = 4 * _ATAN_ERR / dphi
    for i in range(m):
        r = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
        q = (r - exclude) / step
        if abs(q - np.rint(q)) <= 1e-9 * (1.0 + abs(q)):
            r = math.hypot(dx[i], dy[i])
            q = (r - exclude) / step
        dist[i] = r
        rmax = max(rmax, r)
        a = _atan2_fast(dx[i], dy[i]) / dphi
        if abs(a - math.floor(a) - 0.5) <= guard:
            a = math.atan2(dx[i], dy[i]) / dphi
        k = np.int64(np.rint(a)) % n_rays          # clockwise from north
        ray[i] = k
        used[k] = True
        last[i] = np.int64(math.floor(q)) - 1
        slope_t[i] = (tz[i] - cam_z) / (r if r > 0 else 1.0)
    if rmax <= 0:
        out[:] = True
        return
    n_steps = max(1, np.int64(math.ceil((rmax - exclude) / step)))
    # the rays' angles count from the start of the used arc (after its largest gap), as
    # the angles of one contiguous ray range; the absolute ray index gives the same ray
    k_start = 0
    n_used = 0
    first_used = -1
    prev = -1
    best_gap = -1
    for k in range(n_rays):
        if used[k]:
            n_used += 1
            if first_used < 0:
                first_used = k
            elif k - prev > best_gap:
                best_gap = k - prev
                k_start = k
            prev = k
    if n_used == n_rays:
        k_start = 0
    elif first_used + n_rays - prev > best_gap:    # the wrap-around gap, last in ray order
        k_start = first_used
    # per ray: the farthest sample any of its targets needs, and the steepest target slope
    far = np.full(n_rays, -1, np.int64)
    top = np.full(n_rays, -np.inf)
    for i in range(m):
        k = ray[i]
        far[k] = max(far[k], min(last[i], n_steps - 1))
        if not slope_t[i] <= top[k]:
            top[k] = slope_t[i]
    # each ray's horizon profile at its offset in one buffer (the used rays' samples)
    offset = np.empty(n_rays, np.int64)
    total = 0
    for k in range(n_rays):
        offset[k] = total
        total += far[k] + 1
    horizon = np.empty(total, np.float32)
    done = far.copy()
    # sample distances and their inverses, shared by all rays (as numpy's float32 casts)
    rs32 = np.empty(n_steps, np.float32)
    inv32 = np.empty(n_steps, np.float32)
    for s in range(n_steps):
        rs32[s] = np.float32(step * (s + 1))
        inv32[s] = np.float32(1.0 / (step * (s + 1)))
    cr32 = np.float32(cr)
    cc32 = np.float32(cc)
    cz32 = np.float32(cam_z)
    rows, cols = bcm.shape
    for k in range(n_rays):
        if far[k] < 0:
            continue
        ang = (k_start + (k - k_start) % n_rays) * dphi
        drow = np.float32(math.cos(ang) / res)
        dcol = np.float32(math.sin(ang) / res)
        run = _NEG_INF32
        in_own = own
        # once the horizon is above every target's slope on the ray, the rest of the ray
        # can only hide them: stop there (the horizon never falls)
        stop = top[k]
        hk = horizon[offset[k]:offset[k] + far[k] + 1]
        if ground.size == 0:
            # buildings on flat ground: the nearest cell's height (the common case, inlined)
            for s in range(far[k] + 1):
                ri = np.int64(np.rint(cr32 - drow * rs32[s]))
                ci = np.int64(np.rint(cc32 + dcol * rs32[s]))
                if ri < 0 or ci < 0 or ri >= rows or ci >= cols:
                    hcm = 0
                    z = _NEG_INF32
                else:
                    hcm = bcm[ri, ci]
                    z = np.float32(hcm) * _INV_CM32
                if in_own:
                    if hcm > 0:
                        z = _NEG_INF32
                    else:
                        in_own = False
                slope = (z - cz32) * inv32[s]
                if slope > run or slope != slope:  # NaN sticks, as np.maximum.accumulate
                    run = slope
                hk[s] = run
                if np.float64(run) - 1e-9 > stop:
                    done[k] = s
                    break
        elif bcm.size == 0:
            # terrain alone: bilinear ground, −inf off the grid (inlined, no building test)
            grows, gcols = ground.shape
            for s in range(far[k] + 1):
                sr = cr32 - drow * rs32[s]
                sc = cc32 + dcol * rs32[s]
                if sr > -0.5 and sc > -0.5 and sr < grows - 0.5 and sc < gcols - 0.5:
                    z = _bilinear_at(ground, sr, sc)
                else:
                    z = _NEG_INF32
                slope = (z - cz32) * inv32[s]
                if slope > run or slope != slope:
                    run = slope
                hk[s] = run
                if np.float64(run) - 1e-9 > stop:
                    done[k] = s
                    break
        else:
            for s in range(far[k] + 1):
                sr = cr32 - drow * rs32[s]
                sc = cc32 + dcol * rs32[s]
                if in_own and _building_cm_at(bcm, sr, sc) > 0:
                    z = _NEG_INF32
                else:
                    in_own = False
                    z = _surface_z(ground, bcm, sr, sc)
                slope = (z - cz32) * inv32[s]
                if slope > run or slope != slope:
                    run = slope
                hk[s] = run
                if np.float64(run) - 1e-9 > stop:
                    done[k] = s
                    break
    for i in range(m):
        k = ray[i]
        j = min(last[i], n_steps - 1)
        if j < 0:
            out[i] = slope_t[i] >= -np.inf or dist[i] <= 0
        elif j > done[k]:
            out[i] = dist[i] <= 0
        else:
            h = np.float64(horizon[offset[k] + j])
            out[i] = slope_t[i] >= h - 1e-9 or dist[i] <= 0


@njit(cache=True, nogil=True)
def camera_window(xs, ys, x, y, cz, tz, tz_win, axes, tan_h, tan_v, range2, max_depth,
                  inside, r0, c0, hidden, f_px, occlusion, ground, bcm, cr, cc, res, step,
                  n_rays, exclude, own, pd):
    """One camera's pass over its window (compiled): gates, occlusion, pixel density.

    A cell is seen when its target point passes the frustum gates (``z_c > 0``,
    ``|x_c| ≤ z_c·tan_h``, ``|y_c| ≤ z_c·tan_v``), the range gate (horizontal distance² ≤
    ``range2``, or depth ≤ ``max_depth`` when that is ≥ 0), is inside the assessed area and
    not under a privacy mask, and (``occlusion``) the sweep
    (:func:`sweep_targets`) finds it in sight. The gates use
    float32 offsets and axes, as the pinhole model of :mod:`assessments.engine.camera`.

    Parameters
    ----------
    xs, ys : ndarray of float64
        Local x of the window's columns, y of its rows [m].
    x, y, cz : float
        Camera east, north [m] and absolute height [m].
    tz : float
        Target height on flat ground (absolute) [m]; ``tz_win`` (float32, the window's shape) holds
        the target heights instead when it has a size.
    axes : ndarray (3, 3) of float32
        Right, down and forward unit vectors (:func:`assessments.engine.camera.camera_axes`).
    tan_h, tan_v : float32
        Tangents of the half fields of view.
    range2 : float32
        Squared horizontal range [m²], used when ``max_depth`` < 0.
    max_depth : float32
        Working depth [m]; < 0 for a camera with a range.
    inside : ndarray of bool
        Assessed cells of the whole grid; the window starts at (``r0``, ``c0``).
    hidden : ndarray of bool
        Cells under a privacy mask in the window; size 0 without masks.
    f_px : float32
        Focal length [px].
    occlusion, ground, bcm, cr, cc, res, step, n_rays, exclude, own
        The sweep's inputs (:func:`sweep_targets`).
    pd : ndarray of float32
        Pixel density ``f_px / z_c`` [px/m] of the seen cells (written; zeros elsewhere).
    """
    nr, nc = pd.shape
    n = nr * nc
    cells = np.empty(n, np.int64)
    dx64 = np.empty(n, np.float64)
    dy64 = np.empty(n, np.float64)
    tz64 = np.empty(n, np.float64)
    depth = np.empty(n, np.float32)
    rx, ry = axes[0, 0], axes[0, 1]
    dnx, dny, dnz = axes[1, 0], axes[1, 1], axes[1, 2]
    fx, fy, fz = axes[2, 0], axes[2, 1], axes[2, 2]
    dz_flat = np.float32(tz - cz)
    cz32 = np.float32(cz)
    terrain = tz_win.size > 0
    masked = hidden.size > 0
    m = 0
    for i in range(nr):
        dy = np.float32(ys[i] - y)
        for j in range(nc):
            if not inside[r0 + i, c0 + j] or (masked and hidden[i, j]):
                continue
            dx = np.float32(xs[j] - x)
            dz = tz_win[i, j] - cz32 if terrain else dz_flat
            zc = fx * dx + fy * dy + fz * dz
            if not zc > 0:
                continue
            if max_depth >= 0:
                if zc > max_depth:
                    continue
            elif dx * dx + dy * dy > range2:
                continue
            if abs(rx * dx + ry * dy) > tan_h * zc:
                continue
            if abs(dnx * dx + dny * dy + dnz * dz) > tan_v * zc:
                continue
            cells[m] = i * nc + j
            dx64[m] = xs[j] - x
            dy64[m] = ys[i] - y
            tz64[m] = tz_win[i, j] if terrain else tz
            depth[m] = zc
            m += 1
    vis = np.ones(m, np.bool_)
    if occlusion and m:
        sweep_targets(ground, bcm, cr, cc, cz, res, step, n_rays, exclude, own,
                      dx64[:m], dy64[:m], tz64[:m], vis)
    for k in range(m):
        if vis[k]:
            pd[cells[k] // nc, cells[k] % nc] = f_px / depth[k]


def line_of_sight_dense(surface: Surface, cam_x, cam_y, cam_z, px, py, pz, *,
                        step_m=None, exclude_m=None):
    """Reference line of sight: sample every segment camera → target (slow, for tests).

    The segment is sampled every ``step_m`` (default a quarter cell); it is blocked when
    the surface at a sample closer than ``r − exclude_m`` rises above the segment.
    """
    res = surface.grid.resolution_m
    step = 0.25 * res if step_m is None else float(step_m)
    if exclude_m is None:
        exclude_m = res if surface.ground_m is not None else 0.5 * res
    px, py, pz = (np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in (px, py, pz))
    out = np.ones(px.size, dtype=bool)
    for i in range(px.size):
        dx, dy = px[i] - cam_x, py[i] - cam_y
        r = math.hypot(dx, dy)
        if r <= exclude_m:
            continue
        s = np.arange(step, r - exclude_m + 1e-12, step)
        if s.size == 0:
            continue
        t = s / r
        rr, cc = surface.grid.to_rc(cam_x + t * dx, cam_y + t * dy)
        zs = surface.height_at(rr, cc)
        zl = cam_z + t * (pz[i] - cam_z)
        out[i] = not np.any(zs > zl + 1e-9)
    return out
