"""Seeded synthetic scenes for the benchmarks, and the plain dense baseline.

Scenes (all deterministic for a given seed):

* ``district``: 1 km × 1 km, 0.5 m grid (4 M cells), 2,000 rectangular buildings
  (3–30 m tall), 200 street cameras (1920×1080 / 2688×1520, hfov 50–100°, tilt 5–30°,
  mount 3–8 m, no max_range_m → working range to Monitor 12.5 px/m), and with
  ``n_lights`` (300 in the benchmarks) street lights.
* ``city``: 加古川 scale, 14 km × 10 km = 140 km², 1 m grid (140 M cells), 1,500 cameras,
  buildings at a suburban density, and ``n_lights`` (5,000 in the benchmarks) lights.

Lights (:func:`plan_lights`) are the mix of ``bench_lighting.py``: two thirds 防犯灯-like
(1,000 lm, ``"wide"`` = beam 120°, 4.5 m), one third road luminaires (8 m, random
bearing) with its synthetic asymmetric table, given in the plan as IES LM-63-2002 text.
Cameras then get ``min_illuminance_lx`` 0.5, ``shutter_s`` 1/60 and, for one in three,
``ir_range_m`` 30 (example values of the plan format, not product data). The lights are
drawn after the buildings and cameras, so a scene with lights has the same buildings and
cameras as without.
* ``hills``: the peer scene of shared/reference/bench_scenes.md (height raster, 6 cameras).

The baseline (:func:`dense_baseline`) is the plain correct method: every camera × every
cell of the grid, frustum + range gates on the whole grid, and a line-of-sight check of every
gated cell by sampling its segment (no windows, no sweep).
"""
from __future__ import annotations

import math
import time

import numpy as np

from assessments.engine.grid import Grid
from assessments.engine.visibility import Surface

KASHIWA = (35.8676, 139.9758)      # 柏市役所 (shared/data/municipalities_localgovjp.csv)
KAKOGAWA = (34.7568, 134.8413)     # 加古川市役所


def _square_area(grid: Grid, x0, y0, x1, y1):
    lat, lon = grid.to_latlon(np.array([x0, x1, x1, x0, x0], float),
                              np.array([y0, y0, y1, y1, y0], float))
    return {"type": "Polygon", "coordinates": [[[float(o), float(a)]
                                                for o, a in zip(lon, lat)]]}


def _buildings(rng, grid, n, x0, y0, x1, y1, size=(6, 20), height=(3, 30)):
    feats = []
    cx = rng.uniform(x0, x1, n)
    cy = rng.uniform(y0, y1, n)
    w = rng.uniform(*size, n)
    d = rng.uniform(*size, n)
    h = rng.uniform(*height, n)
    ang = rng.uniform(0, np.pi, n)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    px = cx[:, None] + (corners[:, 0] * w[:, None]) * np.cos(ang)[:, None] \
        - (corners[:, 1] * d[:, None]) * np.sin(ang)[:, None]
    py = cy[:, None] + (corners[:, 0] * w[:, None]) * np.sin(ang)[:, None] \
        + (corners[:, 1] * d[:, None]) * np.cos(ang)[:, None]
    lat, lon = grid.to_latlon(px.ravel(), py.ravel())
    lat, lon = lat.reshape(px.shape), lon.reshape(px.shape)
    for i in range(n):
        feats.append({"type": "Feature", "id": f"B{i}", "properties": {"height_m": float(h[i])},
                      "geometry": {"type": "Polygon", "coordinates": [
                          np.column_stack([lon[i], lat[i]]).tolist()]}})
    return {"type": "FeatureCollection", "features": feats}


def _cameras(rng, grid, n, x0, y0, x1, y1, *, prefix="C"):
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    lat, lon = grid.to_latlon(x, y)
    big = rng.random(n) < 0.3
    cams = []
    for i in range(n):
        cams.append({"id": f"{prefix}{i}", "lat": float(lat[i]), "lon": float(lon[i]),
                     "mount_height_m": float(rng.uniform(3, 8)),
                     "azimuth_deg": float(rng.uniform(0, 360)),
                     "tilt_deg": float(rng.uniform(5, 30)),
                     "hfov_deg": float(rng.uniform(50, 100)),
                     "width_px": 2688 if big[i] else 1920,
                     "height_px": 1520 if big[i] else 1080})
    return cams


def ies_text(photometry) -> str:
    """IES LM-63-2002 text of a full (C 0–360°) type C table, absolute photometry."""
    c, g, cd = photometry.c_angles_deg, photometry.gamma_angles_deg, photometry.candela
    lines = ["IESNA:LM-63-2002", "[TEST] synthetic benchmark table (not a product)",
             "TILT=NONE", f"1 -1 1 {g.size} {c.size} 1 2 0 0 0", "1 1 0",
             " ".join(f"{v:g}" for v in g), " ".join(f"{v:g}" for v in c)]
    lines += [" ".join(f"{v:.2f}" for v in row) for row in cd]
    return "\n".join(lines) + "\n"


