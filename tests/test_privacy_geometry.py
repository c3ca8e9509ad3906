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
    # margin = 14°, keeping (90 − 14) / 90 = 0.844 ≥ 0.1 of the view), bearings 355−2 = 353°
    # → 5+2 = 7° across north
    fix = suggest_fix([355, 0, 5], [30, 32, 35], azimuth_deg=0, hfov_deg=90, tilt_deg=10,
                      vfov_deg=40, mount_height_m=6, far_distance_m=40)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_deg"], [353.0, 7.0])
    assert_allclose(fix["sector_rel_deg"], [-7.0, 7.0])
    assert fix["tilt_deg"] is None and "azimuth_deg" not in fix
    assert_allclose(fix["kept_fraction"], 76 / 90)


def test_mask_for_near_hits_narrow_or_wide_never_a_new_aim():
    # camera looking east (90°), near hits at bearings 100–110° (rel +10…+20°)
    fix = suggest_fix([100, 105, 110], [5, 6, 7], azimuth_deg=90, hfov_deg=90, tilt_deg=15,
                      vfov_deg=50, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_rel_deg"], [8.0, 22.0])
    assert_allclose(fix["sector_deg"], [98.0, 112.0])
    # hits across rel −30…+30° (width 64° > hfov/2, which used to turn the camera by 79° to
    # 11°): now a mask of rel −32…+32° = bearings 58…122°, keeping (90 − 64) / 90 = 0.289
    fix = suggest_fix([60, 90, 120], [5, 6, 7], azimuth_deg=90, hfov_deg=90, tilt_deg=15,
                      vfov_deg=50, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_rel_deg"], [-32.0, 32.0])
    assert_allclose(fix["sector_deg"], [58.0, 122.0])
    assert_allclose(fix["kept_fraction"], 26 / 90)
    assert "azimuth_deg" not in fix
    # hits on the left (rel −40…−10°) of a narrow view (hfov 50°, used to re-aim to 109°):
    # the sector rel −42…−8° covers the view's −25…−8° = 17°, keeping (50 − 17) / 50 = 0.66
    fix = suggest_fix([50, 80], [5, 6], azimuth_deg=90, hfov_deg=50, tilt_deg=15,
                      vfov_deg=30, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_rel_deg"], [-42.0, -8.0])
    assert_allclose(fix["kept_fraction"], 0.66)


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
    # corners (9.5, ±5.5) m → ±17.8° → width 35.5° of the 60° view: a mask (the view keeps
    # its cells outside ±17.8°, beside the home)
    assert h["code"] == "privacy_mask_sector" and "azimuth_deg" not in h
    lo, hi = h["sector_rel_deg"]
    assert -25 < lo < -15 and 15 < hi < 25   # cell centres: atan(5.5 / 19.5) + 2 = 17.8°
    assert 0.1 <= h["kept_fraction"] < 1
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


# ---------------------------------------------------------------------------------------
# suggestions never turn the camera: tilt, a mask, or a review of the placement
# ---------------------------------------------------------------------------------------
def test_the_docstring_example_of_suggest_fix():
    # 5 m high looking north, tilt 10°, vfov 50°, hfov 90°; homes 40–45 m straight ahead.
    # tilt' = 50/2 + atan(3.5 / 40) + 2 = 25 + 5.0006 + 2 = 32.0° → change 22° > 15°: no
    # tilt. Sector 0° ± 2° margin → rel −2…+2°, bearings 358…2°; keeps (90 − 4) / 90.
    fix = suggest_fix([0, 0], [40, 45], azimuth_deg=0, hfov_deg=90, tilt_deg=10,
                      vfov_deg=50, mount_height_m=5)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["sector_rel_deg"], [-2.0, 2.0])
    assert_allclose(fix["sector_deg"], [358.0, 2.0])
    assert_allclose(fix["kept_fraction"], 86 / 90)
    assert fix["tilt_deg"] is None


def test_hits_filling_the_view_ask_for_a_review_of_the_placement():
    from assessments.engine.privacy_geometry import SUGGESTIONS
    assert SUGGESTIONS == ("lower_tilt", "privacy_mask_sector", "review_placement")
    # looking east, near façades every 5° across the whole 90° view (rel −45…+45°): the
    # sector −47…+47° covers the view, keeping 0 of it → no automatic fix
    bearings = np.arange(45.0, 136.0, 5.0)
    fix = suggest_fix(bearings, np.full(bearings.size, 6.0), azimuth_deg=90, hfov_deg=90,
                      tilt_deg=15, vfov_deg=50, mount_height_m=5, far_distance_m=40)
    assert fix["code"] == "review_placement"
    assert_allclose(fix["sector_rel_deg"], [-47.0, 47.0])
    assert fix["kept_fraction"] == 0.0 and fix["tilt_deg"] is None
    assert "azimuth_deg" not in fix
    # counted in cells: façades on both sides at rel ±30° (a street seen along its axis).
    # In degrees the sector −32…+32° keeps (90 − 64) / 90 = 0.289 of the view, but the
    # road the camera sees lies between them: 50 road cells at rel −20…+20° and 3 beside
    # the homes at rel 40°: the mask keeps 3 / 53 = 0.057 < 0.1 → review the placement
    road = np.linspace(70.0, 110.0, 50)
    seen = np.concatenate([[60.0, 120.0], road, [130.0, 130.0, 130.0]])
    fix = suggest_fix([60, 120], [6, 6], azimuth_deg=90, hfov_deg=90, tilt_deg=15,
                      vfov_deg=50, mount_height_m=5, far_distance_m=40,
                      seen_bearing_deg=seen)
    assert fix["code"] == "review_placement"
    assert_allclose(fix["kept_fraction"], 3 / 53)
    # with 10 cells beside the homes it keeps 10 / 60 = 0.167 ≥ 0.1: a mask again
    seen = np.concatenate([[60.0, 120.0], road, np.full(10, 130.0)])
    fix = suggest_fix([60, 120], [6, 6], azimuth_deg=90, hfov_deg=90, tilt_deg=15,
                      vfov_deg=50, mount_height_m=5, far_distance_m=40,
                      seen_bearing_deg=seen)
    assert fix["code"] == "privacy_mask_sector"
    assert_allclose(fix["kept_fraction"], 10 / 60)


def test_fix_change_sets_tilt_or_adds_a_mask_and_never_the_azimuth():
    from assessments.engine.privacy_geometry import fix_change
    assert fix_change({"code": "lower_tilt", "tilt_deg": 30.5}) == {"tilt_deg": 30.5}
    assert fix_change({"code": "review_placement", "sector_rel_deg": [-47, 47]}) == {}
    mask = {"code": "privacy_mask_sector", "sector_rel_deg": [-52.6966, -30.7914]}
    # rounded outward to 0.1°: −52.6966 → −52.7, −30.7914 → −30.7
    assert fix_change(mask) == {"privacy_masks_deg": [[-52.7, -30.7]]}
    # added to the camera's masks; an overlapping one (−35…−20°) merges into −52.7…−20°
    assert fix_change(mask, privacy_masks_deg=[(10.0, 20.0), (-35.0, -20.0)]) == {
        "privacy_masks_deg": [[-52.7, -20.0], [10.0, 20.0]]}
    # clipped to ±180°
    assert fix_change({"code": "privacy_mask_sector", "sector_rel_deg": [170.0, 182.0]}) \
        == {"privacy_masks_deg": [[170.0, 180.0]]}
    with pytest.raises(ValueError, match="re_aim"):
        fix_change({"code": "re_aim", "azimuth_deg": 11.0})


def _sample_model():
    """The sample district with every building a home (the page's 「すべての建物を住宅として
    扱う」), its coverage model and the façade cells."""
    import json
    from pathlib import Path

    from assessments.plan import validate as planfile
    root = Path(__file__).resolve().parents[1]
    plan = json.loads((root / "datasets" / "sample_district" / "plan.json").read_text("utf-8"))
    fc = dict(plan["buildings"], features=[
        dict(f, properties=dict(f.get("properties") or {}, is_home=True))
        for f in plan["buildings"]["features"]])
    v = planfile.validate_plan(dict(plan, buildings=fc, cameras=[]))
    g = Grid.from_area(v["area"], v["resolution_m"])
    model = CoverageModel(g, v["_footprints"], area=v["area"],
                          target_height_m=v["target_height_m"], standard=v["standard"])
    model.set_cameras(plan["cameras"])
    return plan, fc, model, home_facade_cells(g, fc, inside=model.inside)


def test_sample_district_fixes_keep_every_camera_on_its_road():
    from assessments.engine.coverage import privacy_masked
    from assessments.engine.privacy_geometry import fix_effects
    plan, fc, model, facade = _sample_model()
    fac = facade[0]
    hits = privacy_hits(model, fc, facade=facade)
    # all 11 cameras look at some façade; where the façades fill the view (streets seen
    # along their axis, homes on both sides) the placement is to be reviewed; only C6 and
    # C7 have the homes to one side. The old rule turned 10 of them (re_aim).
    codes = {h["camera_id"]: h["code"] for h in hits}
    assert codes == {**{f"C{i}": "review_placement" for i in range(1, 12)},
                     "C6": "privacy_mask_sector", "C7": "privacy_mask_sector"}
    effects = fix_effects(model, hits)
    assert [e is None for e in effects] == [c == "review_placement" for c in codes.values()]
    area = model.summary()
    assert area["covered_m2"] == 13073.0 and area["area_m2"] == 62881.0   # 20.79 %
    # per fix: (camera cells seen, façade cells seen, non-home cells seen) before → after,
    # the plan's covered cells after. C6 (azimuth 6°) masks rel −1.1…+19.6°: 536 seen, 29
    # façade, 507 other → 387 seen, 0 façade, 387 other (76 % of the rest kept ≥ 10 %);
    # C7 (94°) masks −52.7…−30.7°: 3059 / 19 / 3040 → 2824 / 0 / 2824 (93 % kept). The
    # plan loses what no other camera sees: 13073 − 149 = 12924 and 13073 − 19 = 13054.
    expected = {"C6": ([-1.1, 19.6], (536, 29, 507), (387, 0, 387), 12924.0),
                "C7": ([-52.7, -30.7], (3059, 19, 3040), (2824, 0, 2824), 13054.0)}
    cams = {c["id"]: c for c in plan["cameras"]}
    for h, e in zip(hits, effects):
        if e is None:
            continue
        cid = h["camera_id"]
        sector, before, after, plan_after = expected[cid]
        assert e["change"] == {"privacy_masks_deg": [sector]}
        old = model.views[cid]
        sens = fac[old.rows, old.cols]
        n_before = (int(np.count_nonzero(old.seen)), int(np.count_nonzero(old.seen & sens)),
                    int(np.count_nonzero(old.seen & ~sens)))
        # non-home cells outside the sector: all the mask may cost is its own sector
        rr, cc = np.nonzero(old.seen & ~sens)
        outside = ~privacy_masked(old.x_axis_m[cc] - old.x_m, old.y_axis_m[rr] - old.y_m,
                                  old.camera.bearing_deg, [sector])
        assert n_before == before and int(np.count_nonzero(outside)) == after[2]
        model.update_camera(dict(cams[cid], **e["change"]))
        try:
            new = model.views[cid]
            sens = fac[new.rows, new.cols]
            assert model.cameras[cid].azimuth_deg == cams[cid]["azimuth_deg"]
            assert (int(np.count_nonzero(new.seen)), int(np.count_nonzero(new.seen & sens)),
                    int(np.count_nonzero(new.seen & ~sens))) == after
            assert after[2] >= 0.1 * before[2]
            # the effect computed without touching the model equals the model applied
            assert e["camera_covered_m2"] == [float(before[0]), float(after[0])]
            assert model.camera_summary(cid)["covered_m2"] == after[0]
            assert e["covered_m2"] == [13073.0, plan_after] == \
                [area["covered_m2"], model.summary()["covered_m2"]]
            assert_allclose(e["coverage_fraction"], [13073 / 62881, plan_after / 62881])
            assert cid not in [x["camera_id"] for x in privacy_hits(model, fc, facade=facade)]
        finally:
            model.update_camera(cams[cid])


def test_fix_effects_of_a_lower_tilt_counts_other_cameras_once():
    from assessments.engine.privacy_geometry import fix_effects
    # two cameras side by side looking east over an open grid; the first gets a steeper
    # tilt: its own area shrinks, and the plan loses only the cells the second does not see
    g = _grid(40.0)
    a, b = _camera(g, -30, 0, 90.0, "A"), _camera(g, -30, 2, 90.0, "B")
    model = CoverageModel(g)
    model.set_cameras([a, b])
    fix = {"camera_id": "A", "code": "lower_tilt", "tilt_deg": 25.0}
    (e,) = fix_effects(model, [fix])
    assert e["change"] == {"tilt_deg": 25.0}
    before = model.summary()["covered_m2"]
    own = model.camera_summary("A")["covered_m2"]
    model.update_camera(dict(a, tilt_deg=25.0))
    assert e["camera_covered_m2"] == [own, model.camera_summary("A")["covered_m2"]]
    assert e["covered_m2"] == [before, model.summary()["covered_m2"]]
    assert e["camera_covered_m2"][1] < e["camera_covered_m2"][0]
    # B still sees most of what A gave up: the plan loses less than A's own area
    assert 0 < before - e["covered_m2"][1] < own - e["camera_covered_m2"][1]
