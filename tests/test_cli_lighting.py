"""Street lighting in the plan file, ``simulate`` and the command line (issue 4 integration)."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.coverage import CoverageModel, simulate_night
from assessments.engine.devices import Light
from assessments.engine.grid import Grid
from assessments.engine.night import night_summary_for_model
from assessments.plan.validate import PlanError, validate_plan
from assessments.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]

# Plan: area = local square |x|, |y| ≤ 10.25 m around (35.0, 139.0), 1 m cells → cell centres
# at ±0.5 … ±10.5 (22 × 22 grid), of which ±0.5 … ±9.5 are inside: 20 × 20 = 400 m².
# Light L1, 1000 cd isotropic, 5 m above the cell centre (0.5, 0.5); camera C1 level at
# 1.5 m on the cell centre (−9.5, 0.5) looking east (hfov 90°, 1920 px: f = 960 px),
# colour down to 1 lx, no IR, shutter 0 (no motion blur).
LIGHT_XY = (0.5, 0.5)
CAM_XY = (-9.5, 0.5)


def _area():
    g = Grid.from_bounds(35.0, 139.0, -1, -1, 1, 1, 1.0)
    lat, lon = g.to_latlon(np.array([-10.25, 10.25, 10.25, -10.25, -10.25]),
                           np.array([-10.25, -10.25, 10.25, 10.25, -10.25]))
    return {"type": "Polygon", "coordinates": [[[float(o), float(a)] for o, a in zip(lon, lat)]]}


def _at(grid, x, y):
    """lat/lon of the plan grid's cell centre nearest to local (x, y)."""
    r, c = grid.cell_index(x, y)
    return grid.to_latlon(grid.x_axis_m[c], grid.y_axis_m[r])


def _plan(*, lights=True, ir_range_m=None):
    area = _area()
    grid = Grid.from_area(area, 1.0)
    clat, clon = _at(grid, *CAM_XY)
    llat, llon = _at(grid, *LIGHT_XY)
    cam = {"id": "C1", "lat": clat, "lon": clon, "mount_height_m": 1.5, "azimuth_deg": 90.0,
           "tilt_deg": 0.0, "hfov_deg": 90.0, "width_px": 1920, "height_px": 1080,
           "min_illuminance_lx": 1.0, "shutter_s": 0.0}
    if ir_range_m is not None:
        cam["ir_range_m"] = ir_range_m
    plan = {"version": 1, "name": "one light", "resolution_m": 1.0, "area": area,
            "cameras": [cam]}
    if lights:
        plan["lights"] = [{"id": "L1", "lat": llat, "lon": llon, "mount_height_m": 5.0,
                           "intensity_cd": 1000.0}]
    return plan, grid


def _oracle(grid, pixel_density, inside):
    """Per-cell E_h, E_v toward the camera and the night rule, written out independently."""
    xx, yy = np.meshgrid(grid.x_axis_m, grid.y_axis_m)
    vx, vy = LIGHT_XY[0] - xx, LIGHT_XY[1] - yy                 # cell → light, horizontal
    eh = 1000.0 * 5.0 / (vx ** 2 + vy ** 2 + 5.0 ** 2) ** 1.5    # I·h / r³ at the ground
    nx, ny = CAM_XY[0] - xx, CAM_XY[1] - yy                     # face normal → camera
    nn = np.hypot(nx, ny)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_n = (vx * nx + vy * ny) / nn
        ev = 1000.0 * np.maximum(cos_n, 0.0) / (vx ** 2 + vy ** 2 + 3.5 ** 2) ** 1.5
    day_detect = inside & (pixel_density >= 25.0)
    night_detect = day_detect & (ev >= 1.0)
    return eh, ev, day_detect, night_detect


