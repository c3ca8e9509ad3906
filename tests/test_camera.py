"""Tests for assessments.engine.camera: pinhole geometry, pixel density, lens, DORI, footprint."""
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from assessments.engine import camera as cm


def test_focal_length_and_density():
    # f_px = (1920/2)/tan(45°) = 960 px; at 10 m: 960/10 = 96 px/m
    assert_allclose(cm.focal_length_px(90, 1920), 960.0)
    assert_allclose(cm.pixel_density(10.0, hfov_deg=90, width_px=1920), 96.0)
    out = cm.pixel_density(np.array([10.0, 40.0, np.nan, -1.0]), hfov_deg=90, width_px=1920)
    assert_allclose(out, [96.0, 24.0, np.nan, np.nan])


def test_vfov_from_aspect():
    # 2·atan(tan(45°)·1080/1920) = 2·atan(0.5625) = 58.7155°
    assert_allclose(cm.vfov_from_aspect(90, 1920, 1080), 58.71550708558, rtol=1e-10)
    assert_allclose(cm.vfov_from_aspect(np.array([90.0, 60.0]), 4, 4), [90.0, 60.0])


def test_lens_calculator():
    # 2·atan(5.6/(2·4)) = 2·atan(0.7) = 2·34.99202° = 69.98404°
    assert_allclose(cm.fov_from_lens(4.0, 5.6), 69.98404, rtol=1e-6)
    assert_allclose(cm.focal_length_from_fov(69.98404, 5.6), 4.0, rtol=1e-6)
    with pytest.raises(ValueError, match="must be > 0"):
        cm.fov_from_lens(0.0, 5.6)


@pytest.mark.parametrize("bad", [0, 180, 200, -5])
def test_invalid_fov(bad):
    with pytest.raises(ValueError, match=r"hfov_deg must be in \(0, 180\)"):
        cm.focal_length_px(bad, 1920)


def test_dori_tables_and_classification():
    t = cm.dori_thresholds()
    assert t == {"monitor": 12.5, "detect": 25.0, "observe": 62.5, "recognise": 125.0,
                 "identify": 250.0, "inspect": 1000.0}
    assert cm.dori_thresholds("iec62676_4_2025")["validate"] == 500.0
    assert cm.lowest_level_px_m("iec62676_4_2025") == 20.0
    assert_array_equal(cm.classify_dori([0, 12.5, 24.9, 25, 130, np.nan, 2000]),
                       [0, 1, 1, 2, 4, 0, 6])
    assert cm.classify_dori(300.0) == 5
    with pytest.raises(ValueError, match="iec62676_4_2014, iec62676_4_2025"):
        cm.dori_thresholds("en50132")


def test_one_dori_table_agrees_with_the_reference_data_and_labels():
    """The DORI table of assessments.engine.dori is the one the reference database
    (datasets/thresholds.csv, with sources), the Excel headers and the page's labels use."""
    import csv
    from pathlib import Path

    from assessments.engine import dori
    from reports import excel
    path = Path(__file__).resolve().parents[1] / "datasets" / "thresholds.csv"
    with open(path, encoding="utf-8") as f:
        csv_rows = [r for r in csv.DictReader(f) if r["measure"] == "pixel_density"]
    kinds = {"dori_2014": "iec62676_4_2014", "iec_2025": "iec62676_4_2025"}
    from_csv = {std: {r["key"]: float(r["value"]) for r in csv_rows if kinds.get(r["kind"]) == std}
                for std in kinds.values()}
    assert from_csv == dori.DORI_LEVELS
    # IEC 62676-4:2014 Monitor … Inspect 12.5 … 1000 px/m; 2025 Overview … Scrutinize
    # 20 … 1500 px/m (IEC 62676-4:2014 §7; 2025 per JVSG: only Validate 500 confirmed)
    assert list(dori.DORI_LEVELS["iec62676_4_2014"].values()) == [12.5, 25, 62.5, 125, 250, 1000]
    assert list(dori.DORI_LEVELS["iec62676_4_2025"].values()) == [20, 40, 80, 125, 250, 500,
                                                                   1500]
    assert dori.DORI_ORDER[:6] == ("monitor", "detect", "observe", "recognise", "identify",
                                   "inspect") and len(dori.DORI_ORDER) == 13
    # the Excel header and the page label come from the same rows
    assert excel._dori_label("recognise") == "Recognise（認識）"
    assert excel._dori_label("monitor") == "Monitor（監視）"
    # a 2025 level whose threshold is not confirmed carries the page's mark there too
    assert excel._dori_label("overview") == "Overview ※値は未確認"
    assert excel._dori_label("validate") == "Validate"
    from ui.strings import load_all
    strings = load_all()
    assert strings["sim.dori.identify"] == ("Identify（識別）", "Identify")
    assert all(f"sim.dori.{k}" in strings for k in dori.DORI_ORDER)
    # the highest level reached (the page's point report)
    thr = dori.dori_thresholds()
    assert [dori.level_at(v, thr) for v in (0.0, 12.5, 24.9, 130.0, 1e4, float("nan"))] == [
        None, "monitor", "monitor", "recognise", "inspect", None]


