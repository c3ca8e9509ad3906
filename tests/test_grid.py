"""Tests for assessments.engine.grid: projection accuracy, axes, masks, 平面直角座標系."""
import math

import numpy as np
import pytest
from geopy.distance import geodesic
from numpy.testing import assert_allclose, assert_array_equal

from assessments.engine.grid import (Grid, plane_rectangular_to_latlon, latlon_to_plane_rectangular,
                              plane_rectangular_zone, polygon_mask)

KAKOGAWA = (34.7568, 134.8413)   # 加古川市役所 (shared/data/municipalities_localgovjp.csv)


def _grid(lat=35.0, lon=139.0, res=1.0):
    return Grid.from_bounds(lat, lon, -100, -100, 100, 100, res)


@pytest.mark.parametrize("reach_km", [5.0, 12.0])
def test_distances_match_geodesic(reach_km):
    # distances between projected points vs geopy's ellipsoidal geodesic: error < 0.1 %
    g = _grid(*KAKOGAWA)
    rng = np.random.default_rng(0)
    ang = rng.uniform(0, 2 * np.pi, 40)
    rad = rng.uniform(0.2, reach_km * 1000, 40)
    x, y = rad * np.sin(ang), rad * np.cos(ang)
    lat, lon = g.to_latlon(x, y)
    for i in range(0, 40, 2):
        for a, b in ((i, i + 1), (i, None)):
            p = (lat[a], lon[a])
            q = (lat[b], lon[b]) if b is not None else KAKOGAWA
            d_geo = geodesic(p, q).meters
            d_xy = math.hypot(x[a] - (x[b] if b is not None else 0),
                              y[a] - (y[b] if b is not None else 0))
            assert abs(d_xy - d_geo) / d_geo < 1e-3


def test_round_trip_scalar_array_nan():
    g = _grid()
    x, y = g.to_xy(35.01, 139.02)
    assert isinstance(x, float)
    lat, lon = g.to_latlon(x, y)
    assert_allclose([lat, lon], [35.01, 139.02], atol=1e-10)
    xa, ya = g.to_xy(np.array([35.0, np.nan]), np.array([139.0, 139.0]))
    assert_allclose(xa[0], 0.0, atol=1e-6) and assert_allclose(ya[0], 0.0, atol=1e-6)
    assert np.isnan(xa[1]) and np.isnan(ya[1])
    # 1° of latitude near 35° N is about 110.95 km (meridian arc on GRS80)
    _, y1 = g.to_xy(36.0, 139.0)
    assert_allclose(y1, geodesic((35.0, 139.0), (36.0, 139.0)).meters, rtol=1e-4)


def test_axes_rows_north_to_south():
    g = Grid.from_bounds(35.0, 139.0, 0, 0, 10, 4, 1.0)
    assert g.shape == (4, 10)
    assert_allclose(g.x_axis_m, np.arange(10) + 0.5)
    assert_allclose(g.y_axis_m, [3.5, 2.5, 1.5, 0.5])     # row 0 = northernmost
    assert g.cell_index(0.2, 3.9) == (0, 0)
    assert g.cell_index(9.9, 0.1) == (3, 9)
    assert g.cell_index(10.6, 0.1) == (-1, -1)
    r, c = g.cell_index(np.array([0.2, np.nan]), np.array([3.9, 1.0]))
    assert_array_equal(r, [0, -1]) and assert_array_equal(c, [0, -1])
    assert g.lat.shape == (4, 10)
    assert g.lat[0, 0] > g.lat[3, 0] and g.lon[0, 9] > g.lon[0, 0]


def _square(lon0, lat0, g, half_m):
    lats, lons = g.to_latlon(np.array([-half_m, half_m, half_m, -half_m, -half_m]),
                             np.array([-half_m, -half_m, half_m, half_m, -half_m]))
    return [[float(o), float(a)] for o, a in zip(lons, lats)]