def test_simulate_with_one_light_hand_figures():
    plan, grid = _plan()
    sim = simulate(plan)
    res, arr = sim.result, sim.grid_arrays()
    assert arr["illuminance_lx"].shape == arr["vertical_illuminance_lx"].shape == (22, 22)
    assert arr["illuminance_lx"].shape == arr["lat"].shape == arr["pixel_density"].shape
    assert arr["inside"].sum() == 400
    ill = res["illuminance"]
    # directly below the light: E = I / h² = 1000 / 5² = 40 lx
    assert_allclose(ill["max_lx"], 40.0, rtol=1e-5)
    # farthest inside cell (−9.5, −9.5): d² = 10² + 10² = 200, E = 1000·5 / 225^1.5 = 1.4815
    assert_allclose(ill["min_lx"], 5000 / 225 ** 1.5, rtol=1e-5)
    eh, ev, day, night = _oracle(grid, arr["pixel_density"], arr["inside"])
    assert_allclose(ill["mean_lx"], eh[arr["inside"]].mean(), rtol=1e-5)
    assert_allclose(ill["uniformity"], (5000 / 225 ** 1.5) / eh[arr["inside"]].mean(), rtol=1e-5)
    # the seen cell (−0.5, 0.5) has the light behind its face (face west, light east): E_v = 0
    # < 0.5 lx, the class B minimum → below B whatever the mean
    assert ill["ses_class"] == "below_B"
    r, c = grid.cell_index(-0.5, 0.5)
    assert arr["vertical_illuminance_lx"][r, c] == 0.0
    # (3.5, 0.5): light 3 m west and 3.5 m above the face, face west →
    # E_v = 1000·3 / (9 + 12.25)^1.5 = 30.62 lx; E_h = 5000 / (9 + 25)^1.5 = 25.22 lx
    r, c = grid.cell_index(3.5, 0.5)
    assert_allclose(arr["vertical_illuminance_lx"][r, c], 3000 / 21.25 ** 1.5, rtol=1e-5)
    assert_allclose(arr["vertical_illuminance_lx"][r, c], 30.62, rtol=1e-3)
    assert_allclose(arr["illuminance_lx"][r, c], 5000 / 34 ** 1.5, rtol=1e-5)
    seen = arr["pixel_density"] > 0
    assert_allclose(arr["vertical_illuminance_lx"][seen], ev[seen], rtol=1e-5, atol=1e-6)
    assert np.isnan(arr["vertical_illuminance_lx"][~seen]).all()
    assert_allclose(arr["illuminance_lx"], eh, rtol=1e-5)
    # night DORI has the day keys; Identify (f/250 = 3.84 m → cells 1–3 m east of the camera,
    # all west of the light, their faces turned away from it) is lost at night
    assert set(res["night_dori_m2"]) == set(res["dori_m2"])
    assert res["dori_m2"]["identify"] > 0 and res["night_dori_m2"]["identify"] == 0
    assert res["night_basis"] == "lights"
    assert res["night_dori_m2"]["detect"] == night.sum() > 0
    assert res["seen_but_dark_m2"] == (day & ~night).sum() > 0
    # lit (E_h ≥ 3 lx) but no camera reaches Detect at night
    assert res["lit_but_unseen_m2"] == (arr["inside"] & (eh >= 3.0) & ~night).sum() > 0
    # one camera: its own night areas are the plan's
    assert res["cameras"][0]["night_dori_m2"] == res["night_dori_m2"]


def test_ir_everywhere_night_equals_day_and_no_lights_is_ir_only():
    # IR reaching every cell (the farthest is √(19² + 10²) = 21.5 m < 100 m), no blur →
    # every seen cell is usable at night: night DORI = day DORI, nothing seen but dark
    res = simulate(_plan(ir_range_m=100.0)[0]).result
    assert res["night_dori_m2"] == pytest.approx(res["dori_m2"])
    assert res["seen_but_dark_m2"] == 0.0
    # no lights, no IR: the IR-only night sees nothing; every Detect cell is seen but dark
    sim = simulate(_plan(lights=False)[0])
    res = sim.result
    assert res["night_basis"] == "ir_only"
    assert res["illuminance"] == dict.fromkeys(
        ("mean_lx", "min_lx", "max_lx", "uniformity", "ses_class"))
    assert res["night_dori_m2"] == dict.fromkeys(res["dori_m2"], 0.0)
    assert res["seen_but_dark_m2"] == res["dori_m2"]["detect"] > 0
    assert res["lit_but_unseen_m2"] == 0.0
    assert (sim.grid_arrays()["illuminance_lx"] == 0).all()
    # without lights but with IR to 5 m: usable cells are those within 5 m of the camera
    res = simulate(_plan(lights=False, ir_range_m=5.0)[0]).result
    assert 0 < res["night_dori_m2"]["detect"] < res["dori_m2"]["detect"]


def test_night_grids_can_be_left_out():
    sim = simulate(_plan()[0], night_grids=False)
    assert "illuminance_lx" not in sim.grid_arrays()
    assert_allclose(sim.result["illuminance"]["max_lx"], 40.0, rtol=1e-5)


