"""Occlusion: line of sight over 2.5-D buildings and a terrain height raster.

The obstacle surface is a raster on the assessment grid: ground height (optional terrain,
bilinear between cell centres) plus building heights (flat roofs, nearest cell). A target
point is visible from a camera when the straight line between them stays above the surface.

Algorithm (per camera, no per-cell Python loop): a *polar horizon sweep*. Rays leave the
camera on a fixed angular lattice (spacing ``ray_spacing_m`` at the farthest target), each
sampled every ``step_m``; the surface's elevation slope ``(z_surface − z_camera)/r`` is taken
at every sample and its running maximum along the ray (``np.maximum.accumulate``) is the
horizon. A target at horizontal distance ``r`` on ray ``k`` is visible when its own slope is
at least the horizon of the samples closer than ``r − exclude_m``. A camera standing inside
a building footprint below its roof (wall-mounted) is not blocked by its own building: the
first run of building samples on each ray is skipped. The lattice does not
depend on which targets are asked, so adding a building can only raise the horizon
(visibility never grows) — the property the tests check.

Cost per camera is (rays × samples) ≈ (angular width · R / ray_spacing) · (R / step): it grows
with what the camera can see, not with the map.

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

from ..plan.buildings import building_id
from .grid import Grid, geojson_rings, ragged_ranges

__all__ = ["Surface", "Terrain", "building_footprints", "rasterize_buildings",
           "horizon_visibility", "line_of_sight_dense", "HEIGHT_KEYS"]

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
    out = np.zeros(grid.shape, dtype=np.uint16)
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


def horizon_visibility(surface: Surface, cam_x, cam_y, cam_z, px, py, pz, *,
                       range_m=None, step_m=None, ray_spacing_m=None, exclude_m=None):
    """Which target points a camera sees over the obstacle surface (polar horizon sweep).

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
    step_m : float, optional
        Sample spacing along each ray [m]; default half a cell (one cell with terrain,
        which is interpolated bilinearly and smooth).
    ray_spacing_m : float, optional
        Arc spacing between rays at the camera's reach [m]; default 0.7 cell (one cell
        with terrain).
    exclude_m : float, optional
        Samples closer than this to the target do not block it [m] (the target's own cell);
        default half a cell without terrain, one cell with terrain.

    Returns
    -------
    ndarray of bool, same shape as ``px``
    """
    res = surface.grid.resolution_m
    terrain = surface.ground_m is not None
    step = (1.0 if terrain else 0.5) * res if step_m is None else float(step_m)
    spacing = (1.0 if terrain else 0.7) * res if ray_spacing_m is None else float(ray_spacing_m)
    if exclude_m is None:
        exclude_m = res if surface.ground_m is not None else 0.5 * res
    px = np.asarray(px, dtype=np.float64)
    n = px.size
    if n == 0 or not surface.has_obstacles:
        return np.ones(n, dtype=bool)
    dx = px - cam_x
    dy = np.asarray(py, dtype=np.float64) - cam_y
    r = np.hypot(dx, dy)
    rmax = float(r.max())
    if rmax <= 0:
        return np.ones(n, dtype=bool)
    # fixed angular lattice set by the camera's reach: subsets of targets sample the same rays
    reach = rmax if range_m is None else float(range_m)
    n_rays = max(8, int(math.ceil(2 * math.pi * reach / spacing)))
    dphi = 2 * math.pi / n_rays
    phi = np.arctan2(dx, dy)                       # clockwise from north
    k_abs = np.rint(phi / dphi).astype(np.int64)
    # contiguous ray range covering all targets (handle the ±π seam)
    k_mod = np.mod(k_abs, n_rays)
    used = np.zeros(n_rays, dtype=bool)
    used[k_mod] = True
    if used.all():
        k_start, n_k = 0, n_rays
    else:
        # start right after the largest gap of unused rays
        idx = np.flatnonzero(used)
        gaps = np.diff(np.concatenate([idx, idx[:1] + n_rays]))
        g = int(np.argmax(gaps))
        k_start = int(idx[(g + 1) % idx.size])
        n_k = int(n_rays - gaps[g] + 1)
    k_rel = np.mod(k_mod - k_start, n_rays)
    n_steps = max(1, int(math.ceil((rmax - exclude_m) / step)))
    ang = (k_start + np.arange(n_k)) * dphi
    rs = step * np.arange(1, n_steps + 1, dtype=np.float64)
    cr, cc = surface.grid.to_rc(cam_x, cam_y)
    # sample positions straight in fractional (row, col): north = −row, east = +col
    sr = (np.float32(cr) - (np.cos(ang) / res).astype(np.float32)[:, None]
          * rs.astype(np.float32)[None, :])
    sc = (np.float32(cc) + (np.sin(ang) / res).astype(np.float32)[:, None]
          * rs.astype(np.float32)[None, :])
    zs = surface.height_at(sr, sc)
    own = surface.own_building_top(cam_x, cam_y)
    if own is not None and cam_z < own:
        # wall-mounted camera inside its building's footprint: the samples of the first
        # run of building cells on each ray (its own building) do not block
        in_b = surface.building_at(sr, sc) > 0
        zs = np.where(np.logical_and.accumulate(in_b, axis=1), np.float32(-np.inf), zs)
    zs -= np.float32(cam_z)
    slope = np.multiply(zs, (1.0 / rs).astype(np.float32)[None, :], out=zs)
    np.maximum.accumulate(slope, axis=1, out=slope)
    j = np.floor((r - exclude_m) / step).astype(np.int64) - 1     # last sample ≤ r − excl
    target_slope = (np.asarray(pz, dtype=np.float64) - cam_z) / np.where(r > 0, r, 1.0)
    horizon = np.full(n, -np.inf)
    ok = j >= 0
    horizon[ok] = slope[k_rel[ok], np.minimum(j[ok], n_steps - 1)]
    return (target_slope >= horizon - 1e-9) | (r <= 0)


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
