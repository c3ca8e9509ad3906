"""The compiled occlusion kernel (visibility.sweep_targets / camera_window).

Hand-made scenes with counts worked out by hand, the dense line of sight as the reference,
and the numpy polar sweep the kernel replaced (kept here, compact, as the reference of
its arithmetic: the kernel must give the same answer target by target).
"""
import math

import numpy as np
import pytest

from assessments.engine.coverage import CoverageModel
from assessments.engine.grid import Grid
from assessments.engine.visibility import (Surface, _bilinear, horizon_visibility,
                                           line_of_sight_dense)

RES = 1.0
N = 41                      # 41 × 41 cells of 1 m; the camera near the centre cell (20, 20)


def _grid(n=N, res=RES):
    # cell [r, c] centre at x = c·res, y = −r·res
    return Grid(35.0, 139.0, res, (n, n), 0.0, 0.0)


def _all_cells(g):
    rr, cc = np.mgrid[0:g.shape[0], 0:g.shape[1]]
    return rr.ravel(), cc.ravel(), g.x_axis_m[cc.ravel()], g.y_axis_m[rr.ravel()]


def test_full_wall_hides_every_cell_behind_it():
    # a wall taller than the camera along the whole column x = 25 m (col 25, 1 m thick):
    # every segment from the camera (x = 20.2) to a cell with x ≥ 26 crosses that column
    # with samples every 0.5 m, so at least one sample lands on it and blocks; cells with
    # x ≤ 24 have nothing in between. Hidden: cols 26…40 = 15 cols × 41 rows = 615 cells.
    g = _grid()
    bcm = np.zeros(g.shape, np.uint16)
    bcm[:, 25] = 2000                                   # 20 m
    s = Surface(g, building_cm=bcm)
    rr, cc, px, py = _all_cells(g)
    vis = horizon_visibility(s, 20.2, -20.0, 10.0, px, py, np.full(px.size, 1.5),
                             range_m=30.0)
    off_wall = cc != 25
    assert np.count_nonzero(~vis[off_wall]) == 615
    assert np.all(~vis[cc >= 26]) and np.all(vis[cc <= 24])
    ref = line_of_sight_dense(s, 20.2, -20.0, 10.0, px[off_wall], py[off_wall],
                              np.full(off_wall.sum(), 1.5))
    np.testing.assert_array_equal(vis[off_wall], ref)


def test_low_wall_shadow_length():
    # camera 10 m high at x = 20.2 m, y = −20 m (row 20); a 4 m wall in col 25 (x 24.5–25.5);
    # targets on the ground (z = 0) along row 20. Samples every 0.5 m from x = 20.2 fall at
    # x = 24.7 and 25.2 in the wall (nearest col 25), the farthest 5.0 m from the camera;
    # the line to a target d metres away is at 10·(1 − 5.0/d) there, below 4 m while
    # d < 5.0/0.6 = 8.33 m: x = 26, 27, 28 (d = 5.8, 6.8, 7.8) hidden, x = 29 (d = 8.8,
    # line at 4.32 m) and beyond visible. The dense reference (quarter-cell step, farthest
    # wall sample 5.25 m: hidden while d < 8.75 m) gives the same three cells.
    g = _grid()
    bcm = np.zeros(g.shape, np.uint16)
    bcm[:, 25] = 400
    s = Surface(g, building_cm=bcm)
    cols = np.arange(26, 41)
    px, py, pz = g.x_axis_m[cols], np.full(cols.size, -20.0), np.zeros(cols.size)
    vis = horizon_visibility(s, 20.2, -20.0, 10.0, px, py, pz, range_m=30.0)
    assert list(cols[~vis]) == [26, 27, 28]
    np.testing.assert_array_equal(vis, line_of_sight_dense(s, 20.2, -20.0, 10.0, px, py, pz))


def test_own_building_rule():
    # camera 3 m high inside a 10 m building A (rows/cols 18–22) and a 10 m building B
    # across the grid (cols 30–32). A does not block (its first run of samples on each ray
    # is skipped); B does: hidden = cols 33…40 = 8 cols × 41 rows = 328 cells; every cell
    # outside A and B with col ≤ 29 is seen.
    g = _grid()
    bcm = np.zeros(g.shape, np.uint16)
    bcm[18:23, 18:23] = 1000
    bcm[:, 30:33] = 1000
    s = Surface(g, building_cm=bcm)
    assert s.inside_own_building(20.2, -20.3, 3.0)
    assert not s.inside_own_building(20.2, -20.3, 11.0)       # above its roof
    rr, cc, px, py = _all_cells(g)
    free = bcm[rr, cc] == 0
    vis = horizon_visibility(s, 20.2, -20.3, 3.0, px[free], py[free],
                             np.full(free.sum(), 1.5), range_m=30.0)
    c = cc[free]
    assert np.count_nonzero(~vis) == 328
    assert np.all(~vis[c >= 33]) and np.all(vis[c <= 29])
    # without the rule (the dense reference has none) building A hides everything
    ref = line_of_sight_dense(s, 20.2, -20.3, 3.0, px[free], py[free],
                              np.full(free.sum(), 1.5))
    assert not ref.any()