def test_blocks_give_the_same_result_as_one_whole_grid_call():
    # two cameras whose windows span several 7-cell blocks both ways, and three lights
    grid = Grid.from_bounds(35.0, 139.0, -30, -20, 30, 20, 0.5)
    model = CoverageModel(grid)
    cams, lights = [], []
    for i, (x, y, az, ir) in enumerate([(-25, 0, 80, None), (20, 15, 200, 12.0)]):
        lat, lon = grid.to_latlon(x, y)
        cams.append({"id": f"C{i}", "lat": lat, "lon": lon, "mount_height_m": 5.0,
                     "azimuth_deg": az, "tilt_deg": 20.0, "hfov_deg": 80.0, "width_px": 1920,
                     "height_px": 1080, "min_illuminance_lx": 0.5, "ir_range_m": ir,
                     "shutter_s": 1 / 60})
    for i, (x, y) in enumerate([(-10, 2), (5, -5), (18, 8)]):
        lat, lon = grid.to_latlon(x, y)
        photometry = ({"intensity_cd": 400.0} if i != 1
                      else {"lumens": 2000.0, "distribution": "medium"})
        lights.append({"id": f"L{i}", "lat": lat, "lon": lon, "mount_height_m": 6.0,
                       **photometry})
    model.set_cameras(cams)
    ref, ref_arrays = night_summary_for_model(model, lights)
    whole = simulate_night(model, lights, block_cells=10_000)
    for block in (7, 33):
        entries, per_camera, arrays = simulate_night(model, lights, block_cells=block)
        assert entries["night_dori_m2"] == pytest.approx(ref["night_dori_m2"])
        assert entries["night_dori_m2"]["detect"] > 0
        assert entries["lit_but_unseen_m2"] == pytest.approx(ref["lit_but_unseen_m2"])
        assert entries["seen_but_dark_m2"] == pytest.approx(ref["seen_but_dark_m2"])
        for k in ("mean_lx", "min_lx", "max_lx", "uniformity"):
            assert entries["illuminance"][k] == pytest.approx(ref["illuminance"][k], rel=1e-9)
        assert entries["illuminance"]["ses_class"] == ref["illuminance"]["ses_class"]
        for name in ("illuminance_lx", "vertical_illuminance_lx"):
            assert_allclose(arrays[name], ref_arrays[name], rtol=1e-6, atol=1e-7)
        for cid in ("C0", "C1"):
            assert per_camera[cid] == pytest.approx(whole[1][cid])
    # the whole-grid NightResult carries the same per-camera night DORI as the blocks
    from assessments.engine.night import night_result_for_model
    res = night_result_for_model(model, lights, failing_cells=False)
    assert res.lighting["failing_cells"] is None
    for cid in ("C0", "C1"):
        assert res.camera_night_dori_m2[cid] == pytest.approx(whole[1][cid])
    # each camera sees something, and the union is no larger than the sum of the parts
    assert all(whole[1][c]["monitor"] > 0 for c in ("C0", "C1"))
    assert ref["night_dori_m2"]["monitor"] <= whole[1]["C0"]["monitor"] + whole[1]["C1"]["monitor"]


# --------------------------------------------------------------------------- validation
IES_BROKEN = ("IESNA:LM-63-2002\n[TEST] broken\nTILT=NONE\n1 -1 1 3 1 1 2 0 0 0\n1 1 0\n"
              "0 45 x90\n0\n100 50 0\n")   # line 6: 'x90' is not a number


def _bad_lights():
    plan, _ = _plan()
    base = {"lat": plan["lights"][0]["lat"], "lon": plan["lights"][0]["lon"],
            "mount_height_m": 5.0}
    plan["lights"] = [
        {"id": "L1", **base, "intensity_cd": 300.0, "lumens": 1000.0, "distribution": "wide"},
        {"id": "L2", **base, "lumens": -5, "distribution": "wide"},
        {"id": "L3", **base, "ies": IES_BROKEN},
        {"id": "L4", **base, "lat": 10.0, "intensity_cd": 300.0},
        {"id": "L5", **base, "mount_height_m": float("nan"), "intensity_cd": 300.0},
        {"id": "L6", **base, "lumens": 800.0, "distribution": "flood"},
        {"id": "L7", **base, "intensity_cd": 300.0},
        {"id": "L7", **base, "intensity_cd": 200.0},
    ]
    return plan


