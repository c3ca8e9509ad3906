"""Cell-centre lat/lon (interpolated between exactly projected nodes) and GRID.npz storage."""
import zipfile

import numpy as np
from numpy.testing import assert_allclose

from assessments.engine.grid import Grid, _cubic_weights
from assessments.plan.validate import write_grid


def _exact(g):
    xx, yy = np.meshgrid(g.x_axis_m, g.y_axis_m)
    return g.to_latlon(xx, yy)


def test_cubic_weights_reproduce_a_cubic_and_the_nodes():
    nodes, index, w = _cubic_weights(10, 4)
    # nodes every 4 cells, one beyond each end: cell 9 lies between 8 and 12, so it needs
    # 4, 8, 12, 16 → −4 … 16 (six nodes)
    assert nodes.tolist() == [-4, 0, 4, 8, 12, 16]
    f = lambda i: 0.5 * i ** 3 - 2 * i + 1          # noqa: E731 (Lagrange is exact on cubics)
    vals = (f(nodes[index]) * w).sum(axis=1)
    assert_allclose(vals, f(np.arange(10.0)), rtol=0, atol=1e-12)
    # cell 8 sits on node 8: weights (0, 1, 0, 0)
    assert w[8].tolist() == [0.0, 1.0, 0.0, 0.0]


def test_lat_lon_match_the_projection_of_every_cell():
    # 0.5 m (nodes every 16 cells), 1 m far from the centre, a tiny grid, 20 m (every cell
    # a node); float64 rounding of 35° is 7e-15°, so 1e-12° (0.1 µm) is rounding, while a
    # linear interpolation between 8 m nodes would err by ≈ 1e-11° and fail
    for g in (Grid(35.7, 139.7, 0.5, (301, 290), -70.0, 80.0),
              Grid(43.0, 141.3, 1.0, (120, 140), 6000.0, -7000.0),
              Grid(26.2, 127.7, 0.3, (7, 5), 3.1, -2.0),
              Grid(35.0, 135.0, 20.0, (9, 11), -100.0, 90.0)):
        lat, lon = _exact(g)
        assert_allclose(g.lat, lat, rtol=0, atol=1e-12)
        assert_allclose(g.lon, lon, rtol=0, atol=1e-12)
        # the north-west cell is a node: exactly the projection's value
        assert (g.lat[0, 0], g.lon[0, 0]) == (lat[0, 0], lon[0, 0])


def test_grid_npz_reads_back_and_stores_lat_lon_uncompressed(tmp_path):
    g = Grid(35.7, 139.7, 0.5, (40, 30), 0.0, 0.0)
    pd = np.zeros(g.shape, np.float32)
    pd[5:9, 3:7] = 120.5
    arrays = {"lat": g.lat, "lon": g.lon, "pixel_density": pd,
              "illuminance_lx": np.full(g.shape, 2.25, np.float32),
              "camera_ids": np.array(["C1", "C2"])}
    write_grid(arrays, tmp_path / "GRID.npz")
    with np.load(tmp_path / "GRID.npz") as z:
        assert sorted(z.files) == sorted(arrays)
        for k, v in arrays.items():
            assert np.array_equal(z[k], v) and z[k].dtype == v.dtype, k
    with zipfile.ZipFile(tmp_path / "GRID.npz") as zf:
        kind = {i.filename: i.compress_type for i in zf.infolist()}
    assert kind["lat.npy"] == kind["lon.npy"] == kind["illuminance_lx.npy"] == zipfile.ZIP_STORED
    assert kind["pixel_density.npy"] == zipfile.ZIP_DEFLATED
