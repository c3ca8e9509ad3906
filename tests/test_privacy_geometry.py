"""Privacy in the geometry: façade cells of homes, suggestions with hand-computed angles."""
from __future__ import annotations


import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.coverage import CoverageModel
from assessments.engine.grid import Grid
from assessments.engine.privacy_geometry import home_facade_cells, privacy_hits, suggest_fix

LAT0, LON0 = 35.7570, 139.5540


def _grid(half=20.0):
    return Grid.from_bounds(LAT0, LON0, -half, -half, half, half, 1.0)


def _square(grid, x0, y0, x1, y1, **props):
    xs = np.array([x0, x1, x1, x0, x0], float)
    ys = np.array([y0, y0, y1, y1, y0], float)
    lat, lon = grid.to_latlon(xs, ys)
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon",
                         "coordinates": [[[float(o), float(a)] for a, o in zip(lat, lon)]]}}


def test_facade_band_of_a_square_home():
    g = _grid()
    fc = {"type": "FeatureCollection", "features": [
        _square(g, -5, -5, 5, 5, id="H1", is_home=True, height_m=6.0),
        _square(g, 10, 10, 14, 14, id="B2", height_m=6.0)]}          # not a home
    facade, idx, ids = home_facade_cells(g, fc, depth_m=1.5)
    assert ids == ["H1"]
    # 10 × 10 cells inside; band ≤ 1.5 cells: 4 sides × 10 (distance 1) + 4 corners
    # (distance √2 = 1.41 ≤ 1.5); distance-2 cells excluded → 44 cells
    assert int(facade.sum()) == 44
    assert set(np.unique(idx[facade])) == {0}
    assert (idx[~facade] == -1).all()
    # text "true" also marks a home; depth below one cell still gives one cell: 40 + 0
    fc["features"][0]["properties"]["is_home"] = "true"
    facade, _, _ = home_facade_cells(g, fc, depth_m=0.5)
    assert int(facade.sum()) == 40     # only the 4 × 10 edge neighbours (distance 1)


def test_no_homes_and_bad_depth():
    g = _grid()
    facade, idx, ids = home_facade_cells(g, {"type": "FeatureCollection", "features": []})
    assert ids == [] and not facade.any() and (idx == -1).all()
    with pytest.raises(ValueError, match="depth_m"):
        home_facade_cells(g, None, depth_m=float("nan"))


def test_lower_tilt_when_hits_are_far():
    # camera 6 m high looking north, tilt 20°, vfov 40°; homes 30–35 m ahead, the view
    # reaches 40 m. Upper ray must reach 1.5 m at 30 m: tilt' = 40/2 + atan(4.5/30) + 2
    # = 20 + 8.5308 + 2 = 30.53° → 30.5 (a change of 10.5° ≤ 15°)
    fix = suggest_fix([355, 0, 5], [30, 32, 35], azimuth_deg=0, hfov_deg=90, tilt_deg=20,
                      vfov_deg=40, mount_height_m=6, target_height_m=1.5, far_distance_m=40)
    assert fix["code"] == "lower_tilt"
    assert_allclose(fix["tilt_deg"], 30.5)
    # the same hits with tilt 10°: 20.5° change > 15° → a privacy mask (sector 10° + 2×2°
    # margin = 14° ≤ hfov/2 = 45°), bearings 355−2 = 353° → 5+2 = 7° across north
    fix = suggest_fix([355, 0, 5], [30, 32, 35], azimuth_deg=0, hfov_deg=90, tilt_deg=10,
                      vfov_deg=40, mount_height_m=6, far_distance_m=40)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_deg"], [353.0, 7.0])
    assert_allclose(fix["sector_rel_deg"], [-7.0, 7.0])
    assert fix["tilt_deg"] is None and fix["azimuth_deg"] is None


