"""Scenario D (shared/reference/scenarios.md): an engineer runs the command line on a plan of
1,500 cameras exported from the city's asset register, then on the same file with one bad
row (tilt 120°).

The plan is generated here with a seeded generator (no committed data): a 1,500 m × 1,500 m
square around 柏市役所 (35.868056, 139.976389; datasets/municipalities.csv) at 2 m cells,
1,500 cameras with the importer's default optics (assessments.plan.iotools.DEFAULT_CAMERA),
and four school districts (小学校区): the square's quadrants, drawn 20 m past its edge as a
city's district file would be.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine.grid import Grid
from assessments.plan.iotools import DEFAULT_CAMERA

ROOT = Path(__file__).resolve().parents[1]
N_CAMERAS = 1500
HALF_M = 750.0          # half side of the square area [m]
RESOLUTION_M = 2.0      # cell size [m]
LAT0, LON0 = 35.868056, 139.976389


def _asset_register_plan(seed: int = 20260401) -> dict:
    rng = np.random.default_rng(seed)
    g = Grid(LAT0, LON0, 1.0, (1, 1), 0.0, 0.0)
    ring_lat, ring_lon = g.to_latlon(np.array([-HALF_M, HALF_M, HALF_M, -HALF_M, -HALF_M]),
                                     np.array([-HALF_M, -HALF_M, HALF_M, HALF_M, -HALF_M]))
    # cameras inside the square, 10 m clear of its edge
    x = rng.uniform(-HALF_M + 10, HALF_M - 10, N_CAMERAS)
    y = rng.uniform(-HALF_M + 10, HALF_M - 10, N_CAMERAS)
    lat, lon = g.to_latlon(x, y)
    cameras = []
    for i in range(N_CAMERAS):
        cam = {k: v for k, v in DEFAULT_CAMERA.items() if v is not None}
        cam.update(id=f"K{i + 1:04d}", lat=round(float(lat[i]), 7), lon=round(float(lon[i]), 7),
                   azimuth_deg=float(rng.integers(0, 360)),
                   mount_height_m=float(rng.choice([3.0, 4.5, 6.0])),
                   tilt_deg=float(rng.choice([10.0, 15.0, 20.0])))
        cameras.append(cam)
    districts = []
    for name, (sx, sy) in (("北西小学校区", (-1, 1)), ("北東小学校区", (1, 1)),
                           ("南西小学校区", (-1, -1)), ("南東小学校区", (1, -1))):
        xs = np.array([0.0, sx * (HALF_M + 20), sx * (HALF_M + 20), 0.0, 0.0])
        ys = np.array([0.0, 0.0, sy * (HALF_M + 20), sy * (HALF_M + 20), 0.0])
        la, lo = g.to_latlon(xs, ys)
        districts.append({"type": "Feature", "properties": {"name": name}, "geometry": {
            "type": "Polygon", "coordinates": [[[float(o), float(a)] for a, o in zip(la, lo)]]}})
    return {"version": 1, "name": "柏市 見守りカメラ 資産台帳 (合成)",
            "districts": {"type": "FeatureCollection", "features": districts},
            "area": {"type": "Polygon", "coordinates": [[[round(float(o), 7), round(float(a), 7)]
                                                         for a, o in zip(ring_lat, ring_lon)]]},
            "resolution_m": RESOLUTION_M, "target_height_m": 1.5, "cameras": cameras}


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assessments", "simulate", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenario_d")
    plan = _asset_register_plan()
    path = folder / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    out, grid = folder / "result.json", folder / "grid.npz"
    proc = _run(path, "--out", out, "--grid", grid)
    return plan, path, out, grid, proc


def test_batch_of_1500_cameras_writes_result_and_grid(batch):
    plan, _, out, grid, proc = batch
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    res = json.loads(out.read_text("utf-8"))
    # the square: 1,500 m × 1,500 m = 2,250,000 m² (cells of 2 m: ±1 cell row per side)
    assert_allclose(res["area_m2"], 1500.0 ** 2, rtol=0.01)
    assert 0 < res["covered_m2"] <= res["area_m2"]
    # one entry per camera, same ids in the same order
    assert [c["id"] for c in res["cameras"]] == [c["id"] for c in plan["cameras"]]
    # DORI areas are nested: every cell good for Identify is good for Recognise, …
    d = res["dori_m2"]
    assert d["detect"] >= d["observe"] >= d["recognise"] >= d["identify"] >= 0
    assert d["detect"] <= res["covered_m2"]
    # every camera has the default optics: hfov 90°, 1,920 × 1,080 px →
    # focal length f = 960 / tan 45° = 960 px; vfov = 2 atan(tan 45° × 1080 / 1920) = 58.716°
    assert_allclose([c["f_px"] for c in res["cameras"]], 960.0, rtol=1e-9)
    assert_allclose([c["vfov_deg"] for c in res["cameras"]], 58.7155, atol=1e-3)
    # per camera, Detect lies inside what the camera covers; the sum over cameras is at
    # least the union the plan reports (overlaps counted once there)
    assert all(c["dori_m2"]["detect"] <= c["covered_m2"] for c in res["cameras"])
    assert sum(c["covered_m2"] for c in res["cameras"]) >= res["covered_m2"]
    arrays = np.load(grid)
    assert len(arrays.files) >= 1
    # the per-cell arrays cover the area: (1500 / 2)² = 562,500 cells (± a border row)
    biggest = max(arrays[k].size for k in arrays.files if arrays[k].ndim == 2)
    assert_allclose(biggest, (1500 / RESOLUTION_M) ** 2, rtol=0.01)


def test_coverage_and_dori_areas_per_school_district(batch):
    plan, _, out, _, proc = batch
    assert proc.returncode == 0, proc.stderr
    res = json.loads(out.read_text("utf-8"))
    dist = res["districts"]
    assert [d["name"] for d in dist] == ["北西小学校区", "北東小学校区", "南西小学校区",
                                         "南東小学校区"]
    # the quadrants split the square along x = 0 and y = 0, between cell centres (2 m cells
    # centred at ±1 m, ±3 m …): each holds a quarter of the cells, 750 m × 750 m
    for d in dist:
        assert_allclose(d["area_m2"], res["area_m2"] / 4, rtol=1e-9)
    # they partition the area: the per-district figures add up to the plan's, day and night
    assert_allclose(sum(d["covered_m2"] for d in dist), res["covered_m2"], rtol=1e-12)
    for k, v in res["dori_m2"].items():
        assert_allclose(sum(d["dori_m2"][k] for d in dist), v, rtol=1e-12)
    for k, v in res["night_dori_m2"].items():
        assert_allclose(sum(d["night_dori_m2"][k] for d in dist), v, rtol=1e-12)
    # each camera stands in the quadrant of its position
    g = Grid(LAT0, LON0, 1.0, (1, 1), 0.0, 0.0)
    for cam in plan["cameras"][:200]:
        x, y = g.to_xy(cam["lat"], cam["lon"])
        name = ("北" if y > 0 else "南") + ("東" if x > 0 else "西") + "小学校区"
        assert cam["id"] in next(d for d in dist if d["name"] == name)["cameras"]
    assert sum(len(d["cameras"]) for d in dist) == N_CAMERAS
    for d in dist:
        assert 0 < d["coverage_fraction"] == pytest.approx(d["covered_m2"] / d["area_m2"])


def test_bad_tilt_names_the_camera_and_field(batch, tmp_path):
    plan, *_ = batch
    bad = json.loads(json.dumps(plan))
    bad["cameras"][741]["tilt_deg"] = 120.0
    path = tmp_path / "plan_bad.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "result.json"
    proc = _run(path, "--out", out, "--grid", tmp_path / "grid.npz")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    # one line per problem, naming the camera id and the field (assessments.plan.validate)
    assert "camera K0742: tilt_deg = 120 is outside -90…90" in proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.startswith("  [")]) == 1
    assert not out.exists()  # nothing half-written
