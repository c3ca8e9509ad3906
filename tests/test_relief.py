"""Hillshade and contours of a height raster (``assessments.engine.relief``), against
hand-calculated values (Horn 1981 / Esri "How Hillshade works")."""
from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine import contour_levels, contour_paths, hillshade


def _plane(slope_east=0.0, slope_north=0.0, *, shape=(6, 7), resolution_m=1.0):
    """z = slope_east · x + slope_north · y [m] on cells of ``resolution_m`` (row 0 north)."""
    rows, cols = np.mgrid[0:shape[0], 0:shape[1]]
    return slope_east * cols * resolution_m - slope_north * rows * resolution_m


# ------------------------------------------------------------------------ hillshade
def test_flat_ground_is_lit_by_the_cosine_of_the_zenith():
    # slope 0: hillshade = cos(zenith) = sin(altitude); 45° → 0.70711, 30° → 0.5
    assert_allclose(hillshade(np.full((4, 5), 12.0), 5.0), math.sin(math.radians(45)))
    assert_allclose(hillshade(np.zeros((3, 3)), 1.0, altitude_deg=30), 0.5, atol=1e-12)


def test_planes_facing_towards_and_away_from_the_north_west_light():
    # ground rising 1 m per metre to the east faces west; light from 315° at 45°:
    # light vector (E, N, up) = (−½, ½, √½), normal (−1, 0, 1)/√2 →
    # (½ + √½)/√2 = 0.853553; rising to the west: (−½ + √½)/√2 = 0.146447 — on every
    # cell, the edge ones too (extrapolated border)
    assert_allclose(hillshade(_plane(1.0), 1.0), 0.8535534, atol=1e-7)
    assert_allclose(hillshade(_plane(-1.0), 1.0), 0.1464466, atol=1e-7)
    # rising to the north faces south, away from the north-west light: 0.146447 again
    assert_allclose(hillshade(_plane(slope_north=1.0), 1.0), 0.1464466, atol=1e-7)


def test_azimuth_is_clockwise_from_north():
    east = _plane(1.0)                        # faces west, slope 45°
    # light from the west (270°): (√½, 0, √½)·(1, 0, 1)/√2 … = (½ + ½)/1 → 1.0
    assert_allclose(hillshade(east, 1.0, azimuth_deg=270), 1.0, atol=1e-12)
    # light from the north (0°): (0, √½, √½)·(−1, 0, 1)/√2 = ½
    assert_allclose(hillshade(east, 1.0, azimuth_deg=0), 0.5, atol=1e-12)
    # light from the east along a 63.4° slope (2 m per m): (−2·√½ + √½)/√5 < 0 → shadow, 0
    assert_allclose(hillshade(_plane(2.0), 1.0, azimuth_deg=90), 0.0)


def test_gradient_is_per_metre_of_the_cell_size():
    # 2 m per cell on 2 m cells is the same 45° slope as 1 m per 1 m cell
    assert_allclose(hillshade(_plane(1.0, resolution_m=2.0), 2.0), 0.8535534, atol=1e-7)
    # 1 m per cell on 2 m cells: slope ½ → normal (−½, 0, 1)/√1.25,
    # (¼ + 0.707107)/1.118034 = 0.856062
    assert_allclose(hillshade(_plane(0.5, resolution_m=2.0), 2.0), 0.8560623, atol=1e-7)


def test_no_data_spreads_over_its_window_only():
    z = np.zeros((7, 7))
    z[3, 3] = np.nan
    shade = hillshade(z, 1.0)
    assert np.isnan(shade[2:5, 2:5]).all()
    assert np.isnan(shade).sum() == 9
    assert_allclose(shade[0], math.sqrt(0.5))


def test_hillshade_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        hillshade(np.zeros(5), 1.0)
    with pytest.raises(ValueError, match="resolution_m"):
        hillshade(np.zeros((3, 3)), 0.0)
    with pytest.raises(ValueError, match="altitude_deg"):
        hillshade(np.zeros((3, 3)), 1.0, altitude_deg=95)