def plan_lights(rng, grid, n, x0, y0, x1, y1):
    """``n`` plan lights spread uniformly, the mix of ``bench_lighting.scene``."""
    from benchmarks.bench_lighting import synthetic_road_table
    road = ies_text(synthetic_road_table())
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    lat, lon = grid.to_latlon(x, y)
    out = []
    for i in range(n):
        lt = {"id": f"L{i}", "lat": float(lat[i]), "lon": float(lon[i])}
        if i % 3 == 2:
            lt.update(mount_height_m=8.0, ies=road, azimuth_deg=float(rng.uniform(0, 360)))
        else:
            lt.update(mount_height_m=4.5, lumens=1000.0, distribution="wide")
        out.append(lt)
    return out


def _with_lights(plan, rng, grid, n_lights, x0, y0, x1, y1):
    if n_lights:
        plan["lights"] = plan_lights(rng, grid, n_lights, x0, y0, x1, y1)
        for i, cam in enumerate(plan["cameras"]):
            cam.update(min_illuminance_lx=0.5, shutter_s=1 / 60)
            if i % 3 == 0:
                cam["ir_range_m"] = 30.0
    return plan


def district(seed=1, *, size_m=1000.0, resolution_m=0.5, n_buildings=2000, n_cameras=200,
             n_lights=0):
    """The district scene as a PLAN dict (version 1)."""
    rng = np.random.default_rng(seed)
    g = Grid.from_bounds(*KASHIWA, -size_m / 2, -size_m / 2, size_m / 2, size_m / 2, 1.0)
    h = size_m / 2
    plan = {"version": 1, "name": f"district seed {seed}", "resolution_m": resolution_m,
            "target_height_m": 1.5, "area": _square_area(g, -h, -h, h, h),
            "buildings": _buildings(rng, g, n_buildings, -h, -h, h, h),
            "cameras": _cameras(rng, g, n_cameras, -h, -h, h, h)}
    return _with_lights(plan, rng, g, n_lights, -h, -h, h, h)


def city(seed=1, *, width_m=14_000.0, height_m=10_000.0, resolution_m=1.0,
         n_buildings=40_000, n_cameras=1500, n_lights=0):
    """The city scene (加古川 scale, 140 km²) as a PLAN dict."""
    rng = np.random.default_rng(seed)
    g = Grid.from_bounds(*KAKOGAWA, -1, -1, 1, 1, 1.0)
    hw, hh = width_m / 2, height_m / 2
    plan = {"version": 1, "name": f"city seed {seed}", "resolution_m": resolution_m,
            "target_height_m": 1.5, "area": _square_area(g, -hw, -hh, hw, hh),
            "buildings": _buildings(rng, g, n_buildings, -hw, -hh, hw, hh, height=(3, 15)),
            "cameras": _cameras(rng, g, n_cameras, -hw, -hh, hw, hh)}
    return _with_lights(plan, rng, g, n_lights, -hw, -hh, hw, hh)


def school_districts(plan: dict, nx: int = 6, ny: int = 4) -> dict:
    """``nx`` × ``ny`` rectangular districts tiling a scene's area (like a city's 小学校区),
    drawn 50 m past its edge, as the plan's ``districts`` FeatureCollection."""
    ring = np.array(plan["area"]["coordinates"][0], float)
    lon_w, lon_e = ring[:, 0].min(), ring[:, 0].max()
    lat_s, lat_n = ring[:, 1].min(), ring[:, 1].max()
    pad_lon, pad_lat = (lon_e - lon_w) * 0.01, (lat_n - lat_s) * 0.01
    lons = np.linspace(lon_w - pad_lon, lon_e + pad_lon, nx + 1)
    lats = np.linspace(lat_s - pad_lat, lat_n + pad_lat, ny + 1)
    feats = []
    for j in range(ny):
        for i in range(nx):
            w, e, s_, n_ = lons[i], lons[i + 1], lats[j], lats[j + 1]
            feats.append({"type": "Feature", "properties": {"name": f"第{j * nx + i + 1}小学校区"},
                          "geometry": {"type": "Polygon", "coordinates": [[
                              [w, s_], [e, s_], [e, n_], [w, n_], [w, s_]]]}})
    return {"type": "FeatureCollection", "features": feats}