def test_mask_for_near_narrow_hits_and_re_aim_for_wide_ones():
    # camera looking east (90°), near hits at bearings 100–110° (rel +10…+20°)
    fix = suggest_fix([100, 105, 110], [5, 6, 7], azimuth_deg=90, hfov_deg=90, tilt_deg=15,
                      vfov_deg=50, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_rel_deg"], [8.0, 22.0])
    assert_allclose(fix["sector_deg"], [98.0, 112.0])
    # hits across rel −30…+30° (width 64° > 45°), centre 0 → turn left by
    # 32 + 45 + 2 = 79° → azimuth 90 − 79 = 11°
    fix = suggest_fix([60, 90, 120], [5, 6, 7], azimuth_deg=90, hfov_deg=90, tilt_deg=15,
                      vfov_deg=50, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "re_aim"
    assert_allclose(fix["azimuth_deg"], 11.0)
    # hits on the left (rel −40…−10°, width 34° ≤ 45° would be masked): force re_aim with a
    # narrow view (hfov 50°, half 25°): turn right by −8 + 25 + 2 = 19° → 109°
    fix = suggest_fix([50, 80], [5, 6], azimuth_deg=90, hfov_deg=50, tilt_deg=15,
                      vfov_deg=30, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "re_aim"
    assert_allclose(fix["azimuth_deg"], 109.0)


def test_suggest_fix_rejects_empty():
    with pytest.raises(ValueError, match="same non-empty shape"):
        suggest_fix([], [], azimuth_deg=0, hfov_deg=90, tilt_deg=10, vfov_deg=50,
                    mount_height_m=5)


def _camera(grid, x, y, az, cid):
    lat, lon = grid.to_latlon(x, y)
    return {"id": cid, "lat": lat, "lon": lon, "mount_height_m": 5.0, "azimuth_deg": az,
            "tilt_deg": 10.0, "hfov_deg": 60.0, "width_px": 1920, "height_px": 1080}


def test_privacy_hits_names_the_camera_facing_the_home():
    g = _grid(40.0)
    home = _square(g, 10, -5, 20, 5, id="H1", is_home=True, height_m=6.0)
    fc = {"type": "FeatureCollection", "features": [home]}
    model = CoverageModel(g, fc)
    model.set_cameras([_camera(g, -10, 0, 90.0, "EAST"),     # faces the home's west wall
                       _camera(g, -10, 0, 270.0, "WEST")])   # looks away from it
    hits = privacy_hits(model, fc)
    assert [h["camera_id"] for h in hits] == ["EAST"]
    h = hits[0]
    assert h["building_ids"] == ["H1"]
    assert h["cells"] == h["facade_cells"] > 0 and h["private_cells"] == 0
    assert_allclose(h["area_m2"], h["cells"] * 1.0)
    # the band wraps the home: x 9…21 m, y −6.5…6.5 m, 19–31 m from the camera. Its
    # corners are at bearings 90 ± atan(6.5 / 19) = 90 ± 18.9°, plus the 2° margin:
    # at most ±21°; the home hides its far side, so the outermost seen cells are the band
    # corners (9.5, ±5.5) m → ±17.8° → width 35.5° > hfov/2 = 30° → re-aim
    assert h["code"] == "re_aim"
    lo, hi = h["sector_rel_deg"]
    assert -25 < lo < -15 and 15 < hi < 25   # cell centres: atan(5.5 / 19.5) + 2 = 17.8°
    turn = (h["azimuth_deg"] - 90.0 + 180.0) % 360.0 - 180.0
    assert abs(turn) >= hi + 30.0 - 1e-6 or abs(turn) >= -lo + 30.0 - 1e-6
    # private land marked by the caller counts too
    pm = np.zeros(g.shape, bool)
    r, c = g.cell_index(-20.0, 0.5)          # behind WEST camera's view axis
    pm[r - 2:r + 3, c - 2:c + 3] = True
    hits = privacy_hits(model, fc, private_mask=pm)
    west = [x for x in hits if x["camera_id"] == "WEST"]
    assert west and west[0]["private_cells"] > 0 and west[0]["building_ids"] == []
    with pytest.raises(ValueError, match="private_mask shape"):
        privacy_hits(model, fc, private_mask=np.zeros((3, 3), bool))


def test_privacy_masked_bearings_by_hand():
    from assessments.engine.coverage import privacy_masked
    # cells north (0°), 30° right, east (90°), 45° left, south (180°) of the camera
    dx = np.array([0.0, np.sin(np.radians(30)), 1.0, -1.0, 0.0])
    dy = np.array([1.0, np.cos(np.radians(30)), 0.0, 1.0, -1.0])
    assert privacy_masked(dx, dy, 0.0, [[20, 100]]).tolist() == [False, True, True, False,
                                                                  False]
    # axis 350°: north is +10° from it, 45° left (315°) is −35°, south (180°) is −170°
    assert privacy_masked(dx, dy, 350.0, [[5, 15], [-36, -34]]).tolist() == [
        True, False, False, True, False]
    assert privacy_masked(dx, dy, 0.0, [[170, 180]]).tolist()[4]      # ±180 wraps


def test_a_privacy_mask_removes_the_hit_it_was_suggested_for():
    # a narrow home straight ahead, far enough that lowering the tilt would be too much:
    # the suggestion is a mask; with the suggested sector masked the camera no longer sees
    # the façade, and it still sees the street beside it
    g = _grid(40.0)
    home = _square(g, 27, -2, 31, 2, id="H1", is_home=True, height_m=6.0)
    fc = {"type": "FeatureCollection", "features": [home]}
    cam = _camera(g, -10, 0, 90.0, "C1")
    model = CoverageModel(g, fc)
    model.set_cameras([cam])
    (hit,) = privacy_hits(model, fc)
    assert hit["code"] == "privacy_mask_sector"
    lo, hi = hit["sector_rel_deg"]
    assert lo < 0 < hi and hi - lo <= 30.0          # centred on the axis, ≤ hfov / 2
    seen_before = int(np.count_nonzero(model.views["C1"].seen))
    model.update_camera(dict(cam, privacy_masks_deg=[[lo, hi]]))
    assert privacy_hits(model, fc) == []
    view = model.views["C1"]
    seen_after = int(np.count_nonzero(view.seen))
    assert 0 < seen_after < seen_before
    # exactly the cells whose bearing from the camera lies in the sector are gone
    dx = view.x_axis_m[None, :] - view.x_m
    dy = view.y_axis_m[:, None] - view.y_m
    rel = (np.degrees(np.arctan2(dx, dy)) - 90.0 + 180.0) % 360.0 - 180.0
    assert not (view.seen & (rel >= lo) & (rel <= hi)).any()
    model.update_camera(cam)
    assert int(np.count_nonzero(model.views["C1"].seen & ~((rel >= lo) & (rel <= hi)))) \
        == seen_after


def test_bad_privacy_masks_are_rejected():
    from assessments.plan import validate as planfile
    g = _grid()
    area = _square(g, -20, -20, 20, 20)["geometry"]
    for bad in ([[10, 5]], [[-200, 0]], [[0, "x"]], [0, 10], "0-10", [[0, 1]] * 17):
        cam = dict(_camera(g, 0, 0, 0.0, "C1"), privacy_masks_deg=bad)
        with pytest.raises(planfile.PlanError) as err:
            planfile.validate_plan({"version": 1, "area": area, "cameras": [cam]})
        (issue,) = err.value.issues
        assert (issue.item_id, issue.field) == ("camera C1", "privacy_masks_deg")
    ok = dict(_camera(g, 0, 0, 0.0, "C1"), privacy_masks_deg=[[-10, 5.5], [20, 30]])
    planfile.validate_plan({"version": 1, "area": area, "cameras": [ok]})
