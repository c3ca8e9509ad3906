"""Memory of a run estimated before it starts (assessments.engine.budget): the estimate
against measured peaks, the machine's memory and its cap, and the refusal of a plan too
large to run by the command line and by the シミュレーション page, before any grid exists."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from assessments.engine import budget
from assessments.engine.devices import as_camera
from assessments.engine.grid import Grid
from assessments.plan.validate import validate_plan

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "simulate.py")
LAT, LON = 35.0, 139.0


def _square(size_m: float) -> dict:
    """A GeoJSON square of ``size_m`` [m] centred on (LAT, LON)."""
    g = Grid.from_bounds(LAT, LON, -1, -1, 1, 1, 1.0)
    h = size_m / 2
    lat, lon = g.to_latlon(np.array([-h, h, h, -h, -h]), np.array([-h, -h, h, h, -h]))
    return {"type": "Polygon", "coordinates": [[[float(o), float(a)] for o, a in zip(lon, lat)]]}


def _plan(size_m: float, resolution_m: float, n_cameras: int = 0, n_lights: int = 0,
          seed: int = 1) -> dict:
    """The calibration scene: the plan-format camera (5 m, tilt 15°, 90°, 1920 × 1080) at
    random positions and bearings inside the square, 300 cd lights; no ``standard`` (2014:
    Monitor 12.5 px/m is the working range)."""
    g = Grid.from_bounds(LAT, LON, -1, -1, 1, 1, 1.0)
    rng = np.random.default_rng(seed)
    h = size_m / 2

    def at():
        la, lo = g.to_latlon(*rng.uniform(-h, h, 2))
        return float(la), float(lo)

    cams, lights = [], []
    for i in range(n_cameras):
        la, lo = at()
        cams.append({"id": f"C{i + 1}", "lat": la, "lon": lo, "mount_height_m": 5.0,
                     "azimuth_deg": float(rng.uniform(0, 360)), "tilt_deg": 15.0,
                     "hfov_deg": 90.0, "width_px": 1920, "height_px": 1080})
    for i in range(n_lights):
        la, lo = at()
        lights.append({"id": f"L{i + 1}", "lat": la, "lon": lo, "mount_height_m": 5.0,
                       "intensity_cd": 300.0})
    return {"version": 1, "name": "budget", "resolution_m": resolution_m,
            "area": _square(size_m), "cameras": cams, "lights": lights}


# ---------------------------------------------------------------------------------------
# the estimate by hand and against measured peaks
# ---------------------------------------------------------------------------------------
def test_grid_part_by_hand_and_no_cameras():
    grid = Grid.from_area(_square(1000.0), 1.0)
    rows, cols = grid.shape
    est = budget.estimate_bytes(grid, threads=2)
    # 10 B per cell (uint16 buildings, bool inside, float32 density, int16 best camera,
    # uint8 count) + the night join of two 512² blocks at 16 B per cell
    assert est.parts["grid"] == rows * cols * 10
    assert est.parts["night_blocks"] == 2 * 512 * 512 * 16
    assert est.parts["camera_windows"] == 0 and est.window_cells == 0
    assert est.total_bytes == rows * cols * 10 + 2 * 512 * 512 * 16


def test_camera_window_by_hand():
    """One camera looking north from the centre: 1920 px over 90° → f = 960 px; working
    depth 960 / 12.5 = 76.8 m; reach 76.8·√(1 + tan²45°) = 108.6 m; the wedge ±45° around
    north spans x ∈ [−76.8, 76.8] (108.6·sin 45°) and y ∈ [0, 108.6]: at 1 m about
    154 × 109 ≈ 16,800 cells, 4 B each kept."""
    grid = Grid.from_area(_square(1000.0), 1.0)
    cam = as_camera({"id": "C1", "lat": LAT, "lon": LON, "mount_height_m": 5.0,
                     "azimuth_deg": 0.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
                     "width_px": 1920, "height_px": 1080})
    est = budget.estimate_bytes(grid, [cam], min_density_px_m=12.5, threads=1)
    assert 153 * 108 <= est.window_cells <= 155 * 110
    assert est.parts["camera_windows"] == est.window_cells * 4
    # turned by 45°: the wedge spans bearings 0…90°: x ∈ [0, 108.6], y ∈ [0, 108.6]
    cam45 = as_camera({"id": "C1", "lat": LAT, "lon": LON, "mount_height_m": 5.0,
                       "azimuth_deg": 45.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
                       "width_px": 1920, "height_px": 1080})
    est45 = budget.estimate_bytes(grid, [cam45], min_density_px_m=12.5, threads=1)
    assert 108 * 108 <= est45.window_cells <= 110 * 110


_MEASURE = textwrap.dedent("""
    import json, resource, sys
    sys.path.insert(0, sys.argv[1])
    from assessments.simulate import simulate
    plan = json.loads(sys.stdin.read())
    simulate(dict(plan, resolution_m=10.0, cameras=plan["cameras"][:2],
                  lights=plan["lights"][:2]), night_grids=False)   # imports, warm
    def rss():
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) * 1024
    base = rss()
    simulate(plan, night_grids=False)
    # VmHWM: this process's own peak (ru_maxrss keeps the parent's RSS at fork across exec)
    with open("/proc/self/status") as f:
        print(next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) * 1024 - base)