def hills(n=512, seed=1):
    """The peer scene "hills" (bench_scenes.md): heights (N, N) and the 6 camera tuples.

    Returns ``heights`` (float32, [row, col], 1 m cells) and a list of
    ``(x, y, z, yaw, pitch)`` in cell units (x = column, y = row).
    """
    heights = np.zeros((n, n), dtype=np.float32)
    np.random.seed(seed)
    y, x = np.mgrid[0:n, 0:n]
    for _ in range(5):
        cx = np.random.uniform(0.2 * n, 0.8 * n)
        cy = np.random.uniform(0.2 * n, 0.8 * n)
        sigma = np.random.uniform(30, 80)
        a = np.random.uniform(10, 50)
        heights += (a * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma ** 2))
                    ).astype(np.float32)
    np.random.seed(seed)
    cams = []
    for _ in range(6):
        cx = np.random.uniform(10, n - 10)
        cy = np.random.uniform(10, n - 10)
        z = float(heights[int(cy), int(cx)]) + 10
        yaw = np.random.uniform(-np.pi, np.pi)
        pitch = np.random.uniform(-np.pi / 6, 0)
        cams.append((cx, cy, z, yaw, pitch))
    return heights, cams


def hills_model_inputs(heights, cams, *, range_cells=150.0):
    """Grid (1 m, cell [r, c] centre at x = c, y = −r) and camera dicts for the hills scene."""
    from assessments.engine.visibility import _bilinear
    n = heights.shape[0]
    g = Grid(35.0, 139.0, 1.0, (n, n), 0.0, 0.0)
    out = []
    for i, (cx, cy, z, yaw, pitch) in enumerate(cams):
        lat, lon = g.to_latlon(cx, -cy)
        ground = float(_bilinear(heights, np.array([cy]), np.array([cx]))[0])
        out.append({"id": f"H{i}", "lat": lat, "lon": lon, "mount_height_m": z - ground,
                    # yaw 0 = +x (east), positive toward +row (south): azimuth = 90° + yaw
                    "azimuth_deg": (90.0 + math.degrees(yaw)) % 360.0,
                    "tilt_deg": -math.degrees(pitch), "hfov_deg": 90.0, "vfov_deg": 60.0,
                    "width_px": 1920, "height_px": 1280, "max_range_m": range_cells})
    return g, out