def test_camera_axes_and_frustum():
    # looking east, level: a point 10 m east is at depth 10 on the axis
    x, y, z = cm.to_camera(10.0, 0.0, 0.0, azimuth_deg=90, tilt_deg=0)
    assert_allclose([x, y, z], [0, 0, 10], atol=1e-12)
    # 1 m north of that point is to the image left (x_c = −1); 1 m down is image down
    x, y, z = cm.to_camera(10.0, 1.0, -1.0, azimuth_deg=90, tilt_deg=0)
    assert_allclose([x, y, z], [-1, 1, 10], atol=1e-12)
    # tilted 90° down: a point straight below is on the axis
    x, y, z = cm.to_camera(0.0, 0.0, -5.0, azimuth_deg=0, tilt_deg=90)
    assert_allclose([x, y, z], [0, 0, 5], atol=1e-12)
    inside = cm.in_frustum([0, 10.1, 9.9, 0], [0, 0, 0, np.nan], [10, 10, 10, 10],
                           hfov_deg=90, vfov_deg=60)
    assert_array_equal(inside, [True, False, True, False])


def test_axis_distances_tilted_camera():
    # h = 6 m, target 1.5 m → Δ = 4.5 m; tilt 30°, vfov 58.7155° (16:9, hfov 90°)
    # near edge Δ/tan(30° + 29.3578°) = 4.5/tan(59.3578°) = 4.5/1.68808 = 2.6658 m
    # far edge  Δ/tan(30° − 29.3578°) = 4.5/tan(0.6422°) = 401.5 m
    d = cm.axis_level_distances(mount_height_m=6, tilt_deg=30, hfov_deg=90,
                                vfov_deg=cm.vfov_from_aspect(90, 1920, 1080),
                                width_px=1920, target_height_m=1.5)
    assert_allclose(d["near_m"], 4.5 / math.tan(math.radians(30 + 29.357753542791)))
    assert_allclose(d["near_m"], 2.6658, rtol=1e-4)
    assert_allclose(d["far_m"], 4.5 / math.tan(math.radians(30 - 29.357753542791)))
    # detect (25 px/m): depth ≤ 960/25 = 38.4 → s = (38.4 − 4.5·sin30°)/cos30° = 41.74 m
    assert_allclose(d["detect"], (38.4 - 2.25) / math.cos(math.radians(30)))
    # inspect (1000 px/m): depth ≤ 0.96 m < nearest depth → not reached
    assert math.isnan(d["inspect"])


def test_footprint_level_camera_is_the_wedge():
    # level camera at target height looking east, depth ≤ 40 m: triangle |n| ≤ e ≤ 40 → 1600 m²
    fp = cm.footprint_xy(mount_height_m=1.5, azimuth_deg=90, tilt_deg=0, hfov_deg=90,
                         vfov_deg=58.7, target_height_m=1.5, max_depth_m=40.0)
    x, y = fp[:, 0], fp[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))
    assert_allclose(area, 1600.0, rtol=1e-9)
    assert_allclose([x.max(), y.max(), y.min()], [40, 40, -40], atol=1e-9)


def test_footprint_tilted_camera_range_limited():
    # tilted down 45° with vfov 10°: the footprint on the plane Δ = 4.5 m below runs from
    # 4.5/tan(50°) = 3.776 m to 4.5/tan(40°) = 5.363 m along the axis (north)
    fp = cm.footprint_xy(mount_height_m=6, azimuth_deg=0, tilt_deg=45, hfov_deg=10,
                         vfov_deg=10, target_height_m=1.5, range_m=100)
    # the near and far edges are east–west lines (the camera only pitches)
    assert_allclose([fp[:, 1].min(), fp[:, 1].max()], [4.5 / math.tan(math.radians(50)),
                                             4.5 / math.tan(math.radians(40))], rtol=1e-9)
    # looking up at the sky: nothing on the plane
    assert len(cm.footprint_xy(mount_height_m=6, azimuth_deg=0, tilt_deg=-60, hfov_deg=40,
                               vfov_deg=30, target_height_m=1.5, range_m=100)) == 0
