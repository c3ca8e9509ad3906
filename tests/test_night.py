"""Night join of camera coverage and lighting: modes, night DORI, lit-but-unseen, seen-but-dark."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.lighting import isotropic_luminaire
from assessments.engine.night import CameraView, night_assessment, night_summary

# 10 × 10 grid of 1 m cells: x = 0 … 9 (columns), y = 9 … 0 (rows, row 0 north)
X = np.arange(10.0)
Y = X[::-1].copy()
CAM_X, CAM_Y = 5.0, 20.0  # camera north of the grid


def _view(pd=100.0, ir=None, shutter=0.0, min_lx=0.5):
    rows, cols = slice(0, 5), slice(0, 10)  # sees the northern half (y 9 … 5)
    dist = np.hypot(X[cols][None, :] - CAM_X, Y[rows][:, None] - CAM_Y)
    return CameraView(rows=rows, cols=cols, pixel_density_px_m=np.full((5, 10), pd),
                      distance_m=dist, x_m=CAM_X, y_m=CAM_Y, min_illuminance_lx=min_lx,
                      ir_range_m=ir, shutter_s=shutter, id="C1")


LIGHT = isotropic_luminaire(2.0, 7.0, mount_height_m=5.0, intensity_cd=1000.0)


def _ev_oracle(x, y):
    """Vertical illuminance at 1.5 m facing the camera, written out independently."""
    n = np.array([CAM_X - x, CAM_Y - y]) / math.hypot(CAM_X - x, CAM_Y - y)
    v = np.array([2.0 - x, 7.0 - y])
    r = math.sqrt(v @ v + 3.5 ** 2)
    return max(0.0, 1000.0 * (v @ n) / r ** 3)


def test_hand_cells_and_modes():
    res = night_assessment(X, Y, [LIGHT], [_view()])
    ev = res.vertical_illuminance_lx
    # (row 2, col 2) = (2, 7), straight under the light: the vertical plane gets 0 → dark
    assert ev[2, 2] == 0.0 and res.night_mode[2, 2] == 0
    # (row 4, col 2) = (2, 5): light 2 m north of it, face turned north-ish toward the camera
    # (bearing atan2(3, 15) = 11.3°): n·v = (3·0 + 15·2)/15.297 = 1.9612,
    # r = √(4 + 12.25) = 4.0311 → E = 1000 · 1.9612 / 65.50 = 29.94 lx → colour
    assert_allclose(ev[4, 2], 1000 * 30 / math.hypot(3, 15) / (16.25 ** 1.5), rtol=1e-6)  # grids run in float32
    assert_allclose(ev[4, 2], 29.94, rtol=1e-3)
    assert res.night_mode[4, 2] == 1
    assert res.night_pixel_density_px_m[4, 2] == 100.0  # shutter 0 → no blur
    for r in range(5):
        for c in range(10):
            assert_allclose(ev[r, c], _ev_oracle(X[c], Y[r]), rtol=1e-6, atol=1e-9)  # grids run in float32
    # cells the camera does not see have no face direction → NaN
    assert np.isnan(ev[5:]).all()
    # horizontal illuminance: under the light 1000 / 25 = 40 lx
    assert_allclose(res.illuminance_lx[2, 2], 40.0)


def test_areas_and_result_entries():
    res = night_assessment(X, Y, [LIGHT], [_view()])
    dark_seen = np.zeros((10, 10), bool)
    for r in range(5):
        for c in range(10):
            dark_seen[r, c] = _ev_oracle(X[c], Y[r]) < 0.5
    assert dark_seen.sum() > 0
    assert_allclose(res.seen_but_dark, dark_seen)
    # lit (E_h ≥ 3 lx): 1000·5/(d² + 25)^1.5 ≥ 3 ⇔ d ≤ √(1666.7^(2/3) − 25) = 10.75 m; every
    # cell is within 9.9 m of (2, 7) → all lit; lit but unseen = the 50 unseen cells plus
    # the dark seen ones
    assert res.lit_but_unseen.sum() == 50 + dark_seen.sum()
    entries, arrays = night_summary(X, Y, [LIGHT], [_view()])
    assert set(entries) == {"illuminance", "night_dori_m2", "lit_but_unseen_m2", "seen_but_dark_m2"}
    assert set(entries["illuminance"]) == {"mean_lx", "min_lx", "max_lx", "uniformity", "ses_class"}
    n_ok = 50 - dark_seen.sum()
    # default: the whole IEC 62676-4:2014 table; 100 px/m reaches Monitor (12.5), Detect
    # (25) and Observe (62.5), not Recognise (125)
    assert entries["night_dori_m2"] == {"monitor": n_ok, "detect": n_ok, "observe": n_ok,
                                        "recognise": 0.0, "identify": 0.0, "inspect": 0.0}
    assert entries["seen_but_dark_m2"] == dark_seen.sum()
    assert res.camera_night_dori_m2 == {"C1": entries["night_dori_m2"]}  # one camera
    assert_allclose(entries["illuminance"]["max_lx"], 40.0)
    # min vertical over seen cells is 0 (under the light) → below class B
    assert entries["illuminance"]["ses_class"] == "below_B"
    assert arrays["illuminance_lx"].dtype == np.float32
    assert arrays["vertical_illuminance_lx"].shape == (10, 10)


def test_ir_and_blur():
    # IR reaching every seen cell (≤ 25 m: farthest seen cell (0, 5) is √(25 + 225) = 15.8 m)
    res = night_assessment(X, Y, [LIGHT], [_view(ir=25.0)])
    assert res.seen_but_dark.sum() == 0
    assert set(np.unique(res.night_mode[:5])) <= {1, 2}
    # shutter 1/30 s at 100 px/m: blur 4.667 px → 100 · 2 / 4.667 = 42.857 px/m (< Observe)
    res = night_assessment(X, Y, [LIGHT], [_view(ir=25.0, shutter=1 / 30)])
    assert_allclose(res.night_pixel_density_px_m[:5], 42.857143, rtol=1e-6)
    entries = res.result_entries()
    assert entries["night_dori_m2"]["detect"] == 50 and entries["night_dori_m2"]["observe"] == 0


def test_no_lights_everything_seen_is_dark_and_ses_none_without_cameras():
    res = night_assessment(X, Y, [], [_view()])
    assert res.seen_but_dark.sum() == 50 and res.lit_but_unseen.sum() == 0
    entries, _ = night_summary(X, Y, [LIGHT], [])
    assert entries["illuminance"]["ses_class"] is None  # no face direction anywhere
    assert entries["night_dori_m2"]["detect"] == 0


def test_best_camera_and_mask():
    # a second, closer camera with a higher density on the same window wins the face direction
    v1 = _view(pd=50.0)
    dist = np.hypot(X[None, :] - 5.0, Y[:5, None] + 10.0)
    v2 = CameraView(rows=slice(0, 5), cols=slice(0, 10), pixel_density_px_m=np.full((5, 10), 80.0),
                    distance_m=dist, x_m=5.0, y_m=-10.0, min_illuminance_lx=0.5, id="C2")
    res = night_assessment(X, Y, [LIGHT], [v1, v2])
    # cell (row 0, col 2) = (2, 9): C2 is south, the light (2, 7) is south → lit face:
    # n = (3, −19)/19.235, v = (0, −2) → n·v = 1.9766; r² = 4 + 12.25 → E = 1976.6 / 65.50
    assert_allclose(res.vertical_illuminance_lx[0, 2], 1000 * (38 / math.hypot(3, 19)) / 16.25 ** 1.5,
                    rtol=1e-6)  # grids run in float32
    assert res.day_pixel_density_px_m[0, 2] == 80.0
    mask = np.zeros((10, 10), bool)
    mask[0, :] = True
    entries, _ = night_summary(X, Y, [LIGHT], [v1, v2], area_mask=mask)
    assert entries["lit_but_unseen_m2"] + entries["night_dori_m2"]["detect"] <= 10
    with pytest.raises(ValueError, match="area_mask shape"):
        night_assessment(X, Y, [LIGHT], [v1], area_mask=np.ones((3, 3), bool))
    bad = CameraView(rows=slice(0, 5), cols=slice(0, 10), pixel_density_px_m=np.ones((4, 10)),
                     distance_m=np.ones((4, 10)), x_m=0, y_m=0)
    with pytest.raises(ValueError, match="does not match"):
        night_assessment(X, Y, [LIGHT], [bad])


def test_with_coverage_model_if_available():
    cov = pytest.importorskip("assessments.engine.coverage")
    from assessments.engine.grid import Grid
    from assessments.engine.night import night_summary_for_model
    grid = Grid.from_bounds(35.0, 139.0, -40, -40, 40, 40, 1.0)
    model = cov.CoverageModel(grid)
    cam = {"id": "C1", "lat": 35.0, "lon": 139.0, "mount_height_m": 5.0, "azimuth_deg": 90.0,
           "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920, "height_px": 1080,
           "ir_range_m": 100.0, "min_illuminance_lx": 0.5, "shutter_s": 0.0}
    model.set_cameras([cam])
    r, c = grid.cell_index(10.0, 0.0)
    lat, lon = grid.to_latlon(grid.x_axis_m[c], grid.y_axis_m[r])  # light over a cell centre
    lights = [{"id": "L1", "lat": lat, "lon": lon, "mount_height_m": 5.0, "intensity_cd": 300.0}]
    entries, arrays = night_summary_for_model(model, lights)
    day = model.summary()["dori_m2"]
    # IR reaches every seen cell and shutter 0: night DORI equals day DORI, same keys
    assert entries["night_dori_m2"] == pytest.approx(day)
    assert entries["seen_but_dark_m2"] == 0.0
    # under the light: 300 / 25 = 12 lx (lat/lon round trip within a millimetre)
    assert_allclose(arrays["illuminance_lx"][r, c], 12.0, rtol=1e-3)


def test_tie_keeps_the_first_view_and_distance_none():
    # two cameras with the same day density on the same cells: the first view gives the
    # face direction (as a sequential "strictly better" update would). C1 north at (5, 20),
    # C2 south at (5, −10). Cell (row 4, col 2) = (2, 5), light at (2, 7), 1000 cd, 5 m:
    # toward C1: n = (3, 15)/15.297, v = (0, 2) → n·v = 1.9612 → E = 1000·1.9612/16.25^1.5
    # toward C2: n = (3, −15)/15.297 → n·v < 0 → 0 lx
    v1 = _view()
    dist2 = np.hypot(X[None, :] - 5.0, Y[:5, None] + 10.0)
    v2 = CameraView(rows=slice(0, 5), cols=slice(0, 10),
                    pixel_density_px_m=np.full((5, 10), 100.0), distance_m=dist2, x_m=5.0,
                    y_m=-10.0, min_illuminance_lx=0.5, id="C2")
    e_c1 = 1000 * 30 / math.hypot(3, 15) / 16.25 ** 1.5
    res = night_assessment(X, Y, [LIGHT], [v1, v2])
    assert_allclose(res.vertical_illuminance_lx[4, 2], e_c1, rtol=1e-6)
    res = night_assessment(X, Y, [LIGHT], [v2, v1])
    assert res.vertical_illuminance_lx[4, 2] == 0.0
    # the night density is the best of the two (C1 colour there), mode colour
    assert res.night_pixel_density_px_m[4, 2] == 100.0 and res.night_mode[4, 2] == 1
    # distance_m None: computed from the camera position at the seen cells, same result
    v1n = CameraView(rows=v1.rows, cols=v1.cols, pixel_density_px_m=v1.pixel_density_px_m,
                     distance_m=None, x_m=CAM_X, y_m=CAM_Y, min_illuminance_lx=0.5,
                     ir_range_m=25.0, id="C1")
    v1d = CameraView(rows=v1.rows, cols=v1.cols, pixel_density_px_m=v1.pixel_density_px_m,
                     distance_m=v1.distance_m, x_m=CAM_X, y_m=CAM_Y, min_illuminance_lx=0.5,
                     ir_range_m=25.0, id="C1")
    a = night_assessment(X, Y, [LIGHT], [v1n])
    b = night_assessment(X, Y, [LIGHT], [v1d])
    assert np.array_equal(a.night_mode, b.night_mode)
    assert a.camera_night_dori_m2 == b.camera_night_dori_m2


def test_lighting_verdict_options():
    full = night_assessment(X, Y, [LIGHT], [_view()])
    assert len(full.lighting["failing_cells"]) == 2
    lean = night_assessment(X, Y, [LIGHT], [_view()], failing_cells=False)
    assert lean.lighting["failing_cells"] is None
    assert lean.lighting["ses_class"] == full.lighting["ses_class"] == "below_B"
    none = night_assessment(X, Y, [LIGHT], [_view()], lighting_verdict=False)
    assert none.lighting is None
    assert np.array_equal(none.night_pixel_density_px_m, full.night_pixel_density_px_m)
    with pytest.raises(ValueError, match="target_class must be one of"):
        night_assessment(X, Y, [LIGHT], [_view()], target_class="C")