def test_validate_plan_reports_light_problems_as_plan_issues():
    with pytest.raises(PlanError) as exc:
        validate_plan(_bad_lights())
    issues = exc.value.issues
    assert [(i.item_id, i.field, i.code) for i in issues] == [
        ("light L1", "photometry", "photometry_count"),
        ("light L2", "lumens", "out_of_range"),
        ("light L3", "ies", "bad_ies"),
        ("light L4", "lat", "outside_japan"),
        ("light L5", "mount_height_m", "not_a_number"),
        ("light L6", "distribution", "bad_distribution"),
        ("light L7", "id", "duplicate_id")]
    msg = {i.item_id: i.message for i in issues}
    assert msg["light L2"] == "light L2: lumens = -5 is outside ≥ 0"
    assert "IES line 6" in msg["light L3"] and "'x90'" in msg["light L3"]
    assert "intensity_cd, lumens" in msg["light L1"]
    # a valid light is typed, its id as text (an unknown field is no error)
    plan, _ = _plan()
    plan["lights"][0].update(id=7, note="pole 12")
    out = validate_plan(plan)["lights"][0]
    assert isinstance(out, Light) and out.id == "7"


# --------------------------------------------------------------------------- command line
def _run(*args):
    return subprocess.run([sys.executable, "-m", "assessments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_lighting_result_and_grid(tmp_path):
    plan, grid = _plan()
    path = tmp_path / "PLAN.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    out, npz = tmp_path / "RESULT.json", tmp_path / "GRID.npz"
    r = _run("simulate", str(path), "--out", str(out), "--grid", str(npz))
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text(encoding="utf-8"))
    assert_allclose(res["illuminance"]["max_lx"], 40.0, rtol=1e-5)   # 1000 cd / (5 m)²
    assert res["illuminance"]["ses_class"] == "below_B"
    assert set(res["night_dori_m2"]) == set(res["dori_m2"])
    assert set(res["cameras"][0]["night_dori_m2"]) == set(res["dori_m2"])
    assert {"lit_but_unseen_m2", "seen_but_dark_m2"} <= set(res)
    with np.load(npz) as z:
        assert z["illuminance_lx"].shape == z["vertical_illuminance_lx"].shape == (22, 22)
        assert z["illuminance_lx"].dtype == np.float32
        r_, c_ = grid.cell_index(*LIGHT_XY)
        assert_allclose(z["illuminance_lx"][r_, c_], 40.0, rtol=1e-5)
        assert_allclose(z["illuminance_lx"][z["inside"]].mean(), res["illuminance"]["mean_lx"],
                        rtol=1e-5)


def test_cli_invalid_lights_exit_2_naming_light_and_field(tmp_path):
    path = tmp_path / "PLAN.json"
    path.write_text(json.dumps(_bad_lights()).replace('"mount_height_m": NaN',
                                                      '"mount_height_m": NaN'))
    r = _run("simulate", str(path))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    err = r.stderr
    assert "[photometry_count] light L1: photometry" in err
    assert "[out_of_range] light L2: lumens = -5 is outside ≥ 0" in err
    assert "[bad_ies] light L3: ies" in err and "IES line 6" in err
    assert "[outside_japan] light L4: lat = 10 is outside Japan" in err
    assert "[not_a_number] light L5: mount_height_m = nan" in err
    assert r.stdout == ""


def test_ies_light_in_a_plan_gives_its_table_candela():
    # an axially symmetric IES table, 1000 cd at nadir falling to 0 at 90° (hand-made):
    # straight below at 5 m, E = 1000 / 25 = 40 lx, as for the isotropic light
    ies = ("IESNA:LM-63-2002\nTILT=NONE\n1 -1 1 3 1 1 2 0 0 0\n1 1 0\n0 45 90\n0\n"
           "1000 500 0\n")
    plan, grid = _plan()
    plan["lights"][0].pop("intensity_cd")
    plan["lights"][0]["ies"] = ies
    arr = simulate(plan).grid_arrays()
    r, c = grid.cell_index(*LIGHT_XY)
    assert_allclose(arr["illuminance_lx"][r, c], 40.0, rtol=1e-5)
    # (3.5, 0.5): d = 3, γ = atan(3/5) = 30.96°, I = 1000 − 500·30.96/45 = 656.0 cd
    # (linear between the table's 0° and 45°), E = 656.0 · 5 / 34^1.5 = 16.54 lx
    r, c = grid.cell_index(3.5, 0.5)
    i_cd = 1000 - 500 * math.degrees(math.atan2(3, 5)) / 45
    assert_allclose(arr["illuminance_lx"][r, c], i_cd * 5 / 34 ** 1.5, rtol=1e-4)