def _hill(g, top_m=20.0, sigma_m=4.0, at=(20, 28)):
    rr, cc = np.mgrid[0:g.shape[0], 0:g.shape[1]]
    return (top_m * np.exp(-((rr - at[0]) ** 2 + (cc - at[1]) ** 2) / (2 * sigma_m ** 2))
            ).astype(np.float32)


def test_hill_against_dense_reference():
    # a 20 m Gaussian hill centred 8 m east of a camera 5 m above the ground: the cell
    # right behind the summit (x = 36 m: the line from 5 m down to 1.5 m is ≈ 3.3 m high
    # over the 20 m top) is hidden, the near slope (x = 24 m) is seen; the sweep (one-cell
    # samples, bilinear terrain) agrees with the dense quarter-cell reference on ≥ 99 % of
    # the cells: they differ only where the line grazes the surface.
    g = _grid()
    ground = _hill(g)
    s = Surface(g, ground_m=ground)
    rr, cc, px, py = _all_cells(g)
    pz = ground[rr, cc].astype(np.float64) + 1.5
    cz = float(_bilinear(ground, np.array([20.0]), np.array([20.0]))[0]) + 5.0
    vis = horizon_visibility(s, 20.0, -20.0, cz, px, py, pz, range_m=30.0)
    ref = line_of_sight_dense(s, 20.0, -20.0, cz, px, py, pz)
    at = {(r, c): v for r, c, v in zip(rr, cc, vis)}
    assert not at[(20, 36)] and at[(20, 24)]
    assert np.mean(vis == ref) >= 0.99
    assert np.count_nonzero(~vis) > 100          # the hill hides a real shadow


# --- the numpy sweep the kernel replaced, as the reference of its arithmetic ------------
def _numpy_sweep(surface, cam_x, cam_y, cam_z, px, py, pz, *, range_m):
    res = surface.grid.resolution_m
    terrain = surface.ground_m is not None
    step = (1.0 if terrain else 0.5) * res
    spacing = (1.0 if terrain else 0.7) * res
    exclude = res if terrain else 0.5 * res
    dx, dy = px - cam_x, py - cam_y
    r = np.hypot(dx, dy)
    n_rays = max(8, int(math.ceil(2 * math.pi * range_m / spacing)))
    dphi = 2 * math.pi / n_rays
    k_mod = np.mod(np.rint(np.arctan2(dx, dy) / dphi).astype(np.int64), n_rays)
    used = np.zeros(n_rays, bool)
    used[k_mod] = True
    if used.all():
        k_start, n_k = 0, n_rays
    else:
        idx = np.flatnonzero(used)
        gaps = np.diff(np.concatenate([idx, idx[:1] + n_rays]))
        g = int(np.argmax(gaps))
        k_start, n_k = int(idx[(g + 1) % idx.size]), int(n_rays - gaps[g] + 1)
    k_rel = np.mod(k_mod - k_start, n_rays)
    n_steps = max(1, int(math.ceil((r.max() - exclude) / step)))
    ang = (k_start + np.arange(n_k)) * dphi
    rs = step * np.arange(1, n_steps + 1, dtype=np.float64)
    cr, cc = surface.grid.to_rc(cam_x, cam_y)
    sr = np.float32(cr) - (np.cos(ang) / res).astype(np.float32)[:, None] * rs.astype(
        np.float32)[None, :]
    sc = np.float32(cc) + (np.sin(ang) / res).astype(np.float32)[:, None] * rs.astype(
        np.float32)[None, :]
    zs = surface.height_at(sr, sc)
    if surface.inside_own_building(cam_x, cam_y, cam_z):
        in_b = surface.building_at(sr, sc) > 0
        zs = np.where(np.logical_and.accumulate(in_b, axis=1), np.float32(-np.inf), zs)
    zs -= np.float32(cam_z)
    slope = zs * (1.0 / rs).astype(np.float32)[None, :]
    np.maximum.accumulate(slope, axis=1, out=slope)
    j = np.floor((r - exclude) / step).astype(np.int64) - 1
    horizon = np.full(r.size, -np.inf)
    ok = j >= 0
    horizon[ok] = slope[k_rel[ok], np.minimum(j[ok], n_steps - 1)]
    return ((pz - cam_z) / np.where(r > 0, r, 1.0) >= horizon - 1e-9) | (r <= 0)


