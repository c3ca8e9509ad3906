"""The compiled lighting kernels: the cut-off bound that skips a table's angles, and the
per-cell reuse over a night join's pairs, change no value."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine import lighting as lt
from assessments.engine.photometry import Photometry


def _road_table():
    # asymmetric (street side toward C90), peak near γ 65°, 0 at the horizontal: the shape
    # of benchmarks/bench_lighting.synthetic_road_table, smaller steps in C (5°) and γ (1°)
    c = np.arange(0.0, 361.0, 5.0)
    g = np.arange(0.0, 91.0, 1.0)
    cc, gg = np.meshgrid(np.radians(c), np.radians(g), indexing="ij")
    lobe = np.exp(-((gg - np.radians(65)) / np.radians(18)) ** 2)
    cd = 4000.0 * (0.6 + 0.4 * np.sin(cc)) * (0.35 * np.cos(gg) + lobe)
    cd[:, -1] = 0.0
    return Photometry(c, g, cd)


@pytest.mark.parametrize("azimuth_deg", [0.0, 33.0, 90.0, 181.0, 359.9])
@pytest.mark.parametrize("vertical", [False, True])
def test_sector_bound_skips_only_cells_the_cutoff_removes(azimuth_deg, vertical):
    lum = lt.table_luminaire(60.1, 59.7, _road_table(), mount_height_m=8.0,
                             azimuth_deg=azimuth_deg)
    height = 1.5 if vertical else 0.0
    dz = height - 8.0
    x = np.arange(0.25, 120.0, 0.5)
    y = x[::-1].copy()
    rad = lt.reach_radius_m(lum, height_m=height, plane="vertical" if vertical else "horizontal")
    rs, cs = lt._window(x, y, lum, rad)
    shape = (rs.stop - rs.start, cs.stop - cs.start)
    face = np.radians(37.0)
    grid = (y.size, x.size)
    sn = np.full(grid, np.sin(face), np.float32) if vertical else lt._NO_NORMAL_2D[0]
    cn = np.full(grid, np.cos(face), np.float32) if vertical else lt._NO_NORMAL_2D[1]
    bounds = lt._bounds_for(lum, dz, rad)
    assert bounds.shape[1] > 0
    spec = lt._kernel_spec(lum)
    out = {}
    for name, b in (("with_bound", bounds), ("without", lt._NO_BOUNDS)):
        e = np.zeros(grid)
        lt._add_window(e, rs.start, cs.start, x[cs], y[rs], lum.x_m, lum.y_m, dz, spec, b,
                       vertical, sn, cn, lt.DEFAULT_CUTOFF_LX)
        out[name] = e[rs, cs]
    np.testing.assert_array_equal(out["with_bound"], out["without"])
    without = out["without"]
    # the bound holds at every lit cell: E ≤ (I / r³)_bound · g, g = Δh on the horizontal
    # plane (6.5 m at 1.5 m under an 8 m light; 8 m at the ground), max(0, −d·n) facing 37°
    dx = (x[cs] - lum.x_m).astype(np.float32)[None, :]
    dy = (y[rs] - lum.y_m).astype(np.float32)[:, None]
    ring = ((dx * dx + dy * dy) * np.float32(1 / lt.BOUND_RING_M2)).astype(int)
    sa, ca = spec[3], spec[4]
    theta = np.degrees(np.arctan2(dy * sa - dx * ca, dx * sa + dy * ca)) % 360.0
    octant = (theta // 45.0).astype(int) % 8
    g = (np.maximum(-(dx * np.sin(face) + dy * np.cos(face)), 0.0) if vertical
         else np.full(shape, -dz))
    bound = bounds[octant, np.minimum(ring, bounds.shape[1] - 1)] * g
    lit = without > 0
    assert lit.any() and (~lit).any()
    assert np.all(without[lit] <= bound[lit] * (1 + 1e-5))


def test_cells_of_several_cameras_equal_the_points_one_by_one():
    # pairs sorted by cell, three cameras on some cells (the night join's layout): the
    # kernel computes I / r³ once per cell and the facing per pair
    lums = [lt.table_luminaire(40.0, 35.0, _road_table(), mount_height_m=8.0, azimuth_deg=120.0),
            lt.cosine_power_luminaire(20.0, 50.0, mount_height_m=4.5, lumens=1000.0),
            lt.isotropic_luminaire(55.0, 20.0, mount_height_m=5.0, intensity_cd=800.0)]
    x = np.arange(0.25, 80.0, 0.5)
    y = x[::-1].copy()
    rng = np.random.default_rng(7)
    cell = np.sort(rng.integers(0, x.size * y.size, 3000))
    cell = np.repeat(cell, rng.integers(1, 4, cell.size))     # 1–3 cameras per cell
    rows, cols = np.divmod(cell, x.size)
    bearing = rng.uniform(0.0, 360.0, cell.size)
    sn = np.sin(np.radians(bearing)).astype(np.float32)
    cn = np.cos(np.radians(bearing)).astype(np.float32)
    got = lt._cells_vertical(x, y, rows, cols, sn, cn, lums, height_m=1.5,
                             cutoff_lx=lt.DEFAULT_CUTOFF_LX)
    ref = lt.illuminance_at_points(x[cols], y[rows], lums, height_m=1.5,
                                   facing_azimuth_deg=bearing, method="fast")
    # the same float32 contributions, summed in float32 here and float64 there
    assert_allclose(got, ref, rtol=1e-6, atol=1e-7)
    assert np.count_nonzero(got) > 1000
    # and the general (float64 angles) reference within float32 rounding
    general = lt.illuminance_at_points(x[cols], y[rows], lums, height_m=1.5,
                                       facing_azimuth_deg=bearing, method="general")
    assert_allclose(got, general, rtol=2e-4, atol=1e-3)