# ------------------------------------------------------------------------ contours
@pytest.mark.parametrize("low, high, levels, interval", [
    # 3.2–17.9 m: 1 m → 4…17 = 14 lines > 12; 2 m → 4, 6, … 16 = 7
    (3.2, 17.9, [4, 6, 8, 10, 12, 14, 16], 2.0),
    # 0–1000 m, levels strictly inside (a level at the lowest or highest height traces the
    # edge of a plain): 50 m → 50 … 950 = 19 lines; 100 m → 100 … 900 = 9
    (0.0, 1000.0, list(range(100, 901, 100)), 100.0),
    # −7.5–3 m: 1 m → −7 … 2 = 10 lines
    (-7.5, 3.0, list(range(-7, 3)), 1.0),
    # a hill on a plain at 10 m, top 17.93 m: 1 m → 11 … 17, not the plain's 10
    (10.0, 17.93, list(range(11, 18)), 1.0),
    # 10.2–10.8 m: no whole metre inside
    (10.2, 10.8, [], 1.0),
    # 20–84 m: 2 m → 22 … 82 = 31 lines; 5 m → 25, 30, … 80 = 12
    (20.0, 84.0, list(range(25, 81, 5)), 5.0),
])
def test_contour_interval_is_the_smallest_round_one_that_fits(low, high, levels, interval):
    got, step = contour_levels(np.array([[low, np.nan], [high, (low + high) / 2]]))
    assert step == interval
    assert_allclose(got, levels)


def test_contour_levels_without_heights_and_bad_counts():
    got, step = contour_levels(np.full((2, 2), np.nan))
    assert got.size == 0 and step == 1.0
    # at most one line: 0–1000 m with 500 m steps → 500 alone (0 and 1000 are the ends)
    assert_allclose(contour_levels([[0.0, 1000.0]], max_levels=1)[0], [500.0])
    # flat ground: no line
    assert contour_levels(np.full((3, 3), 12.0))[0].size == 0
    with pytest.raises(ValueError, match="max_levels"):
        contour_levels([[0.0, 1.0]], max_levels=0)


def test_contours_of_a_cone_are_circles_of_the_right_radius():
    # z = 50 − r (r: distance from cell [40, 40] in cells) → the 40 m line is the circle
    # r = 10, the 25 m line r = 25 (one closed line each)
    rows, cols = np.mgrid[0:81, 0:81]
    r = np.hypot(rows - 40, cols - 40)
    paths = contour_paths(50.0 - r, [40.0, 25.0])
    for lines, radius in zip(paths, (10.0, 25.0)):
        assert len(lines) == 1
        line = lines[0]
        assert_allclose(line[0], line[-1])                 # closed
        dist = np.hypot(line[:, 0] - 40, line[:, 1] - 40)
        # marching squares interpolates z linearly between two cell centres; r is convex
        # along the edge, so a point lands on the circle or just inside it: by (edge of
        # 1 cell)² / (8 · radius) = 0.0125 cells at most for r = 10
        assert np.all(dist <= radius + 1e-9)
        assert_allclose(dist, radius, atol=1 / (8 * radius))
        # one point per cell edge crossed: about 4 · 2 · radius of them around the circle
        assert 6 * radius < len(line) < 10 * radius


def test_contours_stop_at_no_data():
    rows, cols = np.mgrid[0:41, 0:41]
    z = np.hypot(rows - 20, cols - 20)
    z[:, 20] = np.nan                            # a column without data cuts every circle
    lines = contour_paths(z, [10.0])[0]
    assert len(lines) == 2                       # two open halves
    for line in lines:
        assert not np.allclose(line[0], line[-1])
    assert contour_paths(np.zeros((1, 5)), [0.0]) == [[]]