@pytest.mark.parametrize("seed", range(6))
def test_kernel_equals_numpy_sweep(seed):
    # random buildings (and terrain for odd seeds), cameras in the open or inside a
    # building, 2,000 random targets: the same answer for every target
    rng = np.random.default_rng(seed)
    g = _grid(n=60, res=0.5)
    ground = (rng.random(g.shape) * 4).astype(np.float32) if seed % 2 else None
    bcm = np.zeros(g.shape, np.uint16)
    for _ in range(12):
        r0, c0 = rng.integers(0, 60, 2)
        bcm[r0:r0 + rng.integers(1, 8), c0:c0 + rng.integers(1, 8)] = rng.integers(100, 2000)
    cr, cc = rng.uniform(5, 55, 2)
    if seed % 3 == 0:
        bcm[int(cr) - 2:int(cr) + 3, int(cc) - 2:int(cc) + 3] = 1500     # camera inside
    s = Surface(g, ground_m=ground, building_cm=bcm)
    cx, cy = cc * g.resolution_m, -cr * g.resolution_m
    cz = 2.0 + (0.0 if ground is None else float(ground[int(cr), int(cc)]))
    rr, ci = rng.integers(0, 60, 2000), rng.integers(0, 60, 2000)
    px, py = g.x_axis_m[ci], g.y_axis_m[rr]
    pz = 1.5 + (0.0 if ground is None else ground[rr, ci].astype(np.float64))
    np.testing.assert_array_equal(
        horizon_visibility(s, cx, cy, cz, px, py, pz, range_m=40.0),
        _numpy_sweep(s, cx, cy, cz, px, py, pz, range_m=40.0))


def test_camera_window_equals_numpy_gates_and_sweep():
    # the fused window pass against the numpy gates of the pinhole model + the numpy
    # sweep, for a camera on flat ground among buildings: the same pixel density per cell
    from assessments.engine import camera as cm
    rng = np.random.default_rng(7)
    g = _grid(n=120, res=0.5)
    bcm = np.zeros(g.shape, np.uint16)
    for _ in range(30):
        r0, c0 = rng.integers(0, 120, 2)
        bcm[r0:r0 + rng.integers(2, 10), c0:c0 + rng.integers(2, 10)] = rng.integers(300, 1500)
    model = CoverageModel(g, area=np.ones(g.shape, bool), threads=1)
    model.surface = Surface(g, building_cm=bcm)
    model.inside &= bcm == 0
    lat, lon = g.to_latlon(30.1, -29.7)
    cam = {"id": "K", "lat": float(lat), "lon": float(lon), "mount_height_m": 6.0,
           "azimuth_deg": 120.0, "tilt_deg": 20.0, "hfov_deg": 80.0, "width_px": 1920,
           "height_px": 1080, "max_range_m": 25.0}
    v = model.compute_view(cam)
    xs, ys = v.x_axis_m, v.y_axis_m
    dx = (xs - v.x_m).astype(np.float32)[None, :]
    dy = (ys - v.y_m).astype(np.float32)[:, None]
    dz = np.float32(1.5 - v.z_m)
    rv, dv, fv = (a.astype(np.float32) for a in cm.camera_axes(120.0, 20.0))
    zc = fv[0] * dx + fv[1] * dy + fv[2] * dz
    xc = rv[0] * dx + rv[1] * dy
    yc = dv[0] * dx + dv[1] * dy + dv[2] * dz
    c = v.camera
    seen = ((zc > 0) & (np.abs(xc) <= np.float32(c.tan_h) * zc)
            & (np.abs(yc) <= np.float32(c.tan_v) * zc)
            & (dx * dx + dy * dy <= np.float32(v.range_m) ** 2) & model.inside[v.rows, v.cols])
    rr, cc = np.nonzero(seen)
    vis = _numpy_sweep(model.surface, v.x_m, v.y_m, v.z_m, xs[cc], ys[rr],
                       np.full(rr.size, 1.5), range_m=v.range_m)
    seen[rr[~vis], cc[~vis]] = False
    expect = np.where(seen, np.float32(c.f_px) / np.where(seen, zc, 1), 0).astype(np.float32)
    assert np.count_nonzero(expect) > 200 and np.count_nonzero(~vis) > 50
    np.testing.assert_array_equal(v.pixel_density, expect)


def test_set_cameras_again_clears_the_old_windows():
    # a 200 × 200 grid and two 20 m cameras: their windows are fewer cells than the grid,
    # so set_cameras clears only those; replacing camera P by camera Q far away must leave
    # nothing of P behind (the same arrays as a fresh model given Q alone)
    g = _grid(n=200, res=1.0)

    def cam(cid, x, y, az):
        lat, lon = g.to_latlon(x, y)
        return {"id": cid, "lat": float(lat), "lon": float(lon), "mount_height_m": 5.0,
                "azimuth_deg": az, "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
                "height_px": 1080, "max_range_m": 20.0}
    p, q = cam("P", 30.0, -30.0, 135.0), cam("Q", 150.0, -150.0, 300.0)
    used = CoverageModel(g, threads=1)
    used.set_cameras([p, q])
    assert np.count_nonzero(used.pixel_density[:60, :60]) > 100       # P saw its corner
    used.set_cameras([q])
    fresh = CoverageModel(g, threads=1)
    fresh.set_cameras([q])
    assert np.count_nonzero(used.pixel_density[:60, :60]) == 0
    for name in ("pixel_density", "best_camera", "camera_count"):
        np.testing.assert_array_equal(getattr(used, name), getattr(fresh, name))