def test_from_area_and_mask_with_hole():
    g0 = _grid()
    outer = _square(139.0, 35.0, g0, 50.0)
    hole = _square(139.0, 35.0, g0, 10.0)[::-1]
    area = {"type": "Polygon", "coordinates": [outer, hole]}
    g = Grid.from_area(area, 1.0)
    # the lon/lat bounding box re-projected may reach a hair past ±50 m: one extra row/col
    assert 100 <= g.shape[0] <= 101 and 100 <= g.shape[1] <= 101
    g = g0.window(50, 150, 50, 150)          # same projection centre as the square
    assert_allclose([g.x_axis_m[0], g.y_axis_m[0]], [-49.5, 49.5])
    m = polygon_mask(g, area)
    # 100 m × 100 m minus 20 m × 20 m hole = 9,600 cells of 1 m²
    assert m.sum() == 9600
    multi = {"type": "MultiPolygon", "coordinates": [[outer]]}
    assert polygon_mask(g, multi).sum() == 10000


def test_mask_of_several_polygons_is_their_union_in_any_order():
    g = _grid().window(50, 150, 50, 150)
    outer = _square(139.0, 35.0, g, 50.0)              # the whole 100 × 100 window
    inner = _square(139.0, 35.0, g, 10.0)
    holed = [[outer, inner[::-1]]]
    # 100² − 20² = 9,600 cells; the hole filled again by a second polygon: all 10,000;
    # the first polygon's own mask is the result when it spans the grid, so the second
    # must be OR-ed into it, and either order gives the same cells
    assert polygon_mask(g, {"type": "MultiPolygon", "coordinates": holed}).sum() == 9600
    for parts in (holed + [[inner]], [[inner]] + holed):
        m = polygon_mask(g, {"type": "MultiPolygon", "coordinates": parts})
        assert m.shape == g.shape and m.sum() == 10000
    assert polygon_mask(g, {"type": "Polygon", "coordinates": [inner]}).sum() == 400


def test_from_area_rejects_bad_geojson():
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        Grid.from_area({"type": "Point", "coordinates": [139, 35]}, 1.0)
    with pytest.raises(ValueError, match="resolution_m"):
        Grid.from_bounds(35, 139, 0, 0, 1, 1, 0.0)


def test_plane_rectangular_origin_and_round_trip():
    # origin of zone IX (告示: 36°N, 139°50′E) has X = Y = 0
    lat, lon = plane_rectangular_to_latlon(0.0, 0.0, prefecture="千葉県")
    assert_allclose([lat, lon], [36.0, 139 + 50 / 60], atol=1e-9)
    # X is north: 10 km north of the origin (0.9999 scale on the central meridian)
    lat2, lon2 = plane_rectangular_to_latlon(10_000.0, 0.0, zone=9)
    assert_allclose(geodesic((36.0, 139 + 50 / 60), (lat2, lon2)).meters, 10_000 / 0.9999,
                    rtol=1e-6)
    xn, ye = latlon_to_plane_rectangular(35.8676, 139.9758, prefecture="千葉")
    back = plane_rectangular_to_latlon(xn, ye, zone=9)
    assert_allclose(back, (35.8676, 139.9758), atol=1e-9)
    arr = plane_rectangular_to_latlon(np.array([0.0, 1000.0]), np.array([0.0, 0.0]), zone=2)
    assert arr[0].shape == (2,)


def test_plane_rectangular_zone_choice():
    assert plane_rectangular_zone("兵庫県") == 5
    assert plane_rectangular_zone("東京都") == 9
    assert plane_rectangular_zone("沖縄県") == 15
    assert plane_rectangular_zone(zone=13) == 13
    with pytest.raises(ValueError, match="北海道"):
        plane_rectangular_zone("北海道")
    with pytest.raises(ValueError, match="unknown prefecture"):
        plane_rectangular_zone("カリフォルニア")
    with pytest.raises(ValueError, match="1…19"):
        plane_rectangular_zone(zone=20)


def test_ragged_ranges_hand_example():
    from assessments.engine.grid import ragged_ranges
    owner, offset = ragged_ranges([2, 0, 3])
    assert owner.tolist() == [0, 0, 2, 2, 2] and offset.tolist() == [0, 1, 0, 1, 2]
    owner, offset = ragged_ranges([0, 0])
    assert owner.size == 0 and offset.size == 0