""")


def _measured_peak(plan: dict) -> int:
    """Peak RSS of ``simulate(plan)`` above the process's RSS after a warm-up run [B]."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(ROOT)], input=json.dumps(plan),
                         capture_output=True, text=True, timeout=300, check=True)
    return int(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("size_m, res_m, n_cam, n_light", [
    # measured 184 MiB, estimated 217 MiB: 16,004,000 cells × 10 B = 153 MiB, 100 windows
    # of ≈ 57,000 cells (0.5 m) × 4 B = 22 MiB, the busiest two night blocks 43 MiB
    (2000.0, 0.5, 100, 20),
    # measured 229 MiB, estimated 252 MiB (1,000 cameras: windows 55 MiB, night pairs 157 MiB)
    (2000.0, 1.0, 1000, 0),
])
def test_estimate_within_30_percent_of_measured_peak(size_m, res_m, n_cam, n_light):
    plan = _plan(size_m, res_m, n_cam, n_light)
    est = budget.plan_estimate(validate_plan(plan), threads=min(4, os.cpu_count() or 1))
    measured = _measured_peak(plan)
    assert 0.7 * measured <= est.total_bytes <= 1.3 * measured, (est.parts, measured)


# ---------------------------------------------------------------------------------------
# available memory
# ---------------------------------------------------------------------------------------
def test_available_bytes_from_meminfo_minus_margin_and_capped(tmp_path):
    info = tmp_path / "meminfo"
    info.write_text("MemTotal:       8000000 kB\nMemAvailable:    4194304 kB\n")
    # 4,194,304 kB = 4 GiB, minus the 512 MiB margin = 3.5 GiB
    assert budget.available_bytes(environ={}, meminfo=str(info)) == int(3.5 * 1024 ** 3)
    capped = budget.available_bytes(environ={budget.MEMORY_LIMIT_ENV: "1024"},
                                    meminfo=str(info))
    assert capped == 1024 ** 3                       # 1024 MB, below 3.5 GiB
    loose = budget.available_bytes(environ={budget.MEMORY_LIMIT_ENV: "99999"},
                                   meminfo=str(info))
    assert loose == int(3.5 * 1024 ** 3)             # the cap never adds memory
    with pytest.raises(ValueError, match=budget.MEMORY_LIMIT_ENV):
        budget.available_bytes(environ={budget.MEMORY_LIMIT_ENV: "lots"}, meminfo=str(info))


def test_check_budget_suggests_the_coarser_resolution_that_fits():
    plan = validate_plan(_plan(1000.0, 0.1))
    # 1000 m at 0.1 m: 10,001² ≈ 100 M cells × 10 B = 0.93 GiB > 0.5 GiB; at 0.2 m:
    # 5,001² × 10 B = 0.23 GiB (+ 8 MiB of night blocks) fits
    with pytest.raises(budget.MemoryBudgetError) as info:
        budget.check_budget(plan, available=budget.GIB // 2, threads=2)
    exc = info.value
    assert exc.suggestions[-1][0] == 0.2
    assert math.isclose(exc.suggestions[-1][1], 5001 ** 2 * 10 + 2 * 512 ** 2 * 16,
                        rel_tol=0.01)
    assert "needs about 0.9 GiB" in exc.message and "at 0.2 m: 0.2 GiB" in exc.message


# ---------------------------------------------------------------------------------------
# refused before the run: command line and page
# ---------------------------------------------------------------------------------------
def _huge_plan() -> dict:
    """997 m square at 0.05 m: 19,941² ≈ 397.6 M cells, under the validator's 400 M."""
    return {"version": 1, "name": "huge", "resolution_m": 0.05, "area": _square(997.0),
            "cameras": [{"id": "C1", "lat": LAT, "lon": LON, "mount_height_m": 5.0,
                         "azimuth_deg": 0.0, "tilt_deg": 15.0, "hfov_deg": 90.0,
                         "width_px": 1920, "height_px": 1080}]}


def test_cli_refuses_a_398_m_cell_plan_quickly_without_allocating(tmp_path):
    path = tmp_path / "PLAN.json"
    path.write_text(json.dumps(_huge_plan()))
    env = dict(os.environ, **{budget.MEMORY_LIMIT_ENV: "2048"})
    t0 = time.monotonic()
    # the CLI run as ``python -m assessments``, telling its own peak RSS (VmHWM) at exit:
    # ru_maxrss from wait4 would include this test process's RSS at fork
    runner = ("import atexit, runpy, sys\n"
              "def peak():\n"
              "    with open('/proc/self/status') as f:\n"
              "        kb = next(int(l.split()[1]) for l in f if l.startswith('VmHWM'))\n"
              "    print(f'PEAK_KB {kb}', file=sys.stderr)\n"
              "atexit.register(peak)\n"
              "sys.argv = ['assessments'] + sys.argv[1:]\n"
              "runpy.run_module('assessments', run_name='__main__')\n")
    proc = subprocess.Popen([sys.executable, "-c", runner, "simulate", str(path),
                             "--out", str(tmp_path / "RESULT.json")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(60, proc.kill)      # a run instead of a refusal: stop it
    timer.start()
    try:
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        proc.stderr.close()
    elapsed = time.monotonic() - t0
    assert os.waitstatus_to_exitcode(status) == 2, err
    # 397.6 M cells × 10 B = 3.70 GiB; the camera's window (≈ 16,800 m², see
    # test_camera_window_by_hand) is 6.7 M cells at 0.05 m: 27 MB kept + 269 MB while
    # computed (40 B) + its night pairs (0.5 × 140 B, spread over its 512² blocks) ≈ 0.3 GiB:
    # 4.0 GiB over the 2 GiB cap; at 0.1 m: 99.4 M × 10 B = 0.93 GiB + 1.7 M window cells
    # × 44 B = 0.07 GiB = 1.0 GiB fits
    assert "needs about 4.0 GiB" in err and "2.0 GiB is available" in err, err
    assert "at 0.1 m: 1.0 GiB" in err and "smaller area" in err, err
    assert "397,6" in err                                   # the cells, named
    assert not (tmp_path / "RESULT.json").exists()
    assert elapsed < 30
    # one bool per cell would already be 398 MB
    peak_kb = int(err.rsplit("PEAK_KB", 1)[1])
    assert peak_kb * 1024 < 300 * 1024 ** 2


def _page_with(monkeypatch, plan: dict, lang: str, limit_mb: int) -> AppTest:
    from datasets.workspace import Workspace
    monkeypatch.setenv(budget.MEMORY_LIMIT_ENV, str(limit_mb))
    ws = Workspace(Path(os.environ["MIMAMORI_WORKSPACE"]))
    try:
        stored = ws.add_plan(plan, new_id=True)
    finally:
        ws.close()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["plan_id"] = stored["id"]
    at.run()
    assert not at.exception, at.exception
    return at, stored


@pytest.mark.parametrize("lang, needed, coarser", [
    ("ja", "約 13.5 GiB のメモリが必要", "解像度を 0.2 m にすると約 0.8 GiB"),
    ("en", "needs about 13.5 GiB of memory", "resolution of 0.2 m it needs about 0.8 GiB")])
def test_page_refuses_a_398_m_cell_plan_in_both_languages(monkeypatch, lang, needed,
                                                         coarser):
    """The page keeps 25 B per cell besides the model's 10: 397.6 M cells × 35 B = 12.96 GiB,
    and its camera (6.7 M window cells at 0.05 m, as in the command-line test) 27 MB kept
    + 269 MB computed + 0.5 × 6.7 M × 84 B of kept night pairs = 0.54 GiB: 13.5 GiB over a
    2 GiB cap; at 0.1 m 99.4 M × 35 B = 3.2 GiB does not fit either, at 0.2 m
    4,986² = 24.9 M × 35 B = 0.81 GiB + 0.42 M window cells × 86 B = 0.03 GiB does."""
    at, _ = _page_with(monkeypatch, _huge_plan(), lang, 2048)
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    text = errors[0]
    assert ("計算は行わず、計画は変更していません" if lang == "ja"
            else "Nothing was computed and the plan was not changed") in text
    assert needed in text and coarser in text and "2.0 GiB" in text, text
    assert "397,663,422" in text, text                      # the cells, named
    assert ("カメラ 1 台" if lang == "ja" else "cameras: 1") in text, text
    assert "計画は変更していません" in text or lang == "en"
    # the page stays usable: the sidebar's plan selector and the language switch are drawn
    assert at.sidebar.selectbox or at.sidebar.radio


def test_page_refuses_cameras_that_would_not_fit(monkeypatch):
    """A 400 m square at 1 m with 10 cameras runs under a 200 MB cap (160,801 cells × 35 B
    = 5.4 MB, 10 windows of ≈ 16,800 cells × (4 + 40 + 0.5 × 84) B = 14 MB); 2,000 cameras
    then add about 2,000 × 16,800 × (4 + 0.5 × 84) B ≈ 1.5 GB: refused before any of them
    is computed, the plan as saved."""
    from datasets.workspace import Workspace
    plan = _plan(400.0, 1.0, 2000)
    at, stored = _page_with(monkeypatch, dict(plan, cameras=plan["cameras"][:10]), "en", 200)
    assert not at.error, [e.value for e in at.error]
    ws = Workspace(Path(os.environ["MIMAMORI_WORKSPACE"]))
    try:
        ws.update_plan(stored["id"], lambda p: p.update(cameras=plan["cameras"]))
    finally:
        ws.close()
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "cameras: 2,000" in errors[0], errors
    assert "Nothing was computed" in errors[0]
