"""Tests for assessments.plan.validate (validation, files) and the command line."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.devices import Camera, Light
from assessments.engine.grid import Grid
from assessments.simulate import simulate
from assessments.plan.validate import PlanError, validate_plan

ROOT = Path(__file__).resolve().parents[1]
PLATEAU = Path("/work/shared/data/plateau/niiza_53395404_bldg_lod0.geojson")


def _plan(**kw):
    """Camera at (35.0, 139.0) level at 1.5 m looking east; area 0 < x < 40 m, |y| < 50 m."""
    g = Grid.from_bounds(35.0, 139.0, -1, -1, 1, 1, 1.0)
    lat, lon = g.to_latlon(np.array([0.0, 40.0, 40.0, 0.0, 0.0]),
                           np.array([-50.0, -50.0, 50.0, 50.0, -50.0]))
    plan = {"version": 1, "name": "wedge", "resolution_m": 0.2, "target_height_m": 1.5,
            "area": {"type": "Polygon",
                     "coordinates": [[[float(o), float(a)] for o, a in zip(lon, lat)]]},
            "cameras": [{"id": "C1", "lat": 35.0, "lon": 139.0, "mount_height_m": 1.5,
                         "azimuth_deg": 90.0, "tilt_deg": 0.0, "hfov_deg": 90.0,
                         "width_px": 1920, "height_px": 1080, "model": "X-1"}],
            "lights": [{"id": "L1", "lat": 35.0, "lon": 139.0, "mount_height_m": 5.0,
                        "intensity_cd": 300}],
            "custom_field": {"kept": True}}
    plan.update(kw)
    return plan


def test_simulate_gives_hand_calculated_figures():
    res = simulate(_plan()).result
    # wedge |north| ≤ east up to 40 m: 1600 m²; Detect to 960/25 = 38.4 m → 38.4² m²
    assert_allclose(res["area_m2"], 4000, rtol=0.01)
    assert_allclose(res["covered_m2"], 1600, rtol=0.01)
    assert_allclose(res["dori_m2"]["detect"], 38.4 ** 2, rtol=0.02)
    assert_allclose(res["dori_m2"]["recognise"], 7.68 ** 2, rtol=0.05)
    cam = res["cameras"][0]
    assert cam["id"] == "C1" and cam["covered_m2"] == res["covered_m2"]
    assert_allclose(cam["dori_axis_end_m"]["identify"], 960 / 250)


def test_validation_keeps_unknown_fields_and_types_the_devices():
    out = validate_plan(_plan())
    assert out["custom_field"] == {"kept": True}
    assert out["resolution_m"] == 0.2
    light = out["lights"][0]
    assert isinstance(light, Light) and light.intensity_cd == 300.0
    assert (light.lat_deg, light.mount_height_m, light.azimuth_deg) == (35.0, 5.0, 0.0)
    cam = out["cameras"][0]
    assert isinstance(cam, Camera) and (cam.id, cam.width_px, cam.height_px) == ("C1", 1920, 1080)
    # defaults applied once: vfov = 2·atan(tan 45° · 1080/1920) = 58.7155°; the plan
    # format's 0.5 lx and 1/60 s; no IR, no max range
    assert cam.vfov_deg == pytest.approx(58.71550708, abs=1e-6)
    assert (cam.min_illuminance_lx, cam.shutter_s) == (0.5, 1 / 60)
    assert (cam.ir_range_m, cam.max_range_m, cam.privacy_masks_deg) == (None, None, ())
    # f_px = 960 / tan 45° = 960 px
    assert cam.f_px == pytest.approx(960.0)
    # a validated plan validates again to the same devices (the scenario tests do that)
    again = validate_plan(out)
    assert again["cameras"] == out["cameras"] and again["lights"] == out["lights"]


def test_one_issue_type_for_cameras_and_lights():
    """Both device kinds report through the one validator: kind, id, field, code, value and
    the params a translated message needs; the message is built from them."""
    p = _plan()
    p["cameras"][0]["tilt_deg"] = 95
    p["lights"][0]["mount_height_m"] = 0
    p["lights"].append({"lat": 35.0, "lon": 139.0, "mount_height_m": 5, "lumens": 800})
    issues = _issues(p).issues
    assert [(i.kind, i.id, i.field, i.code, i.value) for i in issues] == [
        ("camera", "C1", "tilt_deg", "out_of_range", 95),
        ("light", "L1", "mount_height_m", "out_of_range", 0),
        ("light", "#2", "id", "missing", None),
        ("light", "#2", "distribution", "missing", None)]
    assert [i.params for i in issues[:2]] == [{"range": "-90…90"}, {"range": "(0, 100]"}]
    assert issues[1].message == "light L1: mount_height_m = 0 is outside (0, 100]"
    assert issues[2].item_id == "light #2"


def _issues(plan):
    with pytest.raises(PlanError) as exc:
        validate_plan(plan)
    return exc.value


def test_tilt_out_of_range_names_camera_and_field():
    p = _plan()
    p["cameras"][0].update(id="C12", tilt_deg=120)
    err = _issues(p)
    assert [(i.item_id, i.field, i.code) for i in err.issues] == [
        ("camera C12", "tilt_deg", "out_of_range")]
    assert err.issues[0].message == "camera C12: tilt_deg = 120 is outside -90…90"
    assert isinstance(err, ValueError)


@pytest.mark.parametrize("field,value,code", [
    ("hfov_deg", 180, "out_of_range"), ("hfov_deg", 0, "out_of_range"),
    ("hfov_deg", float("nan"), "not_a_number"), ("mount_height_m", "5", "not_a_number"),
    ("width_px", 1920.5, "not_an_integer"), ("width_px", True, "not_a_number"),
    ("lat", 10.0, "outside_japan"), ("lon", 160.0, "outside_japan"),
    ("azimuth_deg", None, "missing")])
def test_camera_field_errors(field, value, code):
    p = _plan()
    p["cameras"][0][field] = value
    err = _issues(p)
    assert [(i.field, i.code) for i in err.issues] == [(field, code)]
    assert "camera C1" in err.issues[0].message and field in err.issues[0].message


def test_plan_level_errors_are_all_collected():
    p = _plan(version=2)
    p["area"] = {"type": "Polygon", "coordinates": [[[139.0, 35.0], [139.001, 35.001],
                                                    [139.001, 35.0], [139.0, 35.001],
                                                    [139.0, 35.0]]]}     # bow-tie
    p["cameras"].append(dict(p["cameras"][0]))                          # duplicate id
    del p["cameras"][0]["hfov_deg"]
    codes = {i.code for i in _issues(p).issues}
    assert codes == {"unsupported_version", "self_intersecting", "missing"}
    p2 = _plan(area={"type": "Point", "coordinates": [139, 35]})
    assert [i.code for i in _issues(p2).issues] == ["bad_geojson"]
    p3 = _plan()
    p3["cameras"].append(dict(p3["cameras"][0]))
    assert [i.code for i in _issues(p3).issues] == ["duplicate_id"]
    p4 = _plan(area=None)
    assert [(i.field, i.code) for i in _issues(p4).issues] == [("area", "missing")]


def test_buildings_heights_and_plateau():
    p = _plan()
    bad = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "B1", "properties": {},
         "geometry": {"type": "Polygon", "coordinates": [[[139.0001, 35.0], [139.0002, 35.0],
                                                          [139.0002, 35.0001],
                                                          [139.0001, 35.0]]]}}]}
    p["buildings"] = bad
    err = _issues(p)
    assert err.issues[0].item_id == "building B1" and err.issues[0].code == "missing"
    # real PLATEAU LOD0 footprints with measuredHeight (新座市, 657 buildings)
    fc = json.loads(PLATEAU.read_text(encoding="utf-8"))
    ok = validate_plan(dict(_plan(), buildings=fc))
    assert len(ok["_footprints"]) == 657
    heights = sorted(h for _r, h, _i in ok["_footprints"])
    assert heights[0] == 2.5 and heights[-1] == 27.7


def _run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "assessments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_writes_result_and_grid(tmp_path):
    plan = tmp_path / "PLAN.json"
    plan.write_text(json.dumps(_plan(resolution_m=0.5)), encoding="utf-8")
    out, grid = tmp_path / "RESULT.json", tmp_path / "GRID.npz"
    r = _run("simulate", str(plan), "--out", str(out), "--grid", str(grid), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text(encoding="utf-8"))
    assert_allclose(res["covered_m2"], 1600, rtol=0.03)
    assert set(res["dori_m2"]) >= {"detect", "observe", "recognise", "identify"}
    with np.load(grid) as z:
        assert {"lat", "lon", "inside", "pixel_density", "camera_count"} <= set(z.files)
        assert z["lat"].shape == z["pixel_density"].shape
        assert_allclose(z["pixel_density"].max(), 960 / 0.25, rtol=0.3)
        # the sum of seen inside cells × 0.25 m² is covered_m2
        assert_allclose((z["pixel_density"] > 0).sum() * 0.25, res["covered_m2"])


def test_cli_invalid_plan_exits_nonzero_without_traceback(tmp_path):
    p = _plan()
    p["cameras"][0].update(id="C12", tilt_deg=120)
    plan = tmp_path / "PLAN.json"
    # NaN literal is accepted by the JSON reader and then rejected by validation
    plan.write_text(json.dumps(p).replace('"hfov_deg": 90.0', '"hfov_deg": NaN'))
    r = _run("simulate", str(plan), cwd=tmp_path)
    assert r.returncode == 2
    assert "camera C12: tilt_deg = 120 is outside -90…90" in r.stderr
    assert "camera C12: hfov_deg = nan is not a number" in r.stderr
    assert "Traceback" not in r.stderr
    r2 = _run("simulate", str(tmp_path / "missing.json"), cwd=tmp_path)
    assert r2.returncode == 2 and "Traceback" not in r2.stderr
    (tmp_path / "bad.json").write_text("{not json")
    r3 = _run("simulate", str(tmp_path / "bad.json"), cwd=tmp_path)
    assert r3.returncode == 2 and "not valid JSON" in r3.stderr


def test_outputs_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    """RESULT.json and GRID.npz go through a temporary file renamed over the target: a
    failure (a full disk) leaves the previous file as it was and no temporary file; a grid
    name without .npz is written at exactly that name (numpy would append .npz)."""
    from assessments.plan.validate import write_atomic, write_grid
    target = tmp_path / "RESULT.json"
    target.write_text("previous", encoding="utf-8")

    def no_space(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("assessments.plan.validate.os.replace", no_space)
    with pytest.raises(OSError):
        write_atomic(target, b'{"new": 1}')
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["RESULT.json"]
    monkeypatch.undo()
    write_grid({"a": np.arange(3)}, tmp_path / "grid.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RESULT.json", "grid.bin"]
    with np.load(tmp_path / "grid.bin") as z:
        assert z["a"].tolist() == [0, 1, 2]
    # the archive is streamed into the temporary file: an array that cannot be written
    # (objects are refused without pickle) after a good one leaves the previous grid whole
    with pytest.raises(ValueError):
        write_grid({"b": np.arange(2), "bad": np.array([{}], dtype=object)},
                   tmp_path / "grid.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RESULT.json", "grid.bin"]
    with np.load(tmp_path / "grid.bin") as z:
        assert z.files == ["a"] and z["a"].tolist() == [0, 1, 2]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_cli_on_a_full_device_exits_2_without_traceback(tmp_path):
    plan = tmp_path / "PLAN.json"
    plan.write_text(json.dumps(_plan()), encoding="utf-8")
    r = _run("simulate", str(plan), "--out", "/dev/full", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "cannot read or write" in r.stderr
