"""Summary helpers of the simulation page: DORI shares, requirement, overlap (costs:
tests/test_costs.py)."""
from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from assessments.engine import sim_summary as S
from assessments.engine.coverage import CoverageModel
from assessments.engine.grid import Grid

DORI = {"detect": 25.0, "observe": 62.5, "recognise": 125.0, "identify": 250.0}


def test_dori_fractions_cumulative():
    pd = np.array([[0, 30], [70, 300]], float)
    f = S.dori_fractions(pd, mask=np.ones((2, 2), bool), thresholds=DORI)
    # ≥ 25: 30, 70, 300 → 3/4; ≥ 62.5: 70, 300 → 2/4; ≥ 125: 300 → 1/4; ≥ 250 → 1/4
    assert_allclose([f[k] for k in DORI], [0.75, 0.5, 0.25, 0.25])
    # mask leaves out the 300 px/m cell; NaN counts as unseen
    pd[0, 0] = np.nan
    f = S.dori_fractions(pd, mask=np.array([[True, True], [True, False]]), thresholds=DORI)
    assert_allclose([f[k] for k in DORI], [2 / 3, 1 / 3, 0, 0])
    assert S.dori_fractions(pd, mask=np.zeros((2, 2), bool), thresholds=DORI)["detect"] == 0
    with pytest.raises(ValueError, match="mask shape"):
        S.dori_fractions(pd, mask=np.ones(3, bool), thresholds=DORI)


def test_use_case_requirement_takes_the_strictest():
    rows = [{"id": "people_count", "dori_level": "detect", "night_operation": False,
             "recording_needed": False},
            {"id": "watch_children", "dori_level": "recognise", "night_operation": True,
             "recording_needed": True},
            {"id": "face_identification", "dori_level": "identify", "night_operation": True,
             "recording_needed": True}]
    r = S.use_case_requirement(rows, ["people_count", "watch_children"], thresholds=DORI)
    assert r["level"] == "recognise" and r["px_per_m"] == 125.0
    assert r["night"] and r["recording"]
    r = S.use_case_requirement(rows, ["people_count"], thresholds=DORI)
    assert (r["level"], r["night"], r["recording"]) == ("detect", False, False)
    assert S.use_case_requirement(rows, [], thresholds=DORI) is None


def test_requirement_map_and_summary():
    day = np.array([[130, 130, 50, 0]], float)
    night = np.array([[130, 20, 130, 0]], float)
    mask = np.array([[True, True, True, False]])
    m = S.requirement_map(day, night, required_px_m=125, night_needed=True, mask=mask)
    assert m.tolist() == [[S.REQ_MET, S.REQ_DAY_ONLY, S.REQ_NOT_MET, S.REQ_OUTSIDE]]
    m2 = S.requirement_map(day, night, required_px_m=125, night_needed=False, mask=mask)
    assert m2.tolist() == [[S.REQ_MET, S.REQ_MET, S.REQ_NOT_MET, S.REQ_OUTSIDE]]
    s = S.requirement_summary(m, cell_area_m2=0.25)
    # 1 met, 1 day only, 1 not met of 3 cells of 0.25 m²
    assert_allclose([s["met_m2"], s["day_only_m2"], s["not_met_m2"]], [0.25, 0.25, 0.25])
    assert_allclose([s["met_fraction"], s["day_fraction"]], [1 / 3, 2 / 3])
    no_night = S.requirement_map(day, None, required_px_m=125, night_needed=True, mask=mask)
    assert no_night.tolist() == [[S.REQ_DAY_ONLY, S.REQ_DAY_ONLY, S.REQ_NOT_MET,
                                  S.REQ_OUTSIDE]]


def _cam(grid, x, y, az, cid):
    lat, lon = grid.to_latlon(x, y)
    return {"id": cid, "lat": lat, "lon": lon, "mount_height_m": 5.0, "azimuth_deg": az,
            "tilt_deg": 15.0, "hfov_deg": 60.0, "width_px": 1920, "height_px": 1080}


def test_camera_overlap_flags_the_twin():
    g = Grid.from_bounds(35.75, 139.55, -60, -60, 60, 60, 1.0)
    m = CoverageModel(g)
    m.set_cameras([_cam(g, 0, 0, 90, "A"), _cam(g, 0, 0, 90, "B"), _cam(g, 0, 0, 270, "C")])
    ov = {o["id"]: o for o in S.camera_overlap(m)}
    # A and B are identical: every cell either sees is seen by the other → shared 1.0
    assert ov["A"]["unique_m2"] == 0 and ov["A"]["shared_fraction"] == 1.0
    assert ov["A"]["adds_little"] and ov["B"]["adds_little"]
    # C looks the other way: nothing shared
    assert ov["C"]["shared_fraction"] == 0.0 and not ov["C"]["adds_little"]
    assert_allclose(ov["C"]["unique_m2"], ov["C"]["covered_m2"])
    assert ov["C"]["covered_m2"] > 100