# ---------------------------------------------------------------------------------------
# dense baseline
# ---------------------------------------------------------------------------------------
def dense_baseline(model, cameras, *, step_cells=0.5, chunk=200_000):
    """Best pixel density by the plain method: every camera × every cell, LOS by sampling.

    Uses the model's grid, inside mask and obstacle surface, but no windows and no sweep.
    Returns the best pixel density (float32, 0 unseen).
    """
    from assessments.engine import camera as cm
    from assessments.engine.devices import as_camera
    g = model.grid
    surf: Surface = model.surface
    res = g.resolution_m
    X = g.x_axis_m[None, :].astype(np.float32)
    Y = g.y_axis_m[:, None].astype(np.float32)
    best = np.zeros(g.shape, np.float32)
    for cam in map(as_camera, cameras):
        x, y = g.to_xy(cam.lat_deg, cam.lon_deg)
        r0, c0 = g.to_rc(x, y)
        gz = float(surf.ground_at(np.array([r0]), np.array([c0]))[0])
        cz = gz + cam.mount_height_m
        tz = (model.target_height_m if surf.ground_m is None
              else surf.ground_m + np.float32(model.target_height_m))
        rv, dv, fv = cm.camera_axes(cam.bearing_deg, cam.tilt_deg)
        dx, dy, dz = X - x, Y - y, tz - cz
        zc = fv[0] * dx + fv[1] * dy + fv[2] * dz
        xc = rv[0] * dx + rv[1] * dy
        yc = dv[0] * dx + dv[1] * dy + dv[2] * dz
        gate = (zc > 0) & (np.abs(xc) <= cam.tan_h * zc) & (np.abs(yc) <= cam.tan_v * zc)
        if cam.max_range_m is not None:
            gate &= dx * dx + dy * dy <= cam.max_range_m ** 2
        else:
            gate &= zc <= cam.f_px / model.min_density_px_m
        gate &= model.inside
        rr, cc = np.nonzero(gate)
        if surf.has_obstacles and rr.size:
            excl = res if surf.ground_m is not None else 0.5 * res
            tzz = (np.full(rr.size, tz, np.float64) if np.ndim(tz) == 0
                   else tz[rr, cc].astype(np.float64))
            px, py = g.x_axis_m[cc], g.y_axis_m[rr]
            vis = np.ones(rr.size, bool)
            for s in range(0, rr.size, chunk // 64 or 1):
                e = min(rr.size, s + max(1, chunk // 64))
                ddx, ddy = px[s:e] - x, py[s:e] - y
                dist = np.hypot(ddx, ddy)
                k = int(math.ceil(dist.max() / (step_cells * res)))
                t = (np.arange(1, k + 1) * step_cells * res)[None, :] / np.maximum(
                    dist[:, None], 1e-9)
                valid = t * dist[:, None] <= dist[:, None] - excl
                sr, sc = g.to_rc(x + t * ddx[:, None], y + t * ddy[:, None])
                zs = surf.height_at(sr, sc)
                zl = cz + t * (tzz[s:e, None] - cz)
                vis[s:e] = ~np.any((zs > zl + 1e-9) & valid, axis=1)
            gate[rr[~vis], cc[~vis]] = False
        pd = np.where(gate, cam.f_px / np.where(gate, zc, 1), 0).astype(np.float32)
        np.maximum(best, pd, out=best)
    return best


def timed(fn, *args, repeat=1, **kw):
    """(best wall time [s], last result) over ``repeat`` runs."""
    best, out = math.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kw)
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far [MiB] (Linux ru_maxrss is in KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dense_night_baseline(model, lights):
    """Night lighting by the plain method, as the baseline of ``simulate_night``.

    Every light on every cell (``windowed=False``: no reach windows, no blocks) with the
    general kernels (``method="general"``: angles and table interpolation for every
    model): the horizontal illuminance at the ground, and for every camera the vertical
    illuminance at 1.5 m facing it on every cell. Returns ``(horizontal_lx,
    seconds_horizontal, seconds_vertical)``.
    """
    from assessments.engine.lighting import horizontal_illuminance, vertical_illuminance
    from assessments.engine.night import plan_luminaires
    g = model.grid
    x, y = g.x_axis_m, g.y_axis_m
    lums = plan_luminaires(g, lights)
    t0 = time.perf_counter()
    eh = horizontal_illuminance(x, y, lums, windowed=False, method="general")
    t1 = time.perf_counter()
    for v in model.views.values():
        facing = np.degrees(np.arctan2(v.x_m - x[None, :], v.y_m - y[:, None])) % 360.0
        vertical_illuminance(x, y, lums, facing, windowed=False, method="general")
    return eh, t1 - t0, time.perf_counter() - t1


def night_baseline_report(small_plan, *, n_lights, cells, t_night):
    """Time ``simulate_night`` and :func:`dense_night_baseline` on a cut of a scene, and
    extrapolate the dense horizontal illuminance (∝ lights × cells) to the full scene.

    The full dense night would add, per camera, the vertical illuminance of every light on
    every cell (× the number of cameras again); the extrapolation leaves it out, so its
    ratio is a lower bound. Returns printable lines.
    """
    from assessments.engine.coverage import CoverageModel, simulate_night
    from assessments.plan.validate import validate_plan
    small = validate_plan(small_plan)
    g = Grid.from_area(small["area"], small["resolution_m"])
    model = CoverageModel(g, small["_footprints"], area=small["area"])
    model.set_cameras(small["cameras"])
    t_ours, (_e, _c, arrays) = timed(simulate_night, model, small["lights"], repeat=3)
    eh, t_h, t_v = dense_night_baseline(model, small["lights"])
    # equal within float32 rounding; a contribution sitting at the 0.05 lx cut-off may
    # fall either side of it, so count the cells off by more than rounding
    off = ~np.isclose(arrays["illuminance_lx"], eh, rtol=1e-5, atol=1e-6)
    worst = np.abs(arrays["illuminance_lx"] - eh).max()
    ok = f"{int(off.sum())} of {off.size} cells differ (max {worst:.2g} lx)"
    nl, nc, n = len(small["lights"]), len(small["cameras"]), g.shape[0] * g.shape[1]
    full = t_h / (nl * n) * n_lights * cells
    return [f"  night cut {g.shape[0]}×{g.shape[1]} cells, {nc} cameras, {nl} lights: ours "
            f"{t_ours * 1e3:.0f} ms, dense baseline {(t_h + t_v) * 1e3:.0f} ms "
            f"(horizontal {t_h * 1e3:.0f} + vertical toward each camera {t_v * 1e3:.0f}) → "
            f"×{(t_h + t_v) / t_ours:.1f}; horizontal grids: {ok}",
            f"  dense horizontal alone extrapolated to the full scene (lights × cells): "
            f"≈ {full:.0f} s → ×{full / t_night:.0f} against our whole night pass "
            f"(a lower bound: the dense vertical would multiply it by the cameras)"]


class PhaseTimer:
    """Wall and CPU time of the calls to ``module.name`` while active (a benchmark probe)."""

    def __init__(self, module, name):
        self.module, self.name = module, name
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self.orig = getattr(self.module, self.name)

        def wrapped(*a, **kw):
            t, c = time.perf_counter(), time.process_time()
            try:
                return self.orig(*a, **kw)
            finally:
                self.wall += time.perf_counter() - t
                self.cpu += time.process_time() - c
        setattr(self.module, self.name, wrapped)
        return self

    def __exit__(self, *exc):
        setattr(self.module, self.name, self.orig)
